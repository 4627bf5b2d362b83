"""``.dockerignore`` with Docker's exact semantics: reading the file, compiling its patterns, deciding paths.

Public API:

``find_ignore_file(context_dir, dockerfile) -> Path | None``
    ``<dockerfile>.dockerignore`` beside the Dockerfile wins over ``<context>/.dockerignore``.
``read_ignore_file(text, *, windows=False) -> list[IgnorePattern]``
    Parse ignore-file text exactly as ``ignorefile.ReadAll`` then ``patternmatcher.New`` do.
``read_ignore_text(path) -> str``
    The file's text; raises :class:`IgnoreFileError` (an ``OSError``) when it cannot be read.
``matcher_for(text) -> IgnoreMatcher``
    Parsed and compiled once per distinct text.
``IgnoreMatcher(patterns)``
    ``excluded(relpath)``: is the path left out of the context that is sent (BuildKit's walker);
    ``matches(path)``: patternmatcher's ``MatchesOrParentMatches``, which BuildKit's
    CopyIgnoredFile check uses; ``might_reinclude_under(dir_relpath)``: can a ``!`` pattern bring
    anything under an excluded directory back; ``steps(directory, bits)`` and :func:`decide` let a
    walker decide a whole directory's entries with the patterns that can matter there only.

Semantics follow moby/patternmatcher and tonistiigi/fsutil:

* Patterns are turned into Go regular expressions exactly as patternmatcher does (``*`` stops at
  ``/``, ``**`` spans directories, ``\\`` escapes, ``[...]`` classes) and those are translated to
  Python by :mod:`dfcheck.build.goregexp`, so quirks survive: ``\\b`` in ``src\\bin`` is a word
  boundary that never matches, ``build\\output`` is an invalid escape that makes Docker fail the
  build, ``[z-a]`` passes Docker's syntax check and then fails to compile.
* A path is excluded the way fsutil's walker decides it (``MatchesUsingParentResults``): patterns in
  order, the last one that matches wins, ``!`` re-includes, and a pattern that matched a directory
  matches everything under it. ``matches`` gives the stateless ``MatchesOrParentMatches`` answer,
  which differs only for orderings such as ``a/b`` then ``!a``.
* Backslashes are escapes on Linux and macOS; only a Windows client treats them as separators, which
  ``read_ignore_file(windows=True)`` reproduces.

Cost is linear in the number of patterns: a pattern's Python regex is compiled on its first test
(most are never tested: a directory only tries the patterns whose literal prefix can reach it,
found through an index), compiled patterns are shared by text, and a file's text is parsed once
per process.
"""

from __future__ import annotations

import bisect
import functools
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from dfcheck.build.goregexp import BadPattern, glob_syntax_error, translate
from dfcheck.dockerfile.lexer import GO_SPACE
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy


def clean(path: str) -> str:
    """Go's path/filepath.Clean on a '/'-separated path (normpath keeps a leading '//', Go does not)."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


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


class IgnoreFileError(OSError):
    """The ignore file exists but cannot be read; ``str()`` is the one-line message to show."""

    def __str__(self) -> str:
        return f"cannot read {self.filename}: {self.strerror}"


# --- reading ignore files ---------------------------------------------------------------------


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
        body = raw.strip(GO_SPACE)
        if not body:
            continue
        invert = body[0] == "!"
        if invert:
            body = body[1:].strip(GO_SPACE)
        if body:
            if windows:
                body = body.replace("\\", "/")
            body = clean(body)
            if len(body) > 1 and body[0] == "/":
                body = body[1:]
        patterns.append(_new_pattern("!" + body if invert else body, raw.rstrip("\r"), number))
    return patterns


def _new_pattern(text: str, shown: str, line: int) -> IgnorePattern:
    """patternmatcher.New for one pattern: trim, clean, split off '!', check the syntax."""
    body = clean(text.strip(GO_SPACE))
    exclusion = body[0] == "!"
    if exclusion:
        if len(body) == 1:
            return IgnorePattern(shown, True, line, "", 'illegal exclusion pattern: "!"')
        body = body[1:]
    return IgnorePattern(shown, exclusion, line, body, compile_pattern(body).error)


def find_ignore_file(context_dir: Path, dockerfile: Path | None) -> Path | None:
    """The ignore file BuildKit applies: ``<Dockerfile>.dockerignore`` beside it, else the context's."""
    if dockerfile is not None:
        specific = dockerfile.with_name(dockerfile.name + ".dockerignore")
        if specific.is_file():
            return specific
    default = context_dir / ".dockerignore"
    return default if default.is_file() else None


