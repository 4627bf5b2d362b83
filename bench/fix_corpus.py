"""``--fix --unsafe-fixes`` over both shared corpora: what it changes, whether it is right, its cost.

    .venv/bin/python bench/fix_corpus.py                 # in process: counts, refusals, lint vs fix time
    .venv/bin/python bench/fix_corpus.py --cli           # also times `dfcheck check` vs `--fix` runs
    .venv/bin/python bench/fix_corpus.py --show DF201    # the diffs one rule's fixes made

Every file is copied into a temporary build context of its own (an application file with its
``.context.txt`` listing materialised as empty files and its ``.dockerignore``, as
bench/cache_order_labels.py does); the corpora are never written. Every rule runs (opt-in ones
too), without ShellCheck, as bench/corpus_diff.py does. For each file it checks:

- no crash: a rule that raises, or an exception in the fix engine, is counted as an error;
- the guard (BuildKit dump outside the edited instructions, fixed findings gone) refuses nothing
  (target 0): every refusal is listed with its reason;
- idempotence: fixing the fixed file (with the files the first run created) changes nothing;
- the fixed findings are gone: the fixed file's findings carry no fix the run would apply.

Reported: files changed, fixes applied per rule, refusals, passes, and the time of a lint run and
of a fix run over the same files (target: the fix run at most 2x the lint run).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from cache_order_labels import materialise  # noqa: E402
from corpus_diff import CORPORA, corpus_files  # noqa: E402


def stage(root: Path) -> list[tuple[str, Path]]:
    """Each corpus file as ``<root>/<n>/Dockerfile`` in a build context of its own."""
    staged: list[tuple[str, Path]] = []
    for name in CORPORA:
        corpus = SHARED / name
        for index, path in enumerate(corpus_files(corpus)):
            folder = root / name / str(index)
            folder.mkdir(parents=True)
            if name == "corpus-apps":
                materialise(path, folder)
            target = folder / "Dockerfile"
            target.write_bytes(path.read_bytes())
            staged.append((f"{name}/{path.relative_to(corpus)}", target))
    return staged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", action="store_true", help="also time the dfcheck command (lint vs --fix)")
    parser.add_argument("--show", metavar="CODE", help="print the diffs of files this rule's fixes changed")
    parser.add_argument("--safe-only", action="store_true", help="without --unsafe-fixes")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (the fastest counts)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"no shared corpora at {SHARED}", file=sys.stderr)
        return 2
    from dfcheck.dockerfile.source import decode
    from dfcheck.lint import engine
    from dfcheck.lint.config import Settings
    from dfcheck.lint.fixes import Policy, fix_text, unified_diff

    crashes: list[str] = []
    engine.rule_error_hook = lambda path, code, exc: crashes.append(f"{path}: {code} raised {exc!r}")
    settings = Settings().replace(extend_select=("DF",), shellcheck=False)
    policy = Policy(unsafe=not args.safe_only)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        staged = stage(root)
        texts = {key: decode(path.read_bytes())[0] for key, path in staged}

        lint_runs: list[float] = []
        fix_runs: list[float] = []
        outcomes = {}
        for _ in range(args.repeat):
            start = time.perf_counter()
            for key, path in staged:
                engine.lint_text(texts[key], key, settings, path, path.parent)
            lint_runs.append(time.perf_counter() - start)
            start = time.perf_counter()
            for key, path in staged:
                try:
                    outcomes[key] = fix_text(texts[key], key, settings, policy, path, path.parent)
                except Exception as exc:  # the bench reports every crash instead of stopping
                    crashes.append(f"{key}: fix engine raised {exc!r}")
            fix_runs.append(time.perf_counter() - start)
        lint_seconds, fix_seconds = min(lint_runs), min(fix_runs)

        applied: Counter[str] = Counter()
        passes: Counter[int] = Counter()
        refusals: list[str] = []
        not_idempotent: list[str] = []
        left_over: list[str] = []
        changed = 0
        for key, path in staged:
            outcome = outcomes.get(key)
            if outcome is None:
                continue
            applied.update(outcome.applied)
            passes[outcome.passes] += 1
            if outcome.refused:
                refusals.append(f"{key}: {outcome.refused}")
            if not outcome.changed:
                continue
            changed += 1
            if args.show and outcome.applied.get(args.show):
                print(unified_diff(key, outcome.original, outcome.text), end="")
            still = sorted({f.code for f in outcome.result.findings if policy.applies(f)})
            if still:
                left_over.append(f"{key}: {', '.join(still)}")
            path.write_text(outcome.text, encoding="utf-8", newline="")
            for name, content in outcome.files.items():
                (path.parent / name).write_text(content, encoding="utf-8")
            again = fix_text(outcome.text, key, settings, policy, path, path.parent)
            if again.changed or again.refused:
                not_idempotent.append(f"{key}: {dict(again.applied)} {again.refused or ''}")

        print(f"files: {len(staged)}, changed: {changed}, fixes applied: {sum(applied.values())}")
        print(
            f"crashes: {len(crashes)}, guard refusals: {len(refusals)}, not idempotent: {len(not_idempotent)}, "
            f"fixable findings left: {len(left_over)}"
        )
        print(
            "files by passes that changed them: " + ", ".join(f"{n}: {c}" for n, c in sorted(passes.items()))
        )
        print("fixes applied per rule:")
        for code, count in sorted(applied.items()):
            print(f"  {code}  {count:>6}")
        for title, items in (
            ("crashes", crashes),
            ("guard refusals", refusals),
            ("not idempotent", not_idempotent),
            ("fixable findings left", left_over),
        ):
            if items:
                print(f"{title}:")
                for item in items[:40]:
                    print(f"  {item}")
        ratio = fix_seconds / lint_seconds if lint_seconds else 0.0
        print(
            f"in process, fastest of {args.repeat}: lint {lint_seconds:.1f} s, fix {fix_seconds:.1f} s "
            f"({ratio:.2f}x the lint run)"
        )
        if args.cli:
            _time_cli()
    return 1 if crashes or refusals or not_idempotent or left_over else 0


def _time_cli() -> None:
    """``dfcheck check`` and ``dfcheck check --fix --unsafe-fixes`` over fresh copies of the files,
    with a ``.dfcheck.toml`` turning every rule on and ShellCheck off; the median of three runs."""
    exe = shutil.which("dfcheck", path=str(Path(sys.executable).parent))
    if exe is None:
        print("no dfcheck command beside this interpreter", file=sys.stderr)
        return
    times: dict[str, list[float]] = {"lint": [], "fix": []}
    for _ in range(3):
        for label, extra in (("lint", []), ("fix", ["--fix", "--unsafe-fixes"])):
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp)
                (root / ".git").mkdir()
                (root / ".dfcheck.toml").write_text('extend-select = ["DF"]\nshellcheck = false\n')
                files = [str(path) for _, path in stage(root)]
                command = [exe, "check", "--format", "json", "-o", "/dev/null", "--exit-zero", *extra, *files]
                start = time.perf_counter()
                subprocess.run(command, check=False, cwd=root)
                times[label].append(time.perf_counter() - start)
    lint, fix = sorted(times["lint"])[1], sorted(times["fix"])[1]
    print(
        f"dfcheck command ({' '.join(['check', '--fix', '--unsafe-fixes', 'FILES...'])}): "
        f"lint {lint:.1f} s, fix {fix:.1f} s ({fix / lint:.2f}x the lint run)"
    )


if __name__ == "__main__":
    sys.exit(main())
