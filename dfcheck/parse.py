"""The BuildKit-exact front end.

Why our own front end instead of ``dockerfile-parse``: that library reads heredoc bodies as
instructions, has no columns and no flag model, and stops at the first surprise. This module
follows BuildKit's ``frontend/dockerfile/parser`` step by step (directives, escape token,
continuations that drop comment and blank lines, per-instruction argument splitting, builder
flags, heredocs) and its ``instructions`` layer (flag and argument validation), but recovers
after an error so the rest of the file is still linted. Every token keeps a :class:`Span`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from dfcheck.source import Span, TextMap

HEREDOC_INSTRUCTIONS = frozenset({"ADD", "COPY", "RUN"})
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
VALID_DIRECTIVES = ("syntax", "escape", "check")

#: Builder flags per instruction with BuildKit's flag types: "bool", "string" or "strings"
#: (repeatable). Anything else is an unknown flag.
FLAG_TYPES: dict[str, dict[str, str]] = {
    "FROM": {"platform": "string"},
    "RUN": {"mount": "strings", "network": "string", "security": "string"},
    "COPY": {
        "from": "string",
        "chown": "string",
        "chmod": "string",
        "link": "bool",
        "parents": "bool",
        "exclude": "strings",
    },
    "ADD": {
        "chown": "string",
        "chmod": "string",
        "link": "bool",
        "keep-git-dir": "bool",
        "checksum": "string",
        "exclude": "strings",
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

_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"^(\d*)<<(-?)([^<]*)$")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


@dataclass(frozen=True)
class Token:
    """A piece of an instruction: its value as BuildKit hands it on, and where it was written."""

    value: str
    span: Span


@dataclass(frozen=True)
class Flag:
    name: str
    value: str | None
    raw: str
    span: Span

    @property
    def value_span(self) -> Span:
        """The value's position: the flag span minus ``--name=`` when written on one line."""
        s = self.span
        skip = len(self.name) + 3
        if s.start_line == s.end_line and self.value is not None and s.end_col - s.start_col > skip:
            return Span(s.start_line, s.start_col + skip, s.end_line, s.end_col)
        return s


@dataclass(frozen=True)
class KeyValue:
    key: str
    value: str
    key_span: Span
    value_span: Span
    #: ``ENV KEY value`` (legacy, whitespace-separated) rather than ``KEY=value``.
    legacy: bool = False
    #: ARG without a default.
    has_value: bool = True


@dataclass
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


@dataclass
class Instruction:
    keyword: str
    keyword_raw: str
    keyword_span: Span
    span: Span
    flags: list[Flag]
    args: list[Token]
    #: Arguments text after the flags, as BuildKit passes it to the instruction.
    rest: str
    rest_map: TextMap
    original: str
    is_json: bool = False
    heredocs: list[Heredoc] = field(default_factory=list)
    pairs: list[KeyValue] = field(default_factory=list)
    trigger: Instruction | None = None
    comments: list[str] = field(default_factory=list)
    #: Physical lines (1-based) that were blank inside a continuation.
    empty_continuation_lines: list[int] = field(default_factory=list)
    #: The ``ONBUILD`` that wraps this instruction, if any.
    parent: Instruction | None = None
    valid: bool = True

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


@dataclass(frozen=True)
class Directive:
    name: str
    value: str
    span: Span
    value_span: Span


@dataclass(frozen=True)
class Comment:
    text: str
    line: int
    span: Span


@dataclass(frozen=True)
class ParseError:
    message: str
    span: Span
    #: "syntax" for errors in the parser proper, "instruction" for the instructions layer.
    kind: str = "syntax"


@dataclass
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


class _Line:
    """One physical line with its newline stripped the way BuildKit's trimNewline does."""

    __slots__ = ("number", "raw", "text")

    def __init__(self, number: int, raw: str) -> None:
        self.number = number
        self.raw = raw
        self.text = raw.rstrip("\r\n")


