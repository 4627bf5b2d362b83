"""SonarQube generic issue import format (10.3+): a ``rules`` array and ``issues`` that point at them.

Sonar counts columns from 0 in UTF-16 code units and rejects ranges past the end of a line,
so columns are converted and clamped, and dropped when nothing of the range is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import FileResult, Report, Severity
from dfcheck.report import RenderOptions
from dfcheck.report._common import code_unit_column, iter_findings, relative_path, rule_infos
from dfcheck.report.plain import json_text, source_lines

ENGINE = "dfcheck"
IMPACT_SEVERITIES = {
    Severity.ERROR: "HIGH",
    Severity.WARNING: "MEDIUM",
    Severity.INFO: "LOW",
    Severity.STYLE: "LOW",
}
#: category -> (software quality, clean code attribute)
QUALITIES = {
    "syntax": ("RELIABILITY", "LOGICAL"),
    "cache": ("MAINTAINABILITY", "EFFICIENT"),
    "entrypoint": ("RELIABILITY", "LOGICAL"),
    "healthcheck": ("RELIABILITY", "COMPLETE"),
    "context": ("MAINTAINABILITY", "EFFICIENT"),
    "shell": ("RELIABILITY", "LOGICAL"),
    "security": ("SECURITY", "TRUSTWORTHY"),
    "reproducibility": ("RELIABILITY", "COMPLETE"),
    "style": ("MAINTAINABILITY", "CONVENTIONAL"),
}


def text_range(span: Span, lines: Sequence[str]) -> dict[str, int]:
    last = max(len(lines), 1)
    start_line = min(max(span.start_line, 1), last)
    end_line = min(max(span.end_line, start_line), last)
    start = code_unit_column(lines, start_line, span.start_col, "utf-16-le")
    end = code_unit_column(lines, end_line, span.end_col, "utf-16-le")

    def width(line: int) -> int:
        return len(lines[line - 1].encode("utf-16-le")) // 2 if line <= len(lines) else 0

    start, end = min(start, width(start_line)), min(end, width(end_line))
    out = {"startLine": start_line, "endLine": end_line}
    if end_line > start_line or end > start:
        out.update(startColumn=start, endColumn=end)
    return out


def _location(result: FileResult, path: str, span: Span, message: str) -> dict[str, Any]:
    return {"message": message, "filePath": path, "textRange": text_range(span, source_lines(result.text))}


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    rules = []
    for info in rule_infos(report, registered=False):
        quality, attribute = QUALITIES.get(info.category, ("MAINTAINABILITY", "CONVENTIONAL"))
        rules.append(
            {
                "id": info.code,
                "name": f"{info.code} {info.name}",
                "description": info.summary,
                "engineId": ENGINE,
                "cleanCodeAttribute": attribute,
                "impacts": [{"softwareQuality": quality, "severity": IMPACT_SEVERITIES[info.severity]}],
            }
        )
    issues = []
    for result, finding in iter_findings(report, options.root):
        path = relative_path(finding.path or result.path, options.root)
        issue: dict[str, Any] = {
            "ruleId": finding.code,
            "primaryLocation": _location(result, path, finding.span, finding.message),
        }
        if finding.related:
            issue["secondaryLocations"] = [
                _location(result, path, r.span, r.message) for r in finding.related
            ]
        issues.append(issue)
    out.write(json_text({"rules": rules, "issues": issues}))
