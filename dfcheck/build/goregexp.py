"""Go's pattern languages as Python ``re``: RE2 regexps and ``filepath.Match`` globs.

BuildKit matches ``.dockerignore`` lines with Go regexps that moby/patternmatcher builds from them,
and COPY/ADD wildcards with ``filepath.Match``. User text passes through both, so escapes and
character classes follow Go's parsers, not Python's: ``\\b`` is a word boundary, ``\\o`` an error,
``[z-a]`` an error, ``[^a]`` matches a newline.

``translate(go_regexp)`` gives the Python source of a Go regexp (raises :class:`BadPattern` where
Go's ``regexp.Compile`` fails); ``glob_syntax_error(pattern)`` is the check ``filepath.Match``
makes; ``glob(pattern)`` and ``glob_components(pattern)`` compile a ``filepath.Match`` pattern
whole or one path component at a time.

Negated classes are written as Python negated classes, never as their complement: a class over
the whole Unicode range makes ``re.compile`` about 70 times slower (1.7 ms a pattern).
"""

from __future__ import annotations

import functools
import re

_MAX_RUNE = 0x10FFFF
_Ranges = list[tuple[int, int]]


class BadPattern(Exception):
    """Go refuses the pattern; the message is Go's where it has one."""


_PERL_CLASSES: dict[str, _Ranges] = {
    "d": [(0x30, 0x39)],
    "s": [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)],
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}
_POSIX_CLASSES: dict[str, _Ranges] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_CONTROL_ESCAPES = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"
_SLASH = ord("/")


