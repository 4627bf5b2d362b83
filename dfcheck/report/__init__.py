"""Output formats: one module per format, each exposing ``render(report, out, options)``.

Formatters are imported by name only when asked for, so heavy libraries (jinja2, sarif-om)
stay off the path of a plain text run.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from dfcheck.dockerfile.source import Record

FORMATS = (
    "text",
    "json",
    "sarif",
    "html",
    "github",
    "checkstyle",
    "gitlab",
    "junit",
    "sonarqube",
    "rdjson",
)


_OPTION_FIELDS = ("color", "root", "show_frames", "quiet", "statistics", "extras")


class RenderOptions(Record):
    _fields = _OPTION_FIELDS

    def __init__(
        self,
        color: bool = False,
        root: Path | None = None,
        show_frames: bool = True,
        quiet: bool = False,
        statistics: bool = False,
        extras: dict[str, Any] | None = None,
    ) -> None:
        self.color = color
        #: Paths in reports are made relative to this directory (the repository root).
        self.root: Path = Path.cwd() if root is None else root
        self.show_frames = show_frames
        self.quiet = quiet
        self.statistics = statistics
        #: Extra analysis results to show (e.g. the cache analyzer's JSON) keyed by file path.
        self.extras: dict[str, Any] = {} if extras is None else extras


def load(name: str) -> ModuleType:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    return importlib.import_module(f"dfcheck.report.{name}")


def auto_format(stream: Any = None) -> str:
    """``--format auto``: annotations under GitHub Actions, text elsewhere."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    return "text"


def want_color(choice: str, stream: Any = None) -> bool:
    """--color, then FORCE_COLOR, NO_COLOR, TERM=dumb, then whether the stream is a terminal."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if "NO_COLOR" in os.environ:
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    stream = stream if stream is not None else sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())
