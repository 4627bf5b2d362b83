"""Positions in Dockerfile text.

Spans follow SARIF: 1-based lines and columns, end column exclusive, columns counted in
Unicode code points. Instructions are joined from several physical lines (continuations),
so every piece of joined text carries a :class:`TextMap` back to where each character came from.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any, ClassVar, NamedTuple

#: ids of the objects whose repr is being built, so cycles print as ``...`` (as dataclasses do).
_REPR_RUNNING: set[int] = set()


def record_repr(obj: Any, fields: Iterable[str]) -> str:
    """``Name(field=value, ...)``, the repr a dataclass would have, for the hand-written classes."""
    key = id(obj)
    if key in _REPR_RUNNING:
        return "..."
    _REPR_RUNNING.add(key)
    try:
        inner = ", ".join(f"{f}={getattr(obj, f)!r}" for f in fields)
    finally:
        _REPR_RUNNING.discard(key)
    return f"{type(obj).__qualname__}({inner})"


class Record:
    """Field-wise ``==`` and a dataclass-style repr for the hand-written classes that replace
    dataclasses on the start-up path; subclasses list their fields in ``_fields``."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return record_repr(self, self._fields)


class Span(NamedTuple):
    start_line: int
    start_col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, line: int, col: int) -> Span:
        return cls(line, col, line, col + 1)

    def to_dict(self) -> dict[str, int]:
        return {
            "start_line": self.start_line,
            "start_col": self.start_col,
            "end_line": self.end_line,
            "end_col": self.end_col,
        }

    def cover(self, other: Span) -> Span:
        """The smallest span containing both, for findings that name a range of tokens."""
        start = min((self.start_line, self.start_col), (other.start_line, other.start_col))
        end = max((self.end_line, self.end_col), (other.end_line, other.end_col))
        return Span(start[0], start[1], end[0], end[1])


class TextMap:
    """Maps offsets in a joined string back to (line, column) in the file.

    Built from segments: each segment says "characters from offset ``o`` on come from line ``l``,
    starting at column ``c``" and runs until the next segment starts.
    """

    __slots__ = ("_cols", "_lines", "_offsets", "length")

    def __init__(self) -> None:
        self._offsets: list[int] = []
        self._lines: list[int] = []
        self._cols: list[int] = []
        self.length = 0

    def add(self, text_len: int, line: int, col: int) -> None:
        self._offsets.append(self.length)
        self._lines.append(line)
        self._cols.append(col)
        self.length += text_len

    def position(self, offset: int) -> tuple[int, int]:
        if not self._offsets:
            return (1, 1)
        offset = max(0, min(offset, max(self.length - 1, 0)))
        i = bisect.bisect_right(self._offsets, offset) - 1
        return (self._lines[i], self._cols[i] + offset - self._offsets[i])

    def end_position(self, offset: int) -> tuple[int, int]:
        """Exclusive end: one past the character at ``offset - 1``."""
        if offset <= 0:
            return self.position(0)
        line, col = self.position(offset - 1)
        return (line, col + 1)

    def span(self, start: int, end: int) -> Span:
        """Span of joined text ``[start, end)``; an empty range gives a one-character span."""
        line, col = self.position(start)
        if end <= start:
            return Span(line, col, line, col + 1)
        end_line, end_col = self.end_position(end)
        return Span(line, col, end_line, end_col)

    def sub(self, start: int, end: int) -> TextMap:
        """The map of the slice ``[start, end)``, so a substring can be located on its own."""
        out = TextMap()
        i = max(bisect.bisect_right(self._offsets, start) - 1, 0)
        pos = start
        while pos < end and i < len(self._offsets):
            seg_end = self._offsets[i + 1] if i + 1 < len(self._offsets) else self.length
            if seg_end <= pos:
                i += 1
                continue
            take = min(seg_end, end) - pos
            out.add(take, self._lines[i], self._cols[i] + pos - self._offsets[i])
            pos += take
            i += 1
        return out


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode Dockerfile bytes; returns (text, error message or None).

    BuildKit reads bytes and strips one UTF-8 BOM; invalid UTF-8 is replaced rather than
    refused, so a stray Latin-1 byte in a comment still lints.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192]:
        return "", "binary file (NUL byte)"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("utf-8", errors="replace"), f"invalid UTF-8 at byte {exc.start}"
