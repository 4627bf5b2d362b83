"""Do parsing and the model grow linearly? Parse, Model and variable references on growing inputs.

    .venv/bin/python bench/scaling_parse.py            # 1x, 4x, 16x of every shape
    .venv/bin/python bench/scaling_parse.py --quick    # 1x and 4x

For each shape the same kind of Dockerfile is generated at 1x, 4x and 16x its base size; the
script times ``parse``, ``Model`` construction and ``variable_refs`` over every argument (CPU
time, best of three) and prints the 16x/1x ratios. Linear growth gives ratios near 16; a shape
whose worst ratio exceeds 20 (4x/1x: 5) is flagged and the exit status is 1.

Shapes: many instructions; many heredocs, and many markers on one line; one RUN continued over
many lines; ``${a:-...}`` nested deep in FROM, ARG, COPY and a heredoc line; a long line of
``${a`` without closing braces (the input that made ``variable_refs`` quadratic); a long word
on a heredoc line; and ARG values that double per line (their growth is capped).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def instructions(n: int) -> str:
    rows = ["FROM debian:12 AS build", "ARG VERSION=1.0"]
    for i in range(n):
        rows.append(
            [
                f"RUN apt-get update && apt-get install -y p{i} && rm -rf /var/lib/apt/lists/*",
                f"ENV V{i}=x{i} W{i}=/opt/{i}/bin:$VERSION",
                f"COPY --chown=app:app src/{i} /app/{i}",
                f'CMD ["/app/run", "--id", "{i}"]',
            ][i % 4]
        )
    return "\n".join(rows) + "\n"


def heredocs(n: int) -> str:
    rows = ["FROM alpine:3.20"]
    for i in range(n):
        rows += [f"RUN <<EOF{i} cat <<-'E{i}' > /f{i}", f"apk add p{i}", f"EOF{i}", f"\tbody {i}", f"\tE{i}"]
    return "\n".join(rows) + "\n"


def markers_on_one_line(n: int) -> str:
    head = "RUN " + " ".join(f"<<E{i}" for i in range(n))
    return "FROM alpine:3.20\n" + head + "\n" + "".join(f"echo {i}\nE{i}\n" for i in range(n))


def continuation(n: int) -> str:
    body = " \\\n".join(f"    && echo step-{i} ${{V{i % 7}}}" for i in range(n))
    return f"FROM alpine:3.20\nRUN true \\\n{body}\n"


def _long(piece: str, n: int) -> str:
    """``piece`` n times as one logical line: physical lines stay under BuildKit's 64 KiB."""
    per_line = max(1, 4000 // len(piece))
    return "\\\n".join(piece * min(per_line, n - k) for k in range(0, n, per_line))


def nesting(n: int) -> str:
    value = _long("${a:-", n) + "x" + _long("}", n)
    return f"FROM alpine:{value}\nARG B={value}\nCOPY {value} /x\nRUN <<EOF {value}\necho\nEOF\n"


def unclosed_braces(n: int) -> str:
    return "FROM alpine:3.20\nENV X=" + _long("${a", n) + "\nLABEL y=" + _long("'${b", n) + "\n"


def long_heredoc_word(n: int) -> str:
    return "FROM alpine:3.20\nRUN <<EOF cat " + "x" * n + "\nbody\nEOF\n"


def doubling(n: int) -> str:
    rows = ["ARG A0=x"]
    rows += [f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, n)]
    rows += ["FROM alpine:3.20", f"ARG A{n - 1}", f"RUN echo $A{n - 1}"]
    return "\n".join(rows) + "\n"


#: name -> (generator, base size). The heredoc word is one physical line: under 64 KiB at 16x.
SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    "instructions": (instructions, 1000),
    "heredocs": (heredocs, 250),
    "heredoc markers on one line": (markers_on_one_line, 250),
    "continuation lines": (continuation, 3000),
    "nesting depth": (nesting, 4000),
    "long line of unclosed ${a": (unclosed_braces, 10000),
    "long heredoc word": (long_heredoc_word, 4000),
    "doubling ARG values": (doubling, 400),
}


def _refs(dockerfile: object) -> None:
    from dfcheck.dockerfile.substitute import variable_refs

    for ins in dockerfile.walk():  # type: ignore[attr-defined]
        for token in ins.args:
            variable_refs(token.value)
        for pair in ins.pairs:
            variable_refs(pair.value)


def measure(text: str, repeat: int = 3) -> tuple[float, float, float]:
    """Best CPU seconds of parse, Model construction and variable_refs over every argument."""
    from dfcheck.dockerfile.model import Model
    from dfcheck.dockerfile.parse import parse

    best = [float("inf")] * 3
    for _ in range(repeat):
        t0 = time.process_time()
        dockerfile = parse(text)
        t1 = time.process_time()
        Model(dockerfile)
        t2 = time.process_time()
        _refs(dockerfile)
        t3 = time.process_time()
        best = [min(b, t) for b, t in zip(best, (t1 - t0, t2 - t1, t3 - t2), strict=True)]
    return best[0], best[1], best[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1x and 4x only")
    args = parser.parse_args()
    factors = (1, 4) if args.quick else (1, 4, 16)
    limit = 5 if args.quick else 20
    print(f"{'shape':28} {'size':>9}  " + "  ".join(f"{f:>2}x parse/model/refs (ms)" for f in factors))
    flagged = []
    for name, (make, base) in SHAPES.items():
        texts = [make(base * f) for f in factors]
        times = [measure(t) for t in texts]
        cells = ["/".join(f"{s * 1000:.1f}" for s in t).rjust(26) for t in times]
        # Under a millisecond the clock's granularity decides; such a phase cannot be judged.
        ratios = [times[-1][k] / times[0][k] if times[0][k] >= 0.001 else 0.0 for k in range(3)]
        worst = max(ratios)
        flag = "  <-- not linear" if worst > limit else ""
        if flag:
            flagged.append(name)
        shown = "/".join(f"{r:.1f}" if r else "-" for r in ratios)
        print(f"{name:28} {len(texts[-1]):>9}  " + "  ".join(cells) + f"   {factors[-1]}x/1x {shown}{flag}")
    print("\nnot linear: " + ", ".join(flagged) if flagged else "\nall shapes linear")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
