"""What ``--fix``, ``--fix-only`` and ``--diff`` do with the fixed texts: write them, print them
or print their diff, and say what was fixed.

The fixing itself (passes, the guard) is :mod:`dfcheck.lint.fixes`; this module only touches
files and streams, so the engine stays free of I/O.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import TYPE_CHECKING

from dfcheck.records import NamedTuple

if TYPE_CHECKING:
    from dfcheck.cli.options import Check
    from dfcheck.lint.finding import Report
    from dfcheck.lint.fixes import Outcome

_BOM = b"\xef\xbb\xbf"


class Applied(NamedTuple):
    #: False when a fix was refused or a file could not be written (exit 2).
    ok: bool
    #: The exit code of ``--diff`` (1: there would be changes) and ``--fix-only`` (0).
    exit_code: int


def apply(check: Check, outcomes: list[Outcome], report: Report) -> Applied:
    """Write, print or diff every outcome as the options ask, and record the counts in
    ``report.statistics["fixes"]`` (the text report's summary reads them)."""
    from dfcheck.lint.fixes import summary, unified_diff
    from dfcheck.report.plain import printable

    stdin = outcomes[-1] if "-" in check.paths and outcomes else None
    ok = True
    changed = 0
    fixed: Counter[str] = Counter()
    for outcome in outcomes:
        shown = outcome.result.path
        if outcome.refused:
            ok = False
            print(
                printable(f"{shown}:1:1: fix refused: {outcome.refused}; the file is left as it was"),
                file=sys.stderr,
            )
        if outcome is stdin and not check.diff:
            _write_stdout(outcome.text)
        if not outcome.changed:
            continue
        changed += 1
        fixed.update(outcome.applied)
        if check.diff:
            _write_stdout(
                unified_diff(shown, outcome.original, outcome.text)
                if outcome.text != outcome.original
                else ""
            )
            for name, content in sorted(outcome.files.items()):
                _write_stdout(
                    unified_diff(os.path.join(os.path.dirname(shown), name), "", content, new_file=True)
                )
        elif outcome is not stdin and outcome.file_path is not None:
            ok = _write(outcome) and ok
    held = sum(o.held_back for o in outcomes)
    report.statistics["fixes"] = {
        "mode": "diff" if check.diff else "fix",
        "fixed": sum(fixed.values()),
        "files": changed,
        "rules": dict(sorted(fixed.items())),
        "unsafe_left": held if not check.unsafe_fixes else 0,
        "refused": sum(1 for o in outcomes if o.refused),
    }
    if (check.diff or check.fix_only) and not check.quiet:
        print(summary(report.statistics["fixes"]), file=sys.stderr)
    return Applied(ok, 1 if check.diff and changed else 0)


def _write(outcome: Outcome) -> bool:
    """Replace the file with the fixed text (its BOM kept) and create the files the fixes add."""
    from dfcheck.report.output import write_atomic

    path = outcome.file_path
    assert path is not None
    try:
        with open(path, "rb") as original:
            bom = original.read(3) == _BOM
        if outcome.text != outcome.original:
            write_atomic(path, (_BOM if bom else b"") + outcome.text.encode("utf-8"), sync=False)
        for name, content in outcome.files.items():
            target = path.parent / name
            with open(target, "x", encoding="utf-8", newline="") as out:
                out.write(content)
    except OSError as exc:
        print(f"dfcheck: error: cannot write the fixes to {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _write_stdout(text: str) -> None:
    from dfcheck.report.output import write_stdout

    if text:
        write_stdout(text)
