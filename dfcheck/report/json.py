"""JSON report: a documented, versioned schema (see README "JSON output")."""

from __future__ import annotations

from typing import Any, TextIO

from dfcheck import __version__
from dfcheck.dockerfile.source import LineIndex
from dfcheck.lint.finding import Finding, Report
from dfcheck.report import RenderOptions
from dfcheck.report.plain import json_text

#: 2: a fix is {applicability, message, edits on character offsets} (was {description, safe, edits on spans}).
SCHEMA_VERSION = 2


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    texts = {r.path: r.text for r in report.files}
    indexes: dict[str, LineIndex] = {}
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "dfcheck", "version": __version__},
        "files": [{"path": r.path, "error": r.error, "findings": len(r.findings)} for r in report.files],
        "findings": [_record(f, texts, indexes) for f in report.findings],
        "statistics": report.statistics,
    }
    out.write(json_text(document))


def _record(finding: Finding, texts: dict[str, str], indexes: dict[str, LineIndex]) -> dict[str, Any]:
    """The finding's record; each edit of its fix gets the span of its offsets too."""
    record = finding.to_record()
    if finding.fix is not None:
        if finding.path not in indexes:
            indexes[finding.path] = LineIndex(texts.get(finding.path, ""))
        index = indexes[finding.path]
        for edit, item in zip(finding.fix.edits, record["fix"]["edits"], strict=True):
            if not edit.file:
                item["span"] = index.span(edit.start, edit.end).to_dict()
    return record
