"""Positions in Dockerfile text.

Spans follow SARIF: 1-based lines and columns, end column exclusive, columns counted in
Unicode code points. Instructions are joined from several physical lines (continuations),
so every piece of joined text carries a :class:`TextMap` back to where each character came from.
"""

from __future__ import annotations

import bisect

from dfcheck.records import NamedTuple


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


class LineIndex:
    """Offsets in a text <-> positions, the one conversion formatters, fixes and editors share.

    Our spans count 1-based lines and 1-based columns in code points; LSP and SARIF viewers count
    0-based lines and 0-based columns in UTF-16 code units, where a character beyond U+FFFF (an
    emoji) takes two. The table of line starts and of the offsets of such characters is built
    once per text, so each conversion is a binary search. Lines end at ``\n`` as the parser
    splits them (a ``\r`` before it is the line's last character; a lone ``\r`` ends no line);
    a tab is one column.
    """

    __slots__ = ("_astral", "_starts", "text")

    def __init__(self, text: str) -> None:
        import re

        self.text = text
        self._starts = [0, *(m.end() for m in re.finditer("\n", text))]
        #: Offsets of the characters UTF-16 writes as a surrogate pair.
        self._astral = (
            [] if text.isascii() else [m.start() for m in re.finditer("[\U00010000-\U0010ffff]", text)]
        )

    def _line_of(self, offset: int) -> int:
        """0-based line holding ``offset`` (clamped to the text)."""
        return bisect.bisect_right(self._starts, max(0, min(offset, len(self.text)))) - 1

    def _line_bounds(self, line: int) -> tuple[int, int]:
        """Start and end offsets of 0-based ``line``; the end is the next line's start (or the text's end)."""
        line = max(0, min(line, len(self._starts) - 1))
        start = self._starts[line]
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self.text)
        return start, end

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, column in code points: the start of one of our spans."""
        offset = max(0, min(offset, len(self.text)))
        line = self._line_of(offset)
        return line + 1, offset - self._starts[line] + 1

    def offset(self, line: int, col: int) -> int:
        """The offset of 1-based (line, column); past the line's end it is the next line's start."""
        start, end = self._line_bounds(line - 1)
        return max(start, min(start + col - 1, end))

    def span(self, start: int, end: int) -> Span:
        """Our span of ``text[start:end]``; an empty range (an insertion point) stays empty."""
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end))
        return Span(line, col, end_line, end_col)

    def offsets(self, span: Span) -> tuple[int, int]:
        """``(start, end)`` offsets of ``span``; an end column one past a line's end means the
        newline included, as the span of a whole line written by :class:`TextMap` does."""
        return self.offset(span.start_line, span.start_col), self.offset(span.end_line, span.end_col)

    def utf16(self, offset: int) -> tuple[int, int]:
        """(line, character), both 0-based, character in UTF-16 code units: an LSP position."""
        offset = max(0, min(offset, len(self.text)))
        line = self._line_of(offset)
        start = self._starts[line]
        pairs = bisect.bisect_left(self._astral, offset) - bisect.bisect_left(self._astral, start)
        return line, offset - start + pairs

    def from_utf16(self, line: int, character: int) -> int:
        """The offset of an LSP position; past the line's end it is the line's end, and the
        second code unit of a surrogate pair means the character it belongs to."""
        if line >= len(self._starts):
            return len(self.text)
        start, end = self._line_bounds(line)
        first = bisect.bisect_left(self._astral, start)
        last = bisect.bisect_left(self._astral, end, lo=first)
        # The k-th astral character of the line starts at UTF-16 column (offset - start) + k.
        before = bisect.bisect_left(
            range(first, last), max(character, 0), key=lambda k: self._astral[k] - start + k - first
        )
        if self.text.endswith("\n", start, end):
            end -= 2 if self.text.endswith("\r\n", start, end) else 1
        return max(start, min(start + character - before, end))


class TextMap:
    """Maps offsets in a joined string back to (line, column) in the file.

    Built from segments: each segment says "characters from offset ``o`` on come from line ``l``,
    starting at column ``c``" and runs until the next segment starts. Most instructions are
    written on one line, so a map of one segment keeps no lists and answers with arithmetic.
    """

    __slots__ = ("_cols", "_lines", "_offsets", "col", "length", "line")
    _lines: list[int]
    _cols: list[int]

    def __init__(self, line: int = 1, col: int = 1, length: int = 0) -> None:
        """A map of ``length`` characters written on ``line`` from ``col``; :meth:`add` appends."""
        self.line = line
        self.col = col
        self.length = length
        #: Segment starts, None while the map is one segment (``line``, ``col``); ``_lines`` and
        #: ``_cols`` exist only with them (a parse keeps one map per instruction).
        self._offsets: list[int] | None = None

    def add(self, text_len: int, line: int, col: int) -> None:
        if self._offsets is None:
            if self.length == 0:
                # An empty first segment is shadowed by the next one, as in bisect's lookup.
                self.line, self.col, self.length = line, col, text_len
                return
            self._offsets, self._lines, self._cols = [0], [self.line], [self.col]
        self._offsets.append(self.length)
        self._lines.append(line)
        self._cols.append(col)
        self.length += text_len

    def key(self) -> tuple[object, ...]:
        """Equal for maps that place every character at the same position."""
        if self._offsets is None:
            return (self.line, self.col, self.length)
        return (tuple(self._offsets), tuple(self._lines), tuple(self._cols), self.length)

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, self.length - 1))
        offsets = self._offsets
        if offsets is None:
            return (self.line, self.col + offset)
        i = bisect.bisect_right(offsets, offset) - 1
        return (self._lines[i], self._cols[i] + offset - offsets[i])

    def end_position(self, offset: int) -> tuple[int, int]:
        """Exclusive end: one past the character at ``offset - 1``."""
        if offset <= 0:
            return self.position(0)
        line, col = self.position(offset - 1)
        return (line, col + 1)

    def span(self, start: int, end: int) -> Span:
        """Span of joined text ``[start, end)``; an empty range gives a one-character span."""
        if self._offsets is None and 0 <= start < end <= self.length:
            return Span(self.line, self.col + start, self.line, self.col + end)
        line, col = self.position(start)
        if end <= start:
            return Span(line, col, line, col + 1)
        end_line, end_col = self.end_position(end)
        return Span(line, col, end_line, end_col)

    def sub(self, start: int, end: int) -> TextMap:
        """The map of the slice ``[start, end)``, so a substring can be located on its own."""
        start = max(0, min(start, self.length))
        end = max(start, min(end, self.length))
        offsets = self._offsets
        if offsets is None:
            return TextMap(self.line, self.col + start, end - start)
        first = max(bisect.bisect_right(offsets, start) - 1, 0)
        stop = max(bisect.bisect_left(offsets, end), first + 1)
        out = TextMap(self._lines[first], self._cols[first] + start - offsets[first], end - start)
        if stop - first > 1:
            out._offsets = [0] + [o - start for o in offsets[first + 1 : stop]]
            out._lines = self._lines[first:stop]
            out._cols = [out.col, *self._cols[first + 1 : stop]]
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


#: The largest Dockerfile any entry point reads: BuildKit's own limit is far higher, but a file
#: this large is generated or a mistake, and linting time and memory grow with it.
MAX_BYTES = 5 * 1024 * 1024


class Refused(OSError):
    """A file :func:`read_regular` did not read: not a regular file, or over the size limit
    (``strerror`` says which, so callers that report ``OSError.strerror`` need nothing more)."""


def read_regular(path: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``, for every input dfcheck reads (Dockerfiles, config
    and baseline files): a FIFO or a device is never opened, since opening or reading it could
    block forever, and at most ``limit + 1`` bytes are read. Raises :class:`Refused` or the
    ``OSError`` of the failed call (``ValueError`` for a NUL byte in the path)."""
    import os
    import stat

    if not stat.S_ISREG(os.stat(path).st_mode):
        raise Refused(0, "not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        # The path may have been swapped for something else since the stat.
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(0, "not a regular file")
        if info.st_size > limit:
            raise Refused(0, _too_large(limit))
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise Refused(0, _too_large(limit))
    return data


def _too_large(limit: int) -> str:
    return (
        f"file is larger than {limit // 1048576} MB"
        if limit >= 1048576
        else f"file is larger than {limit} bytes"
    )


def read_dockerfile(
    path: str, display: str | None = None, *, keep_bytes: bool = False
) -> tuple[str | None, str]:
    """Read a Dockerfile from ``path`` (``-``: standard input) for any entry point.

    Returns ``(text, "")``, or ``(text, warning)`` when bytes that are not UTF-8 were replaced
    (still lintable), or ``(None, error)`` when there is nothing to lint: unreadable, not a
    regular file, over :data:`MAX_BYTES`, or binary. Messages are one line, ``path:line:col:
    message``, with ``display`` (default ``path``) as the path. Files are read by
    :func:`read_regular`, and at most ``MAX_BYTES + 1`` bytes of standard input.
    ``keep_bytes`` decodes as ``dfcheck parse`` must for a byte-exact BuildKit dump: invalid
    bytes kept as surrogates, NUL bytes allowed.
    """
    import sys

    shown = path if display is None else display
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return None, f"{shown}:1:1: {_too_large(MAX_BYTES)}"
    else:
        try:
            data = read_regular(path)
        except Refused as exc:
            return None, f"{shown}:1:1: {exc.strerror}"
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
            return None, f"{shown}:1:1: cannot read: {getattr(exc, 'strerror', None) or exc}"
    if keep_bytes:
        return data.decode("utf-8", "surrogateescape"), ""
    text, problem = decode(data)
    if problem is None:
        return text, ""
    if not text:
        return None, f"{shown}:1:1: {problem}"
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    at = int(problem.rsplit(" ", 1)[-1])
    line_start = body.rfind(b"\n", 0, at) + 1
    line = body.count(b"\n", 0, at) + 1
    col = len(body[line_start:at].decode("utf-8", "replace")) + 1
    return text, f"{shown}:{line}:{col}: {problem} (replaced, linted anyway)"
