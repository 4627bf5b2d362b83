"""The BuildKit-exact front end.

This module follows BuildKit's ``frontend/dockerfile/parser`` step by step: directives (only
before anything else, each once, a blank line ends them), the escape token, continuation lines
that drop comment and blank lines, per-instruction argument splitting, builder flags, heredocs
found with the shell lexer's rules, and exec form decoded the way Go's JSON decoder does. The
checks of BuildKit's ``instructions`` layer live in :mod:`dfcheck.dockerfile.validate`. Unlike BuildKit it
recovers after an error so the rest of the file is still linted, and every token keeps a
:class:`Span`. ``dump_buildkit`` prints the AST exactly as BuildKit's ``Node.Dump`` does, which is
what the conformance tests compare with BuildKit's own ``testfiles/*/result``.

Why our own front end instead of ``dockerfile-parse`` (2.0.1, measured on the shared corpus of
1,646 real Dockerfiles, comparing the instruction list as keyword and start line, its COMMENT
entries left out): on the 1,597 files without heredocs it agrees with BuildKit on 1,585 and
differs on 12. In 9 of them a blank line inside a continuation ends the instruction for it, so
the next continued line (``&& ...``, or a whole ``RUN`` that BuildKit appends to the previous
command) becomes a bogus instruction; in 2 it drops a last instruction that ends in a
continuation at end of file; in 1 it continues a line ending in an escaped escape (``\\\\``).
All 49 files with heredocs differ: it reads the heredoc bodies as instructions. It also reports
no columns, has no flag model and gives no errors, which a linter that points at tokens cannot
use.
"""

from __future__ import annotations

import bisect
import gc
import json
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

#: Go's unicode.IsSpace, which differs from str.isspace (no U+001C..U+001F).
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_GO_SPACE_SET = frozenset(GO_SPACE)
#: What unicode.IsSpace says of a single byte turned into a rune, as BuildKit's byte loops do.
_BYTE_SPACE = frozenset("\t\n\v\f\r \x85\xa0")
_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_DIRECTIVE = re.compile(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_HEREDOC = re.compile(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_WORD = re.compile(f"[^{GO_SPACE}]+")
_ASCII_WORD = re.compile(r"[^\t\n\v\f\r ]+")
_SIMPLE_QUOTE = re.compile(r"[ !#-\[\]-~]*\Z")
_KEYWORDS = {k.lower(): k for k in KNOWN_INSTRUCTIONS}
_MAX_LINE_BYTES = 65536
_NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"


class _Segments:
    """Where each character of a joined line came from; TextMap's arithmetic, without its cost.

    Most instructions are one physical line, so a single segment takes a fast path, and a
    :class:`TextMap` is only built for the part other modules keep (``rest_map``).
    """

    __slots__ = ("col", "cols", "length", "line", "lines", "offsets")

    def __init__(self, line: int = 1, col: int = 1, length: int = 0) -> None:
        self.line = line
        self.col = col
        self.length = length
        self.offsets: list[int] | None = None
        self.lines: list[int] = []
        self.cols: list[int] = []

    @classmethod
    def joined(cls, parts: list[str], line: int, col: int, more_lines: list[int]) -> _Segments:
        """Segments of ``"".join(parts)``: the first part at (line, col), the others at column 1."""
        if not more_lines:
            return cls(line, col, len(parts[0]))
        out = cls(line, col)
        offsets = [0]
        total = 0
        for part in parts:
            total += len(part)
            offsets.append(total)
        out.offsets = offsets[:-1]
        out.lines = [line, *more_lines]
        out.cols = [col] + [1] * len(more_lines)
        out.length = total
        return out

    def _position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, self.length - 1))
        offsets = self.offsets
        if offsets is None:
            return self.line, self.col + offset
        i = bisect.bisect_right(offsets, offset) - 1
        return self.lines[i], self.cols[i] + offset - offsets[i]

    def span(self, start: int, end: int) -> Span:
        """Same result as ``TextMap.span``."""
        if self.offsets is None and 0 <= start < end <= self.length:
            return Span(self.line, self.col + start, self.line, self.col + end)
        line, col = self._position(start)
        if end <= start:
            return Span(line, col, line, col + 1)
        end_line, end_col = self._position(end - 1)
        return Span(line, col, end_line, end_col + 1)

    def _pieces(self) -> list[tuple[int, int, int, int]]:
        if self.offsets is None:
            return [(0, self.length, self.line, self.col)]
        offsets = self.offsets
        ends = [*offsets[1:], self.length]
        return list(zip(offsets, ends, self.lines, self.cols, strict=True))

    def sub(self, start: int, end: int) -> _Segments:
        if self.offsets is None:
            start = max(0, min(start, self.length))
            return _Segments(self.line, self.col + start, max(0, min(end, self.length) - start))
        offsets = self.offsets
        first = max(bisect.bisect_right(offsets, start) - 1, 0)
        stop = bisect.bisect_left(offsets, end)
        if stop - first <= 1:
            return _Segments(
                self.lines[first], self.cols[first] + start - offsets[first], max(end - start, 0)
            )
        out = _Segments(self.lines[first], self.cols[first] + start - offsets[first])
        out.offsets = [0] + [o - start for o in offsets[first + 1 : stop]]
        out.lines = self.lines[first:stop]
        out.cols = [out.col, *self.cols[first + 1 : stop]]
        out.length = end - start
        return out

    def textmap(self) -> TextMap:
        tmap = TextMap()
        for seg_start, seg_end, line, col in self._pieces():
            tmap.add(seg_end - seg_start, line, col)
        return tmap


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
    __slots__ = (*_INSTRUCTION_FIELDS, "_rest_map", "rest_locator")
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
    #: Where each character of ``rest`` was written; see ``rest_map``.
    rest_locator: _Segments
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
    _rest_map: TextMap | None

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
        rest_locator: _Segments | None = None,
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
        self.rest_locator = _Segments() if rest_locator is None else rest_locator
        self.is_json = is_json
        self.heredocs = [] if heredocs is None else heredocs
        self.pairs = [] if pairs is None else pairs
        self.trigger = trigger
        self.comments = [] if comments is None else comments
        self.empty_continuation_lines = [] if empty_continuation_lines is None else empty_continuation_lines
        self.parent = parent
        self.valid = valid
        self._rest_map = None

    def replace(self, **changes: Any) -> Instruction:
        """A copy with ``changes`` (``dataclasses.replace``'s contract: a fresh ``rest_map``)."""
        values = {f: getattr(self, f) for f in _INSTRUCTION_FIELDS}
        values["rest_locator"] = self.rest_locator
        values.update(changes)
        return Instruction(**values)

    @property
    def rest_map(self) -> TextMap:
        """Positions of ``rest`` in the file, built when first asked for."""
        if self._rest_map is None:
            self._rest_map = self.rest_locator.textmap()
        return self._rest_map

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
        return self.rest_locator.span(0, len(self.rest)) if self.rest else self.keyword_span

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


