"""JUnit XML: a test suite per file, a failed test case per finding, a passing one for clean files.

CI systems without a linter integration (GitLab test reports, Jenkins, Azure) show these as tests.
"""

from __future__ import annotations

from typing import TextIO

from dfcheck.lint.finding import Report
from dfcheck.report import RenderOptions
from dfcheck.report._common import file_findings, relative_path, sorted_files, write_xml


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="dfcheck")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for result in sorted_files(report, options.root):
        path = relative_path(result.path, options.root)
        findings = file_findings(result)
        errors = 1 if result.error else 0
        counts = {"tests": len(findings) + errors or 1, "failures": len(findings), "errors": errors}
        suite = ET.SubElement(root, "testsuite", {"name": path, **{k: str(v) for k, v in counts.items()}})
        for key, value in counts.items():
            totals[key] += value
        if result.error:
            case = ET.SubElement(suite, "testcase", name="read", classname=path, file=path)
            ET.SubElement(case, "error", message=result.error, type="read-error")
        elif not findings:
            ET.SubElement(suite, "testcase", name="dfcheck", classname=path, file=path)
        for finding in findings:
            span = finding.span
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{finding.code} {finding.name} at {span.start_line}:{span.start_col}",
                classname=path,
                file=path,
                line=str(span.start_line),
            )
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.severity.label)
            failure.text = (
                f"{path}:{span.start_line}:{span.start_col}: {finding.code} {finding.message}"
                f" [{finding.severity.label}]"
            )
    root.attrib.update({k: str(v) for k, v in totals.items()})
    write_xml(root, out)
