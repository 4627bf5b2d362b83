"""Does lint time grow linearly, and how much memory does a run take? ``dfcheck`` on growing inputs.

    .venv/bin/python bench/scaling.py            # every shape and the memory figures, a few minutes
    .venv/bin/python bench/scaling.py --quick    # smaller sizes, no 10,000-file run

For each shape the same kind of input is generated at 1x, 4x and 16x its base size and run in
process, best of three (lint: every rule, opt-in ones too, without ShellCheck). Linear growth gives
ratios near 4 and 16; the script flags a shape whose 4x/1x ratio exceeds 5 (the target of the
architecture issue) and prints the 2,400-instruction time (target: under 2 s).

Shapes, linted: a stage of RUN apt-get installs with ENV between them (the case that was
quadratic); COPY and install pairs (the cache-ordering view); many stages; a chain of stages each
built FROM the previous; heredoc RUNs; one RUN continued over many lines; every instruction kind
repeated in one stage (a rule remembering all it saw shows up here); nested variable
substitutions; ARG values that double per line (bounded substitution output); a long ENV value of
``${a${a...`` (the input that made ``variable_refs`` quadratic); ``.dockerignore`` patterns and
files in the build context (the context rules, with ``COPY . /app``). Not linted: the cache
analysis (``dfcheck cache``) of the instruction shape with a changed file and a changed build
argument, and N findings of one file rendered in all ten output formats plus a baseline written
and applied (formatters that split the file once per finding were quadratic). For the number of
files: copies of the shared corpora (1,000 and 10,000 files) linted in one process.

Memory (Linux): the peak resident set of a child process (``VmHWM``) and of the largest of its
worker processes (``ru_maxrss``) of ``dfcheck check`` on a one-line file (the interpreter and the rulebook),
on the whole public corpus (both corpora, every rule, in one invocation) and on a 5 MB Dockerfile
(the largest any entry point reads), and of ``dfcheck parse`` and ``dfcheck cache`` on that file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


class Case(NamedTuple):
    """A Dockerfile and the files of its build context (written to a temporary directory)."""

    text: str
    files: dict[str, str]


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
        rows += [
            f"FROM alpine:3.20 AS s{i}",
            "WORKDIR /app",
            f"COPY --from=s{max(i - 1, 0)} /a /a",
            "RUN make",
        ]
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


def every_kind(n: int) -> str:
    """Every instruction kind over and over in one stage (ARG, ENV, LABEL, COPY, remote ADD, RUNs
    that delete, chown, add users and install, WORKDIR, USER, EXPOSE, ONBUILD, pragmas, heredocs),
    so that a rule keeping or searching everything seen so far shows up as quadratic."""
    rows = ["# syntax=docker/dockerfile:1", "FROM python:3.12 AS base"]
    for i in range(n // 16):
        rows += [
            f"ARG A{i}=v{i}", f"ENV E{i}=$A{i} PATH=/opt/{i}:$PATH", f'LABEL l{i}="v{i}" org.x{i}=y',
            f"COPY --chown=app:app src/{i} /app/{i}", f"ADD https://example.com/{i}.tgz /tmp/{i}.tgz",
            f"RUN rm -rf /app/{i}/x && chown -R app /app/{i} && useradd -m u{i} && pip install p{i}==1",
            f"RUN --mount=type=secret,id=s{i} curl -u $A{i}:x https://e/{i} && apt-get install -y q{i}",
            f"WORKDIR /w{i}", f"USER u{i}", f"EXPOSE {1000 + i}", f"VOLUME /v{i}",
            f"ONBUILD RUN echo {i} $U{i}", f"# dfcheck ignore=DF{i % 900:03d}", f"RUN <<EOF\necho {i}\nEOF",
            f'HEALTHCHECK CMD ["curl", "-f", "http://localhost/{i}"]', "STOPSIGNAL SIGTERM",
        ]  # fmt: skip
    return "\n".join([*rows, 'CMD ["python", "app.py"]']) + "\n"


def arg_doubling(n: int) -> str:
    """Each ARG doubles the previous value: 2**n characters if substitution were not bounded."""
    rows = ["FROM alpine:3.20", "ARG A0=x"] + [f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, n)]
    return "\n".join(rows) + f"\nRUN echo $A{n - 1} > /f\nCOPY $A{n - 1} /x\n"


def unclosed_braces(n: int) -> str:
    return "FROM alpine:3.20\nENV X=" + "${a" * n + "\nRUN echo $X\n"


def ignore_patterns(n: int) -> Case:
    """``n`` .dockerignore patterns (half of them exceptions) over a context of 200 files."""
    patterns = "".join(f"dir{i}/**/*.tmp\n!dir{i}/keep{i}\n" for i in range(n // 2))
    files = {f"src/m{i}/f{i}.py": "x\n" for i in range(200)} | {".dockerignore": patterns}
    return Case("FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCOPY src/m1/f1.py /x\nUSER app\n", files)


def context_files(n: int) -> Case:
    """``n`` files in a build context (ten per directory, three levels) read by ``COPY . /app``."""
    files = {f"src/d{i // 100}/e{i // 10 % 10}/f{i}.py": "x\n" for i in range(n)}
    files[".dockerignore"] = "**/*.pyc\n!src/d0/e0/f0.py\n"
    return Case("FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCOPY src/d0 /d0\nUSER app\n", files)


SHAPES: dict[str, tuple[Callable[[int], str | Case], int]] = {
    "instructions (apt-get RUNs, ENV between)": (installs, 150),
    "COPY and npm ci pairs (cache-ordering view)": (copies_and_installs, 150),
    "stages": (stages, 150),
    "FROM chain": (from_chain, 1000),
    "heredoc RUNs": (heredocs, 100),
    "continuation lines in one RUN": (continuation, 2000),
    "every instruction kind, one stage": (every_kind, 400),
    "nested ${A:-...}": (nesting, 50),
    "ARG values doubling per line": (arg_doubling, 30),
    "ENV value of ${a${a... (unclosed)": (unclosed_braces, 4000),
    ".dockerignore patterns (context rules)": (ignore_patterns, 1000),
    "files in the build context (context rules)": (context_files, 500),
}


def _best(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _lint_seconds(case: str | Case, repeat: int = 3) -> float:
    from dfcheck.build.context import clear_cache
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import lint_text

    settings = Settings().replace(extend_select=("DF",), shellcheck=False)
    if isinstance(case, str):
        return _best(lambda: lint_text(case, "Dockerfile", settings), repeat)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, content in case.files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(content)

        def run() -> None:
            clear_cache()  # the context's listings are kept for the next file of a run: read them again
            lint_text(case.text, "Dockerfile", settings, root / "Dockerfile", root)

        return _best(run, repeat)


def _cache_seconds(n: int) -> float:
    """``dfcheck cache``'s analysis of the instruction shape with a changed file and build arg."""
    from dfcheck.build.cache import analyse_file

    text = installs(n)
    with tempfile.TemporaryDirectory() as tmp:
        return _best(
            lambda: analyse_file(
                None, text=text, context=Path(tmp), changed_files={"a"}, changed_args=[("V", "1")]
            ),
            3,
        )