class _ParseFailure(Exception):
    """An error BuildKit's parser proper would stop at, raised inside one instruction."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


class _Parser:
    def __init__(self, text: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.text = text
        parts = text.split("\n")
        tail = parts.pop()
        self.raws = [p + "\n" for p in parts]
        if tail:
            self.raws.append(tail)
        self.texts = [r.rstrip("\r\n") for r in self.raws]
        self.escape = "\\"
        self.directives: dict[str, Directive] = {}
        self.directives_done = False
        self.comments: list[Comment] = []
        self.errors: list[ParseError] = []
        self.instructions: list[Instruction] = []

    def run(self) -> Dockerfile:
        texts = self.texts
        n = len(texts)
        self._check_line_sizes()
        pending_comments: list[str] = []
        i = 0
        tails = " \t\\`"
        while i < n:
            text = texts[i]
            number = i + 1
            i += 1
            token = text.lstrip(GO_SPACE)
            lead = len(text) - len(token)
            is_directive = not self.directives_done and self._directive(number, token, lead)
            if token[:1] == "#":
                # BuildKit's PrevComment: the line minus its first character, trimmed; an empty
                # comment starts over and directives are left out.
                if not is_directive:
                    previous = text[1:].strip(GO_SPACE)
                    if previous:
                        pending_comments.append(previous)
                    else:
                        pending_comments = []
                body = token[1:].strip(GO_SPACE)
                self.comments.append(Comment(body, number, Span(number, lead + 1, number, len(text) + 1)))
                continue
            if not token:
                continue
            if token[-1] in tails:
                piece, end_of_line = self._trim_continuation(token)
            else:
                piece, end_of_line = token, True
            parts = [piece]
            more_lines: list[int] = []
            empty_lines: list[int] = []
            last = number
            while not end_of_line and i < n:
                cont = texts[i]
                i += 1
                last = i
                stripped = cont.lstrip(GO_SPACE)
                if stripped[:1] == "#":
                    self.comments.append(
                        Comment(
                            stripped[1:].strip(GO_SPACE),
                            i,
                            Span(i, len(cont) - len(stripped) + 1, i, len(cont) + 1),
                        )
                    )
                    continue
                if not stripped:
                    empty_lines.append(i)
                    continue
                if cont[-1] in tails:
                    piece, end_of_line = self._trim_continuation(cont)
                else:
                    piece, end_of_line = cont, True
                more_lines.append(i)
                parts.append(piece)
            line = "".join(parts)
            tmap = _Segments.joined(parts, number, lead + 1, more_lines)
            ins = self._node(line, tmap, number, last)
            ins.comments = pending_comments
            pending_comments = []
            ins.empty_continuation_lines = empty_lines
            i = self._heredocs(ins, line, tmap, i)
            self.instructions.append(ins)
        if not self.instructions and not self.errors:
            self._error("file with no instructions", Span(max(n, 1), 1, max(n, 1), 2))
        return Dockerfile(
            text=self.text,
            lines=self.texts,
            escape=self.escape,
            directives=self.directives,
            instructions=self.instructions,
            comments=self.comments,
            errors=self.errors,
        )

    def _check_line_sizes(self) -> None:
        """bufio.Scanner gives up on a line of 64 KiB or more: BuildKit fails the whole file."""
        for index, raw in enumerate(self.raws):
            if len(raw) * 4 < _MAX_LINE_BYTES:
                continue
            size = len(raw.encode("utf-8", "surrogateescape"))
            if size > _MAX_LINE_BYTES or (size == _MAX_LINE_BYTES and not raw.endswith("\n")):
                number = index + 1
                self._error(
                    f"dockerfile line greater than max allowed size of {_MAX_LINE_BYTES - 1}",
                    Span(number, 1, number, len(self.texts[index]) + 1),
                )
                return

    def _directive(self, number: int, token: str, lead: int) -> bool:
        """BuildKit's possibleParserDirective: only before anything else, each name once.

        Returns True when the line is a directive BuildKit accepts.
        """
        match = _DIRECTIVE.match(token)
        if not match or match.group(1).lower() not in VALID_DIRECTIVES:
            self.directives_done = True
            if number == 1 and token.startswith("#!"):
                self._directives_after_shebang()
            return False
        name, value = match.group(1).lower(), match.group(2)
        span = Span(number, lead + 1, number, lead + len(token) + 1)
        value_col = lead + match.start(2) + 1
        value_span = Span(number, value_col, number, value_col + len(value))
        if name in self.directives:
            self._error(f"only one {name} parser directive can be used", span)
            return False
        self.directives[name] = Directive(name, value, span, value_span)
        if name == "escape":
            if value not in ("\\", "`"):
                self._error(f"invalid escape token '{value}' does not match ` or \\", value_span)
                return False
            self.escape = value
        return True

    def _directives_after_shebang(self) -> None:
        """``syntax`` and ``check`` are read past a ``#!`` first line (BuildKit's ParseDirective)."""
        for index in range(1, len(self.texts)):
            text = self.texts[index]
            match = _DIRECTIVE.match(text)
            name = match.group(1).lower() if match else ""
            if not match or name not in VALID_DIRECTIVES or name in self.directives:
                return
            if name != "escape":
                number = index + 1
                col = match.start(2) + 1
                self.directives[name] = Directive(
                    name,
                    match.group(2),
                    Span(number, 1, number, len(text) + 1),
                    Span(number, col, number, col + len(match.group(2))),
                )

    def _trim_continuation(self, text: str) -> tuple[str, bool]:
        """BuildKit's lineContinuationRegex ``([^E])E[ \\t]*$|^E[ \\t]*$`` for escape token E."""
        body = text.rstrip(" \t")
        esc = self.escape
        if body.endswith(esc) and (len(body) == 1 or body[-2] != esc):
            return body[:-1], False
        return text, True

    def _node(self, line: str, tmap: _Segments, start: int, end: int) -> Instruction:
        """BuildKit's newNodeFromLine: split off the keyword and flags, dispatch the rest."""
        body = line.lstrip(GO_SPACE)
        lead = len(line) - len(body)
        body = body.rstrip(GO_SPACE)
        m = _WHITESPACE.search(body)
        keyword_raw = body[: m.start()] if m else body
        keyword_span = tmap.span(lead, lead + len(keyword_raw))
        flags: list[Flag] = []
        rest, rest_start = "", len(line)
        if m:
            after_start = lead + m.end()
            after = body[m.end() :]
            rest_rel = 0
            if after.startswith("--"):
                words, rest_rel = _extract_builder_flags(after, self.escape)
                for word, bk_word, a, b in words:
                    flags.append(_make_flag(word, bk_word, tmap.span(after_start + a, after_start + b)))
            raw_rest = after[rest_rel:]
            rest = raw_rest.strip(GO_SPACE)
            rest_start = after_start + rest_rel + len(raw_rest) - len(raw_rest.lstrip(GO_SPACE))
        rloc = tmap.sub(rest_start, rest_start + len(rest)) if rest else _Segments()
        end_text = self.texts[end - 1] if 0 < end <= len(self.texts) else ""
        keyword = _KEYWORDS.get(go_lower(keyword_raw)) or keyword_raw.upper()
        ins = Instruction(
            keyword=keyword,
            keyword_raw=keyword_raw,
            keyword_span=keyword_span,
            span=Span(start, keyword_span.start_col, end, len(end_text) + 1),
            flags=flags,
            args=[],
            rest=rest,
            original=line,
            rest_locator=rloc,
        )
        try:
            self._dispatch(ins, rloc)
        except _ParseFailure as failure:
            self._error(failure.message, failure.span)
            ins.valid = False
            ins.args, ins.pairs, ins.is_json = [], [], False
        return ins

    def _dispatch(self, ins: Instruction, rmap: _Segments) -> None:
        """Split the arguments as BuildKit's per-instruction line parser does."""
        kw, rest = ins.keyword, ins.rest

        def tokens(items: list[tuple[str, int, int]], base: int = 0) -> list[Token]:
            return [Token(v, rmap.span(base + a, base + b)) for v, a, b in items]

        if kw in ("RUN", "CMD", "ENTRYPOINT", "SHELL"):
            if rest:
                self._maybe_json(ins, rmap, rest, 0, whole=True)
        elif kw in ("ADD", "COPY", "VOLUME"):
            if not self._maybe_json(ins, rmap, rest, 0, whole=False):
                ins.args = tokens(_split_whitespace(rest))
        elif kw in ("EXPOSE", "FROM"):
            ins.args = tokens(_split_whitespace(rest))
        elif kw in ("MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"):
            ins.args = tokens([(rest, 0, len(rest))]) if rest else []
        elif kw == "ARG":
            for value, a, b in _parse_words(rest, self.escape):
                ins.args.append(Token(value, rmap.span(a, b)))
                key, eq, val = value.partition("=")
                key_span = rmap.span(a, a + len(key))
                val_span = rmap.span(a + len(key) + 1, b) if eq else key_span
                ins.pairs.append(KeyValue(key, val, key_span, val_span, has_value=bool(eq)))
        elif kw in ("ENV", "LABEL"):
            self._name_values(ins, rmap)
        elif kw == "HEALTHCHECK":
            self._healthcheck(ins, rmap)
        elif kw == "ONBUILD" and rest:
            sub = self._node(rest, rmap, ins.span.start_line, ins.span.end_line)
            sub.parent = ins
            ins.trigger = sub
            ins.args = [Token(rest, rmap.span(0, len(rest)))]
            ins.valid = sub.valid

    def _maybe_json(self, ins: Instruction, rmap: _Segments, text: str, base: int, *, whole: bool) -> bool:
        """parseMaybeJSON / parseMaybeJSONToList: exec form if ``text`` is a JSON string array.

        Returns False for shell form; ``whole`` then keeps the text as one argument.
        """
        parsed = _parse_json(text)
        if parsed is None:
            if whole and text:
                ins.args.append(Token(text, rmap.span(base, base + len(text))))
            return False
        if isinstance(parsed, str):
            raise _ParseFailure(parsed, rmap.span(base, base + len(text)))
        ins.is_json = True
        ins.args.extend(Token(v, rmap.span(base + a, base + b)) for v, a, b in parsed)
        return True

    def _name_values(self, ins: Instruction, rmap: _Segments) -> None:
        """parseNameVal: ``KEY value`` (legacy) when the first word has no ``=``, else ``k=v ...``."""
        rest = ins.rest
        words = _parse_words(rest, self.escape)
        if not words:
            return
        if "=" not in words[0][0]:
            m = _WHITESPACE.search(rest)
            if m is None:
                raise _ParseFailure(f"{ins.keyword} must have two arguments", rmap.span(0, len(rest)))
            key, value = rest[: m.start()], rest[m.end() :]
            ks, vs = rmap.span(0, len(key)), rmap.span(m.end(), len(rest))
            ins.args = [Token(key, ks), Token(value, vs)]
            ins.pairs = [KeyValue(key, value, ks, vs, legacy=True)]
            return
        for value, a, b in words:
            if "=" not in value:
                raise _ParseFailure(
                    f"Syntax error - can't find = in {go_quote(value)}. Must be of the form: name=value",
                    rmap.span(a, b),
                )
            key, _, val = value.partition("=")
            ks = rmap.span(a, a + len(key))
            vs = rmap.span(a + len(key) + 1, b)
            ins.args += [Token(key, ks), Token(val, vs)]
            ins.pairs.append(KeyValue(key, val, ks, vs))

    def _healthcheck(self, ins: Instruction, rmap: _Segments) -> None:
        """parseHealthConfig: the type word, then the command as in parseMaybeJSON."""
        rest = ins.rest
        sep, nxt = _byte_word_end(rest)
        if sep == 0:
            return
        ins.args = [Token(rest[:sep], rmap.span(0, sep))]
        if nxt < len(rest):
            self._maybe_json(ins, rmap, rest[nxt:], nxt, whole=True)

    def _heredocs(self, ins: Instruction, line: str, tmap: _Segments, i: int) -> int:
        """Read the bodies of the heredocs the instruction line opens; returns the next line index."""
        target = ins.trigger if ins.keyword == "ONBUILD" and ins.trigger is not None else ins
        if target.keyword not in HEREDOC_INSTRUCTIONS or target.is_json or "<<" not in line:
            return i
        try:
            found = _heredocs_in_line(line)
        except _LexError as exc:
            self._error(str(exc), ins.keyword_span)
            ins.valid = False
            return i
        for name, expand, chomp, fd, a, b in found:
            marker = tmap.span(a, b)
            first = i
            terminated = False
            while i < len(self.raws):
                candidate = self.texts[i]
                i += 1
                if (candidate.lstrip("\t") if chomp else candidate) == name:
                    terminated = True
                    break
            body_end = i - 1 if terminated else i
            bmap = TextMap()
            for k in range(first, body_end):
                bmap.add(len(self.raws[k]), k + 1, 1)
            if body_end > first:
                body_span = Span(first + 1, 1, body_end, len(self.texts[body_end - 1]) + 1)
            else:
                at = min(first + 1, max(len(self.raws), 1))
                body_span = Span(at, 1, at, 1)
            body = "".join(self.raws[first:body_end])
            target.heredocs.append(Heredoc(name, expand, chomp, fd, body, marker, body_span, bmap))
            if not terminated:
                self._error("unterminated heredoc", marker)
                ins.valid = target.valid = False
            if i > 0:
                ins.span = Span(ins.span.start_line, ins.span.start_col, i, len(self.texts[i - 1]) + 1)
                target.span = Span(target.span.start_line, target.span.start_col, i, ins.span.end_col)
        return i

    def _error(self, message: str, span: Span) -> None:
        self.errors.append(ParseError(message, span))


