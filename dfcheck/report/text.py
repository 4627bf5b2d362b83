"""Terminal text: ``path:line:col: CODE message [severity]``, a code frame on a terminal, a summary."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from dfcheck.lint.finding import Finding, Report, Severity
from dfcheck.report import RenderOptions

_COLORS = {
    Severity.ERROR: "\033[31m",
    Severity.WARNING: "\033[33m",
    Severity.INFO: "\033[36m",
    Severity.STYLE: "\033[35m",
}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _frame(finding: Finding, lines: list[str], color: bool) -> list[str]:
    span = finding.span
    if not 1 <= span.start_line <= len(lines):
        return []
    text = lines[span.start_line - 1].replace("\t", " ")
    width = len(str(span.start_line))
    end = span.end_col if span.end_line == span.start_line else len(text) + 1
    carets = "^" * max(1, end - span.start_col)
    mark = f"{_COLORS[finding.severity]}{carets}{_RESET}" if color else carets
    gutter = f"{_DIM}{span.start_line} |{_RESET}" if color else f"{span.start_line} |"
    pad = f"{_DIM}{' ' * width} |{_RESET}" if color else f"{' ' * width} |"
    return [f"  {gutter} {text}", f"  {pad} {' ' * (span.start_col - 1)}{mark}"]


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    color = options.color
    texts = {r.path: r.text.splitlines() for r in report.files}
    findings = report.findings
    for f in findings:
        s = f.span
        sev = f.severity.label
        message = " ".join(f.message.split())
        if color:
            head = (
                f"{_BOLD}{f.path}:{s.start_line}:{s.start_col}:{_RESET} {_COLORS[f.severity]}{f.code}{_RESET}"
            )
            out.write(f"{head} {message} [{sev}]\n")
        else:
            out.write(f"{f.path}:{s.start_line}:{s.start_col}: {f.code} {message} [{sev}]\n")
        if options.show_frames:
            for line in _frame(f, texts.get(f.path, []), color):
                out.write(line + "\n")
    if options.statistics:
        counts = Counter((f.code, f.name) for f in findings)
        if counts:
            out.write("\n")
        for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            out.write(f"{n:>6}  {code}  {name}\n")
        for key, value in sorted(report.statistics.items()):
            out.write(f"{key}: {value}\n")
    if options.quiet:
        return
    files = len(report.files)
    if not findings:
        out.write(f"All checks passed ({files} file{'s' if files != 1 else ''}).\n")
        return
    by_level = Counter(f.severity for f in findings)
    parts = [
        f"{by_level[lv]} {lv.label}{'s' if by_level[lv] != 1 and lv.label != 'info' else ''}"
        for lv in sorted(by_level, reverse=True)
    ]
    affected = len({f.path for f in findings})
    out.write(
        f"Found {len(findings)} problem{'s' if len(findings) != 1 else ''} ({', '.join(parts)}) "
        f"in {affected} of {files} file{'s' if files != 1 else ''}.\n"
    )
