"""The commands beside ``check``: ``baseline``, ``rules``, ``rule`` and ``parse``.

Plain functions with typer annotations; :mod:`dfcheck.cli.app` registers them (and builds
``check`` from its declaration in :mod:`dfcheck.cli.options`), so no command module imports the app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dfcheck.cli.options import FIELDS, help_text
from dfcheck.cli.runner import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS


def fail(message: str) -> typer.Exit:
    """Print ``message`` as a one-line error; the caller raises the returned exit (code 2)."""
    from dfcheck.report.plain import printable

    print(f"dfcheck: error: {printable(message)}", file=sys.stderr)
    return typer.Exit(EXIT_ERROR)


def baseline(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH", help="Dockerfiles or directories.", show_default=False),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="PATH", help="Baseline file to write.")
    ] = Path(".dfcheck-baseline.json"),
    select: Annotated[
        list[str] | None, typer.Option(metavar="RULES", help=help_text(FIELDS["select"][0]))
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(metavar="RULES", help=help_text(FIELDS["ignore"][0]))
    ] = None,
    config: Annotated[Path | None, typer.Option(metavar="PATH", help=FIELDS["config"][0].help)] = None,
) -> None:
    """Record today's findings so 'check --baseline' reports only new ones."""
    from dfcheck.cli.options import Check
    from dfcheck.cli.runner import run_baseline

    given = Check(
        paths=tuple(paths or ()), select=tuple(select or ()), ignore=tuple(ignore or ()), config=config
    )
    raise typer.Exit(run_baseline(given, output))


_RULE_FORMAT = typer.Option("--format", "-f", metavar="FORMAT", help="text, json or markdown.")


def rules(output_format: Annotated[str, _RULE_FORMAT] = "text") -> None:
    """List every rule: code, name, category, severity, aliases."""
    from dfcheck.lint.rulebook import render_rules

    try:
        print(render_rules(output_format), end="")
    except ValueError as exc:
        raise fail(str(exc)) from None


def rule(
    code: Annotated[
        str,
        typer.Argument(
            metavar="RULE", help="A rule code, name or alias (DF101, DL3008), or a code prefix (DF1)."
        ),
    ],
    output_format: Annotated[str, _RULE_FORMAT] = "text",
) -> None:
    """Show a rule's page; a prefix that matches several rules lists them."""
    from dfcheck.lint.registry import rules_matching
    from dfcheck.lint.rulebook import render_rule, render_rules

    found = rules_matching(code)
    try:
        if len(found) > 1:
            intro = f"{code} matches {len(found)} rules:\n" if output_format == "text" else ""
            print(intro + render_rules(output_format, found), end="")
        else:
            print(render_rule(code, output_format), end="")
    except (LookupError, ValueError) as exc:
        raise fail(exc.args[0]) from None


def parse(
    file: Annotated[str, typer.Argument(metavar="PATH", help="A Dockerfile, or '-' for stdin.")],
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="json or buildkit.")
    ] = "json",
) -> None:
    """Print the parsed model; exit 1 when BuildKit would reject the file while parsing.

    The bytes are read as BuildKit reads them: one UTF-8 BOM dropped, NUL bytes kept, bytes that
    are not UTF-8 kept as such (the BuildKit dump prints them as ``\\xNN`` like Go does).
    """
    from dfcheck.dockerfile.parse import dump_buildkit
    from dfcheck.dockerfile.parse import parse as parse_text
    from dfcheck.dockerfile.parse_json import json_chunks

    if output_format not in ("json", "buildkit"):
        raise fail(f"unknown format '{output_format}' (json, buildkit)")
    from dfcheck.dockerfile.source import read_dockerfile
    from dfcheck.report.plain import printable

    shown = printable(file)
    text, problem = read_dockerfile(file, shown, keep_bytes=True)
    if text is None:
        raise fail(problem)
    dockerfile = parse_text(text)
    chunks = [dump_buildkit(dockerfile)] if output_format == "buildkit" else json_chunks(dockerfile)
    try:
        sys.stdout.flush()
        for chunk in chunks:  # JSON: escapes, not surrogates; the dump keeps the file's own bytes
            sys.stdout.buffer.write(
                chunk.encode(
                    "utf-8", "surrogateescape" if output_format == "buildkit" else "backslashreplace"
                )
            )
        sys.stdout.buffer.flush()
    except BrokenPipeError:  # the reader went away: the exit code still says what BuildKit would do
        from dfcheck.report.output import quiet_stdout

        quiet_stdout()
    for error in dockerfile.errors:
        s = error.span
        print(
            f"{shown}:{s.start_line}:{s.start_col}: DF001 {printable(error.message)} [error]", file=sys.stderr
        )
    raise typer.Exit(EXIT_FINDINGS if dockerfile.errors else EXIT_CLEAN)


def server() -> None:
    """Run the language server for editors on stdin/stdout (needs dfcheck[lsp]; see docs/editors.md)."""
    from dfcheck.server import main

    raise typer.Exit(main())
