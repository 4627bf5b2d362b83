"""Precision and recall of the cache-ordering rules (DF101, DF151) against hand labels.

    .venv/bin/python bench/cache_order_labels.py            # totals, per ecosystem
    .venv/bin/python bench/cache_order_labels.py --misses   # every disagreement, with the reason

The labels (bench/labels/cache-order/*.json, policy in bench/labels/cache-order.md) were made by
reading the application Dockerfiles of ``../shared/corpus-apps`` and their ``.context.txt``
listings. Each file is linted with its listing materialised as empty files in a temporary build
context (and its ``.dockerignore``), as ``dfcheck check --context`` would see the real one. A
prediction is the RUN instruction of each re-running install a DF101/DF151 finding names; a label
is the RUN a reader said re-runs needlessly.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "bench" / "labels" / "cache-order"
APPS = REPO.parent / "shared" / "corpus-apps"
sys.path.insert(0, str(REPO))


def load_labels() -> dict[str, dict[str, object]]:
    labels: dict[str, dict[str, object]] = {}
    for part in sorted(LABELS.glob("*.json")):
        labels.update(json.loads(part.read_text(encoding="utf-8")))
    return labels


def materialise(dockerfile: Path, root: Path) -> None:
    """The file's ``.context.txt`` listing as empty files under ``root``, with its ignore file."""
    listing = dockerfile.with_name(dockerfile.name + ".context.txt")
    for line in listing.read_text(encoding="utf-8").splitlines() if listing.is_file() else []:
        target = root / line
        if ".." in Path(line).parts or line.startswith("/"):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.touch()
    ignore = dockerfile.with_name(dockerfile.name + ".dockerignore")
    if ignore.is_file():
        (root / ".dockerignore").write_bytes(ignore.read_bytes())


def predict(dockerfile: Path) -> dict[int, str]:
    """RUN line -> the rule and ecosystem dfcheck names for it."""
    from dfcheck.dockerfile.source import decode
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import lint_text

    text, _ = decode(dockerfile.read_bytes())
    settings = Settings().replace(select=("DF101", "DF151"), shellcheck=False)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        materialise(dockerfile, root)
        result = lint_text(text, dockerfile.name, settings, root / "Dockerfile.linted", root)
    from dfcheck.dockerfile.parse import parse

    runs = [ins for ins in parse(text).walk() if ins.keyword == "RUN"]
    found: dict[int, str] = {}
    for finding in result.findings:
        for related in finding.related:
            line = related.span.start_line
            run = next((r for r in runs if r.span.start_line <= line <= r.span.end_line), None)
            if run is not None:
                found[run.span.start_line] = f"{finding.code} {finding.message[:100]}"
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every false positive and false negative")
    args = parser.parse_args()
    if not APPS.is_dir():
        print(f"no corpus at {APPS}", file=sys.stderr)
        return 2
    labels = load_labels()
    tp = fp = fn = 0
    by_eco: Counter[str] = Counter()
    missed_eco: Counter[str] = Counter()
    lines: list[str] = []
    for key, label in sorted(labels.items()):
        dockerfile = APPS / key
        if not dockerfile.is_file():
            continue
        expected = {int(f["line"]): str(f.get("ecosystem", "?")) for f in label["flag"]}  # type: ignore[index, union-attr]
        got = predict(dockerfile)
        for line, eco in expected.items():
            by_eco[eco] += 1
            if line in got:
                tp += 1
            else:
                fn += 1
                missed_eco[eco] += 1
                reason = next(str(f["reason"]) for f in label["flag"] if int(f["line"]) == line)  # type: ignore[union-attr,index]
                lines.append(f"FN {key}:{line} [{eco}] {reason[:140]}")
        for line, what in got.items():
            if line not in expected:
                fp += 1
                lines.append(f"FP {key}:{line} {what}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"files {len(labels)}, labelled RUNs {tp + fn}, predicted {tp + fp}")
    print(f"precision {precision:.1%} ({tp}/{tp + fp}), recall {recall:.1%} ({tp}/{tp + fn})")
    print(
        "per ecosystem (found/labelled): "
        + ", ".join(f"{eco} {n - missed_eco[eco]}/{n}" for eco, n in by_eco.most_common())
    )
    if args.misses:
        print("\n".join(sorted(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
