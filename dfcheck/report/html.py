"""A self-contained HTML report: sources with findings inline, filters, rule help, cache analysis.

Dockerfile text is untrusted, so everything goes through jinja2 with autoescaping on; nothing
is embedded as JSON. Control characters and bytes that were not UTF-8 are shown as the text
report shows them (:func:`printable`), so the page is valid UTF-8 and HTML. The page loads nothing from the network, and its Content-Security-Policy
allows only the report's own inline script and style (by hash), so even a templating mistake
could not run injected script.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, TextIO

import dfcheck
from dfcheck.dockerfile.source import LineIndex, Span
from dfcheck.lint.finding import FileResult, Finding, Report, Severity
from dfcheck.regex import lazy
from dfcheck.report import RenderOptions
from dfcheck.report._common import file_findings, relative_path, rule_infos, severity_counts, sorted_files
from dfcheck.report.plain import printable, source_lines

SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]


@dataclass
class Segment:
    text: str
    severities: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def worst(self) -> str:
        return next(s for s in SEVERITIES if s in self.severities)


@dataclass
class Line:
    number: int
    segments: list[Segment]
    findings: list[dict[str, Any]]
    cache: str = ""
    cache_title: str = ""
    miss: bool = False


def span_text(span: Span) -> str:
    if span.start_line == span.end_line:
        return f"{span.start_line}:{span.start_col}-{span.end_col}"
    return f"{span.start_line}:{span.start_col}-{span.end_line}:{span.end_col}"


def segments(text: str, number: int, findings: list[Finding]) -> list[Segment]:
    """Split a line where highlighted spans start and end; each piece knows who covers it."""
    width = len(text)
    cover: list[tuple[int, int, Finding]] = []
    for f in findings:
        s = f.span
        if not s.start_line <= number <= s.end_line:
            continue
        start = s.start_col - 1 if number == s.start_line else 0
        end = s.end_col - 1 if number == s.end_line else width
        start, end = min(max(start, 0), width), min(max(end, 0), width)
        cover.append((start, max(start, end), f))
    cuts = sorted({0, width, *(c for a, b, _ in cover for c in (a, b))})
    pieces = [
        (a, 1, _segment(text[a:b], [f for s, e, f in cover if s <= a and b <= e and s < e]))
        for a, b in itertools.pairwise(cuts)
    ]
    pieces += [(s, 0, _segment("", [f])) for s, e, f in cover if s == e and f.span.start_line == number]
    return [seg for _, _, seg in sorted(pieces, key=lambda p: p[:2])]


def _segment(text: str, hits: list[Finding]) -> Segment:
    return Segment(
        text,
        sorted({f.severity.label for f in hits}, key=SEVERITIES.index),
        [f"{f.code}: {f.message}" for f in hits],
    )


def finding_view(
    finding: Finding, anchor: str, text: str = "", lines: LineIndex | None = None
) -> dict[str, Any]:
    fix = None
    if finding.fix is not None:
        from dfcheck.lint.fixes import fix_diff

        fix = {
            "title": finding.fix.title,
            "applicability": finding.fix.applicability,
            "diff": fix_diff(text, finding.fix, lines),
        }
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "span": span_text(finding.span),
        "fix": fix,
        "related": [
            (f"{anchor}-L{r.span.start_line}", span_text(r.span), r.message) for r in finding.related
        ],
    }


def cache_view(data: dict[str, Any]) -> dict[str, Any]:
    """The cache analysis as :mod:`dfcheck.report.cache` gives it to the text report too: stage
    rows, per-line status, totals, history (chart, commits, costly misses) and suggestions."""
    from dfcheck.report import cache

    history = data.get("history") or {}
    commits = history.get("commits") or []
    misses = {int(s["first_miss_line"]) for s in data.get("stages", []) if s.get("first_miss_line")}
    misses |= {int(e["line"]) for e in history.get("expensive", [])}
    total = None
    if {"rebuilt_steps", "total_steps", "cost"} <= set(data):
        total = cache.total_line(data)
    return {
        "stages": cache.stage_rows(data),
        "lines": cache.line_status(data),
        "misses": misses,
        "changes": cache.changes_summary(data),
        "total": total,
        "history": bool(commits),
        "heat_levels": range(1, cache.HEAT_LEVELS + 1),
        "chart": history_chart(history) if commits else None,
        "summary": cache.history_summary(history) if commits and "weighted_hit_rate" in history else None,
        "commits": [
            {
                "rev": str(c.get("rev", ""))[:10],
                "subject": str(c.get("subject", "")),
                "rebuilt_steps": c.get("rebuilt_steps", 0),
                "total_steps": c.get("total_steps", 0),
                "misses": [(m["line"], m["reason"]) for m in c.get("first_misses") or []],
            }
            for c in commits
        ],
        "expensive": [
            {**item, "instruction": cache.short(str(item.get("instruction", "")))}
            for item in history.get("expensive", [])
        ],
        "suggestions": [
            {
                **s,
                "saving": cache.saving(s) if s.get("saved_steps") is not None else None,
                "diff": [(_diff_class(line), line) for line in str(s.get("diff", "")).splitlines()],
            }
            for s in data.get("suggestions", [])
        ],
    }


def _diff_class(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    return {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "")


def history_chart(history: dict[str, Any]) -> dict[str, Any]:
    commits = history["commits"]
    bar, gap, height, top, left = 30, 20, 120, 10, 36
    bars = []
    for i, c in enumerate(commits):
        total = max(int(c.get("total_steps", 0)), 1)
        rebuilt = min(int(c.get("rebuilt_steps", 0)), total)
        h_rebuilt = round(height * rebuilt / total, 1)
        x = left + i * (bar + gap)
        bars.append(
            {
                "x": x,
                "rev": str(c.get("rev", ""))[:7],
                "rebuilt_h": h_rebuilt,
                "reused_y": round(top + h_rebuilt, 1),
                "reused_h": round(height - h_rebuilt, 1),
                "title": f"{c.get('rev', '')}: {rebuilt} of {total} steps re-run",
            }
        )
    hit_rate = float(history.get("hit_rate", 0.0))
    return {
        "bars": bars,
        "bar": bar,
        "top": top,
        "height": height,
        "left": left,
        "width": left + len(commits) * (bar + gap) + 10,
        "total_height": top + height + 28,
        "hit_rate": hit_rate,
        "hit_y": round(top + height * (1 - hit_rate), 1),
    }


#: A finding highlights at most its first MARKED_LINES lines, and a line carries the highlights
#: of at most MARKS_PER_LINE findings (its message box still follows its last line): thousands
#: of findings over one instruction of thousands of lines made the page lines x findings in
#: size (a MemoryError found by bench/fuzz.py).
MARKED_LINES = 50
MARKS_PER_LINE = 20


def file_view(result: FileResult, index: int, options: RenderOptions) -> dict[str, Any]:
    path = relative_path(result.path, options.root)
    anchor = f"f{index}"
    findings = file_findings(result)
    extras = options.extras.get(result.path) or options.extras.get(path)
    cache = cache_view(extras) if isinstance(extras, dict) else None
    by_end: dict[int, list[dict[str, Any]]] = {}
    covering: dict[int, list[Finding]] = {}
    texts = source_lines(result.text)
    line_index = LineIndex(result.text) if any(f.fix for f in findings) else None
    for f in findings:
        last = min(max(f.span.end_line, 1), max(len(texts), 1))
        by_end.setdefault(last, []).append(finding_view(f, anchor, result.text, line_index))
        first = max(f.span.start_line, 1)
        for number in range(first, min(last, first + MARKED_LINES - 1) + 1):
            marks = covering.setdefault(number, [])
            if len(marks) < MARKS_PER_LINE:
                marks.append(f)
    lines = []
    for number, text in enumerate(texts or ("",), start=1):
        status, title = cache["lines"].get(number, ("", "")) if cache else ("", "")
        lines.append(
            Line(
                number,
                segments(text, number, covering.get(number, [])),
                by_end.get(number, []),
                status,
                title,
                bool(cache and number in cache["misses"]),
            )
        )
    return {
        "path": path,
        "anchor": anchor,
        "error": result.error,
        "counts": severity_counts(findings),
        "total": len(findings),
        "lines": lines if result.text or findings else [],
        "cache": cache,
    }


_FENCE = lazy(r"^```")
_HEADING = lazy(r"^(#{1,6})\s+(.*)$")
_ITEM = lazy(r"^\s*[-*]\s+(.*)$")


def markdown(text: str) -> Any:
    """A small, safe Markdown subset for rule pages: headings, fences, lists, paragraphs, inline code,
    bold and http(s) links. Everything is escaped before any tag is added."""
    from markupsafe import Markup, escape

    def inline(s: str) -> str:
        s = str(escape(s))
        s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
        s = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", s)
        return re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r'<a href="\2" rel="noopener">\1</a>', s)

    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    code: list[str] | None = None

    def flush() -> None:
        if para:
            out.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        if code is not None:
            if _FENCE.match(line):
                out.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
                code = None
            else:
                code.append(line)
        elif _FENCE.match(line):
            flush()
            code = []
        elif heading := _HEADING.match(line):
            flush()
            level = min(len(heading.group(1)) + 2, 6)
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif item := _ITEM.match(line):
            if para:
                flush()
            items.append(item.group(1))
        elif not line.strip():
            flush()
        else:
            if items:
                flush()
            para.append(line.strip())
    if code is not None:
        out.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
    flush()
    return Markup("\n".join(out))


def _asset(name: str) -> str:
    return (resources.files("dfcheck.report") / "templates" / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@cache
def _template() -> Any:
    from jinja2 import Environment, PackageLoader

    env = Environment(
        loader=PackageLoader("dfcheck.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2")


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    from markupsafe import Markup

    files = [file_view(r, i, options) for i, r in enumerate(sorted_files(report, options.root), start=1)]
    findings = [f for r in report.files for f in r.findings]
    rules = rule_infos(report, registered=False)
    by_rule = Counter(f.code for f in findings)
    by_category = Counter(f.category or "other" for f in findings)
    assets = {name: _asset(name) for name in ("report.css", "boot.js", "report.js")}
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src {_csp_hash(assets['report.css'])}; "
        f"script-src {_csp_hash(assets['boot.js'])} {_csp_hash(assets['report.js'])}"
    )
    html = _template().render(
        version=dfcheck.__version__,
        csp=csp,
        css=Markup(assets["report.css"]),
        boot_js=Markup(assets["boot.js"]),
        report_js=Markup(assets["report.js"]),
        severities=SEVERITIES,
        counts=severity_counts(findings),
        total=len(findings),
        files=files,
        rules=[
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.label,
                "category": r.category,
                "summary": r.summary,
                "help": markdown(r.markdown),
                "help_uri": r.help_uri,
                "count": by_rule[r.code],
            }
            for r in rules
        ],
        categories=sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])),
    )
    out.write(printable(html, keep="\t\n"))
    if not html.endswith("\n"):
        out.write("\n")
