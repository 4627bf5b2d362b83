"""The one Finding type every rule yields and every formatter reads (through ``to_record``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from dfcheck.source import Span


class Severity(enum.IntEnum):
    """Ordered so that ``finding.severity >= threshold`` answers "does this fail the run"."""

    STYLE = 1
    INFO = 2
    WARNING = 3
    ERROR = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning, info, style)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Edit:
    """Replace the text at ``span`` with ``content`` (an empty span inserts)."""

    span: Span
    content: str


@dataclass(frozen=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass(frozen=True)
class Related:
    span: Span
    message: str


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    aliases: tuple[str, ...] = ()
    category: str = ""
    source_line: str = field(default="", compare=False)

    @property
    def sort_key(self) -> tuple[str, Span, str]:
        return (self.path, self.span, self.code)

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "aliases": list(self.aliases),
            "category": self.category,
            "severity": self.severity.label,
            "message": self.message,
            "path": self.path,
            "span": self.span.to_dict(),
        }
        if self.fix is not None:
            record["fix"] = {
                "description": self.fix.description,
                "safe": self.fix.safe,
                "edits": [{"span": e.span.to_dict(), "content": e.content} for e in self.fix.edits],
            }
        if self.related:
            record["related"] = [{"span": r.span.to_dict(), "message": r.message} for r in self.related]
        return record


@dataclass
class FileResult:
    """Everything learned about one input file; ``text`` is kept for code frames and HTML."""

    path: str
    text: str = ""
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    #: The failure threshold configured for this file (None: never fail).
    threshold: Severity | None = Severity.INFO

    @property
    def fails(self) -> bool:
        limit = self.threshold
        return limit is not None and any(f.severity >= limit for f in self.findings)


@dataclass
class Report:
    files: list[FileResult] = field(default_factory=list)
    statistics: dict[str, Any] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for r in self.files for f in r.findings), key=lambda f: f.sort_key)

    def worst(self) -> Severity | None:
        levels = [f.severity for r in self.files for f in r.findings]
        return max(levels) if levels else None
