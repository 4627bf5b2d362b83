"""Does lint time grow linearly? End-to-end ``dfcheck check`` on inputs of growing size.

    .venv/bin/python bench/scaling.py            # every shape, about a minute
    .venv/bin/python bench/scaling.py --quick    # smaller sizes

For each shape the same kind of Dockerfile is generated at 1x, 4x and 16x its base size and linted
in process (every rule, opt-in ones too, without ShellCheck), best of three runs. Linear growth
gives ratios near 4 and 16; the script flags a shape whose 4x/1x ratio exceeds 5 (the target of
the architecture issue) and prints the 2,400-instruction time (target: under 2 s).

Shapes: a stage of RUN apt-get installs with ENV between them (the case that was quadratic);
many stages; a chain of stages each built FROM the previous; heredoc RUNs; one RUN continued over
many lines; nested variable substitutions; and, for the number of files, copies of the shared
corpora (1,000 and 10,000 files) linted in one process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def installs(n: int) -> str:
    rows = ["FROM debian:12"]
    for i in range(n):
        rows.append(
            f"RUN apt-get update && apt-get install -y p{i} && rm -rf /var/lib/apt/lists/*"
            if i % 3
            else f"ENV V{i}=x{i}"
        )
    return "\n".join(rows) + "\n"


def copies_and_installs(n: int) -> str:
    rows = ["FROM node:20", "WORKDIR /app", "COPY package.json package-lock.json ./"]
    for i in range(n // 2):
        rows += [f"COPY src{i} ./src{i}", f"RUN cd src{i} && npm ci"]
    return "\n".join(rows) + "\n"


def stages(n: int) -> str:
    rows = []
    for i in range(n // 4):
        rows += [f"FROM alpine:3.20 AS s{i}", "WORKDIR /app", f"COPY --from=s{max(i - 1, 0)} /a /a", "RUN make"]
    return "\n".join(rows) + "\n"


def from_chain(n: int) -> str:
    rows = ["FROM debian:12 AS s0", "ENV A0=1"]
    for i in range(1, n // 2):
        rows += [f"FROM s{i - 1} AS s{i}", f"ENV A{i}=$A{i - 1}"]
    return "\n".join(rows) + "\nUSER app\n"


def heredocs(n: int) -> str:
    rows = ["# syntax=docker/dockerfile:1", "FROM alpine:3.20"]
    for i in range(n):
        rows += ["RUN <<EOF", f"apk add --no-cache p{i}", "echo done", "EOF"]
    return "\n".join(rows) + "\n"


def continuation(n: int) -> str:
    body = " \\\n".join(f"    pkg{i}" for i in range(n))
    return f"FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n{body}\n"


def nesting(n: int) -> str:
    value = "x"
    for _ in range(n):
        value = "${A:-" + value + "}"
    return f"FROM alpine:3.20\nARG A\nENV B={value}\nRUN echo $B\n"


SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    "instructions (apt-get RUNs, ENV between)": (installs, 150),
    "COPY and npm ci pairs (cache-ordering view)": (copies_and_installs, 150),
    "stages": (stages, 150),
    "FROM chain": (from_chain, 1000),
    "heredoc RUNs": (heredocs, 100),
    "continuation lines in one RUN": (continuation, 2000),
    "nested ${A:-...}": (nesting, 50),
}


def _lint_seconds(text: str, repeat: int = 3) -> float:
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import lint_text

    settings = Settings().replace(extend_select=("DF",), shellcheck=False)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        lint_text(text, "Dockerfile", settings)
        best = min(best, time.perf_counter() - start)
    return best


def _corpus_files() -> list[Path]:
    shared = REPO.parent / "shared"
    skip = (".dockerignore", ".md", ".tsv", ".context.txt")
    return sorted(
        p
        for name in ("corpus", "corpus-apps")
        if (shared / name).is_dir()
        for p in (shared / name).rglob("*")
        if p.is_file() and not p.name.endswith(skip)
    )


def _files_seconds(count: int) -> float | None:
    """Lint ``count`` corpus files (cycling through both corpora) in one process, as one run does."""
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import Linter

    files = _corpus_files()
    if not files:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(count):
            target = Path(tmp) / f"{i:05d}.Dockerfile"
            target.write_bytes(files[i % len(files)].read_bytes())
            paths.append(target)
        linter = Linter(None, Settings().replace(extend_select=("DF",), shellcheck=False), discover=False)
        start = time.perf_counter()
        for path in paths:
            linter.lint_file(path, context_dir=None)
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (1x, 4x only)")
    args = parser.parse_args()
    factors = (1, 4) if args.quick else (1, 4, 16)
    worst = 0.0
    print(f"{'shape':44} " + " ".join(f"{f:>3}x (s)" for f in factors) + "   4x/1x  16x/1x")
    for name, (make, base) in SHAPES.items():
        times = [_lint_seconds(make(base * f)) for f in factors]
        ratios = [t / times[0] for t in times[1:]]
        worst = max(worst, ratios[0])
        flag = "  <-- not linear" if ratios[0] > 5 else ""
        print(f"{name:44} " + " ".join(f"{t:8.3f}" for t in times) + "   " + "  ".join(f"{r:6.1f}" for r in ratios) + flag)
    big = _lint_seconds(installs(2400), repeat=1)
    print(f"\n2,400-instruction stage: {big:.2f} s (target < 2 s)")
    counts = (1000,) if args.quick else (1000, 10000)
    for count in counts:
        seconds = _files_seconds(count)
        if seconds is None:
            print("corpus files: ../shared not found, skipped")
            break
        print(f"{count:>6} corpus files in one process: {seconds:.2f} s ({seconds / count * 1000:.2f} ms a file)")
    print(f"\nworst 4x/1x ratio: {worst:.1f} (target <= 5)")
    return 0 if worst <= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
