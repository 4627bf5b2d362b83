"""Running ``dfcheck check``: settings -> engine -> formatters -> exit code, without typer.

Both the typer command and the start-up fast path call :func:`run_check`, so the two cannot
behave differently.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

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
    from dfcheck.finding import FileResult
    from dfcheck.formatters import RenderOptions, auto_format, load, want_color

    cli_settings = {k: v for k, v in cli.items() if v not in (None, (), {})}
    if not cli["pragmas"]:
        cli_settings["pragmas"] = False
    try:
        if "failure_threshold" in cli_settings:
            cli_settings["failure_threshold"] = parse_threshold(cli_settings["failure_threshold"])
        base = Settings()
        if config is not None:
            kind = (
                "hadolint"
                if config.suffix in (".yaml", ".yml")
                else ("pyproject" if config.name == "pyproject.toml" else "dfcheck")
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
            report.files.append(
                linter.lint_bytes(data, name, fake if fake and fake.exists() else None, context)
            )
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
