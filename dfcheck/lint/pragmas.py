"""Ignore comments, audited.

``# dfcheck ignore=CODE|name[,...]`` on the comment lines right above an instruction,
``# dfcheck global ignore=...`` for the file and ``# dfcheck stage ignore=...`` for one stage.
``# hadolint ignore=DL3008`` and BuildKit's ``# check=skip=Rule`` work through rule aliases so a
migration does not start with a wall of findings; a ``# hadolint`` comment that hadolint itself
would drop (a word that is not a rule code, codes not separated by commas) is dropped too, so the
two tools agree on what it does. Every pragma remembers whether it suppressed anything, so stale
ones can be reported instead of piling up.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping

from dfcheck.dockerfile.parse import Dockerfile
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding
from dfcheck.lint.registry import token_matches
from dfcheck.records import NamedTuple, field, record
from dfcheck.regex import lazy

_PRAGMA = lazy(
    r"^(?P<tool>dfcheck|hadolint)\s+(?:(?P<scope>global|stage)\s+)?ignore\s*=\s*(?P<codes>[^#]*?)\s*(?:#.*)?$",
    re.I,
)


@record
class Pragma:
    tool: str
    scope: str
    codes: list[str]
    span: Span
    line: int
    #: Lines the pragma covers (inclusive); for file scope the whole file.
    first: int = 0
    last: int = 0
    used: set[str] = field(factory=set)
    #: For a ``# hadolint`` comment that hadolint drops (so it covers no line): what it rejects.
    unknown: list[str] = field(factory=list)


def is_pragma(comment_text: str) -> bool:
    """Is this comment an ignore pragma (dfcheck or hadolint, any scope)?"""
    return _PRAGMA.match(comment_text) is not None


def collect(dockerfile: Dockerfile, stage_ranges: list[tuple[int, int]]) -> list[Pragma]:
    """Find pragmas and the lines they cover."""
    last_line = len(dockerfile.lines) or 1
    starts = {ins.line: ins for ins in dockerfile.instructions}
    comment_lines = {c.line for c in dockerfile.comments}
    pragmas: list[Pragma] = []
    for comment in dockerfile.comments:
        m = _PRAGMA.match(comment.text)
        if not m:
            continue
        codes = [c for c in re.split(r"[\s,]+", m.group("codes")) if c]
        pragma = Pragma(
            m.group("tool").lower(), (m.group("scope") or "line").lower(), codes, comment.span, comment.line
        )
        pragmas.append(pragma)
        if pragma.tool == "hadolint":
            pragma.unknown = hadolint_rejects(m.group("codes"))
            if pragma.unknown:
                continue  # hadolint drops the comment, so it covers no line
        if pragma.scope == "global":
            pragma.first, pragma.last = 1, last_line
        elif pragma.scope == "stage":
            for first, last in stage_ranges:
                if first <= comment.line <= last or comment.line < first:
                    pragma.first, pragma.last = min(first, comment.line), last
                    break
        else:
            line = comment.line + 1
            while line in comment_lines:
                line += 1
            target = starts.get(line)
            if target is not None:
                pragma.first, pragma.last = target.span.start_line, target.span.end_line
    return pragmas


_HADOLINT_CODE = lazy(r"[DLSC0-9]+")
_HADOLINT_LIST = lazy(r"[DLSC0-9]+(?:[ \t]*,[ \t]*[DLSC0-9]+)*")


def hadolint_rejects(codes: str) -> list[str]:
    """Why hadolint would drop a whole ``# hadolint ignore=`` comment, or [] when it parses it.

    hadolint's grammar takes rule codes made of the letters D, L, S, C and digits, separated by
    commas (``ignore=crazy,DL3002`` and ``ignore=DL3008 DL3009`` suppress nothing there).
    """
    if _HADOLINT_LIST.fullmatch(codes):
        return []
    bad = [c for c in re.split(r"[\s,]+", codes) if c and not _HADOLINT_CODE.fullmatch(c)]
    return bad or [codes]


#: BuildKit's experimental checks: off unless the check configuration enables them by name or
#: with ``experimental=all``, and never skipped (``skip=all`` leaves them on).
EXPERIMENTAL = frozenset({"InvalidDefinitionDescription"})
_CHECK_COMMENT = lazy(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")


class CheckConfig(NamedTuple):
    """BuildKit's linter configuration (``skip=A,B;experimental=C;error=true``); ``all`` stays a word."""

    skip: tuple[str, ...] = ()
    experimental: tuple[str, ...] = ()
    error: bool = False

    @classmethod
    def parse(cls, text: str) -> CheckConfig | None:
        """BuildKit's ParseLintOptions: None for what it rejects (a part without ``=``, an unknown
        key, an ``error`` that is no boolean)."""
        skip: tuple[str, ...] = ()
        experimental: tuple[str, ...] = ()
        error = False
        for part in text.strip().split(";", 2) if text.strip() else ():
            key, eq, value = part.partition("=")
            key, value = key.strip(), value.strip()
            names = tuple(n.strip() for n in value.split(",")) if value != "all" else ("all",)
            if not eq:
                return None
            if key == "skip":
                skip = names
            elif key == "experimental":
                experimental = names
            elif key == "error" and value in _BOOLS:
                error = _BOOLS[value]
            else:
                return None
        return cls(skip, experimental, error)

    def merged(self, other: CheckConfig) -> CheckConfig:
        """BuildKit's WithMergedConfig: an instruction's comment adds skips and experimental checks."""
        return CheckConfig(self.skip + other.skip, self.experimental + other.experimental, self.error)

    def enables(self, check: str) -> bool:
        return check in self.experimental or "all" in self.experimental

    def drops(self, finding: Finding, opted_in: bool) -> bool:
        """Is ``finding`` skipped here? A finding of an experimental check is kept where the
        configuration enables it, or everywhere when the user selected its rule."""
        experimental = [a for a in finding.aliases if a in EXPERIMENTAL]
        if experimental:
            return not opted_in and not any(self.enables(a) for a in experimental)
        return any(token_matches(s, finding.code, finding.name, finding.aliases) for s in self.skip)


