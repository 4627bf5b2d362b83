"""dfcheck against BuildKit's own build-check tests, case by case.

Usage: python bench/parity_buildkit.py [--failures] [--json] [--rule StageNameCasing|DF804]
                                       [--all-rules] [--cases FILE]

Reads bench/parity/buildkit_cases.json (BuildKit's ``checkLinterWarnings`` cases transcribed by
bench/parity/transcribe_buildkit.py) and lints each Dockerfile in process with dfcheck
(``dfcheck.engine.lint_text``), from a temporary build context that holds the Dockerfile and the
case's ``.dockerignore`` (the test's context holds just those), with the case's build arguments.

Selected: the dfcheck rules with a BuildKit check name among their ``aliases`` (the names come from
BuildKit's ruleset, bench/parity/buildkit_meta.json). BuildKit runs its experimental checks
(InvalidDefinitionDescription) only when ``# check=experimental=...`` or the
BUILDKIT_DOCKERFILE_CHECK build argument names them, and dfcheck's counterpart (DF811) is opt-in,
so it is selected only for those cases; ``--all-rules`` selects it everywhere. Nothing else is
translated: ``# check=`` directives and the BUILDKIT_DOCKERFILE_CHECK build argument are left to
dfcheck.

Per case the set of (BuildKit name, start line) that dfcheck reports (a finding counts under the
BuildKit name its rule is aliased to) is compared with the set the test expects from the lint
subrequest (``expected``: every stage is linted, as with ``docker build --check``); the case agrees
when the two sets are equal. The test checks the lint subrequest's warnings without their lines, and
their lines only through the build's progress stream; an expected warning missing from that stream
(``line_asserted: false``, shown as ``@~N``) matches a dfcheck finding of its check on any line. Expected warnings are also counted per rule: found (same rule and
line), missed, and extra dfcheck findings. ``--failures`` lists each disagreeing case with both
sets, dfcheck's messages and the Dockerfile; ``--json`` prints everything as one JSON document.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dfcheck.lint.config import Settings
from dfcheck.lint.engine import lint_text
from dfcheck.lint.registry import load_rules

HERE = Path(__file__).resolve().parent / "parity"
CASES = HERE / "buildkit_cases.json"
META = HERE / "buildkit_meta.json"


def buildkit_rules(meta_path: Path) -> dict[str, dict[str, Any]]:
    meta = json.loads(meta_path.read_text())
    return {r["name"]: r for r in meta["rules"]}


def alias_map(names: dict[str, dict[str, Any]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """dfcheck code -> BuildKit name, and BuildKit name -> dfcheck codes."""
    to_bk: dict[str, str] = {}
    to_df: dict[str, list[str]] = {}
    for code, rule in sorted(load_rules().items()):
        for alias in rule.aliases:
            if alias in names:
                to_bk[code] = alias
                to_df.setdefault(alias, []).append(code)
    return to_bk, to_df


def enabled_experimental(case: dict[str, Any]) -> set[str]:
    """Experimental BuildKit checks the case turns on (file directive or build argument)."""
    config = case["build_args"].get("BUILDKIT_DOCKERFILE_CHECK")
    if config is None:
        m = re.search(r"^#\s*check\s*=\s*(\S+)", case["dockerfile"], re.M)
        config = m.group(1) if m else ""
    out: set[str] = set()
    for part in config.split(";"):
        key, _, value = part.partition("=")
        if key.strip() == "experimental":
            out |= {v.strip() for v in value.split(",") if v.strip()}
    return out


def lint_case(case: dict[str, Any], select: tuple[str, ...]) -> list[Any]:
    settings = Settings().replace(select=select, build_args=dict(case["build_args"]))
    with tempfile.TemporaryDirectory(prefix="dfcheck-parity-") as tmp:
        context = Path(tmp)
        dockerfile = context / "Dockerfile"
        dockerfile.write_text(case["dockerfile"])
        if "dockerignore" in case:
            (context / ".dockerignore").write_text(case["dockerignore"])
        return lint_text(case["dockerfile"], "Dockerfile", settings, dockerfile, context).findings


def run(cases: list[dict[str, Any]], bk: dict[str, dict[str, Any]], all_rules: bool) -> list[dict[str, Any]]:
    to_bk, to_df = alias_map(bk)
    experimental = {name for name, r in bk.items() if r["experimental"]}
    results = []
    for case in cases:
        names = set(to_df)
        if not all_rules:
            enabled = enabled_experimental(case)
            names -= set() if "all" in enabled else experimental - enabled
        select = tuple(sorted(code for name in names for code in to_df[name]))
        findings = [f for f in lint_case(case, select) if f.code in to_bk]
        got = {(to_bk[f.code], f.span.start_line) for f in findings}
        want = {(w["rule"], w["line"]) for w in case["expected"] if w.get("line_asserted", True)}
        free = {(w["rule"], w["line"]) for w in case["expected"] if not w.get("line_asserted", True)} - want
        per_rule = compare(want, free, got)
        results.append(
            {
                "case": case,
                "agree": all(v["missed"] == 0 and v["extra"] == 0 for v in per_rule.values()),
                "per_rule": per_rule,
                "want": sorted(want, key=lambda x: (x[1], x[0])),
                "free": sorted(free, key=lambda x: (x[1], x[0])),
                "got": sorted(got, key=lambda x: (x[1], x[0])),
                "findings": [
                    {"rule": to_bk[f.code], "code": f.code, "line": f.span.start_line, "message": f.message}
                    for f in findings
                ],
                "unmapped": sorted({w["rule"] for w in case["expected"]} - set(to_df)),
            }
        )
    return results


def compare(
    want: set[tuple[str, int]], free: set[tuple[str, int]], got: set[tuple[str, int]]
) -> dict[str, dict[str, int]]:
    """Per BuildKit check: found, missed and extra (rule, line) pairs.

    ``want`` pairs must be reported on their line; ``free`` pairs (lines the test does not check)
    are matched with any leftover dfcheck finding of the same check.
    """
    out: dict[str, dict[str, int]] = {}
    for name in sorted({n for n, _ in want | free | got}):
        mine_want = {w for w in want if w[0] == name}
        mine_got = {g for g in got if g[0] == name}
        n_free = sum(1 for f in free if f[0] == name)
        leftover = len(mine_got - mine_want)
        matched_free = min(n_free, leftover)
        out[name] = {
            "found": len(mine_want & mine_got) + matched_free,
            "missed": len(mine_want - mine_got) + n_free - matched_free,
            "extra": leftover - matched_free,
        }
    return out


def summarise(results: list[dict[str, Any]], bk: dict[str, dict[str, Any]]) -> dict[str, Any]:
    _, to_df = alias_map(bk)
    per_rule: dict[str, dict[str, Any]] = {}

    def row(name: str) -> dict[str, Any]:
        return per_rule.setdefault(
            name,
            {"dfcheck": to_df.get(name, []), "cases": 0, "agree": 0, "found": 0, "missed": 0, "extra": 0},
        )

    for r in results:
        for name, counts in r["per_rule"].items():
            entry = row(name)
            entry["cases"] += 1
            entry["agree"] += counts["missed"] == 0 and counts["extra"] == 0
            for key in ("found", "missed", "extra"):
                entry[key] += counts[key]
    return {
        "cases": len(results),
        "agree": sum(r["agree"] for r in results),
        "per_rule": dict(sorted(per_rule.items())),
        "no_alias": sorted(name for name in bk if name not in to_df),
    }


def print_table(summary: dict[str, Any], seconds: float) -> None:
    print(f"dfcheck against BuildKit's check tests: {summary['cases']} cases ({seconds:.1f} s)\n")
    print(
        f"{'BuildKit check':<32} {'dfcheck':<8} {'cases':>6} {'agree':>6} {'found':>6} {'missed':>7} {'extra':>6}"
    )
    for name, row in summary["per_rule"].items():
        print(
            f"{name:<32} {','.join(row['dfcheck']) or '-':<8} {row['cases']:>6} {row['agree']:>6}"
            f" {row['found']:>6} {row['missed']:>7} {row['extra']:>6}"
        )
    print(
        "\n(cases: the cases where BuildKit expects the check or dfcheck reports it; agree: of those, the"
        " ones where both give the same lines for it)"
    )
    print(f"\ntotal: {summary['agree']}/{summary['cases']} cases agree (equal sets of (check, line))")
    if summary["no_alias"]:
        print(f"BuildKit checks no dfcheck rule is aliased to: {', '.join(summary['no_alias'])}")


def fmt(pairs: list[tuple[str, Any]]) -> str:
    return ", ".join(f"{name}@{line}" for name, line in pairs) or "nothing"


def print_failures(results: list[dict[str, Any]]) -> None:
    bad = [r for r in results if not r["agree"]]
    if not bad:
        return
    print("\nDisagreements:")
    for r in bad:
        case = r["case"]
        print(f"\n{case['id']} ({case['source']} of the test file)")
        print(f"  BuildKit: {fmt(r['want'] + [(n, f'~{line}') for n, line in r['free']])}")
        print(f"  dfcheck:  {fmt(r['got'])}")
        for w in case["expected"]:
            print(f"    expected {w['rule']}@{w['line']}: {w['detail']}")
        for f in r["findings"]:
            print(f"    dfcheck  {f['rule']}@{f['line']} ({f['code']}): {f['message']}")
        if r["unmapped"]:
            print(f"  no dfcheck rule is aliased to {', '.join(r['unmapped'])}")
        if case["build_args"]:
            print(f"  build args: {case['build_args']}")
        if case.get("notes"):
            print(f"  notes: {case['notes']}")
        if "dockerignore" in case:
            print(f"  .dockerignore: {case['dockerignore']!r}")
        for line in case["dockerfile"].split("\n"):
            print(f"  | {line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=str(CASES))
    ap.add_argument("--meta", default=str(META), help="buildkit_meta.json (BuildKit's rule names)")
    ap.add_argument("--failures", action="store_true", help="list every disagreeing case")
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument(
        "--rule", help="only cases where this BuildKit check (or dfcheck code) is expected or reported"
    )
    ap.add_argument(
        "--all-rules",
        action="store_true",
        help="select the opt-in counterparts of experimental checks everywhere",
    )
    args = ap.parse_args()

    bk = buildkit_rules(Path(args.meta))
    cases = json.loads(Path(args.cases).read_text())
    start = time.perf_counter()
    results = run(cases, bk, args.all_rules)
    seconds = time.perf_counter() - start
    if args.rule:
        to_bk, _ = alias_map(bk)
        name = to_bk.get(args.rule, args.rule)
        results = [r for r in results if name in r["per_rule"]]
        if not results:
            sys.exit(f"no case expects or reports {args.rule}")
    summary = summarise(results, bk)
    if args.json:
        doc = {
            **summary,
            "seconds": round(seconds, 2),
            "results": [
                {
                    "id": r["case"]["id"],
                    "agree": r["agree"],
                    "expected": [list(x) for x in r["want"]],
                    "expected_line_unchecked": [list(x) for x in r["free"]],
                    "dfcheck": [list(x) for x in r["got"]],
                    "findings": r["findings"],
                }
                for r in results
            ],
        }
        print(json.dumps(doc, indent=1))
        return
    print_table(summary, seconds)
    if args.failures:
        print_failures(results)


if __name__ == "__main__":
    main()
