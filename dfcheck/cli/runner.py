"""Running ``dfcheck check``: options -> settings -> engine -> formatters -> exit code, without typer.

Both the typer command and the start-up fast path call :func:`run_check` with the same
:class:`~dfcheck.cli.options.Check`, so the two cannot behave differently.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dfcheck.cli.options import Check
    from dfcheck.lint.config import Overrides, Settings
    from dfcheck.lint.finding import Report
    from dfcheck.lint.fixes import Outcome

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class RunError(Exception):
    """A usage, configuration or I/O problem: one line on stderr and exit 2."""


def cli_overrides(check: Check) -> Overrides:
    """The settings the command line gives, checked as the same keys in a config file are."""
    from dfcheck.cli.options import config_table
    from dfcheck.lint.config import overrides

    try:
        return overrides(*config_table(check))
    except ValueError as exc:
        raise RunError(f"error: {exc}") from None


def collect(
    paths: list[str],
    cli: Overrides,
    *,
    config: Path | None = None,
    context: Path | None = None,
    stdin_filename: str | None = None,
    unsafe: bool | None = None,
) -> tuple[Report, Settings, list[Outcome]]:
    """Discover and lint; returns the report, the settings that apply in the current directory and,
    when fixing (``unsafe`` not None: whether unsafe fixes apply), what fixing did to each file
    (the report then holds the findings of the fixed texts)."""
    from dfcheck.cli.discover import discover, is_excluded
    from dfcheck.lint.config import ConfigError, Settings, load_file, resolved
    from dfcheck.lint.engine import Linter, lint_many
    from dfcheck.lint.finding import FileResult, Report

    if context is not None and not context.is_dir():
        raise RunError(f"error: --context {context}: not a directory")
    try:
        base = Settings()
        if config is not None:
            kind = "hadolint" if config.suffix in (".yaml", ".yml") else "dfcheck"
            kind = "pyproject" if config.name == "pyproject.toml" else kind
            base = load_file(config, kind, base)
        linter = Linter(cli, base, discover=config is None)
        default_settings = linter.settings_for(Path.cwd() / "Dockerfile" if config is None else None)

        real: dict[Path, Path] = {}

        def excluded(path: Path) -> bool:
            """By the settings of the directory that holds ``path`` (not by a config inside it)."""
            patterns = linter.settings_for(path.parent).exclude
            return bool(patterns) and is_excluded(resolved(path, real), patterns)

        found, errors = discover([p for p in paths if p != "-"], excluded)
        if len(found) + ("-" in paths) > 1:
            _collect_garbage()
        outcomes: list[Outcome] = []
        if unsafe is None:
            report = lint_many(linter, found, context)
        else:
            from dfcheck.lint.fixes import fix_file, fix_many

            outcomes = fix_many(linter, found, context, unsafe)
            report = Report([o.result for o in outcomes])
        if "-" in paths:
            fake = Path(stdin_filename) if stdin_filename else None
            on_disk = fake if fake is not None and fake.is_file() else None
            if unsafe is None:
                report.files.append(linter.lint_stdin(stdin_filename or "-", on_disk, context))
            else:
                outcomes.append(fix_file(linter, "-", stdin_filename or "-", on_disk, context, unsafe))
                report.files.append(outcomes[-1].result)
        report.files.extend(FileResult(p, error=e) for p, e in errors)
    except ConfigError as exc:
        raise RunError(f"config error: {exc}") from None
    except ValueError as exc:
        raise RunError(f"error: {exc}") from None
    if not report.files:
        raise RunError("error: no Dockerfiles found in " + " ".join(paths))
    return report, default_settings, outcomes


def _collect_garbage() -> None:
    """Turn the cyclic garbage collector back on for a run over several files (the start-up path
    turns it off), with what start-up allocated frozen: it lives until the end, so scanning it
    is wasted, and forked workers then do not touch (and copy) its pages."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _say(line: str) -> None:
    """One line on stderr, with the control characters of paths and messages shown, not obeyed."""
    from dfcheck.report.plain import printable

    print(printable(line), file=sys.stderr)


def _print_file_errors(report: Report) -> bool:
    """One line per file with a problem; True when a file could not be checked at all."""
    unchecked = False
    for result in report.files:
        if result.error:
            _say(result.error)
            unchecked = unchecked or not result.text
    return unchecked


def run_check(check: Check) -> int:
    from dfcheck.cli.options import bad_choice
    from dfcheck.report.output import quiet_stdout, write_reports

    fixing = check.fix or check.fix_only or check.diff
    try:
        problem = bad_choice(check)
        if problem:
            raise RunError(f"error: {problem}")
        report, settings, outcomes = collect(
            list(check.paths) or ["."],
            cli_overrides(check),
            config=check.config,
            context=check.context,
            stdin_filename=check.stdin_filename,
            unsafe=check.unsafe_fixes if fixing else None,
        )
        if check.baseline is not None:
            from dfcheck.report.baseline import filter_report

            try:
                report = filter_report(report, check.baseline)
            except (OSError, ValueError) as exc:
                raise RunError(f"error: {exc}") from None
    except RunError as exc:
        _say(f"dfcheck: {exc}")
        return EXIT_ERROR
    report.statistics["shellcheck"] = _shellcheck_state(settings)
    unchecked = _print_file_errors(report)
    if fixing:
        from dfcheck.cli.fixing import apply

        applied = apply(check, outcomes, report)
        if check.diff or check.fix_only:
            return EXIT_ERROR if unchecked or not applied.ok else applied.exit_code
    formats = list(check.output_format) or ["auto"]
    try:
        if fixing and "-" in check.paths and check.output is None:
            import contextlib

            with contextlib.redirect_stdout(sys.stderr):  # stdout carries the fixed file
                written = write_reports(
                    report, formats, None, color=check.color, quiet=check.quiet, statistics=check.statistics
                )
        else:
            written = write_reports(
                report,
                formats,
                check.output,
                color=check.color,
                quiet=check.quiet,
                statistics=check.statistics,
            )
    except ValueError as exc:
        _say(f"dfcheck: error: {exc}")
        return EXIT_ERROR
    except BrokenPipeError:
        quiet_stdout()  # the reader went away (| head): the exit code stays what the findings say
        written = True
    if unchecked or not written or (fixing and not applied.ok):
        return EXIT_ERROR
    if check.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if any(r.fails for r in report.files) else EXIT_CLEAN


def run_baseline(check: Check, output: Path) -> int:
    """Write the current findings as a baseline so only new ones are reported from now on."""
    from dfcheck.report.baseline import write_baseline

    try:
        report, _, _ = collect(list(check.paths) or ["."], cli_overrides(check), config=check.config)
    except RunError as exc:
        _say(f"dfcheck: {exc}")
        return EXIT_ERROR
    unchecked = _print_file_errors(report)
    try:
        count = write_baseline(report, output)
    except OSError as exc:
        _say(f"dfcheck: error: cannot write baseline {output}: {exc.strerror or exc}")
        return EXIT_ERROR
    _say(f"dfcheck: wrote {count} finding{'s' if count != 1 else ''} to {output}")
    return EXIT_ERROR if unchecked else EXIT_CLEAN


def _shellcheck_state(settings: Settings) -> str:
    from dfcheck.shell.shellcheck_binary import available

    if not settings.shellcheck:
        return "off (disabled in configuration)"
    return "on" if available() else "off (install dfcheck[shellcheck] to enable)"
