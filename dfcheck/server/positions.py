"""Document positions as the editor counts them.

Our spans count 1-based lines and 1-based columns in code points, on lines ended by ``\\n`` as the
parser splits them; :class:`~dfcheck.dockerfile.source.LineIndex` converts them to offsets and
to LSP's default, UTF-16 positions. A client may instead negotiate UTF-8 (bytes) or UTF-32 (code
points), and LSP ends lines at ``\\n``, ``\\r\\n`` and also at a lone ``\\r``, where the parser
does not: :class:`Lines` adds those cases on top of the shared index. Fixes and edits work on
code-point offsets into the text, so every conversion goes through an offset.
"""

from __future__ import annotations

import bisect

from dfcheck.dockerfile.source import LineIndex, Span
from dfcheck.regex import lazy

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_LSP_BREAK = lazy(r"\r\n?|\n")
_LONE_CR = lazy(r"\r(?!\n)")


class Lines:
    """One document text, indexed once; each conversion is a binary search plus, for UTF-8 on a
    line that is not ASCII, the width of the text before the position."""

    __slots__ = ("_lsp", "count", "index", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = LineIndex(text)
        #: Lines as the parser counts them (a final line break starts an empty last line).
        self.count = text.count("\n") + 1
        #: Line starts as LSP counts them, only when a lone \r makes them differ from the parser's.
        self._lsp = [0, *(m.end() for m in _LSP_BREAK.finditer(text))] if _LONE_CR.search(text) else None

    def line_text(self, line: int) -> str:
        """0-based ``line`` as the parser splits lines, without its ``\\n``."""
        start = self.index.offset(line + 1, 1)
        end = self.index.offset(line + 2, 1) if line + 1 < self.count else len(self.text)
        return self.text[start:end].removesuffix("\n")

    def offset(self, line: int, col: int) -> int:
        """The offset of 1-based (line, column) of one of our spans; a column past the line's end
        is the next line's start (a whole-line span ends one past its newline)."""
        return len(self.text) if line > self.count else self.index.offset(line, col)

    def offsets(self, span: Span) -> tuple[int, int]:
        return self.offset(span.start_line, span.start_col), self.offset(span.end_line, span.end_col)

    def position(self, offset: int, encoding: str = UTF16) -> tuple[int, int]:
        """0-based (line, character) of ``offset`` in ``encoding`` units: an LSP position."""
        offset = max(0, min(offset, len(self.text)))
        if self._lsp is None:
            if encoding == UTF16:
                return self.index.utf16(offset)
            line, col = self.index.position(offset)
            start, line = offset - col + 1, line - 1
        else:
            line = bisect.bisect_right(self._lsp, offset) - 1
            start = self._lsp[line]
        return line, _width(self.text[start:offset], encoding)

    def from_position(self, line: int, character: int, encoding: str = UTF16) -> int:
        """The offset of an LSP position; past the line's end it is the line's end, and a position
        inside a character (the second half of a surrogate pair) means that character."""
        if self._lsp is None and encoding == UTF16:
            return self.index.from_utf16(line, character)
        starts = self._lsp
        if starts is None:
            if line >= self.count:
                return len(self.text)
            start = self.index.offset(line + 1, 1)
            end = self.index.offset(line + 2, 1) if line + 1 < self.count else len(self.text)
        else:
            if line >= len(starts):
                return len(self.text)
            start = starts[max(line, 0)]
            end = starts[line + 1] if line + 1 < len(starts) else len(self.text)
        text = _LSP_BREAK.sub("", self.text[start:end])
        if encoding == UTF32 or text.isascii():
            return start + max(0, min(character, len(text)))
        units = 0
        for i, char in enumerate(text):
            units += _char_width(char, encoding)
            if units > character:
                return start + i
        return start + len(text)


def _width(text: str, encoding: str) -> int:
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _char_width(char: str, encoding: str) -> int:
    code = ord(char)
    if encoding == UTF8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 2 if code >= 0x10000 else 1
