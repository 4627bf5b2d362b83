"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding."""

from __future__ import annotations

from typing import TextIO

from dfcheck.lint.finding import Finding, Report, Severity
from dfcheck.report import RenderOptions
from dfcheck.report._common import iter_findings, relative_path, sorted_files
from dfcheck.report.plain import printable

COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.STYLE: "notice",
}


def escape_data(text: str) -> str:
    """The workflow-command escapes for CR, LF and ``%``; other control characters (an ESC would
    colour or clear the log) are shown as :func:`printable` shows them."""
    return printable(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}"


def annotation(finding: Finding, path: str) -> str:
    span = finding.span
    properties: dict[str, object] = {"file": path, "line": span.start_line, "endLine": span.end_line}
    if span.start_line == span.end_line:
        properties["col"] = span.start_col
        properties["endColumn"] = span.end_col
    properties["title"] = f"{finding.code} {finding.name}"
    return command(COMMANDS[finding.severity], properties, finding.message)


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    for result in sorted_files(report, options.root):
        if result.error:
            path = relative_path(result.path, options.root)
            out.write(command("error", {"file": path, "title": "dfcheck"}, result.error) + "\n")
    for result, finding in iter_findings(report, options.root):
        out.write(annotation(finding, relative_path(finding.path or result.path, options.root)) + "\n")
