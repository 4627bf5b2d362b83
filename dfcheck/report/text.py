"""Terminal text: ``path:line:col: CODE message [severity]``, a code frame on a terminal, a summary.

Paths, messages and source lines come from files and their names, so they pass through
:func:`printable`: an ESC in a Dockerfile cannot drive the terminal, and a newline in a file
name cannot split a finding over two lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from dfcheck.lint.finding import Finding, Report, Severity
from dfcheck.report import RenderOptions
from dfcheck.report.plain import printable, source_lines

_COLORS = {
    Severity.ERROR: "\033[31m",
    Severity.WARNING: "\033[33m",
    Severity.INFO: "\033[36m",
    Severity.STYLE: "\033[35m",
}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _frame(finding: Finding, lines: Sequence[str], color: bool) -> list[str]:
    """The finding's first line with carets under its span; the line is shown as :func:`printable`
    makes it (a tab as one space), and the carets follow what is shown."""
    span = finding.span
    if not 1 <= span.start_line <= len(lines):
        return []
    raw = lines[span.start_line - 1]
    end_col = span.end_col if span.end_line == span.start_line else len(raw) + 1
    start = len(_shown(raw[: span.start_col - 1]))
    end = len(_shown(raw[: max(end_col, span.start_col) - 1]))
    text = _shown(raw)
    width = len(str(span.start_line))
    carets = "^" * max(1, end - start)
    mark = f"{_COLORS[finding.severity]}{carets}{_RESET}" if color else carets
    gutter = f"{_DIM}{span.start_line} |{_RESET}" if color else f"{span.start_line} |"
    pad = f"{_DIM}{' ' * width} |{_RESET}" if color else f"{' ' * width} |"
    return [f"  {gutter} {text}", f"  {pad} {' ' * start}{mark}"]


def _shown(source: str) -> str:
    return printable(source.replace("\t", " "))


#: Which findings a reader should see first within a file, after severity.
_TIERS = {"security": 0, "cache": 1, "reproducibility": 3, "style": 4}


def importance(finding: Finding) -> tuple[int, int, int, int]:
    """Errors first, then security, cache, correctness (syntax, CMD, HEALTHCHECK, context, shell),
    reproducibility and style; position last. The pinning rules are the most numerous on real
    files: a new reader meets the findings that matter before them."""
    tier = _TIERS.get(finding.category, 2)
    return (-finding.severity, tier, finding.span.start_line, finding.span.start_col)


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    color = options.color
    texts = {r.path: source_lines(r.text) for r in report.files}
    order = {r.path: i for i, r in enumerate(report.files)}
    findings = sorted(report.findings, key=lambda f: (order.get(f.path, len(order)), importance(f)))
    for f in findings:
        s = f.span
        sev = f.severity.label
        path, code = printable(f.path), printable(f.code)
        message = printable(" ".join(f.message.split()))
        if color:
            head = f"{_BOLD}{path}:{s.start_line}:{s.start_col}:{_RESET} {_COLORS[f.severity]}{code}{_RESET}"
            out.write(f"{head} {message} [{sev}]\n")
        else:
            out.write(f"{path}:{s.start_line}:{s.start_col}: {code} {message} [{sev}]\n")
        if options.show_frames:
            for line in _frame(f, texts.get(f.path, ()), color):
                out.write(line + "\n")
    if options.statistics:
        counts = Counter((f.code, f.name) for f in findings)
        if counts:
            out.write("\n")
        for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            out.write(f"{n:>6}  {printable(code)}  {printable(name)}\n")
        for key, value in sorted(report.statistics.items()):
            if key != "fixes":
                out.write(printable(f"{key}: {value}") + "\n")
    if options.quiet:
        return
    fixes = report.statistics.get("fixes")
    if fixes is not None:
        from dfcheck.lint.fixes import summary

        out.write(summary(fixes) + "\n")
    files = len(report.files)
    # A file that could not be read or checked was printed on stderr; the summary counts it.
    unchecked = sum(1 for r in report.files if r.error and not r.text)
    plural = "s" if files != 1 else ""
    if not findings and not unchecked:
        out.write(f"All checks passed ({files} file{plural}).\n")
        return
    not_checked = f"{unchecked} of {files} file{plural} could not be checked"
    if not findings:
        out.write(f"No problems found, but {not_checked}.\n")
        return
    by_level = Counter(f.severity for f in findings)
    parts = [
        f"{by_level[lv]} {lv.label}{'s' if by_level[lv] != 1 and lv.label != 'info' else ''}"
        for lv in sorted(by_level, reverse=True)
    ]
    # Per linted file: a finding about its .dockerignore names that file but belongs to this one.
    affected = sum(1 for r in report.files if r.findings)
    out.write(
        f"Found {len(findings)} problem{'s' if len(findings) != 1 else ''} ({', '.join(parts)}) "
        f"in {affected} of {files} file{plural}{'; ' + not_checked if unchecked else ''}.\n"
    )
    if fixes is None:
        out.write(_fixable(findings))


def _fixable(findings: list[Finding]) -> str:
    """``2 fixable with --fix (1 more with --unsafe-fixes).``, or nothing."""
    kinds = Counter(f.fix.applicability for f in findings if f.fix is not None)
    safe, unsafe = kinds["safe"], kinds["unsafe"]
    if not safe and not unsafe:
        return ""
    if not safe:
        return f"{unsafe} fixable with --fix --unsafe-fixes.\n"
    return f"{safe} fixable with --fix" + (f" ({unsafe} more with --unsafe-fixes)" if unsafe else "") + ".\n"
