"""The layer-cache analysis for people: the text ``dfcheck cache`` prints and the view the HTML
report draws, both read from the JSON record, so text, JSON and HTML show the same numbers and
the same lists.

Per stage that is the first miss and its reason, the steps that re-run (``rerun_lines``: the
steps BuildKit numbers, so there are ``rebuilt_steps`` of them, out of ``total_steps``) and the
metadata instructions after the miss, which get a new cache key but run nothing. In history
mode a line is coloured by how many of the replayed commits re-ran it.

Paths, reasons, instructions and commit subjects come from files and repositories, so every one
of them goes through :func:`printable`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfcheck.report.plain import printable

if TYPE_CHECKING:
    from dfcheck.dockerfile.parse import Dockerfile

#: Heat levels for history mode: a line re-run in more than (level - 1) / 4 of the commits.
HEAT_LEVELS = 4


def stage_label(stage: dict[str, Any]) -> str:
    name = stage.get("name")
    return f"stage {stage.get('index', '?')}" + (f" ({printable(str(name))})" if name else "")


def stage_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Per stage what every format shows: label, state, first miss, reason, steps, the lines."""
    rows = []
    for stage in record.get("stages", []):
        rerun = list(stage.get("rerun_lines", []))
        runs = set(rerun)
        meta = [n for n in stage.get("rebuilt_lines", []) if n not in runs]
        if not stage.get("needed", True):
            state = "not built"
        elif stage.get("first_miss_line") is None:
            state = "cached"
        else:
            state = "rebuilt"
        rows.append(
            {
                "index": stage.get("index"),
                "label": stage_label(stage),
                "state": state,
                "first_miss_line": stage.get("first_miss_line"),
                "reason": printable(str(stage.get("reason", ""))),
                "rebuilt_steps": int(stage.get("rebuilt_steps", len(rerun))),
                "total_steps": int(stage.get("total_steps", 0)),
                "rerun_lines": rerun,
                "meta_lines": meta,
                "reused_lines": list(stage.get("reused_lines", [])),
                "step_lines": list(stage.get("step_lines", [])),
            }
        )
    return rows


