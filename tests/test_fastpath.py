"""The start-up fast path and the typer command are built from one declaration and parse alike."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from dfcheck.cli import runner
from dfcheck.cli.app import app
from dfcheck.cli.main import parse_check
from dfcheck.cli.options import FIELDS, Check


def test_typer_command_is_built_from_the_declaration() -> None:
    command = typer.main.get_command(app)
    check = command.commands["check"]  # type: ignore[attr-defined]
    declared = {
        param.name: (tuple(param.opts), param.metavar, param.envvar)
        for param in check.params
        if param.name != "help"
    }
    assert declared == {
        name: (opt.flags or (name,), opt.metavar or None, opt.envvar) for name, (opt, _) in FIELDS.items()
    }


def test_parse_check_forms() -> None:
    assert parse_check(
        ["a", "--format=json", "-f", "sarif=out.sarif", "--exit-zero", "--", "-weird"]
    ) == Check(paths=("a", "-weird"), output_format=("json", "sarif=out.sarif"), exit_zero=True)
    assert parse_check(["-o", "x", "--output=y", "--context", "ctx"]) == Check(
        output=Path("y"), context=Path("ctx")
    )
    assert parse_check(["--help"]) is None
    assert parse_check(["--unknown"]) is None
    assert parse_check(["--format"]) is None
    assert parse_check(["--exit-zero=yes"]) is None
    assert parse_check(["-qf", "json"]) is None


COMMAND_LINES = [
    [],
    ["Dockerfile", "-", "--stdin-filename", "web/Dockerfile"],
    ["a", "b", "--select", "DF1,DF2", "--select", "DF3", "--ignore=DF101", "--extend-select", "DF301"],
    ["--format", "text", "-f", "json=out.json", "-o", "report.txt", "--output", "r2.txt"],
    ["--failure-threshold", "none", "--exit-zero", "--no-pragmas", "-q", "--statistics", "--color", "never"],
    ["--config", "cfg.toml", "--target", "runtime", "--build-arg", "A=1", "--build-arg", "B"],
    ["--context", ".", "--baseline", "base.json", "--", "--odd-name"],
    ["--target", "a", "--target", "b", "--color=always"],
]


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=" ".join)
@pytest.mark.parametrize(
    "env", [{}, {"DFCHECK_FORMAT": "text json=x.json", "DFCHECK_COLOR": "never"}, {"DFCHECK_FORMAT": ""}]
)
def test_fast_and_typer_parse_alike(
    argv: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    seen: list[Check] = []

    def record(check: Check) -> int:
        seen.append(check)
        return 0

    monkeypatch.setattr(runner, "run_check", record)
    result = CliRunner().invoke(app, ["check", *argv], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert parse_check(argv) == seen[0]


def test_fast_and_typer_paths_agree(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\nCOPY --form=x a b\n")
    command = ["check", str(dockerfile), "--format", "json"]
    fast = subprocess.run(
        [sys.executable, "-m", "dfcheck", *command], capture_output=True, text=True, check=False
    )
    slow = subprocess.run(
        [sys.executable, "-c", "from dfcheck.cli.app import main; main()", *command],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fast.returncode == slow.returncode == 1
    assert fast.stdout == slow.stdout


def test_check_starts_without_the_cli_framework(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\n")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dfcheck", "check", str(dockerfile), "--select", "DF001"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line
    }
    assert "dfcheck" in imported
    assert imported.isdisjoint({"typer", "click", "rich", "pydantic", "dataclasses"})


#: Prints, as the process ends, whether the cyclic collector runs and whether objects are frozen.
#: A check ends with os._exit (no exit handlers run), so the probe wraps it.
_GC_PROBE = (
    "import gc, os, sys\n"
    "real_exit = os._exit\n"
    "def probe(code):\n"
    "    print(gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr, flush=True)\n"
    "    real_exit(code)\n"
    "os._exit = probe\n"
    "sys.argv = ['dfcheck', *sys.argv[1:]]\n"
    "from dfcheck.cli.main import main\n"
    "main()\n"
)


@pytest.mark.parametrize(("count", "state"), [(1, "False False"), (2, "True True")])
def test_a_one_file_check_runs_without_the_cyclic_collector(tmp_path: Path, count: int, state: str) -> None:
    """Start-up's objects live until exit: one file is checked with the collector off, several with
    it back on and start-up's objects frozen."""
    for k in range(count):
        (tmp_path / f"{k}.Dockerfile").write_text("FROM alpine:3.20\nRUN echo $HOME\n")
    paths = [str(p) for p in sorted(tmp_path.iterdir())]
    proc = subprocess.run(
        [sys.executable, "-c", _GC_PROBE, "check", "--exit-zero", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == state


def test_a_check_exits_without_tearing_down_the_heap_unless_traced(tmp_path: Path) -> None:
    """os._exit skips exit handlers: the output must be complete without them, and a profiler or
    coverage (a trace function) still gets the normal exit."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\n" + "RUN echo $HOME\n" * 200)
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('normal exit', file=sys.stderr))\n"
        "if sys.argv[1] == 'traced':\n"
        "    sys.settrace(lambda *a: None)\n"
        "sys.argv = ['dfcheck', *sys.argv[2:]]\n"
        "from dfcheck.cli.main import main\n"
        "main()\n"
    )
    for mode in ("fast", "traced"):
        proc = subprocess.run(
            [sys.executable, "-c", probe, mode, "check", "--format", "json", str(dockerfile)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 1
        assert json.loads(proc.stdout)["files"][0]["findings"] >= 200
        assert ("normal exit" in proc.stderr) is (mode == "traced")
