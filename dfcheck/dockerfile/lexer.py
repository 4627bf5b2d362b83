"""The pieces of Go and of BuildKit's shell lexer that the parser and the validator share.

Go's notion of white space and its string quoting, so messages and the AST dump are byte-identical
with BuildKit's, and BuildKit's ``shell.Lex`` as the parser uses it to find heredoc markers. The
lexer keeps its own stack instead of recursing: BuildKit's Go stack grows as deep as the text
nests (``${a:-${a:-...}}``), so any depth must lex, and in time linear in the text.
"""

from __future__ import annotations

from dfcheck.regex import lazy

#: Go's unicode.IsSpace, which differs from str.isspace (no U+001C..U+001F).
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
GO_SPACE_SET = frozenset(GO_SPACE)
_HEREDOC = lazy(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")
_SIMPLE_QUOTE = lazy(r"[ !#-\[\]-~]*\Z")
_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
_MISSING_BRACE = "syntax error: missing '}'"
_OPEN_DOUBLE = "unexpected end of statement while looking for matching double-quote"


class LexError(Exception):
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
        self.word: list[str] = []
        self.size = 0
        self.in_word = False
        self.start = 0
        self.end = 0

    def _raw(self, text: str, start: int) -> None:
        if not self.size and not self.in_word:
            self.start = start
        self.word.append(text)
        self.size += len(text)
        self.in_word = True
        self.end = self.pos

    def _char(self, ch: str, start: int) -> None:
        if ch in GO_SPACE_SET:
            if self.in_word and self.size:
                self._flush()
        else:
            self._raw(ch, start)

    def _flush(self) -> None:
        self.words.append(("".join(self.word), self.start, self.end))
        self.word = []
        self.size = 0
        self.in_word = False

    def run(self) -> list[tuple[str, int, int]]:
        text, n = self.text, self.n
        while self.pos < n:
            ch = text[self.pos]
            start = self.pos
            if ch == "'":
                self._raw(self._single_quote(), start)
            elif ch == '"':
                self.pos += 1
                self._raw(self._nested(['"'] if self.raw_quotes else [], None), start)
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
        if self.size:
            self._flush()
        return self.words

    def _single_quote(self) -> str:
        close = self.text.find("'", self.pos + 1)
        if close < 0:
            raise LexError("unexpected end of statement while looking for matching single-quote")
        inner = self.text[self.pos + 1 : close]
        self.pos = close + 1
        return f"'{inner}'" if self.raw_quotes else inner

    def _dollar(self) -> str:
        head, raw_escapes = self._dollar_head()
        return head if raw_escapes is None else self._nested([head], raw_escapes)

    def _dollar_head(self) -> tuple[str, bool | None]:
        """Read ``$name``, ``${name}`` or the ``${name`` and modifier of a longer form.

        Returns the text and None when complete, else the opening text and the raw-escapes mode
        of the word that follows up to the closing brace.
        """
        text, n = self.text, self.n
        self.pos += 1
        if self.pos >= n or text[self.pos] != "{":
            return "$" + self._name(), None
        self.pos += 1
        if self.pos >= n:
            raise LexError(_MISSING_BRACE)
        if text[self.pos] in "{}:":
            raise LexError("syntax error: bad substitution")
        name = self._name()
        if self.pos >= n:
            raise LexError(_MISSING_BRACE)
        ch = text[self.pos]
        self.pos += 1
        if ch == "}":
            return "${" + name + "}", None
        modifier = ch
        if ch == ":":
            if self.pos >= n:
                raise LexError(_MISSING_BRACE)
            ch = text[self.pos]
            self.pos += 1
            modifier += ch
            if ch in "#%":
                raise LexError(f"unsupported modifier ({modifier}) in substitution")
        elif ch not in "+-?#%/":
            raise LexError(f"unsupported modifier ({modifier}) in substitution")
        return "${" + name + modifier, ch in "#%/"

    def _nested(self, out: list[str], raw_escapes: bool | None) -> str:
        """Read a double-quoted string (``raw_escapes`` None) or a ``${name<modifier>word}`` word
        (its raw-escapes mode), with what nests in them, from just after the opening text.

        Unset variables are kept as written, so what nests is copied through unchanged: every
        construct appends to ``out`` and the stack only holds the open constructs' modes, which
        keeps deep nesting linear.
        """
        text, n = self.text, self.n
        stack: list[bool | None] = [raw_escapes]
        while True:
            if self.pos >= n:
                raise LexError(_OPEN_DOUBLE if raw_escapes is None else _MISSING_BRACE)
            ch = text[self.pos]
            if ch == ('"' if raw_escapes is None else "}"):
                self.pos += 1
                if raw_escapes is not None or self.raw_quotes:
                    out.append(ch)
                stack.pop()
                if not stack:
                    return "".join(out)
                raw_escapes = stack[-1]
                continue
            if ch == "$":
                head, inner = self._dollar_head()
                out.append(head)
                if inner is not None:
                    stack.append(inner)
                    raw_escapes = inner
                continue
            if raw_escapes is not None and ch == "'":
                out.append(self._single_quote())
                continue
            if raw_escapes is not None and ch == '"':
                self.pos += 1
                if self.raw_quotes:
                    out.append(ch)
                stack.append(None)
                raw_escapes = None
                continue
            self.pos += 1
            if ch != "\\":
                out.append(ch)
            elif raw_escapes is None:
                if self.raw_escapes:
                    out.append(ch)
                if self.pos >= n:
                    continue
                if text[self.pos] in '"$\\':
                    out.append(text[self.pos])
                    self.pos += 1
                elif not self.raw_escapes:
                    out.append(ch)
            else:
                if raw_escapes:
                    out.append(ch)
                if self.pos < n:
                    out.append(text[self.pos])
                    self.pos += 1

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


def heredocs_in_line(line: str) -> list[tuple[str, bool, bool, int, int, int]]:
    """BuildKit's heredocsFromLine: (name, expand, chomp, fd, start, end) for each marker word.

    The line is split with raw quotes and escapes; a line the lexer refuses has no heredocs.
    Raises :class:`LexError` when a marker's terminator does not lex, as BuildKit fails.
    """
    try:
        words = _Lexer(line, raw_quotes=True, raw_escapes=True).run()
    except LexError:
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

    Raises :class:`LexError` (as BuildKit fails) when the terminator does not lex.
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
        raise LexError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    name = words[0][0]
    expand = name.count("'") + name.count('"') == raw[0][0].count("'") + raw[0][0].count('"')
    fd = int(m.group(1)) if m.group(1) and int(m.group(1)) < 2**64 else 0
    return name, expand, m.group(2) == "-", fd


def is_heredoc_marker(word: str) -> bool:
    """BuildKit's MustParseHeredoc(word) != nil."""
    try:
        return parse_heredoc(word) is not None
    except LexError:
        return False


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
