"""How RUN-script parsing scales: parse time at 1x, 4x and 16x of each shape, and the fitted exponent.

Usage: python bench/scaling_shell.py [--base N] [--repeat N] [--max-exponent X]

Each shape grows one thing a real script has (commands, ``&&`` chains with assignments, pipes,
nesting of every kind, heredoc bodies, continuation lines) from ``--base`` units to 4x and 16x.
Two timings per size, CPU time, best of ``--repeat``:

- ``parse``: :func:`dfcheck.shell.parse_script` alone;
- ``+query``: the same plus what rules ask afterwards: every word's span (located lazily), and
  ``value_at`` / ``assigns`` for every command.

The exponent is ``log(t16 / t1) / log 16``: 1.0 is linear, 2.0 quadratic. A shape above
``--max-exponent`` (default 1.25, which allows for caches and timer noise on small inputs) is
flagged and the exit status is 1. Continuation lines go through dfcheck's Dockerfile parser,
so that the script's text map has one segment per line, as in real use.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dfcheck.dockerfile.parse import parse  # noqa: E402
from dfcheck.dockerfile.source import TextMap  # noqa: E402
from dfcheck.shell import Script, parse_script  # noqa: E402


def _continued(n: int) -> tuple[str, TextMap | None]:
    """One RUN of ``n`` continuation lines, as the Dockerfile parser hands it to parse_script."""
    lines = "".join(f"    pkg{i}=1.{i} \\\n" for i in range(n))
    ins = parse(
        f"FROM debian\nRUN apt-get update && apt-get install -y \\\n{lines}    && rm -rf /x\n"
    ).instructions[1]
    return ins.rest, ins.rest_map


def _plain(make: Callable[[int], str]) -> Callable[[int], tuple[str, TextMap | None]]:
    return lambda n: (make(n), None)


#: name -> (what grows, script of n units)
SHAPES: dict[str, tuple[str, Callable[[int], tuple[str, TextMap | None]]]] = {
    "commands": ("lines", _plain(lambda n: "".join(f"apt-get install -y pkg{i}\n" for i in range(n)))),
    "and-chain": (
        "commands",
        _plain(lambda n: " && ".join(f"v{i}=$v{i - 1}x && echo $v{i}" for i in range(n))),
    ),
    "pipes": ("stages", _plain(lambda n: " | ".join(f"grep -v p{i}" for i in range(n // 4)))),
    "pipes-many": ("stages", _plain(lambda n: " | ".join(f"tr a b{i}" for i in range(4 * n)))),
    "subst": ("levels", _plain(lambda n: "echo " + "$(echo " * n + "x" + ")" * n)),
    "subshells": ("levels", _plain(lambda n: "( cd a && " * n + "make" + " )" * n)),
    "braces": ("levels", _plain(lambda n: "{ a=1; " * n + "make;" + " }" * n)),
    "if": ("levels", _plain(lambda n: "if [ -f x ]; then a=$a.1; " * n + "make;" + " fi;" * n)),
    "parameters": ("levels", _plain(lambda n: "echo " + "${a:-" * n + "x" + "}" * n)),
    "sh-c": ("levels", _plain(lambda n: "sh -c '" * n + "make")),
    "heredoc": (
        "lines",
        _plain(lambda n: "cat <<EOF > /etc/x\n" + "key$i=$(hostname) ${HOME}\n" * n + "EOF\n"),
    ),
    "heredoc-shell": (
        "lines",
        _plain(lambda n: "bash -e <<'EOF'\n" + "apt-get install -y x | tee l\n" * n + "EOF\n"),
    ),
    "continuation": ("lines", _continued),
    "broken": ("units", _plain(lambda n: "echo 'a && (b | " * n)),
}


def _query(result: Script) -> None:
    for cmd in result.commands:
        for word in cmd.words:
            _ = word.span
        result.value_at("a", cmd)
        result.assigns("v1", cmd)


def best(fn: Callable[[], object], repeat: int) -> float:
    out = math.inf
    for _ in range(repeat):
        start = time.process_time()
        fn()
        out = min(out, time.process_time() - start)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--base", type=int, default=250, help="units at 1x")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--max-exponent", type=float, default=1.25)
    args = ap.parse_args()

    parse_script("echo warm-up | tee x")  # tree-sitter is loaded on first use
    header = f"{'shape':14s} {'unit':9s} {'1x chars':>9s}  {'parse ms 1x / 4x / 16x':>25s} exp   {'+query ms 1x / 4x / 16x':>25s} exp"
    print(header)
    print("-" * len(header))
    flagged = []
    for name, (unit, make) in SHAPES.items():
        sizes = [make(args.base * k) for k in (1, 4, 16)]
        rows = []
        for with_query in (False, True):
            times = []
            for text, textmap in sizes:
                if with_query:
                    times.append(best(lambda t=text, m=textmap: _query(parse_script(t, m)), args.repeat))
                else:
                    times.append(best(lambda t=text, m=textmap: parse_script(t, m), args.repeat))
            exponent = math.log(max(times[2], 1e-6) / max(times[0], 1e-6)) / math.log(16)
            rows.append((times, exponent))
            if exponent > args.max_exponent:
                flagged.append(
                    f"{name} ({'parse+query' if with_query else 'parse'}): exponent {exponent:.2f}"
                )
        cells = [
            f"{' / '.join(f'{t * 1000:.1f}' for t in times):>25s} {exponent:4.2f}" for times, exponent in rows
        ]
        print(f"{name:14s} {unit:9s} {len(sizes[0][0]):9,d}  {cells[0]}   {cells[1]}")
    for line in flagged:
        print(f"NOT LINEAR: {line}")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
