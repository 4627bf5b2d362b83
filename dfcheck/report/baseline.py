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
from dfcheck.report.plain import source_lines

VERSION = 1


def instruction_text(finding: Finding, text: str) -> str:
    """The source line(s) the finding's span covers, whitespace collapsed."""
    lines = source_lines(text)
    covered = lines[max(finding.span.start_line - 1, 0) : finding.span.end_line]
    if not covered and finding.source_line:
        covered = [finding.source_line]
    return " ".join(" ".join(covered).split())


def fingerprint(code: str, path: str, text: str) -> str:
    return hashlib.sha256(f"{code}\0{path}\0{text}".encode()).hexdigest()


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
    Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return sum(entries.values())


def load_baseline(path: Path | str) -> Counter[str]:
    """Fingerprint -> how many findings with it the baseline forgives."""
    try:
        document: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read baseline: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        found = document.get("version") if isinstance(document, dict) else None
        raise ValueError(f"{path}: unsupported baseline version {found!r} (expected {VERSION})")
    counts: Counter[str] = Counter()
    for i, entry in enumerate(document.get("findings", [])):
        try:
            counts[str(entry["fingerprint"])] += int(entry.get("count", 1))
        except (TypeError, KeyError, ValueError):
            raise ValueError(f"{path}: findings[{i}] needs a fingerprint and a count") from None
    return counts


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
