"""What the machine-readable formatters share: report-relative paths, source lines and rule metadata.

Every format lists rules the same way (the registered rulebook, plus a stand-in for any code a
finding carries that no registered rule owns), so SARIF ``rules[]``, the Sonar rule list and the
HTML legend cannot disagree.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from dfcheck.lint.finding import FileResult, Finding, Report, Severity
from dfcheck.lint.pages import HOMEPAGE, help_uri
from dfcheck.lint.rule import Rule
from dfcheck.regex import lazy

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element


def relative_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes; paths outside ``root`` stay as given."""
    absolute = os.path.abspath(path)
    base = os.path.abspath(root)
    if absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep):
        return Path(os.path.relpath(absolute, base)).as_posix()
    return Path(path).as_posix()


def code_unit_column(lines: Sequence[str], line: int, col: int, encoding: str) -> int:
    """1-based code-point column -> 0-based offset in ``encoding`` code units
    ("utf-8": bytes, as reviewdog counts; "utf-16-le": UTF-16 units, as Java/Sonar count)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    prefix = text[: max(col - 1, 0)]
    width = 2 if encoding == "utf-16-le" else 1
    return len(prefix.encode(encoding)) // width + max(col - 1 - len(text), 0)


def sorted_files(report: Report, root: Path) -> list[FileResult]:
    return sorted(report.files, key=lambda r: relative_path(r.path, root))


def file_findings(result: FileResult) -> list[Finding]:
    return sorted(result.findings, key=lambda f: f.sort_key)


def iter_findings(report: Report, root: Path) -> Iterator[tuple[FileResult, Finding]]:
    """Every finding with the file it belongs to, in path, position, code order."""
    for result in sorted_files(report, root):
        for finding in file_findings(result):
            yield result, finding


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    summary: str
    category: str
    tags: tuple[str, ...] = ()
    precision: str = "high"
    security_severity: float | None = None
    enabled: bool = True
    markdown: str = ""
    description: str = ""
    help_uri: str = HOMEPAGE
    registered: bool = True

    @classmethod
    def from_rule(cls, rule: type[Rule]) -> RuleInfo:
        page = rule.page()
        return cls(
            code=rule.code,
            name=rule.name,
            severity=rule.severity,
            summary=rule.summary,
            category=rule.category(),
            tags=tuple(rule.tags),
            precision=rule.precision,
            security_severity=rule.security_severity,
            enabled=rule.enabled_by_default,
            markdown=page.markdown.strip() or rule.summary,
            description=page.short_description or rule.summary,
            help_uri=help_uri(rule),
        )

    @classmethod
    def from_finding(cls, finding: Finding) -> RuleInfo:
        """A stand-in for a code no registered rule owns (e.g. parse errors raised by the engine)."""
        summary = finding.name.replace("-", " ").replace("_", " ").capitalize() or finding.code
        return cls(
            code=finding.code,
            name=finding.name or finding.code.lower(),
            severity=finding.severity,
            summary=summary,
            category=finding.category or "other",
            markdown=f"# {finding.code} {finding.name}\n\n{summary}.",
            description=summary,
            registered=False,
        )


def all_rules() -> list[type[Rule]]:
    """The registered rulebook in code order (tests replace this to pin the rule list)."""
    from dfcheck.lint.registry import load_rules

    return [rule for _, rule in sorted(load_rules().items())]


def rule_infos(report: Report, *, registered: bool = True) -> list[RuleInfo]:
    """Rules to describe, in code order: the rulebook (or, with ``registered=False``, only the
    rules the report uses) plus stand-ins for unregistered codes found in the report."""
    used = {f.code: f for r in report.files for f in r.findings}
    infos = {r.code: RuleInfo.from_rule(r) for r in all_rules() if registered or r.code in used}
    for code, finding in used.items():
        if code not in infos:
            infos[code] = RuleInfo.from_finding(finding)
    return [infos[code] for code in sorted(infos)]


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    """Counts for every severity, worst first, zeros included."""
    counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for finding in findings:
        counts[finding.severity.label] += 1
    return counts


_XML_INVALID = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_xml(root: Element, out: TextIO) -> None:
    """Pretty-printed XML with the characters XML 1.0 cannot carry replaced by U+FFFD."""
    import xml.etree.ElementTree as ET

    for node in root.iter():
        node.attrib = {k: _XML_INVALID.sub("\ufffd", v) for k, v in node.attrib.items()}
        if node.text:
            node.text = _XML_INVALID.sub("\ufffd", node.text)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
