"""Before/after guard for refactors: lint both shared corpora and diff the findings.

    .venv/bin/python bench/corpus_diff.py --save /tmp/before      # on the old commit
    .venv/bin/python bench/corpus_diff.py --against /tmp/before   # on the new one

Every rule runs (opt-in ones too), in process and without ShellCheck, with the Dockerfile's own
folder as the build context, as ``dfcheck check FILE`` would. A finding is compared by (file, code,
span, message); the diff lists what appeared and what disappeared, grouped by rule. Exit 1 when
anything differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPORA = ("corpus", "corpus-apps")
_NOT_DOCKERFILES = (".dockerignore", ".md", ".tsv", ".context.txt")


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.endswith(_NOT_DOCKERFILES))


def lint_corpora() -> dict[str, list[list[object]]]:
    sys.path.insert(0, str(REPO))
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import Linter

    settings = Settings().replace(extend_select=("DF",), shellcheck=False)
    linter = Linter(None, settings, discover=False)
    results: dict[str, list[list[object]]] = {}
    for name in CORPORA:
        root = SHARED / name
        for path in corpus_files(root):
            key = f"{name}/{path.relative_to(root)}"
            result = linter.lint_file(path, key)
            rows: list[list[object]] = [[f.code, *f.span, f.message] for f in result.findings]
            if result.error:
                rows.append(["error", 0, 0, 0, 0, result.error])
            results[key] = rows
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the findings to DIR/findings.json")
    group.add_argument("--against", type=Path, help="compare with DIR/findings.json")
    parser.add_argument("--show", type=int, default=5, help="examples shown per rule and direction")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"no shared corpora at {SHARED}", file=sys.stderr)
        return 2
    now = lint_corpora()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / "findings.json").write_text(json.dumps(now, indent=0), encoding="utf-8")
        print(f"saved {sum(map(len, now.values()))} findings of {len(now)} files")
        return 0
    before = json.loads((args.against / "findings.json").read_text(encoding="utf-8"))
    changes: dict[tuple[str, str], list[str]] = {}
    for key in sorted(set(before) | set(now)):
        old = Counter(json.dumps(r) for r in before.get(key, []))
        new = Counter(json.dumps(r) for r in now.get(key, []))
        for direction, rows in (("-", old - new), ("+", new - old)):
            for row in rows.elements():
                code = json.loads(row)[0]
                changes.setdefault((str(code), direction), []).append(f"{key}: {row}")
    if not changes:
        print(f"no differences ({sum(map(len, now.values()))} findings, {len(now)} files)")
        return 0
    for (code, direction), rows in sorted(changes.items()):
        print(f"{direction} {code}: {len(rows)}")
        for row in rows[: args.show]:
            print(f"    {row}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
