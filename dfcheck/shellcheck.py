"""Optional ShellCheck integration (``pip install 'dfcheck[shellcheck]'``)."""

from __future__ import annotations

import shutil
from functools import cache


@cache
def executable() -> str | None:
    return shutil.which("shellcheck")


def available() -> bool:
    return executable() is not None