def _make_flag(word: str, bk_word: str, span: Span) -> Flag:
    name, eq, value = word[2:].partition("=")
    return Flag(name, value if eq else None, word, span, bk_word if bk_word != word else None)


def _byte_view(text: str) -> tuple[str, list[int]]:
    """``text`` as Go's byte loops see it (one rune per UTF-8 byte) and each byte's char offset."""
    data = text.encode("utf-8", "surrogateescape")
    offsets: list[int] = []
    for index, ch in enumerate(text):
        offsets.extend([index] * len(ch.encode("utf-8", "surrogateescape")))
    offsets.append(len(text))
    return data.decode("latin-1"), offsets


def _extract_builder_flags(line: str, escape: str) -> tuple[list[tuple[str, str, int, int]], int]:
    """BuildKit's extractBuilderFlags: leading ``--flag`` words and where the arguments start.

    Like BuildKit it walks bytes, so a non-ASCII flag is re-encoded byte by byte; each word is
    returned as (text, BuildKit's text, start, end) with offsets into ``line``.
    """
    if line.isascii():
        simple: list[tuple[str, str, int, int]] = []
        for m in _ASCII_WORD.finditer(line):
            plain = m.group()
            if not plain.startswith("--"):
                return simple, m.start()
            if plain == "--":
                return simple, m.end()
            if "'" in plain or '"' in plain or escape in plain:
                break
            simple.append((plain, plain, m.start(), m.end()))
        else:
            return simple, len(line)
        view, offsets = line, None
    else:
        view, offsets = _byte_view(line)
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    words: list[tuple[str, int, int]] = []
    word: list[str] = []
    start = 0
    quote = ""
    blank_ok = False
    n = len(view)
    rest_at = n
    pos = -1
    while pos < n:
        pos += 1
        ch = view[pos] if pos < n else ""
        if phase == in_spaces:
            if pos == n:
                break
            if ch in _BYTE_SPACE:
                continue
            if ch != "-" or pos + 1 == n or view[pos + 1] != "-":
                rest_at = pos
                break
            phase = in_word
            start = pos
        if pos == n:
            text = "".join(word)
            if text != "--" and (blank_ok or text):
                words.append((text, start, pos))
            break
        if phase == in_word:
            if ch in _BYTE_SPACE:
                phase = in_spaces
                text = "".join(word)
                if text == "--":
                    rest_at = pos
                    break
                if blank_ok or text:
                    words.append((text, start, pos))
                word = []
                blank_ok = False
                continue
            if ch in ("'", '"'):
                quote = ch
                blank_ok = True
                phase = in_quote
                continue
            if ch == escape:
                if pos + 1 == n:
                    continue
                pos += 1
                ch = view[pos]
            word.append(ch)
            continue
        if ch == quote:
            phase = in_word
            continue
        if ch == escape:
            if pos + 1 == n:
                phase = in_word
                continue
            pos += 1
            ch = view[pos]
        word.append(ch)
    out: list[tuple[str, str, int, int]] = []
    for text, a, b in words:
        if offsets is None:
            out.append((text, text, a, b))
        else:
            decoded = text.encode("latin-1").decode("utf-8", "surrogateescape")
            out.append((decoded, text, offsets[a], offsets[b]))
    return out, rest_at if offsets is None else offsets[rest_at]


