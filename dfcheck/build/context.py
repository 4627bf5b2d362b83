"""The build context as BuildKit sees it: ``.dockerignore`` with Docker's exact semantics and an inventory.

Loaded only when a rule or the ``context`` command asks, so nothing here is imported at start-up.

Public API (other modules and rules rely on these names):

``read_ignore_file(text, *, windows=False) -> list[IgnorePattern]``
    Parse ignore-file text exactly as ``ignorefile.ReadAll`` then ``patternmatcher.New`` do.
``find_ignore_file(context_dir, dockerfile) -> Path | None``
    ``<dockerfile>.dockerignore`` beside the Dockerfile wins over ``<context>/.dockerignore``.
``load(context_dir, dockerfile) -> BuildContext``
    Ignore file, patterns and matcher now; the inventory walked lazily on first use.
``IgnoreMatcher(patterns)``
    ``excluded(relpath)``: is the path left out of the context that is sent (BuildKit's walker);
    ``matches(path)``: patternmatcher's ``MatchesOrParentMatches``, which BuildKit's
    CopyIgnoredFile check uses; ``might_reinclude_under(dir_relpath)``: can a ``!`` pattern bring
    anything under an excluded directory back.
``walk_context(root, matcher, *, list_files=True, measure_excluded=False, top=10) -> ContextInventory``
``copy_source_matches(inventory_or_root, source) -> list[str]``
    The context files a COPY/ADD source would read, after ignore filtering.
``secret_like_files(inventory) -> list[str]`` and ``heavy_entries(inventory) -> list[HeavyEntry]``
``context_report(root, dockerfile=None, list_files=False) -> dict`` and ``render_context_text(report)``

Semantics follow moby/patternmatcher, tonistiigi/fsutil and BuildKit's Dockerfile frontend:

* Patterns are turned into Go regular expressions exactly as patternmatcher does (``*`` stops at
  ``/``, ``**`` spans directories, ``\\`` escapes, ``[...]`` classes) and those expressions are then
  translated to Python ones, so quirks survive: ``\\b`` in ``src\\bin`` is a word boundary that never
  matches, ``build\\output`` is an invalid escape that makes Docker fail the build, ``[z-a]`` passes
  Docker's syntax check and then fails to compile.
* A path is excluded the way fsutil's walker decides it (``MatchesUsingParentResults``): patterns in
  order, the last one that matches wins, ``!`` re-includes, and a pattern that matched a directory
  matches everything under it. ``matches`` gives the stateless ``MatchesOrParentMatches`` answer,
  which differs only for orderings such as ``a/b`` then ``!a``.
* Backslashes are escapes on Linux and macOS; only a Windows client treats them as separators, which
  ``read_ignore_file(windows=True)`` reproduces.
"""

from __future__ import annotations

import bisect
import functools
import os
import posixpath
import re
import stat as stat_mod
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from dfcheck.dockerfile.source import Record

LARGE_FILE_BYTES = 10 * 1024 * 1024

# Go's unicode.IsSpace, which strings.TrimSpace uses; str.strip() would also drop \x1c-\x1f.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)


class IgnorePattern(NamedTuple):
    """One effective line of an ignore file.

    ``pattern`` is what Docker matches with (cleaned, ``!`` removed). ``error`` is set when Docker
    would refuse the pattern and fail the build; such a pattern never matches here.
    """

    text: str
    exclusion: bool
    line: int
    pattern: str
    error: str | None = None


# --- reading ignore files ---------------------------------------------------------------------


