"""``check``, ``cache`` and ``context`` when the build context is unreadable, invalid, deep or loops."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dfcheck.build import context
from dfcheck.cli.app import app
from tests.conftest import deep_tree, refusing_read_bytes, refusing_scandir

runner = CliRunner()


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(app, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def unreadable_ignore_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A context whose ``.dockerignore`` cannot be read (as for a user without permission)."""
    monkeypatch.setattr(Path, "read_bytes", refusing_read_bytes(".dockerignore"))
    (tmp_path / ".dockerignore").write_text("*.md\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nCOPY . /app\n")
    return tmp_path


def test_check_reports_an_unreadable_ignore_file_once(unreadable_ignore_file: Path) -> None:
    code, _, err = run(["check", "Dockerfile", "--format", "text"], unreadable_ignore_file)
    assert (code, err) == (2, "Dockerfile:1:1: cannot read .dockerignore: Permission denied\n")


def test_cache_and_context_fail_in_one_line_on_an_unreadable_ignore_file(
    unreadable_ignore_file: Path,
) -> None:
    code, _, err = run(["cache", "Dockerfile"], unreadable_ignore_file)
    assert (code, err) == (2, "dfcheck: error: cannot read .dockerignore: Permission denied\n")
    code, _, err = run(["context", "."], unreadable_ignore_file)
    assert (code, err) == (2, "dfcheck: error: .: cannot read .dockerignore: Permission denied\n")


def test_check_fails_on_an_invalid_ignore_pattern(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("node_modules\nbuild\\output\n")
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.20\nCOPY . /app\nCMD ["true"]\n')
    code, out, _ = run(["check", "Dockerfile", "--format", "text", "--select", "DF4"], tmp_path)
    assert code == 1
    assert out.startswith(".dockerignore:2:1: DF406 'build\\output' is not a valid pattern")
    # The summary counts linted files: the finding about .dockerignore belongs to the Dockerfile.
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.20\nMAINTAINER me\nCOPY . /app\nCMD ["true"]\n')
    code, out, _ = run(["check", "Dockerfile", "--format", "text", "--select", "DF4,DF801"], tmp_path)
    assert "Found 2 problems (1 error, 1 warning) in 1 of 1 file.\n" in out


@pytest.fixture
def deep(tmp_path: Path) -> Iterator[Path]:
    """A context with a directory 1,100 levels deep, removed bottom-up (rmtree itself recurses)."""
    with deep_tree(tmp_path) as bottom:
        (bottom / "f.txt").write_text("x\n")
        (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nCOPY . /app\n")
        yield tmp_path


def test_cache_changed_in_a_very_deep_directory(deep: Path) -> None:
    code, out, _ = run(["cache", "Dockerfile", "--changed", "d", "--format", "json"], deep)
    assert code == 0
    assert json.loads(out)["changed_files"] == ["d/" * 1100 + "f.txt"]


def test_cache_changed_through_symlinks_stays_in_the_context(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "link").symlink_to("/")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nCOPY loop /x\nRUN true\nCOPY etc /etc\n")
    code, out, _ = run(["cache", "Dockerfile", "--changed", "loop", "--format", "json"], tmp_path)
    assert code == 0
    assert json.loads(out)["changed_files"] == ["loop"]
    code, _, err = run(["cache", "Dockerfile", "--changed", "link/etc", "--changed", "loop/x"], tmp_path)
    assert code == 2
    assert err.count("not inside the build context") == 2


def test_files_below_names_an_unreadable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "src" / "locked").mkdir(parents=True)
    monkeypatch.setattr(context.os, "scandir", refusing_scandir("locked"))
    with pytest.raises(OSError, match=r"^cannot read src/locked: Permission denied$"):
        context.files_below(tmp_path, "src")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nCOPY src /src\n")
    code, _, err = run(["cache", "Dockerfile", "--changed", "src"], tmp_path)
    assert (code, err) == (2, "dfcheck: error: cannot read src/locked: Permission denied\n")