def _formats_seconds(n: int) -> float:
    """``n`` findings of one file in all ten formats, and a baseline written and applied."""
    from dfcheck.dockerfile.source import Span
    from dfcheck.lint.finding import FileResult, Finding, Report, Severity
    from dfcheck.report import RenderOptions
    from dfcheck.report.baseline import filter_report, write_baseline
    from dfcheck.report.output import render_report

    text = "FROM alpine:3.20\n" + "RUN echo step\n" * n
    findings = [
        Finding("DF840", "mergeable-runs", Severity.STYLE, "merge", "Dockerfile", Span(i, 1, i, 4))
        for i in range(2, n + 2)
    ]
    report = Report([FileResult("Dockerfile", text, findings)])
    from dfcheck.report import FORMATS as formats

    def run() -> None:
        for name in formats:
            render_report(name, report, RenderOptions())
        with tempfile.TemporaryDirectory() as tmp:
            write_baseline(report, Path(tmp) / "b.json", tmp)
            filter_report(report, Path(tmp) / "b.json", tmp)

    return _best(run, 1)


OTHER: dict[str, tuple[Callable[[int], float], int]] = {
    "cache analysis of the instruction shape": (_cache_seconds, 150),
    "findings of one file, every format + baseline": (_formats_seconds, 1000),
}


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
    """Lint ``count`` corpus files (cycling through both corpora) in one process, as one run does.

    The copies go into folders of 100, as the corpora keep a project's Dockerfiles together: each
    folder is the build context of its files, so every ``COPY .`` reads a context of 100 files
    whatever ``count`` is. (All in one folder, each file's context would grow with ``count`` and
    the run with its square: that measures the size of the context, which the context shape does.)"""
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import Linter

    files = _corpus_files()
    if not files:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(count):
            folder = Path(tmp) / f"{i // 100:03d}"
            folder.mkdir(exist_ok=True)
            target = folder / f"{i:05d}.Dockerfile"
            target.write_bytes(files[i % len(files)].read_bytes())
            paths.append(target)
        linter = Linter(None, Settings().replace(extend_select=("DF",), shellcheck=False), discover=False)
        start = time.perf_counter()
        for path in paths:
            linter.lint_file(path, context_dir=None)
        return time.perf_counter() - start


def _row(name: str, times: list[float]) -> float:
    ratios = [t / times[0] for t in times[1:]]
    flag = "  <-- not linear" if ratios[0] > 5 else ""
    print(
        f"{name:46} "
        + " ".join(f"{t:8.3f}" for t in times)
        + "   "
        + "  ".join(f"{r:6.1f}" for r in ratios)
        + flag
    )
    return ratios[0]


