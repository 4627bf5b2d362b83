"""reviewdog diagnostic format (rdjson), with fixes as ``suggestions``.

``reviewdog -reporter=github-pr-review`` turns suggestions into suggested changes a reviewer
applies with one click, so display-only fixes (placeholders such as ``<version>``) and fixes that
create another file are left out.

reviewdog counts columns in UTF-8 bytes (from 1, end exclusive), so columns are converted
using the file's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from dfcheck.dockerfile.source import LineIndex, Span
from dfcheck.lint.finding import DISPLAY_ONLY, Report, Severity
from dfcheck.lint.pages import HOMEPAGE
from dfcheck.report import RenderOptions
from dfcheck.report._common import (
    code_unit_column,
    iter_findings,
    relative_path,
    rule_infos,
    sorted_files,
)
from dfcheck.report.plain import json_text, source_lines

SEVERITIES = {
    Severity.ERROR: "ERROR",
    Severity.WARNING: "WARNING",
    Severity.INFO: "INFO",
    Severity.STYLE: "INFO",
}


def byte_range(span: Span, lines: Sequence[str]) -> dict[str, Any]:
    def position(line: int, col: int) -> dict[str, int]:
        return {"line": line, "column": code_unit_column(lines, line, col, "utf-8") + 1}

    return {"start": position(span.start_line, span.start_col), "end": position(span.end_line, span.end_col)}


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    urls = {info.code: info.help_uri for info in rule_infos(report, registered=False)}
    diagnostics: list[dict[str, Any]] = [
        {
            "message": f"could not read file: {result.error}",
            "location": {"path": relative_path(result.path, options.root)},
            "severity": "ERROR",
        }
        for result in sorted_files(report, options.root)
        if result.error
    ]
    indexes: dict[str, LineIndex] = {}
    for result, finding in iter_findings(report, options.root):
        lines = source_lines(result.text)
        path = relative_path(finding.path or result.path, options.root)
        diagnostic: dict[str, Any] = {
            "message": finding.message,
            "location": {"path": path, "range": byte_range(finding.span, lines)},
            "severity": SEVERITIES[finding.severity],
            "code": {"value": finding.code, "url": urls[finding.code]},
        }
        fix = finding.fix
        if fix is not None and fix.applicability != DISPLAY_ONLY and not any(e.file for e in fix.edits):
            index = indexes.setdefault(result.path, LineIndex(result.text))
            diagnostic["suggestions"] = [
                {"range": byte_range(index.span(edit.start, edit.end), lines), "text": edit.content}
                for edit in fix.edits
            ]
        if finding.related:
            diagnostic["related_locations"] = [
                {"message": r.message, "location": {"path": path, "range": byte_range(r.span, lines)}}
                for r in finding.related
            ]
        diagnostics.append(diagnostic)
    document = {"source": {"name": "dfcheck", "url": HOMEPAGE}, "diagnostics": diagnostics}
    out.write(json_text(document))
