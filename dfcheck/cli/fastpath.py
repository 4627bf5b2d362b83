"""Start-up fast path for ``dfcheck check``.

typer (with click, pydantic and rich behind it) costs about 100 ms to import, more than linting a
file takes; a pre-commit hook pays it on every call. The common ``check`` command lines are parsed
here with the same option table the typer command declares (a test keeps the two identical);
anything unusual (``--help``, a typo, another command) falls through to typer, which owns the
error messages.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

#: option -> (destination, kind): "flag" (no value), "one" (last wins) or "many" (repeatable).
CHECK_OPTIONS: dict[str, tuple[str, str]] = {
    "--format": ("output_format", "many"),
    "-f": ("output_format", "many"),
    "--output": ("output", "one"),
    "-o": ("output", "one"),
    "--select": ("select", "many"),
    "--extend-select": ("extend_select", "many"),
    "--ignore": ("ignore", "many"),
    "--failure-threshold": ("failure_threshold", "one"),
    "--exit-zero": ("exit_zero", "flag"),
    "--no-pragmas": ("no_pragmas", "flag"),
    "--quiet": ("quiet", "flag"),
    "-q": ("quiet", "flag"),
    "--statistics": ("statistics", "flag"),
    "--color": ("color", "one"),
    "--config": ("config", "one"),
    "--target": ("target", "one"),
    "--build-arg": ("build_arg", "many"),
    "--context": ("context", "one"),
    "--baseline": ("baseline", "one"),
    "--stdin-filename": ("stdin_filename", "one"),
}
#: Options whose environment variable typer reads (``envvar=``).
ENVVARS = {"output_format": "DFCHECK_FORMAT", "color": "DFCHECK_COLOR"}


def parse_check(argv: list[str]) -> dict[str, Any] | None:
    """Parsed options for ``check ARGS``, or None to let typer handle (and diagnose) the line."""
    values: dict[str, Any] = {"paths": []}
    i = 0
    only_paths = False
    while i < len(argv):
        arg = argv[i]
        i += 1
        if only_paths or arg == "-" or not arg.startswith("-"):
            values["paths"].append(arg)
            continue
        if arg == "--":
            only_paths = True
            continue
        name, eq, inline = arg.partition("=")
        spec = CHECK_OPTIONS.get(name)
        if spec is None:
            return None
        dest, kind = spec
        if kind == "flag":
            if eq:
                return None
            values[dest] = True
            continue
        if eq:
            value = inline
        elif i < len(argv):
            value = argv[i]
            i += 1
        else:
            return None
        if kind == "many":
            values.setdefault(dest, []).append(value)
        else:
            values[dest] = value
    return values


def run(argv: list[str]) -> int | None:
    """Exit code of a fast ``check`` run, or None when typer must handle the command line."""
    if not argv or argv[0] != "check":
        return None
    values = parse_check(argv[1:])
    if values is None:
        return None
    import os

    from dfcheck.cli.runner import build_cli_settings, run_check

    for dest, var in ENVVARS.items():
        if dest not in values and os.environ.get(var):
            values[dest] = [os.environ[var]] if dest == "output_format" else os.environ[var]
    try:
        cli = build_cli_settings(values)
    except ValueError as exc:
        print(f"dfcheck: error: {exc}", file=sys.stderr)
        return 2

    def path(key: str) -> Path | None:
        return Path(values[key]) if values.get(key) else None

    return run_check(
        values["paths"] or ["."],
        formats=values.get("output_format") or ["auto"],
        output=path("output"),
        cli=cli,
        exit_zero=bool(values.get("exit_zero")),
        quiet=bool(values.get("quiet")),
        statistics=bool(values.get("statistics")),
        color=values.get("color", "auto"),
        config=path("config"),
        context=path("context"),
        baseline=path("baseline"),
        stdin_filename=values.get("stdin_filename"),
    )