def _clean(path: str) -> str:
    """Go's path/filepath.Clean on a '/'-separated path (normpath keeps a leading '//', Go does not)."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def read_ignore_file(text: str, *, windows: bool = False) -> list[IgnorePattern]:
    """Parse ``.dockerignore`` text the way BuildKit does.

    Lines split on ``\\n`` only (a lone ``\\r`` is not a line break for Go's scanner); a ``#`` comment
    must be the very first character; blank lines are skipped; ``/foo`` and ``./foo`` mean ``foo``.
    ``windows`` applies the separator conversion that only a Windows client performs.
    """
    patterns: list[IgnorePattern] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if number == 1:
            raw = raw.removeprefix("\ufeff")
        if raw.startswith("#"):
            continue
        body = raw.strip(_GO_SPACE)
        if not body:
            continue
        invert = body[0] == "!"
        if invert:
            body = body[1:].strip(_GO_SPACE)
        if body:
            if windows:
                body = body.replace("\\", "/")
            body = _clean(body)
            if len(body) > 1 and body[0] == "/":
                body = body[1:]
        patterns.append(_new_pattern("!" + body if invert else body, raw.rstrip("\r"), number))
    return patterns


def _new_pattern(text: str, shown: str, line: int) -> IgnorePattern:
    """patternmatcher.New for one pattern: trim, clean, split off '!', check the syntax."""
    body = _clean(text.strip(_GO_SPACE))
    exclusion = body[0] == "!"
    if exclusion:
        if len(body) == 1:
            return IgnorePattern(shown, True, line, "", 'illegal exclusion pattern: "!"')
        body = body[1:]
    return IgnorePattern(shown, exclusion, line, body, _compile(body).error)


def find_ignore_file(context_dir: Path, dockerfile: Path | None) -> Path | None:
    """The ignore file BuildKit applies: ``<Dockerfile>.dockerignore`` beside it, else the context's."""
    if dockerfile is not None:
        specific = dockerfile.with_name(dockerfile.name + ".dockerignore")
        if specific.is_file():
            return specific
    default = context_dir / ".dockerignore"
    return default if default.is_file() else None


def _load_patterns(context_dir: Path, dockerfile: Path | None) -> tuple[Path | None, list[IgnorePattern]]:
    ignore_file = find_ignore_file(context_dir, dockerfile)
    if ignore_file is None:
        return None, []
    text = ignore_file.read_bytes().decode("utf-8", "surrogateescape")
    return ignore_file, read_ignore_file(text, windows=os.sep == "\\")


# --- compiling patterns -----------------------------------------------------------------------

_EXACT, _PREFIX, _SUFFIX, _REGEXP = range(4)


class _BadPattern(Exception):
    pass


class _Compiled(NamedTuple):
    """A cleaned pattern ready to test paths, plus what pruning needs to know about it.

    ``literal`` is a prefix every matching path starts with; ``depth`` the exact number of path
    components a match has, when that is fixed.
    """

    test: Callable[[str], object]
    literal: str = ""
    depth: int | None = None
    error: str | None = None

    def could_match_child(self, prefix: str, depth: int) -> bool:
        """Could this match a direct child of the directory whose paths start with ``prefix``?"""
        if self.depth is not None and self.depth != depth:
            return False
        lit = self.literal
        if len(lit) <= len(prefix):
            return prefix.startswith(lit)
        return lit.startswith(prefix) and "/" not in lit[len(prefix) :]

    def could_match_under(self, prefix: str, depth: int) -> bool:
        """Could this match anything strictly below a directory at ``depth``?"""
        if self.depth is not None and self.depth <= depth:
            return False
        return prefix.startswith(self.literal) or self.literal.startswith(prefix)


def _never(_path: str) -> bool:
    return False


@functools.lru_cache(maxsize=4096)
def _compile(pattern: str) -> _Compiled:
    """Compile as patternmatcher does: a syntax check, then exact/prefix/suffix/regexp matching."""
    syntax = _glob_syntax_error(pattern)
    if syntax:
        return _Compiled(_never, error=syntax)
    kind, go_regexp = _go_regexp(pattern)
    if kind == _EXACT:
        return _Compiled(pattern.__eq__, pattern, pattern.count("/") + 1)
    if kind == _PREFIX:
        head = pattern[:-2]
        return _Compiled(lambda p: p.startswith(head), head)
    if kind == _SUFFIX:
        tail = pattern[2:]
        alone = tail[1:] if tail.startswith("/") else None
        return _Compiled(lambda p: p.endswith(tail) or p == alone)
    try:
        regex = re.compile(_translate_go_regexp(go_regexp), re.ASCII)
    except _BadPattern as exc:
        return _Compiled(_never, error=f"Docker cannot compile this pattern: {exc}")
    literal = re.split(r"[*?\[\]\\^]", pattern, maxsplit=1)[0]
    fixed = "**" not in pattern and "[" not in pattern and "\\" not in pattern
    return _Compiled(regex.match, literal, pattern.count("/") + 1 if fixed else None)


def _glob_syntax_error(pattern: str) -> str | None:
    """The check patternmatcher.New makes with ``filepath.Match(pattern, ".")`` (Unix rules)."""
    i, n = 0, len(pattern)

    def class_char(i: int) -> int:
        if i >= n or pattern[i] in "-]":
            raise _BadPattern
        if pattern[i] == "\\":
            i += 1
            if i >= n:
                raise _BadPattern
        if i + 1 >= n:
            raise _BadPattern
        return i + 1

    try:
        while i < n:
            c = pattern[i]
            if c == "\\":
                if i + 1 >= n:
                    raise _BadPattern
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
    except _BadPattern:
        return "syntax error in pattern"
    return None


def _go_regexp(pattern: str) -> tuple[int, str]:
    """patternmatcher's Pattern.compile on '/' paths: the match type and the Go regexp source."""
    out = ["^"]
    kind = _EXACT
    i, n, token = 0, len(pattern), 0
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                if i >= n:
                    if kind == _EXACT:
                        kind = _PREFIX
                    else:
                        out.append(".*")
                        kind = _REGEXP
                else:
                    out.append("(.*/)?")
                    kind = _REGEXP
                if token == 0:
                    kind = _SUFFIX
            else:
                out.append("[^/]*")
                kind = _REGEXP
        elif ch == "?":
            out.append("[^/]")
            kind = _REGEXP
        elif ch in ".+()|{}$":
            out.append("\\" + ch)
        elif ch == "\\":
            if i < n:
                out.append("\\" + pattern[i])
                i += 1
                kind = _REGEXP
            else:
                out.append("\\")
        elif ch in "[]":
            out.append(ch)
            kind = _REGEXP
        else:
            out.append(ch)
        token += 1
    if kind == _REGEXP:
        out.append("$")
    return kind, "".join(out)


# Go regexp (RE2 syntax, Perl flags) -> Python re. Only what patternmatcher can emit is needed, but
# user text passes through it, so escapes and classes follow Go's parser, not Python's.

_MAX_RUNE = 0x10FFFF
_Ranges = list[tuple[int, int]]
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
    effective = _complement(ranges) if negated else _normalize(ranges)
    if not effective:
        return "(?!)"
    if len(effective) == 1 and effective[0][0] == effective[0][1]:
        return re.escape(chr(effective[0][0]))
    parts = [f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in effective]
    return "[" + "".join(parts) + "]"


def _perl_class(letter: str) -> _Ranges | None:
    ranges = _PERL_CLASSES.get(letter.lower())
    if ranges is None:
        return None
    return _complement(ranges) if letter.isupper() else ranges


def _go_escape(src: str, i: int) -> tuple[int, int]:
    """Go's parseEscape at ``src[i] == '\\\\'``: the code point and the index after the escape."""
    if i + 1 >= len(src):
        raise _BadPattern("trailing backslash at end of expression")
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
        raise _BadPattern(f"Unicode class escape \\{c} is not supported by dfcheck")
    raise _BadPattern(f"invalid escape sequence: \\{c}")


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
            raise _BadPattern("missing closing ]")
        first = False
        if src.startswith("[:", i):
            end = src.find(":]", i + 2)
            if end >= 0:
                name = src[i + 2 : end]
                posix = _POSIX_CLASSES.get(name.removeprefix("^"))
                if posix is None:
                    raise _BadPattern(f"invalid character class range: [:{name}:]")
                ranges.extend(_complement(posix) if name.startswith("^") else posix)
                i = end + 2
                continue
        if src[i] == "\\" and i + 1 < n:
            perl = _perl_class(src[i + 1])
            if perl is not None:
                ranges.extend(perl)
                i += 2
                continue
        lo, i = _go_escape(src, i) if src[i] == "\\" else (ord(src[i]), i + 1)
        hi = lo
        if i + 1 < n and src[i] == "-" and src[i + 1] != "]":
            hi, i = _go_escape(src, i + 1) if src[i + 1] == "\\" else (ord(src[i + 1]), i + 2)
            if hi < lo:
                raise _BadPattern(f"invalid character class range: {chr(lo)}-{chr(hi)}")
        ranges.append((lo, hi))
    return _class_source(ranges, negated), i + 1


_ASSERTIONS = {"A": r"\A", "b": r"\b", "B": r"\B", "z": r"\Z"}


def _translate_go_regexp(src: str) -> str:
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
                raise _BadPattern("invalid escape sequence: \\C")
            elif d and (perl := _perl_class(d)) is not None:
                out.append(_class_source(perl))
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


# --- matching ---------------------------------------------------------------------------------

# (pattern index, bit, is exception, matched the parent directory, test)
_Step = tuple[int, int, bool, bool, Callable[[str], object]]


class _Steps(NamedTuple):
    """The patterns worth trying on the entries of one directory, in pattern order.

    ``constant`` is the answer for every entry when no pattern needs evaluating.
    """

    steps: tuple[_Step, ...]
    constant: tuple[bool, int] | None


def _decide(path: str, steps: _Steps, hits: list[int] | None) -> tuple[bool, int]:
    """fsutil's per-entry decision (MatchesUsingParentResults): (excluded, patterns that matched)."""
    if steps.constant is not None:
        return steps.constant
    matched = False
    bits = 0
    for index, bit, exclusion, inherited, test in steps.steps:
        if inherited:
            bits |= bit
            matched = not exclusion
        elif exclusion == matched and test(path):
            if hits is not None:
                hits[index] += 1
            bits |= bit
            matched = not exclusion
    return matched, bits


class IgnoreMatcher:
    """Ordered ignore patterns; plain strings are taken as patternmatcher.New takes them."""

    def __init__(self, patterns: Iterable[IgnorePattern | str]) -> None:
        self.patterns: list[IgnorePattern] = [
            p if isinstance(p, IgnorePattern) else _new_pattern(p, p, 0)
            for p in patterns
            if isinstance(p, IgnorePattern) or p.strip(_GO_SPACE)
        ]
        self._active = [
            (index, 1 << index, p.exclusion, _compile(p.pattern))
            for index, p in enumerate(self.patterns)
            if p.error is None
        ]
        self._exceptions = [c for _, _, exclusion, c in self._active if exclusion]
        self._steps_cache: dict[str, _Steps] = {}
        self._dir_cache: dict[str, tuple[bool, int]] = {"": (False, 0)}

    def excluded(self, relpath: str) -> bool:
        """Is ``relpath`` (relative to the context, '/'-separated) left out of what is sent?"""
        path = _clean(relpath).lstrip("/")
        if path in ("", ".", "..") or path.startswith("../"):
            return False
        parent = path.rpartition("/")[0]
        return _decide(path, self._steps(parent, self._dir_state(parent)[1]), None)[0]

    def matches(self, path: str) -> bool:
        """patternmatcher's MatchesOrParentMatches: each pattern tried on the path and its parents.

        This stateless form is what BuildKit's CopyIgnoredFile check calls.
        """
        parent = _go_dir(path)
        dirs = parent.split("/") if parent != "." else []
        parents = ["/".join(dirs[: k + 1]) for k in range(len(dirs))]
        matched = False
        for _, _, exclusion, compiled in self._active:
            if exclusion != matched:
                continue
            if compiled.test(path) or any(compiled.test(p) for p in parents):
                matched = not exclusion
        return matched

    def might_reinclude_under(self, dir_relpath: str) -> bool:
        """Could a ``!`` pattern match anything below this directory? If not, skip it whole."""
        prefix = dir_relpath + "/"
        depth = dir_relpath.count("/") + 1
        return any(c.could_match_under(prefix, depth) for c in self._exceptions)

    def _dir_state(self, directory: str) -> tuple[bool, int]:
        state = self._dir_cache.get(directory)
        if state is None:
            parent = directory.rpartition("/")[0]
            state = _decide(directory, self._steps(parent, self._dir_state(parent)[1]), None)
            self._dir_cache[directory] = state
        return state

    def _steps(self, directory: str, bits: int) -> _Steps:
        cached = self._steps_cache.get(directory)
        if cached is None:
            cached = self._build_steps(directory, bits)
            self._steps_cache[directory] = cached
        return cached

    def _build_steps(self, directory: str, bits: int) -> _Steps:
        prefix = directory + "/" if directory else ""
        depth = directory.count("/") + 2 if directory else 1
        steps: list[_Step] = []
        for index, bit, exclusion, compiled in self._active:
            if bits & bit:
                steps.append((index, bit, exclusion, True, compiled.test))
            elif compiled.could_match_child(prefix, depth):
                steps.append((index, bit, exclusion, False, compiled.test))
        constant = None
        if all(step[3] for step in steps):
            constant = (not steps[-1][2], bits) if steps else (False, 0)
        return _Steps(tuple(steps), constant)


def _go_dir(path: str) -> str:
    """Go's filepath.Dir for '/' paths."""
    return _clean(path[: path.rfind("/") + 1])


# --- walking the context ----------------------------------------------------------------------


_INVENTORY_FIELDS = (
    *("root", "included", "included_count", "included_bytes", "excluded_count", "excluded_bytes"),
    *("pattern_hits", "largest_files", "largest_dirs", "errors", "pruned_dirs", "dir_bytes"),
    *("dir_files", "listed", "secret_candidates", "large_files", "venv_dirs"),
)


class ContextInventory(Record):
    _fields = _INVENTORY_FIELDS
    """What a walk of the build context found; sizes are bytes, paths '/'-separated and relative.

    ``excluded_count``/``excluded_bytes`` cover directories skipped whole (``pruned_dirs``) only
    when the walk measured them. ``dir_bytes``/``dir_files`` hold included totals per directory,
    subdirectories counted in. ``pattern_hits`` counts the paths each pattern matched when Docker
    tried it; Docker skips a pattern that cannot change the outcome, so a pattern made redundant by
    earlier ones (or a ``!`` before anything is excluded) counts 0 like one that matches nothing.
    """

    def __init__(
        self,
        root: Path,
        included: list[tuple[str, int]],
        included_count: int,
        included_bytes: int,
        excluded_count: int,
        excluded_bytes: int,
        pattern_hits: dict[int, int],
        largest_files: list[tuple[str, int]],
        largest_dirs: list[tuple[str, int]],
        errors: list[str],
        pruned_dirs: list[str],
        dir_bytes: dict[str, int],
        dir_files: dict[str, int],
        listed: bool,
        secret_candidates: list[tuple[str, str]] | None = None,
        large_files: list[tuple[str, int]] | None = None,
        venv_dirs: list[str] | None = None,
    ) -> None:
        self.root = root
        self.included = included
        self.included_count = included_count
        self.included_bytes = included_bytes
        self.excluded_count = excluded_count
        self.excluded_bytes = excluded_bytes
        self.pattern_hits = pattern_hits
        self.largest_files = largest_files
        self.largest_dirs = largest_dirs
        self.errors = errors
        self.pruned_dirs = pruned_dirs
        self.dir_bytes = dir_bytes
        self.dir_files = dir_files
        self.listed = listed
        self.secret_candidates: list[tuple[str, str]] = [] if secret_candidates is None else secret_candidates
        self.large_files: list[tuple[str, int]] = [] if large_files is None else large_files
        self.venv_dirs: list[str] = [] if venv_dirs is None else venv_dirs

    @cached_property
    def included_paths(self) -> list[str]:
        if not self.listed:
            raise ValueError("this inventory was walked with list_files=False")
        return [path for path, _ in self.included]


def walk_context(
    root: Path,
    matcher: IgnoreMatcher | None,
    *,
    list_files: bool = True,
    measure_excluded: bool = False,
    top: int = 10,
) -> ContextInventory:
    """Walk ``root`` as BuildKit's file sender would, without following symlinks.

    Excluded directories that no ``!`` pattern can reach into are not descended (like fsutil);
    ``measure_excluded`` still counts their files for the totals. Unreadable entries are recorded
    in ``errors`` when they would be sent (Docker fails the build on those) and ignored when
    excluded (Docker ignores them too).
    """
    root_str = os.fspath(root)
    if not os.path.isdir(root_str):
        raise NotADirectoryError(root_str)
    m = matcher if matcher is not None else IgnoreMatcher([])
    hits = [0] * len(m.patterns)
    files: list[tuple[str, int]] = []
    own_bytes: dict[str, int] = {}
    own_files: dict[str, int] = {}
    errors: list[str] = []
    pruned: list[str] = []
    excluded_count = excluded_bytes = 0
    root_stat = os.stat(root_str)
    seen = {(root_stat.st_dev, root_stat.st_ino)}
    stack: list[tuple[str, str, int, bool]] = [(root_str, "", 0, False)]
    while stack:
        dir_path, dir_rel, dir_bits, dir_excluded = stack.pop()
        try:
            entries = list(os.scandir(dir_path))
        except OSError as exc:
            if not dir_excluded:
                errors.append(f"{dir_rel or '.'}: {exc.strerror or exc}")
            continue
        steps = m._steps(dir_rel, dir_bits)
        prefix = dir_rel + "/" if dir_rel else ""
        dir_total = dir_count = 0
        for entry in entries:
            rel = prefix + entry.name
            excluded, bits = _decide(rel, steps, hits)
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            except OSError as exc:
                if not excluded:
                    errors.append(f"{rel}: {exc.strerror or exc}")
                continue
            if stat_mod.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if excluded and not m.might_reinclude_under(rel):
                    pruned.append(rel)
                    if measure_excluded:
                        count, size = _measure(entry.path, seen)
                        excluded_count += count
                        excluded_bytes += size
                elif key in seen:
                    errors.append(f"{rel}: directory loop, already walked")
                else:
                    seen.add(key)
                    stack.append((entry.path, rel, bits, excluded))
            elif excluded:
                excluded_count += 1
                excluded_bytes += st.st_size
            else:
                files.append((rel, st.st_size))
                dir_total += st.st_size
                dir_count += 1
                if (
                    stat_mod.S_ISREG(st.st_mode)
                    and not st.st_mode & 0o004
                    and not os.access(entry.path, os.R_OK)
                ):
                    errors.append(f"{rel}: Permission denied")
        if dir_count:
            own_bytes[dir_rel] = dir_total
            own_files[dir_rel] = dir_count

    dir_bytes, dir_files = _roll_up(own_bytes), _roll_up(own_files)
    dir_bytes.pop("", None)
    dir_files.pop("", None)
    files.sort()
    return ContextInventory(
        root=Path(root),
        included=files if list_files else [],
        included_count=len(files),
        included_bytes=sum(size for _, size in files),
        excluded_count=excluded_count,
        excluded_bytes=excluded_bytes,
        pattern_hits=dict(enumerate(hits)),
        largest_files=_largest(files, top),
        largest_dirs=_largest(list(dir_bytes.items()), top),
        errors=sorted(errors),
        pruned_dirs=sorted(pruned),
        dir_bytes=dir_bytes,
        dir_files=dir_files,
        listed=list_files,
        secret_candidates=[(path, check) for path, size in files if (check := _secret_check(path, size))],
        large_files=[(path, size) for path, size in files if size > LARGE_FILE_BYTES],
        venv_dirs=[path[: -len("/pyvenv.cfg")] for path, _ in files if path.endswith("/pyvenv.cfg")],
    )


def _measure(path: str, seen: set[tuple[int, int]]) -> tuple[int, int]:
    """Files and bytes below an excluded directory; errors are ignored, as Docker ignores them."""
    count = size = 0
    stack = [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat_mod.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key not in seen:
                    seen.add(key)
                    stack.append(entry.path)
            else:
                count += 1
                size += st.st_size
    return count, size


def _roll_up(own: dict[str, int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for directory, value in own.items():
        current = directory
        while True:
            totals[current] = totals.get(current, 0) + value
            if not current:
                break
            current = current.rpartition("/")[0]
    return totals


def _largest(items: list[tuple[str, int]], top: int) -> list[tuple[str, int]]:
    import heapq

    return heapq.nsmallest(top, items, key=lambda item: (-item[1], item[0]))


# --- COPY sources -----------------------------------------------------------------------------


class BuildContext(Record):
    _fields = ("root", "ignore_file", "patterns", "matcher")
    """A context directory with the ignore rules BuildKit would apply; the walk happens on demand."""

    def __init__(
        self, root: Path, ignore_file: Path | None, patterns: list[IgnorePattern], matcher: IgnoreMatcher
    ) -> None:
        self.root = root
        self.ignore_file = ignore_file
        self.patterns = patterns
        self.matcher = matcher

    @cached_property
    def inventory(self) -> ContextInventory:
        return walk_context(self.root, self.matcher)


def load(context_dir: Path, dockerfile: Path | None = None) -> BuildContext:
    """Read only the ignore file now: many rules need just the matcher, and walking can be slow."""
    ignore_file, patterns = _load_patterns(context_dir, dockerfile)
    return BuildContext(context_dir, ignore_file, patterns, IgnoreMatcher(patterns))


def _has_wildcards(component: str) -> bool:
    """BuildKit's containsWildcards: an unescaped ``*``, ``?`` or ``[``."""
    i = 0
    while i < len(component):
        if component[i] == "\\":
            i += 1
        elif component[i] in "*?[":
            return True
        i += 1
    return False


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str] | None:
    """Go's filepath.Match as a regex (``*`` and ``?`` stop at '/', classes do not); None if invalid."""
    if _glob_syntax_error(pattern):
        return None
    out: list[str] = []
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
            out.append(_class_source(ranges, negated))
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def copy_source_matches(
    inventory_or_root: ContextInventory | BuildContext | Path | str,
    source: str,
    *,
    dockerfile: Path | None = None,
) -> list[str]:
    """The included context files a COPY/ADD ``source`` reads, sorted; empty when it reads nothing.

    A source is resolved inside the context (``/x``, ``./x`` and ``../x`` all mean ``x``). Without
    wildcards it names a file or a directory (everything under it). With wildcards, BuildKit walks
    from the last wildcard-free directory and matches the rest with filepath.Match semantics; a
    matching directory brings its whole subtree. A root path is walked with the ignore file
    found for ``dockerfile``.
    """
    if isinstance(inventory_or_root, ContextInventory):
        inventory = inventory_or_root
    elif isinstance(inventory_or_root, BuildContext):
        inventory = inventory_or_root.inventory
    else:
        inventory = load(Path(inventory_or_root), dockerfile).inventory
    paths = inventory.included_paths
    parts = _clean("/" + source).lstrip("/").split("/")
    if parts == [""]:
        return list(paths)
    split = next((k for k, part in enumerate(parts) if _has_wildcards(part)), len(parts))
    base = "/".join(parts[:split])
    if split == len(parts):
        return ([base] if _contains(paths, base) else []) + _under(paths, base + "/")
    regex = _glob("/".join(parts[split:]))
    if regex is None:
        return []
    prefix = base + "/" if base else ""
    verdicts: dict[str, bool] = {}
    found: list[str] = []
    for path in _under(paths, prefix):
        rel = path[len(prefix) :]
        cut = 0
        while True:
            cut = rel.find("/", cut + 1)
            head = rel if cut < 0 else rel[:cut]
            verdict = verdicts.get(head)
            if verdict is None:
                verdict = verdicts[head] = regex.match(head) is not None
            if verdict or cut < 0:
                break
        if verdict:
            found.append(path)
    return found


def _under(paths: Sequence[str], prefix: str) -> list[str]:
    """The sorted paths that start with ``prefix`` (a directory prefix ending in '/', or '')."""
    if not prefix:
        return list(paths)
    start = bisect.bisect_left(paths, prefix)
    end = bisect.bisect_left(paths, prefix[:-1] + "0")
    return list(paths[start:end])


def _contains(paths: Sequence[str], path: str) -> bool:
    index = bisect.bisect_left(paths, path)
    return index < len(paths) and paths[index] == path


# --- secrets and heavy entries ----------------------------------------------------------------

_ENV_TEMPLATES = {".env.example", ".env.sample", ".env.template"}
_KEY_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}
_ALWAYS_SECRET_NAMES = {".git-credentials", ".netrc", "_netrc"}
_ALWAYS_SECRET_SUFFIXES = (".key", ".p12", ".pfx", ".kubeconfig")
_SERVICE_ACCOUNT_MAX = 16 * 1024


def _secret_check(path: str, size: int) -> str:
    """'' when the name cannot hold a secret; 'name' when the name says it does; else what to read."""
    name = path.rpartition("/")[2]
    if name.startswith(".env"):
        return "" if name in _ENV_TEMPLATES else "name"
    if name in _KEY_NAMES or name in _ALWAYS_SECRET_NAMES or name.endswith(_ALWAYS_SECRET_SUFFIXES):
        return "name"
    if path == ".aws/credentials" or path.endswith("/.aws/credentials"):
        return "name"
    if path == ".kube/config" or path.endswith("/.kube/config"):
        return "name"
    if name.endswith(".pem"):
        return "pem"
    if name in (".npmrc", ".pypirc"):
        return "token"
    if (
        name.endswith(".json")
        and name != "package.json"
        and 0 < size <= _SERVICE_ACCOUNT_MAX
        and "node_modules/" not in path
    ):
        return "service-account"
    return ""


_CONTENT_CHECKS: dict[str, tuple[int, Callable[[bytes], bool]]] = {
    "pem": (1024 * 1024, lambda data: b"PRIVATE KEY" in data),
    "token": (64 * 1024, lambda data: b"_auth" in data or b"password" in data.lower()),
    "service-account": (_SERVICE_ACCOUNT_MAX, lambda data: b'"private_key"' in data),
}


def secret_like_files(inventory: ContextInventory) -> list[str]:
    """Included files that look like credentials, sorted.

    Names decide for ``.env*`` (not the example/sample/template ones), SSH private keys, ``*.key``,
    ``*.p12``, ``*.pfx``, ``.aws/credentials``, ``.git-credentials``, ``.netrc`` and kubeconfigs.
    Content decides where the name alone would cry wolf: a ``.pem`` must hold a private key (CA
    bundles are fine), ``.npmrc``/``.pypirc`` a token or password, a small JSON file a
    ``"private_key"`` (a cloud service-account key).
    """
    found: list[str] = []
    for path, check in inventory.secret_candidates:
        if check == "name":
            found.append(path)
            continue
        limit, looks_secret = _CONTENT_CHECKS[check]
        full = inventory.root / path
        try:
            if not stat_mod.S_ISREG(full.lstat().st_mode):  # a link's target is not sent; a FIFO blocks
                continue
            with open(full, "rb") as handle:
                data = handle.read(limit)
        except OSError:
            continue
        if looks_secret(data):
            found.append(path)
    return sorted(found)


class HeavyEntry(NamedTuple):
    """Something that usually should not be sent: ``kind`` is vcs, dependencies, virtualenv,
    build-output, cache or large-file; sizes count included content only."""

    path: str
    kind: str
    bytes: int
    files: int


_HEAVY_DIRS = {
    ".git": "vcs",
    "node_modules": "dependencies",
    "dist": "build-output",
    "build": "build-output",
    "target": "build-output",
    "__pycache__": "cache",
}


def heavy_entries(inventory: ContextInventory) -> list[HeavyEntry]:
    """Included VCS data, dependencies, virtualenvs, build outputs and files over 10 MiB, biggest first.

    Only the outermost of nested entries is listed, and ``__pycache__`` directories, which come
    one per package, are summed into a single ``**/__pycache__`` entry.
    """
    venvs = set(inventory.venv_dirs)
    chosen: dict[str, str] = {}
    for directory in sorted(inventory.dir_bytes, key=lambda d: (d.count("/"), d)):
        name = directory.rpartition("/")[2]
        kind = "virtualenv" if directory in venvs else _HEAVY_DIRS.get(name)
        if kind and not _inside(directory, chosen):
            chosen[directory] = kind
    entries: list[HeavyEntry] = []
    caches = [d for d, kind in chosen.items() if kind == "cache"]
    for directory, kind in chosen.items():
        if kind != "cache" or len(caches) == 1:
            entries.append(
                HeavyEntry(directory, kind, inventory.dir_bytes[directory], inventory.dir_files[directory])
            )
    if len(caches) > 1:
        total = sum(inventory.dir_bytes[d] for d in caches)
        count = sum(inventory.dir_files[d] for d in caches)
        entries.append(HeavyEntry("**/__pycache__", "cache", total, count))
    for path, size in inventory.large_files:
        if not _inside(path, chosen):
            entries.append(HeavyEntry(path, "large-file", size, 1))
    return sorted(entries, key=lambda e: (-e.bytes, e.path))


def _inside(path: str, directories: dict[str, str]) -> bool:
    head = path.rpartition("/")[0]
    while head:
        if head in directories:
            return True
        head = head.rpartition("/")[0]
    return False


# --- report -----------------------------------------------------------------------------------


def context_report(
    root: Path | str,
    dockerfile: Path | str | None = None,
    list_files: bool = False,
    *,
    top: int = 10,
) -> dict[str, Any]:
    """A JSON-ready summary of the build context (``version`` 1); excluded totals are measured.

    ``dockerfile`` defaults to ``<root>/Dockerfile``, as for ``docker build``, so a
    ``Dockerfile.dockerignore`` there is honoured.
    """
    root_path = Path(root)
    build = load(root_path, Path(dockerfile) if dockerfile is not None else root_path / "Dockerfile")
    inventory = walk_context(root_path, build.matcher, list_files=list_files, measure_excluded=True, top=top)
    ignore_name = None
    if build.ignore_file is not None:
        try:
            ignore_name = build.ignore_file.relative_to(root_path).as_posix()
        except ValueError:
            ignore_name = str(build.ignore_file)
    pattern_errors = [f"{ignore_name}:{p.line}: {p.error}" for p in build.patterns if p.error]
    report: dict[str, Any] = {
        "version": 1,
        "context": str(root),
        "ignore_file": ignore_name,
        "included_files": inventory.included_count,
        "included_bytes": inventory.included_bytes,
        "excluded_files": inventory.excluded_count,
        "excluded_bytes": inventory.excluded_bytes,
        "largest_files": [{"path": p, "bytes": b} for p, b in inventory.largest_files],
        "largest_dirs": [
            {"path": p, "bytes": b, "files": inventory.dir_files[p]} for p, b in inventory.largest_dirs
        ],
        "patterns": [
            {
                "line": p.line,
                "pattern": p.pattern,
                "exclusion": p.exclusion,
                "matched": inventory.pattern_hits[i],
                "dead": p.error is None and inventory.pattern_hits[i] == 0,
                "error": p.error,
            }
            for i, p in enumerate(build.patterns)
        ],
        "heavy": [
            {"path": e.path, "kind": e.kind, "bytes": e.bytes, "files": e.files}
            for e in heavy_entries(inventory)
        ],
        "secrets": secret_like_files(inventory),
        "errors": pattern_errors + inventory.errors,
    }
    if list_files:
        report["included"] = inventory.included_paths
    return report


def _size(n: int) -> str:
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value, unit = float(n), 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    return f"{n} B" if unit == 0 else f"{value:.1f} {units[unit]}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def render_context_text(report: dict[str, Any]) -> str:
    """The report for a person: totals first, then what to act on."""
    ignore = report["ignore_file"] or "none"
    lines = [
        f"Build context {report['context']} (ignore file: {ignore})",
        f"  sent:     {_count(report['included_files'], 'file')}, {_size(report['included_bytes'])}",
        f"  excluded: {_count(report['excluded_files'], 'file')}, {_size(report['excluded_bytes'])}",
    ]

    def section(title: str, rows: list[str]) -> None:
        if rows:
            lines.extend(["", title, *rows])

    section("Largest files:", [f"  {_size(f['bytes']):>10}  {f['path']}" for f in report["largest_files"]])
    section(
        "Largest directories:",
        [
            f"  {_size(d['bytes']):>10}  {d['path']}/  ({_count(d['files'], 'file')})"
            for d in report["largest_dirs"]
        ],
    )
    rows = []
    for p in report["patterns"]:
        shown = ("!" if p["exclusion"] else "") + p["pattern"]
        if p["error"]:
            note = f"error: {p['error']}"
        elif p["dead"]:
            note = "matches nothing"
        else:
            note = ("re-includes " if p["exclusion"] else "excludes ") + _count(p["matched"], "path")
        rows.append(f"  line {p['line']:>3}  {shown:<30} {note}")
    section("Ignore patterns:", rows)
    section(
        "Should probably be excluded:",
        [f"  {_size(e['bytes']):>10}  {e['path']}  [{e['kind']}]" for e in report["heavy"]],
    )
    section("Files that look like secrets:", [f"  {path}" for path in report["secrets"]])
    section("Errors:", [f"  {error}" for error in report["errors"]])
    if "included" in report:
        section("Files sent:", [f"  {path}" for path in report["included"]])
    return "\n".join(lines) + "\n"


# --- shared inventories and per-path questions (used by the cache model and the DF4 rules) ------

_SHARED: dict[tuple[str, str], ContextInventory] = {}


def shared_inventory(build: BuildContext) -> ContextInventory:
    """The inventory of ``build``, walked once per context directory and ignore file in a process.

    Linting many Dockerfiles that share a context (a monorepo run) must not walk it again per file.
    """
    key = (os.fspath(build.root.resolve()), os.fspath(build.ignore_file) if build.ignore_file else "")
    found = _SHARED.get(key)
    if found is None:
        found = _SHARED[key] = build.inventory
    return found


def source_root(source: str) -> tuple[str, re.Pattern[str] | None]:
    """A COPY/ADD source split as BuildKit resolves it: the wildcard-free base and the glob after it.

    The base is context-relative without leading '/' ("" is the whole context); the glob is None
    when the source has no wildcard, and never matches when it is not a valid pattern.
    """
    parts = _clean("/" + source).lstrip("/").split("/")
    if parts == [""]:
        return "", None
    split = next((k for k, part in enumerate(parts) if _has_wildcards(part)), len(parts))
    base = "/".join(parts[:split])
    if split == len(parts):
        return base, None
    return base, _glob("/".join(parts[split:])) or re.compile(r"(?!)")


def source_reads(source: str | tuple[str, re.Pattern[str] | None], path: str) -> str | None:
    """Does a COPY/ADD ``source`` read context file ``path``? Its path below the copied root, or None.

    The returned part is what ``COPY --exclude`` patterns are matched against: BuildKit matches
    them relative to each copied root (the source directory, or each directory a wildcard
    matched), so a file named directly, or matched by the wildcard itself, is never excluded ("").
    Ignore-file filtering is not applied here.
    """
    base, regex = source_root(source) if isinstance(source, str) else source
    if base:
        if path == base:
            return "" if regex is None else None
        if not path.startswith(base + "/"):
            return None
        rel = path[len(base) + 1 :]
    else:
        rel = path
    if regex is None:
        return rel
    cut = -1
    while True:
        cut = rel.find("/", cut + 1)
        head = rel if cut < 0 else rel[:cut]
        if regex.match(head):
            return "" if cut < 0 else rel[cut + 1 :]
        if cut < 0:
            return None


class ContextRead(NamedTuple):
    """One source of a COPY/ADD that reads the build context (not ``--from``, not a URL)."""

    stage: Any
    ins: Any
    token: Any
    source: str
    excludes: IgnoreMatcher | None


def context_reads(ctx: Any) -> list[ContextRead]:
    """COPY/ADD sources from the context in the stages a build of the target executes.

    ``source`` is expanded with the ARG/ENV values in scope, and written with '/' separators.
    """
    from dfcheck.build.steps import REMOTE, source_tokens

    model = ctx.model
    windows = ctx.dockerfile.escape == "`"
    reads = []
    for stage in model.stages:
        if stage.index not in ctx.needed:
            continue
        for ins in stage.instructions:
            for item in (ins, ins.trigger):
                if item is None or item.keyword not in ("COPY", "ADD") or item.flag("from"):
                    continue
                patterns = [model.expand(p, item) for p in item.flag_values("exclude")]
                excludes = IgnoreMatcher(patterns) if patterns else None
                for token in source_tokens(item):
                    if item.keyword == "ADD" and REMOTE.match(token.value):
                        continue
                    source = model.expand(token.value, item)
                    reads.append(
                        ContextRead(
                            stage, item, token, source.replace("\\", "/") if windows else source, excludes
                        )
                    )
    return reads


def read_files(read: ContextRead, paths: Iterable[str]) -> list[str]:
    """Which of ``paths`` (included context files) the source reads, after ``--exclude``."""
    root = source_root(read.source)
    found = []
    for path in paths:
        rel = source_reads(root, path)
        if rel is not None and not (rel and read.excludes is not None and read.excludes.excluded(rel)):
            found.append(path)
    return found


def secret_copies(ctx: Any) -> list[tuple[Any, Any, list[str]]]:
    """(stage, source token, secret files it copies) for the COPY/ADD that copy credential files."""
    build = ctx.build_context
    if build is None:
        return []
    inventory = shared_inventory(build)
    secrets = secret_like_files(inventory)
    if not secrets:
        return []
    found = []
    for read in context_reads(ctx):
        hits = read_files(read, secrets)
        if hits:
            found.append((read.stage, read.token, hits))
    return found


def included_under(inventory: ContextInventory, base: str) -> list[str]:
    """Included files at ``base`` or below it ("" is the whole context)."""
    paths = inventory.included_paths
    if not base:
        return list(paths)
    return ([base] if _contains(paths, base) else []) + _under(paths, base + "/")


def on_disk(root: Path, source: str) -> list[str]:
    """Context paths a COPY source names on disk, before any ignore file: what BuildKit would look for."""
    base, regex = source_root(source)
    if regex is None:
        return [base] if base and os.path.lexists(os.path.join(root, base)) else []
    parts = _clean("/" + source).lstrip("/").split("/")
    depth = len(parts) - len(base.split("/")) if base else len(parts)
    start = os.path.join(root, base) if base else os.fspath(root)
    found: list[str] = []
    level: list[str] = [""]
    for _ in range(depth):
        nxt: list[str] = []
        for rel in level:
            try:
                names = os.listdir(os.path.join(start, rel) if rel else start)
            except OSError:
                continue
            nxt += [f"{rel}/{n}" if rel else n for n in names]
        level = nxt
    for rel in level:
        if regex.match(rel):
            found.append(f"{base}/{rel}" if base else rel)
    return sorted(found)