def _split_lines(text: str) -> list[_Line]:
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
        return [_Line(i + 1, r + "\n") for i, r in enumerate(raw_lines)]
    return [_Line(i + 1, r + ("\n" if i + 1 < len(raw_lines) else "")) for i, r in enumerate(raw_lines)]


def _is_comment(text: str) -> bool:
    return text.lstrip().startswith("#")


class _Parser:
    def __init__(self, text: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.text = text
        self.lines = _split_lines(text)
        self.escape = "\\"
        self._set_continuation("\\")
        self.directives: dict[str, Directive] = {}
        self.directives_done = False
        self.comments: list[Comment] = []
        self.errors: list[ParseError] = []
        self.instructions: list[Instruction] = []

    def _set_continuation(self, token: str) -> None:
        e = re.escape(token)
        self.continuation = re.compile(rf"([^{e}]){e}[ \t]*$|^{e}[ \t]*$")

    def _directive(self, line: _Line, token: str, offset: int) -> None:
        """BuildKit's possibleParserDirective: only before anything else, each name once."""
        if self.directives_done:
            return
        match = _DIRECTIVE.match(token)
        if not match or match.group(1).lower() not in VALID_DIRECTIVES:
            self.directives_done = True
            return
        name, value = match.group(1).lower(), match.group(2)
        span = Span(line.number, offset + 1, line.number, offset + len(token) + 1)
        value_col = offset + match.start(2) + 1
        value_span = Span(line.number, value_col, line.number, value_col + len(value))
        if name in self.directives:
            self.errors.append(ParseError(f"only one {name} parser directive can be used", span))
            return
        self.directives[name] = Directive(name, value, span, value_span)
        if name == "escape":
            if value not in ("\\", "`"):
                self.errors.append(
                    ParseError(f"invalid escape token '{value}' does not match ` or \\", value_span)
                )
                return
            self.escape = value
            self._set_continuation(value)

    def _trim_continuation(self, text: str) -> tuple[str, bool]:
        match = self.continuation.search(text)
        if match:
            return text[: match.start()] + (match.group(1) or ""), False
        return text, True

    def run(self) -> Dockerfile:
        lines = self.lines
        i = 0
        n = len(lines)
        while i < n:
            first = lines[i]
            i += 1
            stripped = first.text.lstrip()
            lead = len(first.text) - len(stripped)
            self._directive(first, stripped, lead)
            if _is_comment(first.text):
                self.comments.append(
                    Comment(
                        stripped[1:].strip(),
                        first.number,
                        Span(first.number, lead + 1, first.number, len(first.text) + 1),
                    )
                )
                continue
            joined, end_of_line = self._trim_continuation(stripped)
            if end_of_line and joined == "":
                continue
            tmap = TextMap()
            tmap.add(len(joined), first.number, lead + 1)
            parts = [joined]
            empty_lines: list[int] = []
            last_line = first.number
            while not end_of_line and i < n:
                cont = lines[i]
                i += 1
                last_line = cont.number
                self._directive(cont, cont.text, 0)
                if _is_comment(cont.text):
                    self.comments.append(
                        Comment(
                            cont.text.lstrip()[1:].strip(),
                            cont.number,
                            Span(cont.number, 1, cont.number, len(cont.text) + 1),
                        )
                    )
                    continue
                if cont.text.strip() == "":
                    empty_lines.append(cont.number)
                    continue
                piece, end_of_line = self._trim_continuation(cont.text)
                tmap.add(len(piece), cont.number, 1)
                parts.append(piece)
            line = "".join(parts)
            ins = self._instruction(line, tmap, first.number, last_line)
            if ins is None:
                continue
            ins.empty_continuation_lines = empty_lines
            i = self._heredocs(ins, i)
            self.instructions.append(ins)
        if not self.instructions and not self.errors:
            last = lines[-1].number if lines else 1
            self.errors.append(ParseError("file with no instructions", Span(last, 1, last, 1 + 1)))
        return Dockerfile(
            text=self.text,
            lines=[ln.text for ln in lines],
            escape=self.escape,
            directives=self.directives,
            instructions=self.instructions,
            comments=self.comments,
            errors=self.errors,
        )

    def _instruction(self, line: str, tmap: TextMap, start: int, end: int) -> Instruction | None:
        lstripped = line.lstrip()
        offset = len(line) - len(lstripped)
        body = lstripped.rstrip()
        m = _WHITESPACE.search(body)
        keyword_raw = body[: m.start()] if m else body
        keyword_span = tmap.span(offset, offset + len(keyword_raw))
        flags: list[Flag] = []
        rest, rest_start = "", len(line)
        if m:
            after_start = offset + m.end()
            after = line[after_start:]
            flag_words, rest_rel = _extract_builder_flags(after)
            for value, a, b in flag_words:
                flags.append(_make_flag(value, tmap.span(after_start + a, after_start + b)))
            if rest_rel is not None:
                raw_rest = after[rest_rel:]
                rest = raw_rest.strip()
                rest_start = after_start + rest_rel + (len(raw_rest) - len(raw_rest.lstrip()))
        rest_map = tmap.sub(rest_start, rest_start + len(rest)) if rest else TextMap()
        last_line_text = self.lines[end - 1].text if end - 1 < len(self.lines) else ""
        span = Span(start, keyword_span.start_col, end, max(len(last_line_text), 0) + 1)
        ins = Instruction(
            keyword=keyword_raw.upper(),
            keyword_raw=keyword_raw,
            keyword_span=keyword_span,
            span=span,
            flags=flags,
            args=[],
            rest=rest,
            rest_map=rest_map,
            original=line,
        )
        self._dispatch(ins, tmap)
        return ins

    def _dispatch(self, ins: Instruction, tmap: TextMap) -> None:
        """Split the arguments as BuildKit's per-instruction line parser does."""
        kw = ins.keyword
        rest = ins.rest
        rmap = ins.rest_map

        def token(value: str, a: int, b: int) -> Token:
            return Token(value, rmap.span(a, b))

        if kw not in KNOWN_INSTRUCTIONS:
            ins.args = []
            return
        if kw in ("RUN", "CMD", "ENTRYPOINT", "SHELL"):
            parsed = _parse_json(rest)
            if isinstance(parsed, str):
                self._error(parsed, ins.rest_span)
                ins.valid = False
            elif parsed is not None:
                ins.is_json = True
                ins.args = [token(v, a, b) for v, a, b in parsed]
            elif rest:
                ins.args = [token(rest, 0, len(rest))]
        elif kw in ("ADD", "COPY", "VOLUME"):
            parsed = _parse_json(rest)
            if isinstance(parsed, str):
                self._error(parsed, ins.rest_span)
                ins.valid = False
            elif parsed is not None:
                ins.is_json = True
                ins.args = [token(v, a, b) for v, a, b in parsed]
            else:
                ins.args = [token(v, a, b) for v, a, b in _split_whitespace(rest)]
        elif kw in ("EXPOSE", "FROM"):
            ins.args = [token(v, a, b) for v, a, b in _split_whitespace(rest)]
        elif kw in ("MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"):
            ins.args = [token(rest, 0, len(rest))] if rest else []
        elif kw == "ARG":
            for value, a, b in _parse_words(rest, self.escape):
                ins.args.append(token(value, a, b))
                key, eq, val = value.partition("=")
                key_span = rmap.span(a, a + len(key))
                val_span = rmap.span(a + len(key) + 1, b) if eq else key_span
                ins.pairs.append(KeyValue(key, val, key_span, val_span, has_value=bool(eq)))
        elif kw in ("ENV", "LABEL"):
            self._name_values(ins, token)
        elif kw == "HEALTHCHECK":
            self._healthcheck(ins, token)
        elif kw == "ONBUILD" and rest:
            sub = self._instruction(rest, rmap, ins.span.start_line, ins.span.end_line)
            if sub is not None:
                sub.parent = ins
                ins.trigger = sub
                ins.args = [Token(rest, ins.rest_span)]

    def _name_values(self, ins: Instruction, token: object) -> None:
        rest, rmap = ins.rest, ins.rest_map
        words = _parse_words(rest, self.escape)
        if not words:
            return
        if "=" not in words[0][0]:
            parts = _WHITESPACE.split(rest, maxsplit=1)
            if len(parts) < 2:
                self._error(f"{ins.keyword} must have two arguments", ins.rest_span)
                ins.valid = False
                return
            key = parts[0]
            value_start = len(rest) - len(parts[1])
            ks, vs = rmap.span(0, len(key)), rmap.span(value_start, len(rest))
            ins.args = [Token(key, ks), Token(parts[1], vs)]
            ins.pairs = [KeyValue(key, parts[1], ks, vs, legacy=True)]
            return
        for value, a, b in words:
            if "=" not in value:
                self._error(
                    f"Syntax error - can't find = in {_go_quote(value)}. Must be of the form: name=value",
                    rmap.span(a, b),
                )
                ins.valid = False
                ins.pairs = []
                ins.args = []
                return
            key, _, val = value.partition("=")
            ks = rmap.span(a, a + len(key))
            vs = rmap.span(a + len(key) + 1, b)
            ins.args += [Token(key, ks), Token(val, vs)]
            ins.pairs.append(KeyValue(key, val, ks, vs))

    def _healthcheck(self, ins: Instruction, token: object) -> None:
        rest, rmap = ins.rest, ins.rest_map
        sep = 0
        while sep < len(rest) and not rest[sep].isspace():
            sep += 1
        nxt = sep
        while nxt < len(rest) and rest[nxt].isspace():
            nxt += 1
        if sep == 0:
            return
        ins.args = [Token(rest[:sep], rmap.span(0, sep))]
        cmd = rest[nxt:]
        parsed = _parse_json(cmd)
        if isinstance(parsed, str):
            self._error(parsed, rmap.span(nxt, len(rest)))
            ins.valid = False
        elif parsed is not None:
            ins.is_json = True
            ins.args += [Token(v, rmap.span(nxt + a, nxt + b)) for v, a, b in parsed]
        elif cmd:
            ins.args.append(Token(cmd, rmap.span(nxt, len(rest))))

    def _heredocs(self, ins: Instruction, i: int) -> int:
        """Read heredoc bodies that follow the instruction line; returns the next line index."""
        target = ins.trigger if ins.keyword == "ONBUILD" and ins.trigger is not None else ins
        if target.keyword not in HEREDOC_INSTRUCTIONS or target.is_json or "<<" not in target.original:
            return i
        for name, expand, chomp, fd, marker_start, marker_end in _heredoc_markers(target.original):
            body_lines: list[_Line] = []
            terminated = False
            while i < len(self.lines):
                line = self.lines[i]
                i += 1
                candidate = line.text.lstrip("\t") if chomp else line.text
                if candidate == name:
                    terminated = True
                    break
                body_lines.append(line)
            marker = _original_span(target, marker_start, marker_end)
            if not terminated:
                self._error("unterminated heredoc", marker)
                ins.valid = False
            body = "".join(ln.raw for ln in body_lines)
            bmap = TextMap()
            for ln in body_lines:
                bmap.add(len(ln.raw), ln.number, 1)
            if body_lines:
                body_span = Span(body_lines[0].number, 1, body_lines[-1].number, len(body_lines[-1].text) + 1)
            else:
                body_span = Span(marker.end_line + 1, 1, marker.end_line + 1, 1)
            target.heredocs.append(Heredoc(name, expand, chomp, fd, body, marker, body_span, bmap))
            end_line = self.lines[i - 1].number if i > 0 else ins.span.end_line
            end_col = len(self.lines[i - 1].text) + 1 if i > 0 else ins.span.end_col
            ins.span = Span(ins.span.start_line, ins.span.start_col, end_line, end_col)
            if target is not ins:
                target.span = ins.span
        return i

    def _error(self, message: str, span: Span, kind: str = "syntax") -> None:
        self.errors.append(ParseError(message, span, kind))


def _original_span(ins: Instruction, start: int, end: int) -> Span:
    """Span of ``ins.original[start:end]``, located through the rest map when possible."""
    rest_at = ins.original.find(ins.rest) if ins.rest else -1
    if rest_at >= 0 and rest_at <= start and end <= rest_at + len(ins.rest):
        return ins.rest_map.span(start - rest_at, end - rest_at)
    return ins.keyword_span


def _make_flag(word: str, span: Span) -> Flag:
    body = word[2:] if word.startswith("--") else word
    name, eq, value = body.partition("=")
    return Flag(name=name, value=value if eq else None, raw=word, span=span)


def _extract_builder_flags(line: str) -> tuple[list[tuple[str, int, int]], int | None]:
    """BuildKit's extractBuilderFlags with positions: leading ``--flag`` words and where the rest starts."""
    words: list[tuple[str, int, int]] = []
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    word: list[str] = []
    word_start = 0
    quote = ""
    blank_ok = False
    pos = 0
    n = len(line)
    while pos <= n:
        ch = line[pos] if pos < n else ""
        if phase == in_spaces:
            if pos == n:
                break
            if ch.isspace():
                pos += 1
                continue
            if ch != "-" or pos + 1 == n or line[pos + 1] != "-":
                return words, pos
            phase = in_word
            word_start = pos
        if phase in (in_word, in_quote) and pos == n:
            text = "".join(word)
            if text != "--" and (blank_ok or text):
                words.append((text, word_start, pos))
            break
        if phase == in_word:
            if ch.isspace():
                phase = in_spaces
                text = "".join(word)
                if text == "--":
                    return words, pos
                if blank_ok or text:
                    words.append((text, word_start, pos))
                word = []
                blank_ok = False
                pos += 1
                continue
            if ch in ("'", '"'):
                quote = ch
                blank_ok = True
                phase = in_quote
                pos += 1
                continue
            if ch == "\\":
                if pos + 1 == n:
                    pos += 1
                    continue
                pos += 1
                ch = line[pos]
            word.append(ch)
            pos += 1
            continue
        if phase == in_quote:
            if ch == quote:
                phase = in_word
                pos += 1
                continue
            if ch == "\\":
                if pos + 1 == n:
                    phase = in_word
                    pos += 1
                    continue
                pos += 1
                ch = line[pos]
            word.append(ch)
            pos += 1
    return words, None


def _parse_words(rest: str, escape: str) -> list[tuple[str, int, int]]:
    """BuildKit's parseWords: whitespace-separated words, quotes and escapes kept in the value."""
    words: list[tuple[str, int, int]] = []
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    word: list[str] = []
    start = 0
    quote = ""
    blank_ok = False
    pos = 0
    n = len(rest)
    while pos <= n:
        ch = rest[pos] if pos < n else ""
        if phase == in_spaces:
            if pos == n:
                break
            if ch.isspace():
                pos += 1
                continue
            phase = in_word
            start = pos
        if phase in (in_word, in_quote) and pos == n:
            if blank_ok or word:
                words.append(("".join(word), start, pos))
            break
        if phase == in_word:
            if ch.isspace():
                phase = in_spaces
                if blank_ok or word:
                    words.append(("".join(word), start, pos))
                word = []
                blank_ok = False
                pos += 1
                continue
            if ch in ("'", '"'):
                quote = ch
                blank_ok = True
                phase = in_quote
            if ch == escape:
                if pos + 1 == n:
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        if phase == in_quote:
            if ch == quote:
                phase = in_word
            if ch == escape and quote != "'":
                if pos + 1 == n:
                    phase = in_word
                    pos += 1
                    continue
                pos += 1
                word.append(ch)
                ch = rest[pos]
            word.append(ch)
            pos += 1
    return words


def _split_whitespace(rest: str) -> list[tuple[str, int, int]]:
    if not rest:
        return []
    out: list[tuple[str, int, int]] = []
    pos = 0
    for m in _WHITESPACE.finditer(rest):
        out.append((rest[pos : m.start()], pos, m.start()))
        pos = m.end()
    out.append((rest[pos:], pos, len(rest)))
    return out


_NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"


def _reject_constant(name: str) -> None:
    raise ValueError(name)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _parse_json(rest: str) -> list[tuple[str, int, int]] | str | None:
    """Exec form: the list of (string, start, end), None for shell form, or an error message.

    Like Go's json.Decoder, one array is decoded and anything after it is ignored; an array
    holding anything but strings is an error, not shell form.
    """
    text = rest.lstrip()
    lead = len(rest) - len(text)
    if not text.startswith("["):
        return None
    try:
        value, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        return _NOT_STRINGS
    tokens = list(_JSON_STRING.finditer(text, 0, end))
    if len(tokens) != len(value):
        return [(v, lead, lead + end) for v in value]
    return [(v, lead + t.start(), lead + t.end()) for v, t in zip(value, tokens, strict=True)]


def _heredoc_words(line: str) -> list[tuple[str, int, int]]:
    """Words of a line as BuildKit's shell lexer sees them with raw quotes and escapes."""
    words: list[tuple[str, int, int]] = []
    pos, n = 0, len(line)
    while pos < n:
        while pos < n and line[pos] in " \t\r\n\v\f":
            pos += 1
        if pos >= n:
            break
        start = pos
        while pos < n and line[pos] not in " \t\r\n\v\f":
            ch = line[pos]
            if ch == "\\" and pos + 1 < n:
                pos += 2
                continue
            if ch in ("'", '"'):
                close = line.find(ch, pos + 1)
                while ch == '"' and close > 0 and line[close - 1] == "\\":
                    close = line.find(ch, close + 1)
                pos = n if close < 0 else close + 1
                continue
            pos += 1
        words.append((line[start:pos], start, pos))
    return words


def _unquote_word(word: str) -> str:
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if ch == "\\" and i + 1 < n:
            out.append(word[i + 1])
            i += 2
        elif ch in ("'", '"'):
            close = word.find(ch, i + 1)
            close = n if close < 0 else close
            out.append(word[i + 1 : close])
            i = close + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _heredoc_markers(line: str) -> list[tuple[str, bool, bool, int, int, int]]:
    """(name, expand, chomp, fd, start, end) for each ``<<WORD`` in the instruction line."""
    found = []
    for word, start, end in _heredoc_words(line):
        m = _HEREDOC.match(word)
        if not m or not m.group(3):
            continue
        rest = m.group(3)
        name = _unquote_word(rest)
        if not name or any(c.isspace() for c in name):
            continue
        expand = not any(c in rest for c in "'\"")
        found.append((name, expand, m.group(2) == "-", int(m.group(1) or 0), start, end))
    return found


def _go_quote(text: str) -> str:
    """Go's strconv.Quote, so the BuildKit dump is byte-identical."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\a\b\f\n\r\t\v":
            out.append(
                {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}[
                    ch
                ]
            )
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x80 or ch.isprintable():
            out.append(ch)
        elif code > 0xFFFF:
            out.append(f"\\U{code:08x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def parse(text: str) -> Dockerfile:
    """Parse Dockerfile text; never raises. Errors are in ``Dockerfile.errors``."""
    parser = _Parser(text)
    dockerfile = parser.run()
    from dfcheck.validate import validate

    dockerfile.errors.extend(validate(dockerfile))
    dockerfile.errors.sort(key=lambda e: e.span)
    return dockerfile


def dump_buildkit(dockerfile: Dockerfile) -> str:
    """The AST dump BuildKit's parser tests compare against (``testfiles/*/result``)."""
    return "".join(f"({_dump_node(ins)})\n" for ins in dockerfile.instructions)


def _dump_node(ins: Instruction) -> str:
    out = ins.keyword_raw.lower()
    if ins.flags:
        out += " [" + " ".join(_go_quote(f.raw) for f in ins.flags) + "]"
    if ins.keyword == "ONBUILD":
        if ins.trigger is not None:
            out += f" ({_dump_node(ins.trigger)})"
        return out.strip()
    if ins.keyword not in KNOWN_INSTRUCTIONS:
        return out + ' ""'
    values = [t.value for t in ins.args]
    for value in values:
        out += " " + _go_quote(value)
    return out.strip()
