"""Thin typer app: arguments -> Settings -> engine -> formatter -> exit code.

Exit codes: 0 clean, 1 findings at or above the failure threshold, 2 usage, configuration or
I/O error. Errors are one line with path:line:col; a Python traceback is a bug.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dfcheck import __version__
from dfcheck.cli.runner import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    build_cli_settings,
    run_baseline,
    run_check,
)

app = typer.Typer(
    name="dfcheck",
    help="A Dockerfile linter and layer-cache efficiency analyzer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _fail(message: str) -> typer.Exit:
    print(f"dfcheck: error: {message}", file=sys.stderr)
    return typer.Exit(EXIT_ERROR)


def _version(value: bool) -> None:
    if value:
        print(f"dfcheck {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Lint Dockerfiles, analyse layer caching and the build context."""


@app.command()
def check(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Dockerfiles or directories; '-' reads stdin.")
    ] = None,
    output_format: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help="auto, text, json, sarif, html, github, checkstyle, gitlab, junit, sonarqube, rdjson; "
            "repeat as NAME=PATH to write several.",
            envvar="DFCHECK_FORMAT",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option(help="Only these rules (codes, prefixes, names).")
    ] = None,
    extend_select: Annotated[list[str] | None, typer.Option(help="Also enable these (opt-in) rules.")] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip these rules (codes, prefixes, names, aliases).")
    ] = None,
    failure_threshold: Annotated[
        str | None,
        typer.Option(help="Fail on findings at or above: error, warning, info, style, none."),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    no_pragmas: Annotated[bool, typer.Option("--no-pragmas", help="Ignore inline ignore comments.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only findings, no summary.")] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Counts per rule after the report.")
    ] = False,
    color: Annotated[str, typer.Option(help="auto, always or never.", envvar="DFCHECK_COLOR")] = "auto",
    config: Annotated[Path | None, typer.Option(help="Use this config file instead of discovery.")] = None,
    target: Annotated[str | None, typer.Option(help="Build target stage (default: the last).")] = None,
    build_arg: Annotated[list[str] | None, typer.Option(help="NAME=VALUE, as for docker build.")] = None,
    context: Annotated[
        Path | None, typer.Option(help="Build context (default: the Dockerfile's directory).")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="Report only findings not in this baseline file.")
    ] = None,
    stdin_filename: Annotated[str | None, typer.Option(help="Name to show for '-' input.")] = None,
) -> None:
    """Lint Dockerfiles."""
    try:
        cli = build_cli_settings(
            {
                "select": select,
                "extend_select": extend_select,
                "ignore": ignore,
                "failure_threshold": failure_threshold,
                "no_pragmas": no_pragmas,
                "target": target,
                "build_arg": build_arg,
            }
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None
    code = run_check(
        paths or ["."],
        formats=output_format or ["auto"],
        output=output,
        cli=cli,
        exit_zero=exit_zero,
        quiet=quiet,
        statistics=statistics,
        color=color,
        config=config,
        context=context,
        baseline=baseline,
        stdin_filename=stdin_filename,
    )
    raise typer.Exit(code)


@app.command()
def baseline(
    paths: Annotated[list[str] | None, typer.Argument(help="Dockerfiles or directories.")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write.")] = Path(
        ".dfcheck-baseline.json"
    ),
    select: Annotated[list[str] | None, typer.Option(help="Only these rules.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Skip these rules.")] = None,
    config: Annotated[Path | None, typer.Option(help="Use this config file instead of discovery.")] = None,
) -> None:
    """Record today's findings so 'check --baseline' reports only new ones."""
    cli = build_cli_settings({"select": select, "ignore": ignore})
    raise typer.Exit(run_baseline(paths or ["."], output, cli, config))


@app.command()
def rules(
    output_format: Annotated[str, typer.Option("--format", "-f", help="text, json or markdown.")] = "text",
) -> None:
    """List every rule: code, name, category, severity, aliases."""
    from dfcheck.lint.rulebook import render_rules

    try:
        print(render_rules(output_format), end="")
    except ValueError as exc:
        raise _fail(str(exc)) from None


@app.command()
def rule(
    code: Annotated[str, typer.Argument(help="A rule code, name or alias (e.g. DF101, DL3008).")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text, json or markdown.")] = "text",
) -> None:
    """Show a rule's page."""
    from dfcheck.lint.rulebook import render_rule

    try:
        print(render_rule(code, output_format), end="")
    except (LookupError, ValueError) as exc:
        raise _fail(str(exc).strip("'\"")) from None


@app.command("parse")
def parse_command(
    file: Annotated[str, typer.Argument(help="A Dockerfile, or '-' for stdin.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="json or buildkit.")] = "json",
) -> None:
    """Print the parsed model; exit 1 when BuildKit would reject the file while parsing.

    The bytes are read as BuildKit reads them: one UTF-8 BOM dropped, NUL bytes kept, bytes that
    are not UTF-8 kept as such (the BuildKit dump prints them as ``\\xNN`` like Go does).
    """
    from dfcheck.dockerfile.parse import dump_buildkit, parse
    from dfcheck.dockerfile.parse_json import to_json

    if output_format not in ("json", "buildkit"):
        raise _fail(f"unknown format '{output_format}' (json, buildkit)")
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise _fail(f"{file}:1:1: cannot read: {exc.strerror or exc}") from None
    dockerfile = parse(data.decode("utf-8", "surrogateescape"))
    if output_format == "buildkit":
        out = dump_buildkit(dockerfile).encode("utf-8", "surrogateescape")
    else:
        import json

        out = (json.dumps(to_json(dockerfile), indent=2, ensure_ascii=False) + "\n").encode(
            "utf-8", "backslashreplace"
        )
    sys.stdout.flush()
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    for error in dockerfile.errors:
        s = error.span
        line = f"{file}:{s.start_line}:{s.start_col}: DF001 {error.message} [error]"
        print(line.encode("utf-8", "backslashreplace").decode("utf-8"), file=sys.stderr)
    raise typer.Exit(EXIT_FINDINGS if dockerfile.errors else EXIT_CLEAN)


def main() -> None:
    """The typer app; ``dfcheck.cli.main`` tries the fast path first."""
    app()




from dfcheck.cli import analyze as _analyze  # noqa: E402,F401
