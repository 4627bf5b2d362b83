"""Document positions as the editor counts them.

Our spans count 1-based lines and 1-based columns in code points, on lines ended by ``\\n`` as the
Dockerfile parser splits them. LSP counts 0-based lines ended by ``\\n``, ``\\r\\n`` or ``\\r`` and
0-based characters in the negotiated position encoding: UTF-16 code units unless the client offers
UTF-8 or UTF-32 (a character beyond U+FFFF is two UTF-16 units, four UTF-8 bytes, one code
point). Fixes and edits work on code-point offsets into the text, so every conversion goes
through an offset; the two ways of splitting lines differ only on a lone ``\\r``, and then each
side keeps its own.
"""

from __future__ import annotations

import bisect
import re

from dfcheck.dockerfile.source import Span

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_LSP_BREAK = re.compile(r"\r\n?|\n")
_LONE_CR = re.compile(r"\r(?!\n)")


class Lines:
    """Line starts of one document text, built once per text; each conversion is a binary search
    plus, on a line that is not ASCII, the width of the text before the position."""

    __slots__ = ("_lsp", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        at = find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = find("\n", at + 1)
        self._starts = starts
        self._lsp = [0, *(m.end() for m in _LSP_BREAK.finditer(text))] if _LONE_CR.search(text) else starts

    @property
    def count(self) -> int:
        """Lines as the parser counts them (a final line break starts an empty last line)."""
        return len(self._starts)

    def line_text(self, line: int) -> str:
        """0-based ``line`` as the parser splits lines, without its ``\\n``."""
        start, end = _bounds(self._starts, line, len(self.text))
        return self.text[start:end].removesuffix("\n")

    def offset(self, line: int, col: int) -> int:
        """The offset of 1-based (line, column) of one of our spans; a column past the line's end
        is the next line's start (a whole-line span ends one past its newline)."""
        if line > len(self._starts):
            return len(self.text)
        start, end = _bounds(self._starts, line - 1, len(self.text))
        return max(start, min(start + col - 1, end))

    def offsets(self, span: Span) -> tuple[int, int]:
        return self.offset(span.start_line, span.start_col), self.offset(span.end_line, span.end_col)

    def position(self, offset: int, encoding: str = UTF16) -> tuple[int, int]:
        """0-based (line, character) of ``offset`` in ``encoding`` units: an LSP position."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._lsp, offset) - 1
        start = self._lsp[line]
        return line, _width(self.text[start:offset], encoding)

    def from_position(self, line: int, character: int, encoding: str = UTF16) -> int:
        """The offset of an LSP position; past the line's end it is the line's end, and a position
        inside a character (the second half of a surrogate pair) means that character."""
        if line >= len(self._lsp):
            return len(self.text)
        start, end = _bounds(self._lsp, max(line, 0), len(self.text))
        text = _LSP_BREAK.sub("", self.text[start:end])
        if encoding == UTF32 or text.isascii():
            return start + max(0, min(character, len(text)))
        units = 0
        for i, char in enumerate(text):
            units += _char_width(char, encoding)
            if units > character:
                return start + i
        return start + len(text)


def _bounds(starts: list[int], line: int, length: int) -> tuple[int, int]:
    line = max(0, min(line, len(starts) - 1))
    return starts[line], starts[line + 1] if line + 1 < len(starts) else length


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
