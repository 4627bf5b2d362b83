"""What the parser produces: instructions and their tokens, each with its :class:`Span`.

Also the grammar facts both the parser and the validator read (keywords, builder flags), so
the validator depends on this module and not on the parser that calls it.
"""

from __future__ import annotations

import re
from typing import Any

from dfcheck.dockerfile.source import Span, TextMap
from dfcheck.records import NamedTuple, field, field_names, record

KNOWN_INSTRUCTIONS = (
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
)
HEREDOC_INSTRUCTIONS = frozenset({"ADD", "COPY", "RUN"})
VALID_DIRECTIVES = ("syntax", "escape", "check")

#: Builder flags per instruction with BuildKit's flag types: "bool", "string" or "strings"
#: (repeatable). Anything else is an unknown flag. Instructions that are not listed accept none.
FLAG_TYPES: dict[str, dict[str, str]] = {
    "FROM": {"platform": "string"},
    "RUN": {"mount": "strings", "network": "string", "security": "string", "device": "strings"},
    "COPY": {
        "exclude": "strings",
        "parents": "bool",
        "chown": "string",
        "from": "string",
        "chmod": "string",
        "link": "bool",
    },
    "ADD": {
        "exclude": "strings",
        "chown": "string",
        "chmod": "string",
        "link": "bool",
        "keep-git-dir": "bool",
        "checksum": "string",
        "unpack": "bool",
    },
    "HEALTHCHECK": {
        "interval": "string",
        "timeout": "string",
        "start-period": "string",
        "start-interval": "string",
        "retries": "string",
    },
}


class Token(NamedTuple):
    """A piece of an instruction: its value as BuildKit hands it on, and where it was written."""

    value: str
    span: Span


class Flag(NamedTuple):
    """A builder flag (``--name=value``) as BuildKit's flag extractor returns it: quotes removed."""

    name: str
    value: str | None
    raw: str
    span: Span
    #: The flag as BuildKit's byte-wise extractor spells it, when that differs from ``raw``
    #: (non-ASCII text is re-encoded byte by byte there).
    buildkit_raw: str | None = None

    @property
    def value_span(self) -> Span:
        """The value's position: the flag span minus ``--name=`` when written on one line."""
        s = self.span
        skip = len(self.name) + 3
        if s.start_line == s.end_line and self.value is not None and s.end_col - s.start_col > skip:
            return Span(s.start_line, s.start_col + skip, s.end_line, s.end_col)
        return s


class KeyValue(NamedTuple):
    key: str
    value: str
    key_span: Span
    value_span: Span
    #: ``ENV KEY value`` (legacy, whitespace-separated) rather than ``KEY=value``.
    legacy: bool = False
    #: ARG without a default.
    has_value: bool = True


@record
class Heredoc:
    name: str
    expand: bool
    chomp: bool
    fd: int
    body: str
    marker: Span
    body_span: Span
    body_map: TextMap

    @property
    def content(self) -> str:
        """The body as the build sees it: leading tabs stripped for ``<<-``."""
        if self.chomp:
            return re.sub(r"(?m)^\t+", "", self.body)
        return self.body


@record
class Instruction:
    keyword: str
    keyword_raw: str
    keyword_span: Span
    span: Span
    flags: list[Flag]
    args: list[Token]
    #: Arguments text after the flags, as BuildKit passes it to the instruction.
    rest: str
    #: The joined line (continuations removed), BuildKit's ``Node.Original``.
    original: str
    #: Where each character of ``rest`` was written in the file.
    rest_map: TextMap = field(factory=TextMap, compare=False)
    is_json: bool = False
    heredocs: list[Heredoc] = field(factory=list)
    pairs: list[KeyValue] = field(factory=list)
    trigger: Instruction | None = None
    #: Comment lines directly before the instruction (BuildKit's ``PrevComment``).
    comments: list[str] = field(factory=list)
    #: Physical lines (1-based) that were blank inside a continuation; BuildKit warns about them.
    empty_continuation_lines: list[int] = field(factory=list)
    #: The ``ONBUILD`` that wraps this instruction, if any.
    parent: Instruction | None = None
    #: False when the parser proper rejected the instruction (its arguments may be incomplete).
    valid: bool = True

    def replace(self, **changes: Any) -> Instruction:
        """A copy with ``changes``, as ``dataclasses.replace`` makes."""
        values = {f: getattr(self, f) for f in _INSTRUCTION_FIELDS}
        values.update(changes)
        return Instruction(**values)

    @property
    def line(self) -> int:
        return self.span.start_line

    @property
    def end_line(self) -> int:
        return self.span.end_line

    def flag(self, name: str) -> Flag | None:
        for flag in self.flags:
            if flag.name == name:
                return flag
        return None

    def flag_values(self, name: str) -> list[str]:
        return [f.value or "" for f in self.flags if f.name == name]

    @property
    def rest_span(self) -> Span:
        return self.rest_map.span(0, len(self.rest)) if self.rest else self.keyword_span

    def flags_of(self, name: str) -> list[Flag]:
        return [f for f in self.flags if f.name == name]


_INSTRUCTION_FIELDS = field_names(Instruction)


class Directive(NamedTuple):
    name: str
    value: str
    span: Span
    value_span: Span


class Comment(NamedTuple):
    text: str
    line: int
    span: Span


class ParseError(NamedTuple):
    message: str
    span: Span
    #: "syntax" for errors in the parser proper, "instruction" for the instructions layer.
    kind: str = "syntax"


@record
class Dockerfile:
    text: str
    lines: list[str]
    escape: str
    directives: dict[str, Directive]
    instructions: list[Instruction]
    comments: list[Comment]
    errors: list[ParseError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def walk(self) -> list[Instruction]:
        """Instructions with ONBUILD triggers unwrapped after their wrapper."""
        out: list[Instruction] = []
        for ins in self.instructions:
            out.append(ins)
            if ins.trigger is not None:
                out.append(ins.trigger)
        return out
