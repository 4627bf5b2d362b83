"""Running ``dfcheck check``: settings -> engine -> formatters -> exit code, without typer.

Both the typer command and the start-up fast path call :func:`run_check`, so the two cannot
behave differently.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dfcheck.lint.config import Settings
    from dfcheck.lint.finding import Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v for item in values or [] for v in item.replace(",", " ").split() if v)


def build_cli_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Command-line option values -> Settings fields; a malformed value raises ValueError."""
    build_args: dict[str, str] = {}
    for item in values.get("build_arg") or []:
        name, eq, value = item.partition("=")
        if not name:
            raise ValueError(f"--build-arg expects NAME=VALUE, got '{item}'")
        build_args[name] = value if eq else os.environ.get(name, "")
    return {
        "select": _split(values.get("select")),
        "extend_select": _split(values.get("extend_select")),
        "ignore": _split(values.get("ignore")),
        "failure_threshold": values.get("failure_threshold"),
        "pragmas": not values.get("no_pragmas"),
        "target": values.get("target"),
        "build_args": build_args,
    }


class RunError(Exception):
    """A usage, configuration or I/O problem: one line on stderr and exit 2."""


def collect(
    paths: list[str],
    cli: dict[str, Any],
    *,
    config: Path | None = None,
    context: Path | None = None,
    stdin_filename: str | None = None,
) -> tuple[Report, Settings]:
    """Discover and lint; returns the report and the settings that apply in the current directory."""
    from dfcheck.cli.discover import discover
    from dfcheck.lint.config import ConfigError, Settings, load_file, parse_threshold
    from dfcheck.lint.engine import Linter, lint_many
    from dfcheck.lint.finding import FileResult

    cli_settings = {k: v for k, v in cli.items() if v not in (None, (), {})}
    if not cli.get("pragmas", True):
        cli_settings["pragmas"] = False
    try:
        if "failure_threshold" in cli_settings:
            cli_settings["failure_threshold"] = parse_threshold(cli_settings["failure_threshold"])
        base = Settings()
        if config is not None:
            kind = "hadolint" if config.suffix in (".yaml", ".yml") else "dfcheck"
            kind = "pyproject" if config.name == "pyproject.toml" else kind
            base = load_file(config, kind, base)
        linter = Linter(cli_settings, base, discover=config is None)
        default_settings = linter.settings_for(Path.cwd() / "Dockerfile" if config is None else None)
        found, errors = discover([p for p in paths if p != "-"])
        report = lint_many(linter, found, context)
        if "-" in paths:
            fake = Path(stdin_filename) if stdin_filename else None
            on_disk = fake if fake is not None and fake.is_file() else None
            report.files.append(linter.lint_stdin(stdin_filename or "-", on_disk, context))
        report.files.extend(FileResult(p, error=e) for p, e in errors)
    except ConfigError as exc:
        raise RunError(f"config error: {exc}") from None
    except ValueError as exc:
        raise RunError(f"error: {exc}") from None
    if not report.files:
        raise RunError("error: no Dockerfiles found in " + " ".join(paths))
    return report, default_settings


def _print_file_errors(report: Report) -> bool:
    """One line per unreadable or undecodable file; True when a file could not be linted at all."""
    unreadable = False
    for result in report.files:
        if result.error:
            print(result.error, file=sys.stderr)
            unreadable = unreadable or not result.text
    return unreadable


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
    from dfcheck.report.output import write_reports

    try:
        report, settings = collect(paths, cli, config=config, context=context, stdin_filename=stdin_filename)
        if baseline is not None:
            from dfcheck.report.baseline import filter_report

            try:
                report = filter_report(report, baseline)
            except (OSError, ValueError) as exc:
                raise RunError(f"error: {exc}") from None
    except RunError as exc:
        print(f"dfcheck: {exc}", file=sys.stderr)
        return EXIT_ERROR
    report.statistics["shellcheck"] = _shellcheck_state(settings)
    unreadable = _print_file_errors(report)
    try:
        if not write_reports(report, formats, output, color=color, quiet=quiet, statistics=statistics):
            return EXIT_ERROR
    except ValueError as exc:
        print(f"dfcheck: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if unreadable:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if any(r.fails for r in report.files) else EXIT_CLEAN


def run_baseline(paths: list[str], output: Path, cli: dict[str, Any], config: Path | None = None) -> int:
    """Write the current findings as a baseline so only new ones are reported from now on."""
    from dfcheck.report.baseline import write_baseline

    try:
        report, _ = collect(paths, cli, config=config)
    except RunError as exc:
        print(f"dfcheck: {exc}", file=sys.stderr)
        return EXIT_ERROR
    unreadable = _print_file_errors(report)
    try:
        count = write_baseline(report, output)
    except OSError as exc:
        print(f"dfcheck: error: cannot write baseline {output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"dfcheck: wrote {count} finding{'s' if count != 1 else ''} to {output}", file=sys.stderr)
    return EXIT_ERROR if unreadable else EXIT_CLEAN


def _shellcheck_state(settings: Any) -> str:
    from dfcheck.shell.shellcheck import available

    if not settings.shellcheck:
        return "off (disabled in configuration)"
    return "on" if available() else "off (install dfcheck[shellcheck] to enable)"