def _normalize(ranges: _Ranges) -> _Ranges:
    merged: _Ranges = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _complement(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    nxt = 0
    for lo, hi in _normalize(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAX_RUNE:
        out.append((nxt, _MAX_RUNE))
    return out


def _class_source(ranges: _Ranges, negated: bool = False) -> str:
    """A Python class matching the code points in ``ranges`` (or, ``negated``, all others)."""
    effective = _normalize(ranges)
    if not effective:
        return "[\\s\\S]" if negated else "(?!)"
    if not negated and len(effective) == 1 and effective[0][0] == effective[0][1]:
        return re.escape(chr(effective[0][0]))
    parts = [f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in effective]
    return ("[^" if negated else "[") + "".join(parts) + "]"


def _perl_class(letter: str) -> tuple[_Ranges, bool] | None:
    """``\\d``, ``\\s``, ``\\w`` and their negations as (ranges, negated); None for other letters."""
    ranges = _PERL_CLASSES.get(letter.lower())
    return None if ranges is None else (ranges, letter.isupper())


def _go_escape(src: str, i: int) -> tuple[int, int]:
    """Go's parseEscape at ``src[i] == '\\\\'``: the code point and the index after the escape."""
    if i + 1 >= len(src):
        raise BadPattern("trailing backslash at end of expression")
    c = src[i + 1]
    i += 2
    if c < "\x80" and not c.isalnum():
        return ord(c), i
    if c in _OCTAL and (c == "0" or (i < len(src) and src[i] in _OCTAL)):
        value = int(c)
        for _ in range(2):
            if i < len(src) and src[i] in _OCTAL:
                value = value * 8 + int(src[i])
                i += 1
        return value, i
    if c == "x" and i + 1 < len(src) and src[i] in _HEX and src[i + 1] in _HEX:
        return int(src[i : i + 2], 16), i + 2
    if c in _CONTROL_ESCAPES:
        return _CONTROL_ESCAPES[c], i
    if c in "pP":
        raise BadPattern(f"Unicode class escape \\{c} is not supported by dfcheck")
    raise BadPattern(f"invalid escape sequence: \\{c}")


def _go_class(src: str, i: int) -> tuple[str, int]:
    """Go's parseClass at ``src[i] == '['``: Python class source and the index after ``]``."""
    n = len(src)
    i += 1
    negated = i < n and src[i] == "^"
    if negated:
        i += 1
    ranges: _Ranges = []
    first = True
    while i >= n or src[i] != "]" or first:
        if i >= n:
            raise BadPattern("missing closing ]")
        first = False
        if src.startswith("[:", i):
            end = src.find(":]", i + 2)
            if end >= 0:
                name = src[i + 2 : end]
                posix = _POSIX_CLASSES.get(name.removeprefix("^"))
                if posix is None:
                    raise BadPattern(f"invalid character class range: [:{name}:]")
                ranges.extend(_complement(posix) if name.startswith("^") else posix)
                i = end + 2
                continue
        if src[i] == "\\" and i + 1 < n:
            perl = _perl_class(src[i + 1])
            if perl is not None:
                ranges.extend(_complement(perl[0]) if perl[1] else perl[0])
                i += 2
                continue
        lo, i = _go_escape(src, i) if src[i] == "\\" else (ord(src[i]), i + 1)
        hi = lo
        if i + 1 < n and src[i] == "-" and src[i + 1] != "]":
            hi, i = _go_escape(src, i + 1) if src[i + 1] == "\\" else (ord(src[i + 1]), i + 2)
            if hi < lo:
                raise BadPattern(f"invalid character class range: {chr(lo)}-{chr(hi)}")
        ranges.append((lo, hi))
    return _class_source(ranges, negated), i + 1


_ASSERTIONS = {"A": r"\A", "b": r"\b", "B": r"\B", "z": r"\Z"}


def translate(src: str) -> str:
    """The Python source of Go regexp ``src`` (Perl flags, as ``regexp.Compile``); compile it with
    ``re.ASCII``, since Go's ``\\b`` and ``\\w`` are ASCII-only."""
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            d = src[i + 1] if i + 1 < n else ""
            if d == "Q":
                end = src.find("\\E", i + 2)
                stop = n if end < 0 else end
                out.append(re.escape(src[i + 2 : stop]))
                i = n if end < 0 else end + 2
            elif d in _ASSERTIONS:
                out.append(_ASSERTIONS[d])
                i += 2
            elif d == "C":
                raise BadPattern("invalid escape sequence: \\C")
            elif d and (perl := _perl_class(d)) is not None:
                out.append(_class_source(*perl))
                i += 2
            else:
                code, i = _go_escape(src, i)
                out.append(_class_source([(code, code)]))
        elif c == "[":
            source, i = _go_class(src, i)
            out.append(source)
        elif c == "(":
            out.append("(?:")
            i += 1
        elif c == "$":
            out.append(r"\Z")
            i += 1
        elif c in ")*?.^":
            out.append(c)
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


# --- filepath.Match -------------------------------------------------------------------------------


def glob_syntax_error(pattern: str) -> str | None:
    """The check ``filepath.Match(pattern, ".")`` makes (Unix rules): Go's message, or None."""
    i, n = 0, len(pattern)

    def class_char(i: int) -> int:
        if i >= n or pattern[i] in "-]":
            raise BadPattern
        if pattern[i] == "\\":
            i += 1
            if i >= n:
                raise BadPattern
        if i + 1 >= n:
            raise BadPattern
        return i + 1

    try:
        while i < n:
            c = pattern[i]
            if c == "\\":
                if i + 1 >= n:
                    raise BadPattern
                i += 2
            elif c == "[":
                i += 1
                if i < n and pattern[i] == "^":
                    i += 1
                ranges = 0
                while not (i < n and pattern[i] == "]" and ranges):
                    i = class_char(i)
                    if pattern[i] == "-":
                        i = class_char(i + 1)
                    ranges += 1
                i += 1
            else:
                i += 1
    except BadPattern:
        return "syntax error in pattern"
    return None


def _glob_source(pattern: str) -> tuple[str, bool]:
    """A valid ``filepath.Match`` pattern as Python source, and whether a class in it can match '/'.

    ``*`` and ``?`` never match '/'; a class can (Go does not exclude the separator from classes).
    """
    out: list[str] = []
    slash = False
    i, n = 0, len(pattern)

    def class_char(i: int) -> tuple[int, int]:
        if pattern[i] == "\\":
            i += 1
        return ord(pattern[i]), i + 1

    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "[":
            i += 1
            negated = pattern[i] == "^"
            if negated:
                i += 1
            ranges: _Ranges = []
            items = 0
            while not (pattern[i] == "]" and items):
                lo, i = class_char(i)
                hi = lo
                if pattern[i] == "-":
                    hi, i = class_char(i + 1)
                if lo <= hi:  # Go accepts a reversed range; it just never matches
                    ranges.append((lo, hi))
                items += 1
            inside = any(lo <= _SLASH <= hi for lo, hi in ranges)
            slash = slash or inside != negated
            out.append(_class_source(ranges, negated))
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out), slash


@functools.lru_cache(maxsize=1024)
def glob(pattern: str) -> re.Pattern[str] | None:
    """``filepath.Match(pattern, name)`` as a compiled regex; None when the pattern is malformed
    (Go then matches nothing)."""
    if glob_syntax_error(pattern):
        return None
    return re.compile(_glob_source(pattern)[0] + r"\Z")


@functools.lru_cache(maxsize=1024)
def glob_components(pattern: str) -> tuple[re.Pattern[str], ...] | None:
    """One regex per '/'-separated component of a valid pattern, so that a walk can decide a
    directory by its own name and skip what cannot match; None when matching component by
    component would not be exact (a class that can match '/', an escaped '/', a malformed part)."""
    parts = pattern.split("/")
    compiled = []
    for part in parts:
        if not part or glob_syntax_error(part):
            return None
        source, slash = _glob_source(part)
        if slash:
            return None
        compiled.append(re.compile(source + r"\Z"))
    return tuple(compiled)
