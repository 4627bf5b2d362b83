"""Shared helpers: lint a snippet with chosen rules, with an optional build context on disk."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dfcheck.lint.config import Settings
from dfcheck.lint.engine import lint_text
from dfcheck.lint.finding import Finding

#: Tests judge end-of-life dates (DF609) as of a fixed day, so that they do not fail as the calendar moves.
os.environ["SOURCE_DATE_EPOCH"] = "1767225600"  # 2026-01-01

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


def lint(
    text: str,
    select: tuple[str, ...] = (),
    *,
    files: dict[str, str] | None = None,
    tmp: Path | None = None,
    dockerfile_name: str = "Dockerfile",
    **settings: object,
) -> list[Finding]:
    """Lint ``text``; with ``files`` it is written into ``tmp`` beside those context files."""
    base = Settings().replace(select=select, **settings)
    if files is not None and tmp is not None:
        for name, content in files.items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        dockerfile = tmp / dockerfile_name
        dockerfile.write_text(text)
        return lint_text(text, dockerfile_name, base, dockerfile, tmp).findings
    return lint_text(text, "Dockerfile", base).findings


def positions(findings: list[Finding], code: str | None = None) -> list[tuple[int, int, int, int]]:
    return [
        (f.span.start_line, f.span.start_col, f.span.end_line, f.span.end_col)
        for f in findings
        if code is None or f.code == code
    ]


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip("shared corpus not present")
    return CORPUS


def refusing_scandir(name: str) -> Callable[[str], Iterator[os.DirEntry[str]]]:
    """``os.scandir`` that refuses to list a directory called ``name``, as for a user without
    permission (the tests run as root, where permissions refuse nothing)."""
    real = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if os.path.basename(path) == name:
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    return scandir


@contextmanager
def deep_tree(root: Path, depth: int = 1100) -> Iterator[Path]:
    """``root/d/d/.../d``, ``depth`` levels, yielded as its bottom directory and removed bottom-up
    afterwards (shutil.rmtree itself recurses); the caller's files in the bottom go too."""
    bottom = root
    for _ in range(depth):
        bottom = bottom / "d"
        bottom.mkdir()
    try:
        yield bottom
    finally:
        for entry in bottom.iterdir():
            entry.unlink()
        while bottom != root:
            bottom.rmdir()
            bottom = bottom.parent


def refusing_read_bytes(name: str) -> Callable[[Path], bytes]:
    """``Path.read_bytes`` that refuses to read a file called ``name``, as for a user without
    permission (the tests run as root, where permissions refuse nothing)."""
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    return read_bytes
