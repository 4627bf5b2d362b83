"""A finding's fix as the editor applies it: a title, how safe it is, and edits on text offsets.

:func:`quick_fix` is the one place that reads :class:`~dfcheck.lint.finding.Fix`; the code
actions and "fix all" see only :class:`QuickFix`, so a change of the fix model is a change here.
"""

from __future__ import annotations

from collections.abc import Iterable

from dfcheck.lint.finding import Finding
from dfcheck.records import NamedTuple

SAFE, UNSAFE, DISPLAY_ONLY = "safe", "unsafe", "display-only"


class TextEdit(NamedTuple):
    """Replace ``text[start:end]`` with ``content`` (code-point offsets into the document)."""

    start: int
    end: int
    content: str


class QuickFix(NamedTuple):
    title: str
    applicability: str
    edits: tuple[TextEdit, ...]


def quick_fix(finding: Finding) -> QuickFix | None:
    """The finding's fix, its edits on offsets of the linted text; None without one. Edits that
    create another file (a starter ``.dockerignore``) are left to ``dfcheck check --fix``."""
    fix = finding.fix
    edits = tuple(sorted(TextEdit(e.start, e.end, e.content) for e in fix.edits if not e.file)) if fix else ()
    if fix is None or not edits:
        return None
    return QuickFix(fix.title, fix.applicability, edits)


def compatible(fixes: Iterable[QuickFix]) -> list[TextEdit]:
    """The edits of ``fixes`` that can be applied together in one pass: fixes are taken in the
    order of their first edit, and one whose edits touch a range an earlier fix edits is left for
    the next run (as ruff does), so the result never depends on how edits would interleave."""
    taken: list[TextEdit] = []
    ranges: list[tuple[int, int]] = []
    for fix in sorted(fixes, key=lambda f: (f.edits[0].start, f.edits[0].end)):
        if any(_touch(edit, r) for edit in fix.edits for r in ranges):
            continue
        taken.extend(fix.edits)
        ranges.extend((e.start, e.end) for e in fix.edits)
    return sorted(taken)


def _touch(edit: TextEdit, taken: tuple[int, int]) -> bool:
    """Do two edits conflict? Overlapping ranges do, and so do two insertions at one offset
    (their order would be arbitrary) or an insertion at the edge of a replaced range."""
    start, end = taken
    if edit.start == edit.end or start == end:
        return start <= edit.end and edit.start <= end
    return edit.start < end and start < edit.end
