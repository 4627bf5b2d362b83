"""Find Dockerfiles under the paths given on the command line.

Explicit paths are always linted; directories are walked for Dockerfile-like names, skipping
``.git``, ``node_modules``, what the configuration's ``exclude`` names and anything git ignores
(asked of git once per repository).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from pathlib import Path

NAME_PATTERNS = (
    "Dockerfile",
    "Dockerfile.*",
    "Dockerfile-*",
    "*.Dockerfile",
    "*.dockerfile",
    "Containerfile",
    "Containerfile.*",
)
SKIP_DIRS = frozenset({".git", "node_modules", ".hg", ".svn", ".venv", "__pycache__", ".tox"})
_NOT_DOCKERFILES = (
    ".dockerignore",
    ".md",
    ".sh",
    ".yml",
    ".yaml",
    ".json",
    ".j2",
    ".tmpl",
    ".template",
    ".txt",
)


def is_dockerfile_name(name: str) -> bool:
    if name.lower().endswith(_NOT_DOCKERFILES):
        return False
    return any(fnmatch.fnmatchcase(name, p) for p in NAME_PATTERNS)


def _git_ignored(root: Path, candidates: list[Path]) -> set[Path]:
    """The ``candidates`` git ignores. Names travel as the file system's bytes both ways
    (``os.fsencode``/``os.fsdecode``), so a name that is not UTF-8 is asked about and matched
    back like any other."""
    if not candidates:
        return set()
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "--stdin", "-z"],
            input=b"\0".join(os.fsencode(c) for c in candidates),
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    return {Path(os.fsdecode(p)) for p in proc.stdout.split(b"\0") if p}


def is_excluded(path: Path, patterns: tuple[str, ...]) -> bool:
    """Does an ``exclude`` pattern match ``path`` (absolute)? As in ruff: a pattern without a
    slash matches the file or directory name at any depth, one with a slash the whole path
    (:func:`dfcheck.lint.config.check_value` made it absolute)."""
    name, full = path.name, str(path)
    return any(fnmatch.fnmatchcase(full if "/" in p else name, p) for p in patterns)


def discover(
    paths: list[str], excluded: Callable[[Path], bool] | None = None
) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """(files to lint as (path, display name), errors as (display, one-line message)).

    ``excluded`` is asked about each directory and file found under a directory argument.
    """
    found: list[tuple[Path, str]] = []
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists()
        except OSError as exc:
            errors.append((raw, f"{raw}:1:1: cannot read: {exc.strerror or exc}"))
            continue
        if not exists:
            kind = "symlink loop or broken link" if path.is_symlink() else "no such file or directory"
            errors.append((raw, f"{raw}:1:1: cannot read: {kind}"))
            continue
        if not is_dir:
            if raw not in seen:
                seen.add(raw)
                found.append((path, raw))
            continue
        walked = _walk(path, excluded, errors)
        ignored = _git_ignored(path, walked) if (path / ".git").exists() or _inside_git(path) else set()
        for file in walked:
            if file in ignored:
                continue
            shown = os.path.normpath(str(file))
            if shown not in seen:
                seen.add(shown)
                found.append((file, shown))
    return found, errors


def _walk(top: Path, excluded: Callable[[Path], bool] | None, errors: list[tuple[str, str]]) -> list[Path]:
    """Dockerfile-like names under ``top``, in the order ``os.walk`` gives (sorted, top-down),
    without its recursion: a tree deeper than Python's recursion limit is walked too.

    Symbolic links to directories are not followed; a directory that cannot be listed is an
    error line, so the run never reports a clean result for files it did not see.
    """
    found: list[Path] = []
    stack = [top]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as entries:
                listed = list(entries)
        except OSError as exc:
            shown = os.path.normpath(str(here))
            errors.append((shown, f"{shown}:1:1: cannot read directory: {exc.strerror or exc}"))
            continue
        dirs, files = [], []
        for entry in listed:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                files.append(entry.name)
            elif not entry.is_symlink():
                dirs.append(entry.name)
        found.extend(
            here / f for f in sorted(files) if is_dockerfile_name(f) and not (excluded and excluded(here / f))
        )
        below = [
            here / d for d in sorted(dirs) if d not in SKIP_DIRS and not (excluded and excluded(here / d))
        ]
        stack.extend(reversed(below))
    return found


def _inside_git(path: Path) -> bool:
    return any((parent / ".git").exists() for parent in path.resolve().parents)
