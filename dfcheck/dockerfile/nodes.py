"""What the parser produces: instructions and their tokens, each with its :class:`Span`.

Also the grammar facts both the parser and the validator read (keywords, builder flags), so
the validator depends on this module and not on the parser that calls it.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from dfcheck.dockerfile.source import Record, Span, TextMap

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


class Heredoc(Record):
    __slots__ = ("body", "body_map", "body_span", "chomp", "expand", "fd", "marker", "name")
    _fields = ("name", "expand", "chomp", "fd", "body", "marker", "body_span", "body_map")

    def __init__(
        self,
        name: str,
        expand: bool,
        chomp: bool,
        fd: int,
        body: str,
        marker: Span,
        body_span: Span,
        body_map: TextMap,
    ) -> None:
        self.name = name
        self.expand = expand
        self.chomp = chomp
        self.fd = fd
        self.body = body
        self.marker = marker
        self.body_span = body_span
        self.body_map = body_map

    @property
    def content(self) -> str:
        """The body as the build sees it: leading tabs stripped for ``<<-``."""
        if self.chomp:
            return re.sub(r"(?m)^\t+", "", self.body)
        return self.body


_INSTRUCTION_FIELDS = (
    *("keyword", "keyword_raw", "keyword_span", "span", "flags", "args", "rest", "original", "is_json"),
    *("heredocs", "pairs", "trigger", "comments", "empty_continuation_lines", "parent", "valid"),
)


class Instruction(Record):
    __slots__ = (*_INSTRUCTION_FIELDS, "rest_map")
    _fields = _INSTRUCTION_FIELDS

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
    rest_map: TextMap
    is_json: bool
    heredocs: list[Heredoc]
    pairs: list[KeyValue]
    trigger: Instruction | None
    #: Comment lines directly before the instruction (BuildKit's ``PrevComment``).
    comments: list[str]
    #: Physical lines (1-based) that were blank inside a continuation; BuildKit warns about them.
    empty_continuation_lines: list[int]
    #: The ``ONBUILD`` that wraps this instruction, if any.
    parent: Instruction | None
    #: False when the parser proper rejected the instruction (its arguments may be incomplete).
    valid: bool

    def __init__(
        self,
        keyword: str,
        keyword_raw: str,
        keyword_span: Span,
        span: Span,
        flags: list[Flag],
        args: list[Token],
        rest: str,
        original: str,
        rest_map: TextMap | None = None,
        is_json: bool = False,
        heredocs: list[Heredoc] | None = None,
        pairs: list[KeyValue] | None = None,
        trigger: Instruction | None = None,
        comments: list[str] | None = None,
        empty_continuation_lines: list[int] | None = None,
        parent: Instruction | None = None,
        valid: bool = True,
    ) -> None:
        self.keyword = keyword
        self.keyword_raw = keyword_raw
        self.keyword_span = keyword_span
        self.span = span
        self.flags = flags
        self.args = args
        self.rest = rest
        self.original = original
        self.rest_map = TextMap() if rest_map is None else rest_map
        self.is_json = is_json
        self.heredocs = [] if heredocs is None else heredocs
        self.pairs = [] if pairs is None else pairs
        self.trigger = trigger
        self.comments = [] if comments is None else comments
        self.empty_continuation_lines = [] if empty_continuation_lines is None else empty_continuation_lines
        self.parent = parent
        self.valid = valid

    def replace(self, **changes: Any) -> Instruction:
        """A copy with ``changes``, as ``dataclasses.replace`` makes."""
        values = {f: getattr(self, f) for f in _INSTRUCTION_FIELDS}
        values["rest_map"] = self.rest_map
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


class Dockerfile(Record):
    __slots__ = ("comments", "directives", "errors", "escape", "instructions", "lines", "text")
    _fields = ("text", "lines", "escape", "directives", "instructions", "comments", "errors")

    def __init__(
        self,
        text: str,
        lines: list[str],
        escape: str,
        directives: dict[str, Directive],
        instructions: list[Instruction],
        comments: list[Comment],
        errors: list[ParseError],
    ) -> None:
        self.text = text
        self.lines = lines
        self.escape = escape
        self.directives = directives
        self.instructions = instructions
        self.comments = comments
        self.errors = errors

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
