"""GitLab Code Quality report: a JSON array of CodeClimate-style issues.

Fingerprints hash the rule, the file and the instruction text (as baselines do), not the
line, so an issue keeps its identity when lines move; repeats get an occurrence number
because GitLab merges issues that share a fingerprint.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any, TextIO

from dfcheck.lint.finding import Report, Severity
from dfcheck.report import RenderOptions
from dfcheck.report._common import iter_findings, relative_path, sorted_files
from dfcheck.report.baseline import finding_fingerprint
from dfcheck.report.plain import json_text, surrogate_bytes

SEVERITIES = {
    Severity.ERROR: "critical",
    Severity.WARNING: "major",
    Severity.INFO: "minor",
    Severity.STYLE: "info",
}


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    issues: list[dict[str, Any]] = []
    for result in sorted_files(report, options.root):
        if result.error:
            path = relative_path(result.path, options.root)
            issues.append(
                {
                    "description": f"dfcheck could not read this file: {result.error}",
                    "check_name": "read-error",
                    "fingerprint": hashlib.sha256(surrogate_bytes(f"read-error\0{path}")).hexdigest(),
                    "severity": "critical",
                    "location": {"path": path, "lines": {"begin": 1}},
                }
            )
    seen: Counter[str] = Counter()
    for result, finding in iter_findings(report, options.root):
        key = finding_fingerprint(result, finding, options.root)
        seen[key] += 1
        if seen[key] > 1:
            key = hashlib.sha256(surrogate_bytes(f"{key}\0{seen[key]}")).hexdigest()
        issues.append(
            {
                "description": f"{finding.message} ({finding.code} {finding.name})",
                "check_name": finding.code,
                "fingerprint": key,
                "severity": SEVERITIES[finding.severity],
                "location": {
                    "path": relative_path(finding.path or result.path, options.root),
                    "lines": {"begin": finding.span.start_line, "end": finding.span.end_line},
                },
            }
        )
    out.write(json_text(issues))
