"""The one Finding type every rule yields and every formatter reads (through ``to_record``)."""

from __future__ import annotations

import enum
from typing import Any

from dfcheck.dockerfile.source import Span
from dfcheck.records import NamedTuple, field, field_names, record


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


#: Fix applicability, as ruff defines it: ``--fix`` applies safe fixes, ``--unsafe-fixes`` unsafe
#: ones too, and display-only fixes are shown (diffs, SARIF, HTML) but never applied.
SAFE, UNSAFE, DISPLAY_ONLY = "safe", "unsafe", "display-only"
APPLICABILITIES = (SAFE, UNSAFE, DISPLAY_ONLY)


class Edit(NamedTuple):
    """Replace ``text[start:end]`` of the linted text with ``content`` (``start == end`` inserts).

    Offsets count characters (code points) of the text as linted, so edits of one fix never shift
    each other; positions for a format come from the same text once (``LineIndex``). ``file``
    names a file beside the Dockerfile that the fix creates (a starter ``.dockerignore``); its
    ``content`` is that whole file and the offsets are 0.
    """

    start: int
    end: int
    content: str
    file: str = ""


class Fix(NamedTuple):
    """What would resolve a finding: a ``title`` (what the fix does, apart from the finding's
    message), the ``edits``, and whether it may be applied (:data:`SAFE`, :data:`UNSAFE`,
    :data:`DISPLAY_ONLY`)."""

    title: str
    edits: tuple[Edit, ...]
    applicability: str = SAFE


class Related(NamedTuple):
    span: Span
    message: str


class _FindingFields(NamedTuple):
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
    source_line: str = ""


#: Fields that take part in equality and hashing (``source_line`` does not).
_COMPARED = 10


class Finding(_FindingFields):
    """One problem a rule found; immutable, copied with ``_replace``.

    Equal and hashed on every field but ``source_line``; findings have no order of their own
    (sort on ``sort_key``).
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self[:_COMPARED] == other[:_COMPARED]

    def __ne__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self[:_COMPARED] != other[:_COMPARED]

    def __hash__(self) -> int:
        return hash(self[:_COMPARED])

    def __lt__(self, other: object) -> bool:
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__

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
                "applicability": self.fix.applicability,
                "message": self.fix.title,
                "edits": [_edit_record(e) for e in self.fix.edits],
            }
        if self.related:
            record["related"] = [{"span": r.span.to_dict(), "message": r.message} for r in self.related]
        return record


def _edit_record(edit: Edit) -> dict[str, Any]:
    record: dict[str, Any] = {"start": edit.start, "end": edit.end, "content": edit.content}
    if edit.file:
        record["file"] = edit.file
    return record


@record
class FileResult:
    """Everything learned about one input file; ``text`` is kept for code frames and HTML."""

    path: str
    text: str = ""
    findings: list[Finding] = field(factory=list)
    error: str | None = None
    #: The failure threshold configured for this file (None: never fail).
    threshold: Severity | None = Severity.INFO

    def replace(self, **changes: Any) -> FileResult:
        """A copy with ``changes`` applied (``dataclasses.replace`` for this class)."""
        values = {f: getattr(self, f) for f in field_names(FileResult)}
        values.update(changes)
        return FileResult(**values)

    @property
    def fails(self) -> bool:
        limit = self.threshold
        return limit is not None and any(f.severity >= limit for f in self.findings)


@record
class Report:
    files: list[FileResult] = field(factory=list)
    statistics: dict[str, Any] = field(factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for r in self.files for f in r.findings), key=lambda f: f.sort_key)

    def worst(self) -> Severity | None:
        levels = [f.severity for r in self.files for f in r.findings]
        return max(levels) if levels else None
