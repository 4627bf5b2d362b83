"""Baselines: record today's findings so that only new ones fail the build.

A finding is recognised by its rule, its file and the text of the instruction it points at
(whitespace collapsed), never by its line number, so adding a line above an old finding does
not make it new. Identical findings are counted: a baseline with one entry forgives one of
two identical findings, not both.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from dfcheck.lint.finding import FileResult, Finding, Report
from dfcheck.report._common import iter_findings, relative_path
from dfcheck.report.output import write_atomic
from dfcheck.report.plain import json_text, printable, source_lines, surrogate_bytes

VERSION = 1
#: The largest baseline read: about 300,000 findings.
MAX_BYTES = 64 * 1024 * 1024


def instruction_text(finding: Finding, text: str) -> str:
    """The source line(s) the finding's span covers, whitespace collapsed."""
    lines = source_lines(text)
    covered = lines[max(finding.span.start_line - 1, 0) : finding.span.end_line]
    if not covered and finding.source_line:
        covered = (finding.source_line,)
    return " ".join(" ".join(covered).split())


def fingerprint(code: str, path: str, text: str) -> str:
    return hashlib.sha256(surrogate_bytes(f"{code}\0{path}\0{text}")).hexdigest()


def finding_fingerprint(result: FileResult, finding: Finding, root: Path) -> str:
    path = relative_path(finding.path or result.path, root)
    return fingerprint(finding.code, path, instruction_text(finding, result.text))


def write_baseline(report: Report, path: Path | str, root: Path | str | None = None) -> int:
    """Write every finding of ``report`` to ``path``; returns how many were recorded."""
    base = Path(root) if root is not None else Path.cwd()
    entries: Counter[tuple[str, str, str]] = Counter()
    for result, finding in iter_findings(report, base):
        rel = relative_path(finding.path or result.path, base)
        entries[(rel, finding.code, instruction_text(finding, result.text))] += 1
    document = {
        "version": VERSION,
        "tool": "dfcheck",
        "findings": [
            {
                "fingerprint": fingerprint(code, rel, text),
                "path": rel,
                "code": code,
                "text": text,
                "count": count,
            }
            for (rel, code, text), count in sorted(entries.items())
        ],
    }
    write_atomic(path, json_text(document).encode("utf-8"))
    return sum(entries.values())


class BaselineError(ValueError):
    """The file cannot be read, or is not a baseline this version of dfcheck wrote."""


def load_baseline(path: Path | str) -> Counter[str]:
    """Fingerprint -> how many findings with it the baseline forgives.

    Anything but the shape :func:`write_baseline` writes is refused with one line naming the
    file (BaselineError), however the JSON is malformed: wrong types, huge numbers, deep nesting.
    """
    from dfcheck.dockerfile.source import read_regular

    shown_path = printable(str(path))
    try:
        data = read_regular(str(path), MAX_BYTES)
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise BaselineError(f"{shown_path}: cannot read baseline: {why}") from None

    def refuse(why: str) -> BaselineError:
        return BaselineError(f"{shown_path}: not a dfcheck baseline: {why}")

    try:
        document: Any = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise refuse(f"not UTF-8 (byte {exc.start})") from None
    except RecursionError:
        raise refuse("nested too deeply") from None
    except ValueError as exc:
        raise refuse(f"invalid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise refuse(f"expected an object, found {_kind(document)}")
    if document.get("version") != VERSION:
        found = document.get("version")
        shown = (
            repr(found) if isinstance(found, (str, int, float)) and len(repr(found)) < 20 else _kind(found)
        )
        raise BaselineError(f"{shown_path}: unsupported baseline version {shown} (expected {VERSION})")
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise refuse(f"'findings' must be a list, found {_kind(findings)}")
    counts: Counter[str] = Counter()
    for i, entry in enumerate(findings):
        if not isinstance(entry, dict):
            raise refuse(f"findings[{i}] must be an object, found {_kind(entry)}")
        key, count = entry.get("fingerprint"), entry.get("count", 1)
        if not isinstance(key, str):
            raise refuse(f"findings[{i}] needs a fingerprint (a string)")
        if type(count) is not int or count < 0:
            raise refuse(f"findings[{i}].count must be a whole number >= 0, found {_kind(count)}")
        counts[key] += count
    return counts


_KINDS = {type(None): "null", bool: "a boolean", int: "a number", float: "a number", str: "a string"}


def _kind(value: object) -> str:
    """A JSON value described for an error line (never the value itself, which may be huge)."""
    return _KINDS.get(type(value)) or ("a list" if isinstance(value, list) else "an object")


def filter_report(report: Report, baseline_path: Path | str, root: Path | str | None = None) -> Report:
    """A copy of ``report`` without the findings the baseline forgives.

    ``root`` must be the one the baseline was written with (default: the working directory).
    ``statistics["baselined"]`` says how many findings were dropped.
    """
    base = Path(root) if root is not None else Path.cwd()
    remaining = load_baseline(baseline_path)
    kept: dict[int, list[Finding]] = {id(r): [] for r in report.files}
    dropped = 0
    for result, finding in iter_findings(report, base):
        key = finding_fingerprint(result, finding, base)
        if remaining[key] > 0:
            remaining[key] -= 1
            dropped += 1
        else:
            kept[id(result)].append(finding)
    files = [r.replace(findings=kept[id(r)]) for r in report.files]
    statistics = {**report.statistics, "baselined": dropped}
    return Report(files=files, statistics=statistics)