def read_ignore_text(path: Path) -> str:
    """The text of the ignore file at ``path`` (undecodable bytes kept as surrogates)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IgnoreFileError(exc.errno, exc.strerror or str(exc), os.fspath(path)) from None
    return data.decode("utf-8", "surrogateescape")


def matcher_for(text: str) -> IgnoreMatcher:
    """The matcher of ignore-file ``text``, parsed once per distinct text in a process.

    Many Dockerfiles of a monorepo share one ignore file; they share its matcher too, with the
    directory decisions it has cached.
    """
    return _matcher_for(text, os.sep == "\\")


@functools.lru_cache(maxsize=64)
def _matcher_for(text: str, windows: bool) -> IgnoreMatcher:
    return IgnoreMatcher(read_ignore_file(text, windows=windows))


def forget_ignore_files() -> None:
    """Drop the parsed ignore files (and the directory decisions their matchers hold)."""
    _matcher_for.cache_clear()


# --- compiling patterns -----------------------------------------------------------------------

_EXACT, _PREFIX, _SUFFIX, _REGEXP = range(4)
_LITERAL_END = lazy(r"[*?\[\]\\^]")


class CompiledPattern:
    """A cleaned pattern ready to test paths, plus what pruning needs to know about it.

    ``literal`` is a prefix every matching path starts with; ``depth`` the exact number of path
    components a match has, when that is fixed. ``test`` compiles the regex on its first call.
    ``key`` is set for the two shapes a dictionary can answer: the whole path (``names_path``) or
    its last components (``**/name``).
    """

    __slots__ = ("depth", "error", "key", "literal", "names_path", "source", "test")

    def __init__(
        self,
        test: Callable[[str], object] | None,
        literal: str = "",
        depth: int | None = None,
        error: str | None = None,
        source: str = "",
        key: str | None = None,
        names_path: bool = False,
    ) -> None:
        self.literal = literal
        self.depth = depth
        self.error = error
        self.source = source
        self.key = key
        self.names_path = names_path
        self.test: Callable[[str], object] = self._first_test if test is None else test

    def _first_test(self, path: str) -> object:
        self.test = re.compile(translate(self.source), re.ASCII).match
        return self.test(path)

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


@functools.lru_cache(maxsize=1 << 16)
def compile_pattern(pattern: str) -> CompiledPattern:
    """Compile as patternmatcher does: a syntax check, then exact/prefix/suffix/regexp matching.

    Only a pattern with an escape or a class can fail to compile in Go; those are translated now
    to find out, the others when first tested.
    """
    syntax = glob_syntax_error(pattern)
    if syntax:
        return CompiledPattern(_never, error=syntax)
    kind, go_regexp = _go_regexp(pattern)
    if kind == _EXACT:
        return CompiledPattern(pattern.__eq__, pattern, pattern.count("/") + 1, key=pattern, names_path=True)
    if kind == _PREFIX:
        head = pattern[:-2]
        return CompiledPattern(lambda p: p.startswith(head), head)
    if kind == _SUFFIX:
        tail = pattern[2:]
        alone = tail[1:] if tail.startswith("/") else None
        return CompiledPattern(lambda p: p.endswith(tail) or p == alone, key=alone)
    if "\\" in pattern or "[" in pattern:
        try:
            translate(go_regexp)
        except BadPattern as exc:
            return CompiledPattern(_never, error=f"Docker cannot compile this pattern: {exc}")
    literal = _LITERAL_END.split(pattern, maxsplit=1)[0]
    fixed = "**" not in pattern and "[" not in pattern and "\\" not in pattern
    return CompiledPattern(None, literal, pattern.count("/") + 1 if fixed else None, source=go_regexp)


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


# --- matching ---------------------------------------------------------------------------------


class _Stage:
    """One step of a directory's decision, in pattern order.

    Either a pattern that matched the directory itself (``inherited``), and so every entry in it,
    or a run of consecutive patterns of one polarity tried on each entry until the first one
    matches (fsutil skips the rest: they cannot change the outcome). In a run, patterns that name
    a whole path or its last components (``**/name``) are answered by dictionaries (``paths``,
    ``tails``: components -> {text: member}); the others (``tests``) are tried in order, up to the
    best dictionary answer. ``members`` holds (pattern index, bit) in pattern order.
    """

    __slots__ = ("bit", "exclusion", "inherited", "members", "paths", "tails", "tests")

    def __init__(
        self,
        exclusion: bool,
        members: tuple[tuple[int, int], ...],
        inherited: bool = False,
        paths: dict[str, int] | None = None,
        tails: tuple[tuple[int, dict[str, int]], ...] = (),
        tests: tuple[tuple[int, CompiledPattern], ...] = (),
    ) -> None:
        self.exclusion = exclusion
        self.members = members
        self.inherited = inherited
        self.bit = members[0][1]
        self.paths = paths or {}
        self.tails = tails
        self.tests = tests


def _run(exclusion: bool, patterns: list[tuple[int, int, CompiledPattern]]) -> _Stage:
    paths: dict[str, int] = {}
    tails: dict[int, dict[str, int]] = {}
    tests: list[tuple[int, CompiledPattern]] = []
    for member, (_, _, compiled) in enumerate(patterns):
        key = compiled.key
        if key is None:
            tests.append((member, compiled))
        elif compiled.names_path:
            paths.setdefault(key, member)
        else:
            tails.setdefault(key.count("/") + 1, {}).setdefault(key, member)
    members = tuple((index, bit) for index, bit, _ in patterns)
    return _Stage(exclusion, members, paths=paths, tails=tuple(sorted(tails.items())), tests=tuple(tests))


class Steps(NamedTuple):
    """How the entries of one directory are decided: stages in pattern order.

    ``constant`` is the answer for every entry when no pattern needs evaluating.
    """

    stages: tuple[_Stage, ...]
    constant: tuple[bool, int] | None


def decide(path: str, steps: Steps, hits: dict[int, int] | None) -> tuple[bool, int]:
    """fsutil's per-entry decision (MatchesUsingParentResults): (excluded, patterns that matched).

    ``hits`` counts, per pattern index, the paths a pattern matched when it was tried.
    """
    if steps.constant is not None:
        return steps.constant
    matched = False
    bits = 0
    for stage in steps.stages:
        if stage.inherited:
            bits |= stage.bit
            matched = not stage.exclusion
            continue
        if stage.exclusion != matched:
            continue
        members = stage.members
        best = stage.paths.get(path, len(members))
        for count, names in stage.tails:
            if count == 1:
                tail = path[path.rfind("/") + 1 :]
            else:
                parts = path.rsplit("/", count)
                if len(parts) < count:
                    continue
                tail = "/".join(parts[-count:])
            best = min(best, names.get(tail, best))
        for member, pattern in stage.tests:
            if member >= best:
                break
            if pattern.test(path):
                best = member
                break
        if best < len(members):
            index, bit = members[best]
            if hits is not None:
                hits[index] = hits.get(index, 0) + 1
            bits |= bit
            matched = not stage.exclusion
    return matched, bits


class IgnoreMatcher:
    """Ordered ignore patterns; plain strings are taken as patternmatcher.New takes them.

    Decisions are cached per directory, so a matcher shared by many walks answers each directory
    once; directories that only patterns without a literal prefix reach share one decision per
    depth. Bits in a directory state are positions among the valid patterns.
    """

    def __init__(self, patterns: Iterable[IgnorePattern | str]) -> None:
        self.patterns: list[IgnorePattern] = [
            p if isinstance(p, IgnorePattern) else _new_pattern(p, p, 0)
            for p in patterns
            if isinstance(p, IgnorePattern) or p.strip(GO_SPACE)
        ]
        self._active: list[tuple[int, bool, CompiledPattern]] = [
            (index, p.exclusion, compile_pattern(p.pattern))
            for index, p in enumerate(self.patterns)
            if p.error is None
        ]
        self._by_literal: dict[str, list[int]] = {}
        self._by_parent: dict[str, list[int]] = {}
        self._everywhere: list[int] = []
        self._at_depth: dict[int, list[int]] = {}
        exceptions: list[tuple[str, int]] = []
        for position, (_, exclusion, compiled) in enumerate(self._active):
            lit = compiled.literal
            if exclusion:
                exceptions.append((lit, position))
            if not lit:
                if compiled.depth is None:
                    self._everywhere.append(position)
                else:
                    self._at_depth.setdefault(compiled.depth, []).append(position)
                continue
            self._by_literal.setdefault(lit, []).append(position)
            head = lit[: lit.rfind("/") + 1]
            if len(lit) > len(head):
                self._by_parent.setdefault(head, []).append(position)
        self._literal_lengths = sorted({len(lit) for lit in self._by_literal})
        exceptions.sort()
        self._exception_literals = [lit for lit, _ in exceptions]
        self._exception_positions = [position for _, position in exceptions]
        self._steps_cache: dict[str, Steps] = {}
        self._shared_steps: dict[tuple[int, int, tuple[int, ...]], Steps] = {}
        self._dir_cache: dict[str, tuple[bool, int]] = {"": (False, 0)}

    def excluded(self, relpath: str) -> bool:
        """Is ``relpath`` (relative to the context, '/'-separated) left out of what is sent?"""
        path = clean(relpath).lstrip("/")
        if path in ("", ".", "..") or path.startswith("../"):
            return False
        parent = path.rpartition("/")[0]
        return decide(path, self.steps(parent, self.dir_state(parent)[1]), None)[0]

    def matches(self, path: str) -> bool:
        """patternmatcher's MatchesOrParentMatches: each pattern tried on the path and its parents.

        This stateless form is what BuildKit's CopyIgnoredFile check calls.
        """
        parent = _go_dir(path)
        dirs = parent.split("/") if parent != "." else []
        parents = ["/".join(dirs[: k + 1]) for k in range(len(dirs))]
        matched = False
        for _, exclusion, compiled in self._active:
            if exclusion != matched:
                continue
            if compiled.test(path) or any(compiled.test(p) for p in parents):
                matched = not exclusion
        return matched

    def might_reinclude_under(self, dir_relpath: str) -> bool:
        """Could a ``!`` pattern match anything below this directory? If not, skip it whole."""
        if not self._exception_literals:
            return False
        prefix = dir_relpath + "/"
        depth = dir_relpath.count("/") + 1
        return any(
            self._active[position][2].could_match_under(prefix, depth) for position in self._reaching(prefix)
        )

    def _reaching(self, prefix: str) -> Iterable[int]:
        """Exceptions whose literal is a prefix of ``prefix`` (the empty one included) or starts with it."""
        lits = self._exception_literals
        yield from self._exception_positions[: bisect.bisect_right(lits, "")]
        for length in self._literal_lengths:
            if length > len(prefix):
                break
            for position in self._by_literal.get(prefix[:length], ()):
                if self._active[position][1]:
                    yield position
        start = bisect.bisect_left(lits, prefix)
        end = bisect.bisect_left(lits, prefix[:-1] + "0")
        yield from self._exception_positions[start:end]

    def dir_state(self, directory: str) -> tuple[bool, int]:
        """(excluded, bits of the patterns that matched it) for a directory, parents first."""
        state = self._dir_cache.get(directory)
        if state is not None:
            return state
        todo = [directory]
        parent = directory.rpartition("/")[0]
        while parent not in self._dir_cache:
            todo.append(parent)
            parent = parent.rpartition("/")[0]
        for current in reversed(todo):
            parent = current.rpartition("/")[0]
            bits = self._dir_cache[parent][1]
            self._dir_cache[current] = decide(current, self.steps(parent, bits), None)
        return self._dir_cache[directory]

    def steps(self, directory: str, bits: int) -> Steps:
        """The patterns to try on the entries of ``directory``, whose own state has ``bits``."""
        cached = self._steps_cache.get(directory)
        if cached is None:
            cached = self._steps_cache[directory] = self._build_steps(directory, bits)
        return cached

    def _build_steps(self, directory: str, bits: int) -> Steps:
        prefix = directory + "/" if directory else ""
        depth = directory.count("/") + 2 if directory else 1
        specific: set[int] = set(self._by_parent.get(prefix, ()))
        for length in self._literal_lengths:
            if length > len(prefix):
                break
            specific.update(self._by_literal.get(prefix[:length], ()))
        rest = bits
        while rest:
            low = rest & -rest
            specific.add(low.bit_length() - 1)
            rest ^= low
        reached = tuple(
            sorted(
                p for p in specific if bits >> p & 1 or self._active[p][2].could_match_child(prefix, depth)
            )
        )
        key = (depth, bits, reached)
        found = self._shared_steps.get(key)
        if found is None:
            everywhere = [*self._everywhere, *self._at_depth.get(depth, ())]
            found = self._shared_steps[key] = self._stages(sorted({*reached, *everywhere}), bits)
        return found

    def _stages(self, positions: list[int], bits: int) -> Steps:
        stages: list[_Stage] = []
        pending: list[tuple[int, int, CompiledPattern]] = []
        polarity = False
        for position in positions:
            index, exclusion, compiled = self._active[position]
            bit = 1 << position
            if pending and (bits & bit or exclusion != polarity):
                stages.append(_run(polarity, pending))
                pending = []
            if bits & bit:
                stages.append(_Stage(exclusion, ((index, bit),), inherited=True))
            else:
                polarity = exclusion
                pending.append((index, bit, compiled))
        if pending:
            stages.append(_run(polarity, pending))
        constant = None
        if all(stage.inherited for stage in stages):
            constant = (not stages[-1].exclusion, bits) if stages else (False, 0)
        return Steps(tuple(stages), constant)


def _go_dir(path: str) -> str:
    """Go's filepath.Dir for '/' paths."""
    return clean(path[: path.rfind("/") + 1])
