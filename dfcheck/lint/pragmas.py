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

import re

from dfcheck.dockerfile.parse import Dockerfile
from dfcheck.dockerfile.source import Record, Span
from dfcheck.lint.finding import Finding
from dfcheck.lint.registry import token_matches

_PRAGMA = re.compile(
    r"^(?P<tool>dfcheck|hadolint)\s+(?:(?P<scope>global|stage)\s+)?ignore\s*=\s*(?P<codes>[^#]*?)\s*(?:#.*)?$",
    re.I,
)


_PRAGMA_FIELDS = ("tool", "scope", "codes", "span", "line", "first", "last", "used", "unknown")


class Pragma(Record):
    __slots__ = _PRAGMA_FIELDS
    _fields = _PRAGMA_FIELDS

    def __init__(
        self,
        tool: str,
        scope: str,
        codes: list[str],
        span: Span,
        line: int,
        first: int = 0,
        last: int = 0,
        used: set[str] | None = None,
        unknown: list[str] | None = None,
    ) -> None:
        self.tool = tool
        self.scope = scope
        self.codes = codes
        self.span = span
        self.line = line
        #: Lines the pragma covers (inclusive); for file scope the whole file.
        self.first = first
        self.last = last
        self.used: set[str] = set() if used is None else used
        #: For a ``# hadolint`` comment that hadolint drops (so it covers no line): what it rejects.
        self.unknown: list[str] = [] if unknown is None else unknown


def is_pragma(comment_text: str) -> bool:
    """Is this comment an ignore pragma (dfcheck or hadolint, any scope)?"""
    return _PRAGMA.match(comment_text) is not None


def collect(dockerfile: Dockerfile, stage_ranges: list[tuple[int, int]]) -> list[Pragma]:
    """Find pragmas and the lines they cover."""
    last_line = len(dockerfile.lines) or 1
    starts = sorted({ins.line: ins for ins in dockerfile.instructions}.items())
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
            target = next((ins for start, ins in starts if start == line), None)
            if target is not None:
                pragma.first, pragma.last = target.span.start_line, target.span.end_line
    return pragmas


_HADOLINT_CODE = re.compile(r"[DLSC0-9]+")
_HADOLINT_LIST = re.compile(r"[DLSC0-9]+(?:[ \t]*,[ \t]*[DLSC0-9]+)*")


def hadolint_rejects(codes: str) -> list[str]:
    """Why hadolint would drop a whole ``# hadolint ignore=`` comment, or [] when it parses it.

    hadolint's grammar takes rule codes made of the letters D, L, S, C and digits, separated by
    commas (``ignore=crazy,DL3002`` and ``ignore=DL3008 DL3009`` suppress nothing there).
    """
    if _HADOLINT_LIST.fullmatch(codes):
        return []
    bad = [c for c in re.split(r"[\s,]+", codes) if c and not _HADOLINT_CODE.fullmatch(c)]
    return bad or [codes]


def check_directive_skips(dockerfile: Dockerfile) -> tuple[list[str], bool]:
    """BuildKit's ``# check=skip=A,B;error=true`` directive."""
    directive = dockerfile.directives.get("check")
    if directive is None:
        return [], False
    skips: list[str] = []
    error = False
    for part in directive.value.split(";"):
        key, _, value = part.partition("=")
        key = key.strip().lower()
        if key == "skip":
            skips += [v.strip() for v in value.split(",") if v.strip()]
        elif key == "error":
            error = value.strip().lower() == "true"
    return skips, error


def suppressed(finding: Finding, pragmas: list[Pragma]) -> bool:
    hit = False
    for pragma in pragmas:
        if not pragma.first <= finding.span.start_line <= pragma.last:
            continue
        for token in pragma.codes:
            if token_matches(token, finding.code, finding.name, finding.aliases):
                pragma.used.add(token)
                hit = True
    return hit
