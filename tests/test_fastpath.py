"""The start-up fast path must accept exactly the options the typer command declares."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer.main

from dfcheck.cli.app import app
from dfcheck.cli.fastpath import CHECK_OPTIONS, ENVVARS, parse_check


def test_option_table_matches_typer() -> None:
    command = typer.main.get_command(app)
    check = command.commands["check"]  # type: ignore[attr-defined]
    declared: dict[str, str] = {}
    envvars: dict[str, str] = {}
    for param in check.params:
        if param.param_type_name != "option":
            continue
        for opt in param.opts:
            declared[opt] = param.name
        if param.envvar:
            envvars[param.name] = param.envvar
    declared.pop("--help", None)
    assert {k: v[0] for k, v in CHECK_OPTIONS.items()} == declared
    assert envvars == ENVVARS


def test_parse_check_forms() -> None:
    values = parse_check(["a", "--format=json", "-f", "sarif=out.sarif", "--exit-zero", "--", "-weird"])
    assert values == {
        "paths": ["a", "-weird"],
        "output_format": ["json", "sarif=out.sarif"],
        "exit_zero": True,
    }
    assert parse_check(["--help"]) is None
    assert parse_check(["--unknown"]) is None
    assert parse_check(["--format"]) is None


def test_fast_and_typer_paths_agree(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\nCOPY --form=x a b\n")
    fast = subprocess.run(
        [sys.executable, "-m", "dfcheck", "check", str(dockerfile), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    slow = subprocess.run(
        [sys.executable, "-c", "from dfcheck.cli.app import main; main()", "check", str(dockerfile), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fast.returncode == slow.returncode == 1
    assert fast.stdout == slow.stdout