def _parse_words(rest: str, escape: str) -> list[tuple[str, int, int]]:
    """BuildKit's parseWords: whitespace-separated words, quotes and escapes kept in the value."""
    if "'" not in rest and '"' not in rest and escape not in rest:
        return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(rest)]
    words: list[tuple[str, int, int]] = []
    word: list[str] = []
    start = 0
    quote = ""
    in_word = False
    blank_ok = False
    pos = 0
    n = len(rest)
    while pos < n:
        ch = rest[pos]
        if not in_word:
            if ch in _GO_SPACE_SET:
                pos += 1
                continue
            in_word = True
            start = pos
        if quote:
            if ch == quote:
                quote = ""
            if ch == escape and quote != "'":
                if pos + 1 == n:
                    quote = ""
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        if ch in _GO_SPACE_SET:
            if blank_ok or word:
                words.append(("".join(word), start, pos))
            word = []
            blank_ok = False
            in_word = False
            pos += 1
            continue
        if ch in ("'", '"'):
            quote = ch
            blank_ok = True
        if ch == escape:
            if pos + 1 == n:
                pos += 1
                continue
            word.append(ch)
            pos += 1
            ch = rest[pos]
        word.append(ch)
        pos += 1
    if in_word and (blank_ok or word):
        words.append(("".join(word), start, n))
    return words


