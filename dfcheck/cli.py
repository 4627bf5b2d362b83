"""Thin typer app: arguments -> Settings -> engine -> formatter -> exit code.

Exit codes: 0 clean, 1 findings at or above the failure threshold, 2 usage, configuration or
I/O error. Errors are one line with path:line:col; a Python traceback is a bug.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dfcheck import __version__

app = typer.Typer(
    name="dfcheck",
    help="A Dockerfile linter and layer-cache efficiency analyzer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v for item in values or [] for v in item.replace(",", " ").split() if v)


def _build_args(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        name, eq, value = item.partition("=")
        if not name:
            raise _fail(f"--build-arg expects NAME=VALUE, got '{item}'")
        out[name] = value if eq else __import__("os").environ.get(name, "")
    return out


@app.command()
def check(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Dockerfiles or directories; '-' reads stdin.")] = None,
    output_format: Annotated[
        Optional[list[str]],
        typer.Option(
            "--format",
            "-f",
            help="auto, text, json, sarif, html, github, checkstyle, gitlab, junit, sonarqube, rdjson; "
            "repeat as NAME=PATH to write several.",
            envvar="DFCHECK_FORMAT",
        ),
    ] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    select: Annotated[Optional[list[str]], typer.Option(help="Only these rules (codes, prefixes, names).")] = None,
    extend_select: Annotated[Optional[list[str]], typer.Option(help="Also enable these (opt-in) rules.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option(help="Skip these rules (codes, prefixes, names, aliases).")] = None,
    failure_threshold: Annotated[
        Optional[str],
        typer.Option(help="Fail on findings at or above: error, warning, info, style, none."),
    ] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")] = False,
    no_pragmas: Annotated[bool, typer.Option("--no-pragmas", help="Ignore inline ignore comments.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only findings, no summary.")] = False,
    statistics: Annotated[bool, typer.Option("--statistics", help="Counts per rule after the report.")] = False,
    color: Annotated[str, typer.Option(help="auto, always or never.", envvar="DFCHECK_COLOR")] = "auto",
    config: Annotated[Optional[Path], typer.Option(help="Use this config file instead of discovery.")] = None,
    target: Annotated[Optional[str], typer.Option(help="Build target stage (default: the last).")] = None,
    build_arg: Annotated[Optional[list[str]], typer.Option(help="NAME=VALUE, as for docker build.")] = None,
    context: Annotated[Optional[Path], typer.Option(help="Build context (default: the Dockerfile's directory).")] = None,
    baseline: Annotated[Optional[Path], typer.Option(help="Report only findings not in this baseline file.")] = None,
    stdin_filename: Annotated[Optional[str], typer.Option(help="Name to show for '-' input.")] = None,
) -> None:
    """Lint Dockerfiles."""
    code = run_check(
        paths or ["."],
        formats=output_format or ["auto"],
        output=output,
        cli={
            "select": _split(select),
            "extend_select": _split(extend_select),
            "ignore": _split(ignore),
            "failure_threshold": failure_threshold,
            "pragmas": not no_pragmas,
            "target": target,
            "build_args": _build_args(build_arg),
        },
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


def run_check(
    paths: list[str],
    *,
    formats: list[str],
    output: Path | None,
    cli: dict[str, Any],
    exit_zero: bool = False,
    quiet: bool = False,
    statistics: bool = False,
    color: str = "auto",
    config: Path | None = None,
    context: Path | None = None,
    baseline: Path | None = None,
    stdin_filename: str | None = None,
) -> int:
    from dfcheck.config import ConfigError, Settings, load_file, parse_threshold
    from dfcheck.discover import discover
    from dfcheck.engine import Linter, lint_many
    from dfcheck.finding import FileResult, Report
    from dfcheck.formatters import RenderOptions, auto_format, load, want_color

    cli_settings = {k: v for k, v in cli.items() if v not in (None, (), {})}
    if not cli["pragmas"]:
        cli_settings["pragmas"] = False
    try:
        if "failure_threshold" in cli_settings:
            cli_settings["failure_threshold"] = parse_threshold(cli_settings["failure_threshold"])
        base = Settings()
        if config is not None:
            kind = "hadolint" if config.suffix in (".yaml", ".yml") else (
                "pyproject" if config.name == "pyproject.toml" else "dfcheck"
            )
            base = load_file(config, kind, base)
        linter = Linter(cli_settings, base, discover=config is None)
        default_settings = linter.settings_for(Path.cwd() / "Dockerfile" if config is None else None)
        targets = [p for p in paths if p != "-"]
        found, errors = discover(targets)
        report = lint_many(linter, found, context)
        if "-" in paths:
            data = sys.stdin.buffer.read()
            name = stdin_filename or "-"
            fake = Path(stdin_filename) if stdin_filename else None
            report.files.append(linter.lint_bytes(data, name, fake if fake and fake.exists() else None, context))
        report.files.extend(FileResult(p, error=e) for p, e in errors)
    except ConfigError as exc:
        print(f"dfcheck: config error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:
        print(f"dfcheck: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if baseline is not None:
        from dfcheck.baseline import filter_report

        try:
            report = filter_report(report, baseline)
        except (OSError, ValueError) as exc:
            print(f"dfcheck: error: baseline {baseline}: {exc}", file=sys.stderr)
            return EXIT_ERROR
    report.statistics["shellcheck"] = _shellcheck_state(default_settings)
    had_io_error = False
    for result in report.files:
        if result.error:
            print(result.error, file=sys.stderr)
            had_io_error = had_io_error or not result.text
    if not report.files and not errors:
        print("dfcheck: error: no Dockerfiles found in " + " ".join(paths), file=sys.stderr)
        return EXIT_ERROR
    try:
        for spec in formats:
            name, _, dest = spec.partition("=")
            target_path = Path(dest) if dest else output
            name = auto_format() if name == "auto" else name
            formatter = load(name)
            stream: Any = target_path.open("w", encoding="utf-8", newline="\n") if target_path else sys.stdout
            try:
                options = RenderOptions(
                    color=want_color(color, stream) if name == "text" else False,
                    quiet=quiet,
                    statistics=statistics,
                )
                options.show_frames = options.color
                formatter.render(report, stream, options)
            finally:
                if target_path:
                    stream.close()
    except ValueError as exc:
        print(f"dfcheck: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"dfcheck: error: cannot write report: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if had_io_error:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if any(r.fails for r in report.files) else EXIT_CLEAN


def _shellcheck_state(settings: Any) -> str:
    from dfcheck.shellcheck import available

    if not settings.shellcheck:
        return "off (disabled in configuration)"
    return "on" if available() else "off (install dfcheck[shellcheck] to enable)"


@app.command()
def rules(
    output_format: Annotated[str, typer.Option("--format", "-f", help="text, json or markdown.")] = "text",
) -> None:
    """List every rule: code, name, category, severity, aliases."""
    from dfcheck.rulebook import render_rules

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
    from dfcheck.rulebook import render_rule

    try:
        print(render_rule(code, output_format), end="")
    except (LookupError, ValueError) as exc:
        raise _fail(str(exc).strip("'\"")) from None


@app.command("parse")
def parse_command(
    file: Annotated[str, typer.Argument(help="A Dockerfile, or '-' for stdin.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="json or buildkit.")] = "json",
) -> None:
    """Print the parsed model; exit 1 when BuildKit would reject the file while parsing."""
    from dfcheck.parse import dump_buildkit, parse
    from dfcheck.parse_json import to_json
    from dfcheck.source import decode

    if output_format not in ("json", "buildkit"):
        raise _fail(f"unknown format '{output_format}' (json, buildkit)")
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise _fail(f"{file}:1:1: cannot read: {exc.strerror or exc}") from None
    text, problem = decode(data)
    if problem and not text:
        raise _fail(f"{file}:1:1: {problem}")
    dockerfile = parse(text)
    if output_format == "buildkit":
        sys.stdout.write(dump_buildkit(dockerfile))
    else:
        import json

        print(json.dumps(to_json(dockerfile), indent=2, ensure_ascii=False))
    for error in dockerfile.errors:
        s = error.span
        print(f"{file}:{s.start_line}:{s.start_col}: DF001 {error.message} [error]", file=sys.stderr)
    raise typer.Exit(EXIT_FINDINGS if dockerfile.errors else EXIT_CLEAN)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        print("dfcheck: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_ERROR)
