"""``dfcheck context`` as text: the report of :func:`dfcheck.build.inventory.context_report` for a person."""

from __future__ import annotations

from typing import Any


def _size(n: int) -> str:
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value, unit = float(n), 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    return f"{n} B" if unit == 0 else f"{value:.1f} {units[unit]}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def render_context_text(report: dict[str, Any]) -> str:
    """The report for a person: totals first, then what to act on."""
    ignore = report["ignore_file"] or "none"
    lines = [
        f"Build context {report['context']} (ignore file: {ignore})",
        f"  sent:     {_count(report['included_files'], 'file')}, {_size(report['included_bytes'])}",
        f"  excluded: {_count(report['excluded_files'], 'file')}, {_size(report['excluded_bytes'])}",
    ]

    def section(title: str, rows: list[str]) -> None:
        if rows:
            lines.extend(["", title, *rows])

    section("Largest files:", [f"  {_size(f['bytes']):>10}  {f['path']}" for f in report["largest_files"]])
    section(
        "Largest directories:",
        [
            f"  {_size(d['bytes']):>10}  {d['path']}/  ({_count(d['files'], 'file')})"
            for d in report["largest_dirs"]
        ],
    )
    rows = []
    for p in report["patterns"]:
        shown = ("!" if p["exclusion"] else "") + p["pattern"]
        if p["error"]:
            note = f"error: {p['error']}"
        elif p["dead"]:
            note = "matches nothing"
        else:
            note = ("re-includes " if p["exclusion"] else "excludes ") + _count(p["matched"], "path")
        rows.append(f"  line {p['line']:>3}  {shown:<30} {note}")
    section("Ignore patterns:", rows)
    section(
        "Should probably be excluded:",
        [f"  {_size(e['bytes']):>10}  {e['path']}  [{e['kind']}]" for e in report["heavy"]],
    )
    section("Files that look like secrets:", [f"  {path}" for path in report["secrets"]])
    section("Errors:", [f"  {error}" for error in report["errors"]])
    if "included" in report:
        section("Files sent:", [f"  {path}" for path in report["included"]])
    return "\n".join(lines) + "\n"