def _split_whitespace(rest: str) -> list[tuple[str, int, int]]:
    """parseStringsWhitespaceDelimited: regexp ``[\\t\\v\\f\\r ]+`` split of the trimmed rest."""
    if not rest:
        return []
    out: list[tuple[str, int, int]] = []
    pos = 0
    for m in _WHITESPACE.finditer(rest):
        out.append((rest[pos : m.start()], pos, m.start()))
        pos = m.end()
    out.append((rest[pos:], pos, len(rest)))
    return out


def _byte_word_end(rest: str) -> tuple[int, int]:
    """parseHealthConfig's byte loop: end of the first word and start of the next (char offsets)."""
    if rest.isascii():
        view, offsets = rest, None
    else:
        view, offsets = _byte_view(rest)
    sep = 0
    while sep < len(view) and view[sep] not in _BYTE_SPACE:
        sep += 1
    nxt = sep
    while nxt < len(view) and view[nxt] in _BYTE_SPACE:
        nxt += 1
    if offsets is None:
        return sep, nxt
    return offsets[sep], offsets[nxt]


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def _go_float(text: str) -> float:
    """Go decodes JSON numbers into float64 and fails on overflow."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_go_float, parse_int=_go_float)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _parse_json(rest: str) -> list[tuple[str, int, int]] | str | None:
    """Exec form: the list of (string, start, end), None for shell form, or an error message.

    Like Go's json.Decoder, one array is decoded and anything after it is ignored; an array
    holding anything but strings is an error, not shell form.
    """
    text = rest.lstrip(GO_SPACE)
    if not text.startswith("["):
        return None
    lead = len(rest) - len(text)
    try:
        value, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        return _NOT_STRINGS
    value = [_SURROGATE.sub("\ufffd", v) for v in value]
    strings = list(_JSON_STRING.finditer(text, 1, end))
    if len(strings) != len(value):
        return [(v, lead, lead + end) for v in value]
    return [(v, lead + t.start(), lead + t.end()) for v, t in zip(value, strings, strict=True)]


class _LexError(Exception):
    """BuildKit's shell lexer refused the text."""