#: Go's strconv.ParseBool.
_BOOLS = dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True) | dict.fromkeys(
    ("0", "f", "F", "FALSE", "false", "False"), False
)


class CheckDirectives:
    """The check configuration of one file, as BuildKit applies it.

    The ``BUILDKIT_DOCKERFILE_CHECK`` build argument replaces the file's ``# check=`` directive;
    the first ``# check=...`` among the comments right above an instruction (up to a blank ``#``
    line; a space ends the value, so ``# check=skip=A // why`` works) is merged in for that
    instruction only, as BuildKit merges an instruction's preceding comments.
    """

    def __init__(self, dockerfile: Dockerfile, build_args: Mapping[str, str]) -> None:
        given = build_args.get("BUILDKIT_DOCKERFILE_CHECK")
        directive = dockerfile.directives.get("check")
        text = given if given is not None else (directive.value if directive else "")
        self.file = CheckConfig.parse(text) or CheckConfig()
        #: Instructions with a ``# check=`` comment of their own, in file order (they do not overlap).
        self._spans: list[tuple[int, int, CheckConfig]] = []
        for ins in dockerfile.instructions:
            own = _comment_config(ins.comments)
            if own is not None:
                self._spans.append((ins.span.start_line, ins.span.end_line, self.file.merged(own)))
        self._starts = [first for first, _, _ in self._spans]

    def __bool__(self) -> bool:
        return bool(self.file.skip or self.file.experimental or self._spans)

    def at(self, line: int) -> CheckConfig:
        """The configuration for a finding on ``line`` (a binary search: one lookup per finding)."""
        at = bisect.bisect_right(self._starts, line) - 1
        if at >= 0 and line <= self._spans[at][1]:
            return self._spans[at][2]
        return self.file

    def experimental(self) -> set[str]:
        """The experimental checks the file enables anywhere."""
        configs = [self.file, *(config for _, _, config in self._spans)]
        return {check for check in EXPERIMENTAL if any(c.enables(check) for c in configs)}


def _comment_config(comments: list[str]) -> CheckConfig | None:
    for comment in comments:
        m = _CHECK_COMMENT.match(comment)
        if m and m.group(1).lower() == "check":
            return CheckConfig.parse(m.group(2).split(" ", 1)[0])
    return None


class Suppressions:
    """Which pragmas silence a finding, each finding answered in time independent of the number
    of pragmas and findings (asking every pragma for every finding was findings x pragmas).

    Pragmas covering the same lines form a group, listed under each line they cover (a line has
    a few: its instruction's, its stage's, the file's); within a group, the tokens that match a
    kind of finding (its code, name and aliases) are worked out once per kind. Matching marks the
    token used in every pragma of the group that names it, for DF002."""

    def __init__(self, pragmas: list[Pragma]) -> None:
        groups: dict[tuple[int, int], dict[str, list[Pragma]]] = {}
        for pragma in pragmas:
            if pragma.first and pragma.first <= pragma.last:
                tokens = groups.setdefault((pragma.first, pragma.last), {})
                for token in pragma.codes:
                    tokens.setdefault(token, []).append(pragma)
        self._groups = list(groups.values())
        self._by_line: dict[int, list[int]] = {}
        for number, (first, last) in enumerate(groups):
            for line in range(first, last + 1):
                self._by_line.setdefault(line, []).append(number)
        self._matching: dict[tuple[int, str, str, tuple[str, ...]], list[str]] = {}

    def __call__(self, finding: Finding) -> bool:
        hit = False
        kind = (finding.code, finding.name, finding.aliases)
        for number in self._by_line.get(finding.span.start_line, ()):
            key = (number, *kind)
            tokens = self._matching.get(key)
            if tokens is None:
                group = self._groups[number]
                tokens = self._matching[key] = [t for t in group if token_matches(t, *kind)]
                for token in tokens:  # once per group and token: every later match marks nothing new
                    for pragma in group[token]:
                        pragma.used.add(token)
            hit = hit or bool(tokens)
        return hit
