"""Text as every format can carry it: lines as BuildKit counts them, nothing a terminal would
obey, JSON that is valid UTF-8.

Dockerfiles, file names and commit subjects are not ours: they can hold ESC and BEL, newlines, and
(as Python decodes file names that are not UTF-8) lone surrogates. Human-readable formats show
them with :func:`printable`; JSON formats escape what UTF-8 cannot carry with :func:`json_text`;
the XML formats replace it with U+FFFD. Only ``re`` is imported, so the text formatter stays cheap
to load.
"""

from __future__ import annotations

from functools import lru_cache

from dfcheck.regex import lazy


@lru_cache(maxsize=4)
def source_lines(text: str) -> tuple[str, ...]:
    """Physical lines as BuildKit counts them: split on LF, one trailing CR dropped.

    Formatters ask once per finding; the last few files' lines are kept, so a file with many
    findings is split once, not once per finding (a string keeps its hash, so a lookup is cheap).
    """
    if not text:
        return ()
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return tuple(line[:-1] if line.endswith("\r") else line for line in lines)


#: Characters a human-readable report never writes as they are: C0 controls, DEL, C1 controls,
#: the line and paragraph separators (``str.splitlines`` breaks lines there) and lone surrogates.
_UNPRINTABLE = lazy("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _shown(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    r"""``text`` safe to write to a terminal, a log or a page, and still on one line.

    Control characters become their Unicode control pictures (ESC shows as U+241B, a newline as
    U+240A), so nothing reaches a terminal as a command and a column stays one character; C1
    controls and the line separators become ``\u0085``-style escapes; a byte that was not UTF-8 (a
    lone surrogate from ``surrogateescape``, as Python decodes file names) shows as ``\xff``, any
    other lone surrogate as ``\ud800``. Characters in ``keep`` are left alone.
    """
    if text.isascii() and text.isprintable():  # nothing to show differently (and no pattern to compile)
        return text
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group() in keep else _shown(m.group()), text)


_SURROGATE = lazy("[\ud800-\udfff]")


def json_text(document: object) -> str:
    r"""``document`` as indented JSON that encodes to valid UTF-8, with a trailing newline.

    Non-ASCII text is written as it is; a lone surrogate, which UTF-8 cannot encode (a file name
    byte that was not UTF-8), as its ``\udcff`` escape, which JSON readers accept and Python reads
    back unchanged.
    """
    import json

    text = json.dumps(document, indent=2, ensure_ascii=False)
    if text.isascii():
        return text + "\n"
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def surrogate_bytes(text: str) -> bytes:
    """``text`` as UTF-8 for hashing; never fails (lone surrogates are encoded as they stand)."""
    return text.encode("utf-8", "surrogatepass")
