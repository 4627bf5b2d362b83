"""JSON report: a documented, versioned schema (see README "JSON output")."""

from __future__ import annotations

from typing import TextIO

from dfcheck import __version__
from dfcheck.lint.finding import Report
from dfcheck.report import RenderOptions
from dfcheck.report.plain import json_text

SCHEMA_VERSION = 1


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "dfcheck", "version": __version__},
        "files": [
            {"path": r.path, "error": r.error, "findings": len(r.findings)} for r in report.files
        ],
        "findings": [f.to_record() for f in report.findings],
        "statistics": report.statistics,
    }
    out.write(json_text(document))
