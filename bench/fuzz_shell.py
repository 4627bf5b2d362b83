"""Fuzz the shell parsers in process with mutated RUN scripts from the shared corpora.

Usage: python bench/fuzz_shell.py [--rounds N] [--seed N] [--budget-us US] [--save DIR] [CORPUS...]

Every RUN script of the corpora (shell form and heredoc bodies, read with dfcheck's own Dockerfile
parser) is mutated ``--rounds`` times, one to three edits each: truncated, characters flipped or
deleted, a slice repeated, quotes, heredoc openers and delimiters, ``$(``, ``sh -c '`` and the
like injected, or an opener repeated hundreds to thousands of times (deep nesting). Each mutant
goes through every parser path *unguarded* (``parse_posix`` with its tree-sitter/fallback
choice, the fallback lexer alone, the PowerShell and cmd splits) and through ``parse_script``,
and every query a rule may make (spans, flags, subcommand, ``value_at``) is asked of every
command. A failure is an exception of any kind, or a mutant costing more CPU time than the budget:
``--budget-base-ms`` plus ``--budget-us`` per character, far above what linear parsing takes, so
that only runaway (quadratic or worse) cases trip it. Failures are printed and, with ``--save``,
written one file each so that they can become tests. Exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dfcheck.dockerfile.parse import parse  # noqa: E402
from dfcheck.dockerfile.source import decode  # noqa: E402
from dfcheck.shell import Script, parse_script  # noqa: E402
from dfcheck.shell.builder import Builder  # noqa: E402
from dfcheck.shell.frame import Frame, line_map  # noqa: E402
from dfcheck.shell.lexer import parse_fallback, parse_windows  # noqa: E402
from dfcheck.shell.parse import parse_posix  # noqa: E402

SHARED = ROOT.parent / "shared"
_NOT_DOCKERFILES = (".dockerignore", ".md", ".tsv", ".context.txt")

#: Short pieces a mutation inserts: every construct with an opener and a closer, and the closers.
TOKENS = (
    "'", '"', "`", "$(", "$((", "${", "${a:-", "(", ")", "{ ", " }", "<(", "$'", "\\", "\\\n", "\n",
    "<<EOF\n", "<<-'X'\n", "\nEOF\n", "\nX\n", "bash <<EOF\n", "sh -c '", 'sh -c "', "case x in ",
    " in ", ";;", "esac", "if ", "then ", "fi", "for ((", "&&", "||", "|", ";", "#", "=", "a=(",
    "sudo ", "env A=1 ", "-y", "--x=", "é", "\U0001f600", "\x00", "\ud800",
)  # fmt: skip
#: Openers repeated to nest deeply.
OPENERS = (
    "$(", "$( ", "${a:-", "( ", "{ ", "`", '"$(', "sh -c '", "bash <<EOF\n", "cat <<EOF\n$(",
    "<(cat ", "if x; then a=1; ", "a=1 && ", "a | ", "f() { ",
)  # fmt: skip
FLIPS = " \t\n'\"`$(){}[]<>|&;\\#=*!-"


def corpus_scripts(folders: list[Path]) -> list[str]:
    """Every RUN script of the Dockerfiles under ``folders``, as dfcheck hands them to the parser."""
    scripts: list[str] = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name.endswith(_NOT_DOCKERFILES):
                continue
            text, _ = decode(path.read_bytes())
            for ins in parse(text).instructions:
                target = ins.trigger if ins.trigger is not None else ins
                if target.keyword != "RUN" or target.is_json:
                    continue
                scripts.append(target.rest)
                scripts.extend(h.content for h in target.heredocs)
    return [s for s in scripts if s.strip()]


def mutate(rng: random.Random, script: str, deepest: int = 3000) -> str:
    """One to three random edits of ``script``; an opener is repeated up to ``deepest`` times."""
    for _ in range(rng.randint(1, 3)):
        n = len(script)
        k = rng.randint(0, n)
        kind = rng.randrange(7)
        if kind == 0:
            script = script[:k]
        elif kind == 1 and n:
            k = min(k, n - 1)
            script = (
                script[:k]
                + (rng.choice(FLIPS) if rng.random() < 0.7 else chr(rng.randint(0, 0x2FF)))
                + script[k + 1 :]
            )
        elif kind == 2:
            script = script[:k] + script[k + rng.randint(1, 20) :]
        elif kind == 3:
            j = rng.randint(k, min(n, k + 200))
            script = script[:j] + script[k:j] * rng.randint(2, 50) + script[j:]
        elif kind == 4:
            opener = rng.choice(OPENERS)
            script = script[:k] + opener * rng.randint(deepest // 30, deepest) + script[k:]
        else:
            script = script[:k] + rng.choice(TOKENS) + script[k:]
    return script


def _query(result: Script) -> None:
    """Everything a rule may ask of a parse; spans are located lazily, so this is where they are."""
    for cmd in result.commands:
        _ = cmd.span, cmd.name_span, [w.span for w in cmd.words]
        cmd.has_flag("-y", "--yes")
        cmd.flag_values("-o", "-t")
        _ = cmd.subcommand, cmd.positional()
        result.value_at("a", cmd)
        result.assigns("a", cmd)


def every_path(script: str) -> None:
    """All parser paths without parse_script's last-resort guard, then parse_script itself."""
    paths: list[Callable[[Frame, Builder], None]] = [
        parse_posix,
        parse_fallback,
        lambda frame, builder: parse_windows(frame, builder, "powershell"),
        lambda frame, builder: parse_windows(frame, builder, "cmd"),
    ]
    for path in paths:
        builder = Builder(parse_posix)
        path(Frame(script, line_map(script)), builder)
        _query(builder.script(True))
    for dialect in ("sh", "cmd"):
        _query(parse_script(script, dialect=dialect))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument(
        "corpus", nargs="*", type=Path, help="folders of Dockerfiles (default: both shared corpora)"
    )
    ap.add_argument("--rounds", type=int, default=1, help="mutants per corpus script (a round: ~4 min)")
    ap.add_argument("--seed", type=int, default=1646)
    ap.add_argument("--budget-base-ms", type=float, default=500.0)
    ap.add_argument("--budget-us", type=float, default=50.0, help="CPU microseconds allowed per character")
    ap.add_argument("--save", type=Path, help="write each failing mutant to DIR/NNNN.sh")
    args = ap.parse_args()

    folders = args.corpus or [SHARED / "corpus", SHARED / "corpus-apps"]
    scripts = corpus_scripts(folders)
    rng = random.Random(args.seed)
    failures: list[tuple[str, str]] = []
    per_char: list[float] = []
    slowest = (0.0, "")
    total_chars = 0
    start = time.process_time()
    for rnd in range(args.rounds):
        for script in scripts:
            mutant = mutate(rng, script)
            t0 = time.process_time()
            try:
                every_path(mutant)
            except BaseException as exc:  # RecursionError and friends are what this looks for
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failures.append((mutant, "".join(traceback.format_exception(exc)[-3:]).strip()))
                continue
            elapsed = time.process_time() - t0
            total_chars += len(mutant)
            per_char.append(elapsed / max(len(mutant), 1) * 1e6)
            if elapsed > slowest[0]:
                slowest = (elapsed, mutant)
            if elapsed > args.budget_base_ms / 1000 + args.budget_us * len(mutant) / 1e6:
                failures.append((mutant, f"over budget: {elapsed:.3f} s for {len(mutant)} characters"))
        print(
            f"round {rnd + 1}/{args.rounds}: {len(scripts)} mutants, {len(failures)} failures so far",
            flush=True,
        )
    cpu = time.process_time() - start

    per_char.sort()
    print(f"{len(per_char)} mutants passed, {total_chars / 1e6:.1f} M characters, {cpu:.1f} s CPU")
    print(
        f"CPU per character, all paths: median {statistics.median(per_char):.2f} us,"
        f" p99 {per_char[int(len(per_char) * 0.99)]:.2f} us, max {per_char[-1]:.2f} us"
    )
    print(
        f"slowest mutant: {slowest[0] * 1000:.0f} ms for {len(slowest[1])} characters: {slowest[1][:80]!r}..."
    )
    for k, (mutant, why) in enumerate(failures):
        print(f"--- failure {k}: {len(mutant)} characters: {mutant[:120]!r}\n{why}")
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{k:04d}.sh").write_text(mutant, encoding="utf-8", errors="surrogatepass")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
