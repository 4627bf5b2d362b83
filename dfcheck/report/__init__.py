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

from dfcheck.records import field, record

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


@record
class RenderOptions:
    color: bool = False
    #: Paths in reports are made relative to this directory (the repository root; default: cwd).
    root: Path = field(factory=Path.cwd)
    show_frames: bool = True
    quiet: bool = False
    statistics: bool = False
    #: Extra analysis results to show (e.g. the cache analyzer's JSON) keyed by file path.
    extras: dict[str, Any] = field(factory=dict)


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
