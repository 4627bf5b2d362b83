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

import json
import re

from dfcheck.dockerfile.lexer import GO_SPACE, GO_SPACE_SET, LexError, go_lower, go_quote, heredocs_in_line
from dfcheck.dockerfile.nodes import (
    HEREDOC_INSTRUCTIONS,
    KNOWN_INSTRUCTIONS,
    VALID_DIRECTIVES,
    Comment,
    Directive,
    Dockerfile,
    Flag,
    Heredoc,
    Instruction,
    KeyValue,
    ParseError,
    Token,
)
from dfcheck.dockerfile.source import Span, TextMap
from dfcheck.dockerfile.validate import validate
from dfcheck.regex import lazy

#: The parser's API; the node types are defined in :mod:`dfcheck.dockerfile.nodes`.
__all__ = [
    "KNOWN_INSTRUCTIONS",
    "Comment",
    "Directive",
    "Dockerfile",
    "Flag",
    "Heredoc",
    "Instruction",
    "KeyValue",
    "ParseError",
    "Token",
    "dump_buildkit",
    "parse",
]

#: What a BuildKit byte loop takes for white space: unicode.IsSpace of a single byte.
_BYTE_SPACE = frozenset("\t\n\v\f\r \x85\xa0")
_WHITESPACE = lazy(r"[\t\v\f\r ]+")
_DIRECTIVE = lazy(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_JSON_STRING = lazy(r'"(?:[^"\\]|\\.)*"', re.S)
_WORD = lazy(f"[^{GO_SPACE}]+")
_ASCII_WORD = lazy(r"[^\t\n\v\f\r ]+")
_KEYWORDS = {k.lower(): k for k in KNOWN_INSTRUCTIONS}
_MAX_LINE_BYTES = 65536
_NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"


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
            tmap = TextMap(number, lead + 1, len(piece))
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
                tmap.add(len(piece), i, 1)
                parts.append(piece)
            line = "".join(parts)
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

    def _node(self, line: str, tmap: TextMap, start: int, end: int) -> Instruction:
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
        rloc = tmap.sub(rest_start, rest_start + len(rest)) if rest else TextMap()
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
            rest_map=rloc,
        )
        try:
            self._dispatch(ins, rloc)
        except _ParseFailure as failure:
            self._error(failure.message, failure.span)
            ins.valid = False
            ins.args, ins.pairs, ins.is_json = [], [], False
        return ins

    def _dispatch(self, ins: Instruction, rmap: TextMap) -> None:
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

    def _maybe_json(self, ins: Instruction, rmap: TextMap, text: str, base: int, *, whole: bool) -> bool:
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

    def _name_values(self, ins: Instruction, rmap: TextMap) -> None:
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

    def _healthcheck(self, ins: Instruction, rmap: TextMap) -> None:
        """parseHealthConfig: the type word, then the command as in parseMaybeJSON."""
        rest = ins.rest
        sep, nxt = _byte_word_end(rest)
        if sep == 0:
            return
        ins.args = [Token(rest[:sep], rmap.span(0, sep))]
        if nxt < len(rest):
            self._maybe_json(ins, rmap, rest[nxt:], nxt, whole=True)

    def _heredocs(self, ins: Instruction, line: str, tmap: TextMap, i: int) -> int:
        """Read the bodies of the heredocs the instruction line opens; returns the next line index."""
        target = ins.trigger if ins.keyword == "ONBUILD" and ins.trigger is not None else ins
        if target.keyword not in HEREDOC_INSTRUCTIONS or target.is_json or "<<" not in line:
            return i
        try:
            found = heredocs_in_line(line)
        except LexError as exc:
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
            if ch in GO_SPACE_SET:
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
        if ch in GO_SPACE_SET:
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
_SURROGATE = lazy("[\ud800-\udfff]")


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
    value = [v if v.isascii() else _SURROGATE.sub("\ufffd", v) for v in value]
    strings = list(_JSON_STRING.finditer(text, 1, end))
    if len(strings) != len(value):
        return [(v, lead, lead + end) for v in value]
    return [(v, lead + t.start(), lead + t.end()) for v, t in zip(value, strings, strict=True)]


def parse(text: str) -> Dockerfile:
    """Parse Dockerfile text; never raises. Errors are in ``Dockerfile.errors``."""
    dockerfile = _Parser(text).run()
    dockerfile.errors.extend(validate(dockerfile))
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