class _Lexer:
    """BuildKit's shell.Lex word splitting (ProcessWords) with its raw modes, escape ``\\``.

    Unset variables are kept as written (SkipUnsetEnv with an empty environment), which is how
    the parser looks for heredoc markers.
    """

    def __init__(self, text: str, raw_quotes: bool, raw_escapes: bool) -> None:
        self.text = text
        self.n = len(text)
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.words: list[tuple[str, int, int]] = []
        self.word = ""
        self.in_word = False
        self.start = 0
        self.end = 0

    def _raw(self, text: str, start: int) -> None:
        if not self.word and not self.in_word:
            self.start = start
        self.word += text
        self.in_word = True
        self.end = self.pos

    def _char(self, ch: str, start: int) -> None:
        if ch in _GO_SPACE_SET:
            if self.in_word and self.word:
                self._flush()
        else:
            self._raw(ch, start)

    def _flush(self) -> None:
        self.words.append((self.word, self.start, self.end))
        self.word = ""
        self.in_word = False

    def run(self) -> list[tuple[str, int, int]]:
        text, n = self.text, self.n
        while self.pos < n:
            ch = text[self.pos]
            start = self.pos
            if ch == "'":
                self._raw(self._single_quote(), start)
            elif ch == '"':
                self._raw(self._double_quote(), start)
            elif ch == "$":
                for c in self._dollar():
                    self._char(c, start)
            elif ch == "<":
                self.pos += 1
                if self.pos < n and text[self.pos] == "<":
                    self.pos += 1
                    while self.pos < n and text[self.pos] in " \t":
                        self.pos += 1
                    self._raw(text[start : self.pos], start)
                else:
                    self._raw("<", start)
            else:
                self.pos += 1
                if ch == "\\":
                    if self.raw_escapes:
                        self._raw(ch, start)
                    if self.pos >= n:
                        break
                    self.pos += 1
                    self._raw(text[self.pos - 1], start)
                else:
                    self._char(ch, start)
        if self.word:
            self._flush()
        return self.words

    def _single_quote(self) -> str:
        close = self.text.find("'", self.pos + 1)
        if close < 0:
            raise _LexError("unexpected end of statement while looking for matching single-quote")
        inner = self.text[self.pos + 1 : close]
        self.pos = close + 1
        return f"'{inner}'" if self.raw_quotes else inner

    def _double_quote(self) -> str:
        text, n = self.text, self.n
        out = ['"'] if self.raw_quotes else []
        self.pos += 1
        while True:
            if self.pos >= n:
                raise _LexError("unexpected end of statement while looking for matching double-quote")
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            if ch == "$":
                out.append(self._dollar())
                continue
            self.pos += 1
            if ch == "\\":
                if self.raw_escapes:
                    out.append(ch)
                if self.pos >= n:
                    continue
                if text[self.pos] in '"$\\':
                    ch = text[self.pos]
                    self.pos += 1
                elif self.raw_escapes:
                    continue
            out.append(ch)

    def _name(self) -> str:
        text, n, start = self.text, self.n, self.pos
        if start < n and text[start].isdecimal():
            while self.pos < n and text[self.pos].isdecimal():
                self.pos += 1
            return text[start : self.pos]
        if start < n and text[start] in "@*#?-$!0":
            self.pos += 1
            return text[start]
        while self.pos < n and (
            text[self.pos].isalpha() or text[self.pos].isdecimal() or text[self.pos] == "_"
        ):
            self.pos += 1
        return text[start : self.pos]

    def _dollar(self) -> str:
        text, n = self.text, self.n
        self.pos += 1
        if self.pos >= n or text[self.pos] != "{":
            return "$" + self._name()
        self.pos += 1
        if self.pos >= n:
            raise _LexError("syntax error: missing '}'")
        if text[self.pos] in "{}:":
            raise _LexError("syntax error: bad substitution")
        name = self._name()
        if self.pos >= n:
            raise _LexError("syntax error: missing '}'")
        ch = text[self.pos]
        self.pos += 1
        if ch == "}":
            return "${" + name + "}"
        modifier = ch
        if ch == ":":
            if self.pos >= n:
                raise _LexError("syntax error: missing '}'")
            ch = text[self.pos]
            self.pos += 1
            modifier += ch
            if ch in "#%":
                raise _LexError(f"unsupported modifier ({modifier}) in substitution")
        elif ch not in "+-?#%/":
            raise _LexError(f"unsupported modifier ({modifier}) in substitution")
        word = self._until_brace(raw_escapes=ch in "#%/")
        return "${" + name + modifier + word + "}"

    def _until_brace(self, raw_escapes: bool) -> str:
        text, n = self.text, self.n
        out: list[str] = []
        while True:
            if self.pos >= n:
                raise _LexError("syntax error: missing '}'")
            ch = text[self.pos]
            if ch == "}":
                self.pos += 1
                return "".join(out)
            if ch == "'":
                out.append(self._single_quote())
            elif ch == '"':
                out.append(self._double_quote())
            elif ch == "$":
                out.append(self._dollar())
            else:
                self.pos += 1
                if ch == "\\":
                    if raw_escapes:
                        out.append(ch)
                    if self.pos >= n:
                        continue
                    ch = text[self.pos]
                    self.pos += 1
                out.append(ch)