def _peak(args: list[str]) -> tuple[float, float, float]:
    """(seconds, peak MB, peak MB of the largest worker process) of ``dfcheck ARGS`` in a child.

    The child reports its own high-water mark, ``VmHWM`` of ``/proc/self/status`` (its
    ``ru_maxrss`` would also count the pages of this process it was forked from), and the
    ``ru_maxrss`` of the worker processes it forked itself.
    """
    import subprocess

    probe = (
        "import os, resource, runpy, sys\n"
        "def report():\n"
        "    hwm = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "    print(hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr, flush=True)\n"
        "real_exit = os._exit\n"
        "os._exit = lambda code: (report(), real_exit(code))\n"  # `check` ends with os._exit
        "sys.argv = ['dfcheck', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('dfcheck', run_name='__main__')\n"
        "except SystemExit:\n    report()\n"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, cwd=REPO, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    own, workers = (int(v) / 1024 for v in done.stderr.decode().strip().splitlines()[-1].split())
    return seconds, own, workers


def five_mb() -> str:
    block = (
        "FROM debian:bookworm-slim AS build\n"
        "ENV LANG=C.UTF-8 \\\n    PATH=/usr/local/bin:$PATH\n"
        "RUN set -eux; \\\n    apt-get update; \\\n"
        "    apt-get install -y --no-install-recommends ca-certificates curl make gcc; \\\n"
        "    rm -rf /var/lib/apt/lists/*\n"
        "COPY --from=build --chown=app:app /usr/src/app /app\n"
        "RUN <<EOF\nmake -C /app install\nEOF\n"
        'HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/"]\n'
        'CMD ["/app/run", "--port", "8080"]\n\n'
    )
    from dfcheck.dockerfile.source import MAX_BYTES

    return block * (MAX_BYTES // len(block))


def memory(quick: bool) -> None:
    print("\npeak memory (resident set), child processes:")
    every = ["--extend-select", "DF", "--exit-zero", "--format", "json", "-o", "/dev/null"]
    with tempfile.TemporaryDirectory() as tmp:
        tiny = Path(tmp) / "tiny.Dockerfile"
        tiny.write_text("FROM alpine:3.20\n")
        big = Path(tmp) / "big.Dockerfile"
        big.write_text(five_mb())
        config = Path(tmp) / "dfcheck.toml"
        config.write_text("shellcheck = false\n")
        every += ["--config", str(config)]
        size = big.stat().st_size / 1048576
        runs = [("check, a one-line file (start-up)", ["check", *every, str(tiny)], 0.0)]
        files = [str(p) for p in _corpus_files()]
        if files and not quick:
            total = sum(Path(f).stat().st_size for f in files) / 1048576
            runs.append(
                (
                    f"check, both corpora ({len(files):,} files, {total:.1f} MB)",
                    ["check", *every, *files],
                    total,
                )
            )
        runs += [
            (f"check, a {size:.1f} MB Dockerfile", ["check", *every, str(big)], size),
            (f"parse, the {size:.1f} MB Dockerfile", ["parse", str(big)], size),
            (
                f"cache, the {size:.1f} MB Dockerfile",
                ["cache", str(big), "-f", "json", "--changed", str(big)],
                size,
            ),
        ]
        for label, args, mb in runs:
            seconds, own, workers = _peak(args)
            extra = f", largest worker {workers:.0f} MB" if workers > 1 else ""
            ratio = f" ({own / mb:.0f}x the input)" if mb else ""
            print(f"  {label:54} {own:7.0f} MB{ratio}{extra}, {seconds:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes (1x, 4x only), no 10,000-file run"
    )
    parser.add_argument("--skip-memory", action="store_true", help="no peak-memory runs")
    args = parser.parse_args()
    factors = (1, 4) if args.quick else (1, 4, 16)
    worst = 0.0
    print(f"{'shape':46} " + " ".join(f"{f:>3}x (s)" for f in factors) + "   4x/1x  16x/1x")
    for name, (make, base) in SHAPES.items():
        worst = max(worst, _row(name, [_lint_seconds(make(base * f)) for f in factors]))
    for name, (measure, base) in OTHER.items():
        worst = max(worst, _row(name, [measure(base * f) for f in factors]))
    big = _lint_seconds(installs(2400), repeat=1)
    print(f"\n2,400-instruction stage: {big:.2f} s (target < 2 s)")
    counts = (1000,) if args.quick else (1000, 10000)
    for count in counts:
        seconds = _files_seconds(count)
        if seconds is None:
            print("corpus files: ../shared not found, skipped")
            break
        print(
            f"{count:>6} corpus files in one process: {seconds:.2f} s ({seconds / count * 1000:.2f} ms a file)"
        )
    if not args.skip_memory:
        memory(args.quick)
    print(f"\nworst 4x/1x ratio: {worst:.1f} (target <= 5)")
    return 0 if worst <= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
