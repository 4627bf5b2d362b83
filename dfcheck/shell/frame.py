"""A piece of script text being parsed, and where each of its characters sits in the Dockerfile.

Parsers see a plain string: the RUN script, a ``$( )`` inside it, or the unquoted body of
``sh -c '...'``. A :class:`Frame` maps offsets in that string back to the top-level script and,
through its :class:`~dfcheck.dockerfile.source.TextMap`, to Dockerfile lines and columns, so that
a word found three levels deep still reports its exact span.
"""

from __future__ import annotations

from dfcheck.dockerfile.source import Span, TextMap
from dfcheck.regex import lazy

#: One line with its newline (the last may lack one; the very end matches empty).
LINE = lazy(r"[^\n]*(?:\n|$)")


class Frame:
    """A piece of text being parsed and how its offsets map to the top-level script.

    ``depth`` counts the frames above this one (substitutions re-lexed, nested shells); every
    parser stops descending at a fixed depth, which bounds both recursion and re-reading.
    """

    __slots__ = ("base", "depth", "nested", "offsets", "starts", "text", "textmap")

    def __init__(
        self,
        text: str,
        textmap: TextMap,
        *,
        base: int = 0,
        offsets: list[int] | None = None,
        starts: list[int] | None = None,
        depth: int = 0,
        nested: bool = False,
    ) -> None:
        self.text = text
        self.textmap = textmap
        self.base = base
        self.offsets = offsets
        self.starts = starts if starts is not None else offsets
        """Where each character begins as written; differs from ``offsets`` for escapes."""
        self.depth = depth
        self.nested = nested

    def top(self, i: int) -> int:
        if self.offsets is None:
            return self.base + i
        if not self.offsets:
            return self.base
        return self.offsets[min(max(i, 0), len(self.offsets) - 1)]

    def span(self, start: int, end: int) -> Span:
        starts = self.starts
        if starts is None:
            return self.textmap.span(self.base + start, self.base + end)
        s = starts[min(max(start, 0), len(starts) - 1)] if starts else self.base
        return self.textmap.span(s, self.top(end - 1) + 1 if end > start else s)

    def child(self, start: int, end: int, *, nested: bool | None = None) -> Frame:
        """The frame of the slice ``[start, end)``."""
        return Frame(
            self.text[start:end],
            self.textmap,
            base=self.base + start,
            offsets=None if self.offsets is None else self.offsets[start:end],
            starts=None if self.starts is None else self.starts[start:end],
            depth=self.depth + 1,
            nested=self.nested if nested is None else nested,
        )

    def mapped(self, text: str, positions: list[int]) -> Frame:
        """The frame of a nested shell's script text whose characters sit at ``positions`` here.

        A character written escaped (``\\"`` inside double quotes) starts at its backslash, so
        that a span of ``\\"hi\\"`` covers what the Dockerfile shows.
        """
        here = self.text
        starts = [
            p - 1 if p > 0 and here[p - 1] == "\\" and (k == 0 or positions[k - 1] != p - 1) else p
            for k, p in enumerate(positions)
        ]
        return Frame(
            text,
            self.textmap,
            offsets=[self.top(p) for p in positions],
            starts=[self.top(p) for p in starts],
            depth=self.depth + 1,
            nested=True,
        )


def line_map(text: str) -> TextMap:
    """The map of a script that stands alone: it starts at line 1, column 1."""
    textmap = TextMap()
    for line, m in enumerate(LINE.finditer(text), start=1):
        if m.end() > m.start():
            textmap.add(m.end() - m.start(), line, 1)
    return textmap