def _heredocs_in_line(line: str) -> list[tuple[str, bool, bool, int, int, int]]:
    """BuildKit's heredocsFromLine: (name, expand, chomp, fd, start, end) for each marker word.

    The line is split with raw quotes and escapes; a line the lexer refuses has no heredocs.
    """
    try:
        words = _Lexer(line, raw_quotes=True, raw_escapes=True).run()
    except _LexError:
        return []
    found = []
    for word, start, end in words:
        parsed = parse_heredoc(word)
        if parsed is not None:
            name, expand, chomp, fd = parsed
            found.append((name, expand, chomp, fd, start, end))
    return found


def parse_heredoc(word: str) -> tuple[str, bool, bool, int] | None:
    """BuildKit's ParseHeredoc: (name, expand, chomp, fd) if ``word`` is a heredoc marker.

    Raises :class:`_LexError` (as BuildKit fails) when the terminator does not lex.
    """
    m = _HEREDOC.match(word)
    if not m or not m.group(3):
        return None
    rest = m.group(3)
    words = _Lexer(rest, raw_quotes=False, raw_escapes=False).run()
    if len(words) != 1:
        return None
    raw = _Lexer(rest, raw_quotes=True, raw_escapes=False).run()
    if len(raw) != 1:
        raise _LexError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    name = words[0][0]
    expand = name.count("'") + name.count('"') == raw[0][0].count("'") + raw[0][0].count('"')
    fd = int(m.group(1)) if m.group(1) and int(m.group(1)) < 2**64 else 0
    return name, expand, m.group(2) == "-", fd


