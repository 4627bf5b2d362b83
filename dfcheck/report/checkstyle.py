"""Checkstyle XML, as read by Jenkins (warnings-ng ``checkStyle`` parser) and many other CI tools."""

from __future__ import annotations

from typing import TextIO

from dfcheck.lint.finding import Report, Severity
from dfcheck.report import RenderOptions
from dfcheck.report._common import file_findings, relative_path, sorted_files, write_xml

SEVERITIES = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "info",
    Severity.STYLE: "info",
}


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    import xml.etree.ElementTree as ET

    root = ET.Element("checkstyle", version="4.3")
    for result in sorted_files(report, options.root):
        node = ET.SubElement(root, "file", name=relative_path(result.path, options.root))
        if result.error:
            ET.SubElement(node, "error", line="1", severity="error", message=result.error, source="dfcheck")
        for finding in file_findings(result):
            ET.SubElement(
                node,
                "error",
                line=str(finding.span.start_line),
                column=str(finding.span.start_col),
                severity=SEVERITIES[finding.severity],
                message=finding.message,
                source=f"dfcheck.{finding.code}",
            )
    write_xml(root, out)