def line_status(record: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """Line -> (status, explanation) for the line numbers of the HTML report.

    Without history: ``rerun`` (a step that runs again), ``meta`` (metadata after the miss: a new
    cache key, nothing runs) or ``reused``. With history, a step is ``heat1``..``heat4`` by the
    share of commits that re-ran it (``reused``: none), metadata ``meta`` when any commit gave
    it a new cache key.
    """
    history = record.get("history") or {}
    commits = len(history.get("commits") or [])
    status: dict[int, tuple[str, str]] = {}
    for row in stage_rows(record):
        if row["state"] == "not built":
            continue
        label = row["label"]
        steps = set(row["step_lines"])
        if commits:
            counts = history.get("line_rebuilds", {})
            for n in row["reused_lines"] + row["rerun_lines"] + row["meta_lines"]:
                times = int(counts.get(str(n), 0))
                of = f"{times} of {plural(commits, 'commit')}"
                if n in steps:
                    status[n] = (_heat(times, commits), f"{label}: re-run in {of}")
                else:
                    kind = "meta" if times else "reused"
                    status[n] = (kind, f"{label}: new cache key in {of}; metadata, nothing runs")
            continue
        for n in row["reused_lines"]:
            status[n] = ("reused", f"{label}: cached")
        for n in row["rerun_lines"]:
            status[n] = ("rerun", f"{label}: re-runs")
        for n in row["meta_lines"]:
            status[n] = ("meta", f"{label}: new cache key, nothing runs (metadata)")
    return status


def _heat(times: int, commits: int) -> str:
    if times <= 0 or commits <= 0:
        return "reused"
    return f"heat{min(HEAT_LEVELS, -(-times * HEAT_LEVELS // commits))}"


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def changes_summary(record: dict[str, Any]) -> str:
    what = []
    if record.get("changed_files"):
        what.append(plural(len(record["changed_files"]), "changed file"))
    if record.get("changed_args"):
        what.append("changed build args " + ", ".join(printable(str(a)) for a in record["changed_args"]))
    if record.get("remote_changed"):
        what.append("remote sources changed")
    return ", ".join(what) or "no changes"


def total_line(record: dict[str, Any]) -> str:
    return (
        f"{record['rebuilt_steps']} of {record['total_steps']} steps re-run (weighted cost {record['cost']})"
    )


def render_text(record: dict[str, Any], dockerfile: Dockerfile | None = None) -> str:
    """The analysis for a person: per stage the first miss, why, and the steps that re-run."""
    texts = {ins.line: short(ins.original) for ins in dockerfile.walk()} if dockerfile else {}
    out = [f"Cache analysis of {printable(str(record['dockerfile']))}: {changes_summary(record)}"]
    for row in stage_rows(record):
        label = row["label"]
        if row["state"] == "not built":
            out.append(f"  {label}: not built (not needed for the target)")
            continue
        if row["state"] == "cached":
            out.append(f"  {label}: fully cached")
            continue
        out.append(
            f"  {label}: first miss at line {row['first_miss_line']}: {row['reason']}; "
            f"{row['rebuilt_steps']} of {row['total_steps']} steps re-run"
        )
        for line in row["rerun_lines"]:
            out.append(f"      {line:>4}  {texts.get(line, '')}".rstrip())
        if row["meta_lines"]:
            shown = "; ".join(f"line {n} {texts.get(n, '')}".rstrip() for n in row["meta_lines"])
            out.append(f"      metadata only, nothing runs: {shown}")
    out.append(f"Total: {total_line(record)}")
    history = record.get("history")
    if history:
        out.extend(render_history(history))
    for suggestion in record.get("suggestions", []):
        out.append("")
        out.append(
            f"Suggestion ({suggestion['rule']}, line {suggestion['line']}): {printable(suggestion['message'])}"
        )
        if suggestion.get("saved_steps") is not None:
            out.append(f"  would save {saving(suggestion)}")
        out.extend("  " + printable(line, keep="\t") for line in suggestion["diff"].splitlines())
    return "\n".join(out) + "\n"


def saving(suggestion: dict[str, Any]) -> str:
    return (
        f"{plural(suggestion['saved_steps'], 'step run')} (weighted {suggestion['saved_cost']}) "
        f"{printable(str(suggestion['saved_over']))}"
    )


def history_summary(history: dict[str, Any]) -> str:
    return (
        f"{plural(len(history['commits']), 'commit')}, {history['rebuilt_steps']} of "
        f"{history['total_steps']} steps re-run, cache hit rate {history['hit_rate']:.0%} "
        f"(weighted {history['weighted_hit_rate']:.0%})"
    )


def first_misses(commit: dict[str, Any]) -> str:
    misses = commit.get("first_misses") or []
    return "; ".join(f"line {m['line']}: {printable(str(m['reason']))}" for m in misses) or "fully cached"


def render_history(history: dict[str, Any]) -> list[str]:
    out = ["", f"History: {history_summary(history)}"]
    for commit in history["commits"]:
        subject = printable(str(commit["subject"]))[:40]
        out.append(
            f"  {printable(str(commit['rev']))[:10]}  {commit['rebuilt_steps']:>3}/{commit['total_steps']:<3} "
            f"{subject:<40}  {first_misses(commit)}"
        )
    if history["expensive"]:
        out.append("Most expensive invalidations:")
        for item in history["expensive"]:
            out.append(
                f"  line {item['line']:>4} {short(item['instruction'], 40):<40} missed {item['misses']}x, "
                f"{item['rebuilt_steps']} step runs, cost {item['cost']}"
            )
    return out


def short(text: str, width: int = 70) -> str:
    """An instruction on one line, whitespace collapsed, cut to ``width``."""
    shown = printable(" ".join(text.split()))
    return shown if len(shown) <= width else shown[: width - 3] + "..."