def is_heredoc_marker(word: str) -> bool:
    """BuildKit's MustParseHeredoc(word) != nil."""
    try:
        return parse_heredoc(word) is not None
    except _LexError:
        return False


_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """Go's strconv.Quote, so the BuildKit dump is byte-identical.

    Bytes that were not UTF-8 (decoded with ``surrogateescape``) come out as ``\\xNN`` like Go's.
    """
    if _SIMPLE_QUOTE.match(text):
        return f'"{text}"'
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x80 or ch.isprintable():
            out.append(ch)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        elif code > 0xFFFF:
            out.append(f"\\U{code:08x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def go_lower(text: str) -> str:
    """Go's strings.ToLower: rune by rune, no context-dependent or multi-rune mappings."""
    if text.isascii():
        return text.lower()
    return "".join("i" if ch == "\u0130" else ch.lower() for ch in text)


def parse(text: str) -> Dockerfile:
    """Parse Dockerfile text; never raises. Errors are in ``Dockerfile.errors``.

    The cyclic garbage collector is paused meanwhile: the parse allocates many small objects
    and no garbage cycles, and on large files the collector's passes cost more than the parse.
    """
    from dfcheck.dockerfile.validate import validate

    collecting = gc.isenabled()
    gc.disable()
    try:
        dockerfile = _Parser(text).run()
        dockerfile.errors.extend(validate(dockerfile))
    finally:
        if collecting:
            gc.enable()
    dockerfile.errors.sort(key=lambda e: e.span)
    return dockerfile


def dump_buildkit(dockerfile: Dockerfile) -> str:
    """The AST dump BuildKit's parser tests compare against (``testfiles/*/result``)."""
    return "".join(f"({_dump_node(ins)})\n" for ins in dockerfile.instructions)


def _dump_node(ins: Instruction) -> str:
    out = [go_lower(ins.keyword_raw)]
    if ins.flags:
        out.append("[" + " ".join(go_quote(f.buildkit_raw or f.raw) for f in ins.flags) + "]")
    if ins.keyword == "ONBUILD":
        if ins.trigger is not None:
            out.append(f"({_dump_node(ins.trigger)})")
    elif ins.keyword not in KNOWN_INSTRUCTIONS:
        out.append('""')
    elif ins.keyword in ("ENV", "LABEL"):
        for pair in ins.pairs:
            out += [go_quote(pair.key), go_quote(pair.value), '""' if pair.legacy else '"="']
    else:
        out += [go_quote(t.value) for t in ins.args]
    return " ".join(out).strip(GO_SPACE)
