"""``dfcheck context`` and ``dfcheck cache``: the build-context report and the layer-cache analysis.

Plain functions that :mod:`dfcheck.cli.app` registers; ``dfcheck check``'s fast path never
imports this module.

Both print one line per problem on stderr (``dfcheck: error: ...``, ``dfcheck: warning: ...``)
with names shown by :func:`printable`, and write their report whole: to ``-o FILE`` through a
temporary file and a rename, to stdout at once; a reader that stops early (``| head``) ends the
output quietly with the exit code unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from dfcheck.cli.commands import fail as _fail
from dfcheck.cli.runner import EXIT_CLEAN, EXIT_ERROR
from dfcheck.report.plain import printable


def context_command(
    directory: Annotated[
        Path, typer.Argument(help="The build context (default: the current directory).")
    ] = Path("."),
    dockerfile: Annotated[
        Path | None,
        typer.Option("--dockerfile", help="The Dockerfile, for its own <name>.dockerignore."),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    list_files: Annotated[bool, typer.Option("--list", help="Also list every path that is sent.")] = False,
) -> None:
    """Show what the build context sends: totals, largest entries, what each ignore pattern matched.

    Exits 2 when the report lists errors (an ignore pattern Docker rejects, a path it cannot
    read): ``docker build`` would fail on those.
    """
    from dfcheck.build.inventory import context_report
    from dfcheck.report.context_text import render_context_text
    from dfcheck.report.plain import json_text

    if output_format not in ("text", "json"):
        raise _fail(f"unknown format '{printable(output_format)}' (text, json)")
    if not directory.is_dir():
        raise _fail(f"{printable(str(directory))}: not a directory")
    try:
        report = context_report(directory, dockerfile, list_files=list_files)
    except OSError as exc:
        raise _fail(f"{printable(str(directory))}: {exc.strerror or exc}") from None
    code = EXIT_ERROR if report["errors"] else EXIT_CLEAN
    if output_format == "json":
        _emit(json_text(report), None, utf8=True, code=code)
    else:
        _emit(render_context_text(_printable_record(report)), None, utf8=False, code=code)
    raise typer.Exit(code)


def cache_command(
    dockerfile: Annotated[Path, typer.Argument(help="The Dockerfile to analyse; '-' reads it from stdin.")],
    context: Annotated[
        Path | None,
        typer.Option(help="Build context (default: the Dockerfile's directory; for '-', the current one)."),
    ] = None,
    target: Annotated[str | None, typer.Option(help="Build target stage (default: the last).")] = None,
    changed: Annotated[
        list[str] | None,
        typer.Option(
            "--changed",
            help="A changed file or directory, relative to the current directory; it must be in the context.",
        ),
    ] = None,
    build_arg: Annotated[list[str] | None, typer.Option(help="NAME=VALUE, as for docker build.")] = None,
    changed_arg: Annotated[
        list[str] | None,
        typer.Option(
            "--changed-arg",
            help="A build arg whose value differs from the cached build (NAME or NAME=VALUE).",
        ),
    ] = None,
    remote_changed: Annotated[
        bool, typer.Option("--remote-changed", help="Treat unpinned remote ADD sources as changed.")
    ] = False,
    since: Annotated[str | None, typer.Option(help="Replay the git history since this revision.")] = None,
    history: Annotated[int | None, typer.Option(help="Replay the last N commits.", min=1)] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text, json or html.")] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
) -> None:
    """Which step misses first in each stage, what re-runs, and reorderings that would save rebuilds."""
    from dfcheck.build.cache import Change, analyse_file, context_relative
    from dfcheck.cli.options import build_args as parse_build_args
    from dfcheck.report.cache import render_text
    from dfcheck.report.plain import json_text

    if output_format not in ("text", "json", "html"):
        raise _fail(f"unknown format '{printable(output_format)}' (text, json, html)")
    stdin = str(dockerfile) == "-"
    shown = printable(str(dockerfile))
    text = _read_dockerfile(dockerfile, stdin)
    context_dir = context if context is not None else (Path(".") if stdin else dockerfile.parent)
    if not context_dir.is_dir():
        raise _fail(f"{printable(str(context_dir))}: the build context is not a directory")
    try:
        build_args = parse_build_args(build_arg or [])
    except ValueError as exc:
        raise _fail(printable(str(exc))) from None
    try:
        paths = context_relative(changed or [], context_dir)
    except OSError as exc:  # a directory below a --changed one cannot be listed
        raise _fail(printable(str(exc))) from None
    for raw in paths.outside:
        _say(
            "error", f"--changed {printable(raw)}: not inside the build context {printable(str(context_dir))}"
        )
    if paths.outside:
        raise typer.Exit(EXIT_ERROR)
    for raw in paths.missing:
        _say("warning", f"--changed {printable(raw)}: no such file or directory; counted as a deleted file")
    try:
        cache_model, change, record = analyse_file(
            None if stdin else dockerfile,
            text=text,
            context=context_dir,
            target=target,
            build_args=build_args,
            changed_files=paths.files,
            changed_args=[_changed_arg(item) for item in changed_arg or []],
            remote=remote_changed,
        )
    except OSError as exc:  # the ignore file cannot be read: Docker could not send the context
        raise _fail(printable(str(exc))) from None
    if target and cache_model.model.target_stage(target) is None:
        raise _fail(f"target stage '{printable(target)}' not found in {shown}")
    _warn_undeclared_args(cache_model, [name for name, _ in change.args])
    record["history"] = None
    replayed: list[Change] = []
    if since is not None or history is not None:
        from dfcheck.build.history import HistoryError, history_record, replay_changes

        try:
            replay = replay_changes(cache_model, context_dir, dockerfile, since=since, limit=history)
        except HistoryError as exc:
            raise _fail(f"history: {printable(str(exc))}") from None
        replayed = replay.changes
        record["history"] = history_record(
            cache_model, replay, [cache_model.analyse(c) for c in replay.changes]
        )
    from dfcheck.build.history import suggestion_records

    record["suggestions"] = suggestion_records(
        cache_model,
        replayed if record["history"] is not None else ([change] if not change.empty else []),
        history=record["history"] is not None,
        path=str(record["dockerfile"]),
    )
    if output_format == "json":
        rendered = json_text(record)
    elif output_format == "html":
        rendered = _html(record, None if stdin else dockerfile, text)
    else:
        rendered = render_text(record, cache_model.dockerfile)
    _emit(rendered, output, utf8=output_format != "text", code=EXIT_CLEAN)
    raise typer.Exit(EXIT_CLEAN)


def _say(level: str, message: str) -> None:
    print(f"dfcheck: {level}: {message}", file=sys.stderr)


def _read_dockerfile(dockerfile: Path, stdin: bool) -> str:
    """The Dockerfile's text, read as ``dfcheck check`` reads it (same size limit, regular files
    only); bytes that are not UTF-8 are replaced with a warning, as ``check`` does."""
    from dfcheck.dockerfile.source import read_dockerfile

    text, problem = read_dockerfile("-" if stdin else str(dockerfile), printable(str(dockerfile)))
    if text is None:
        raise _fail(problem)
    if problem:
        _say("warning", problem)
    return text


def _changed_arg(item: str) -> tuple[str, str | None]:
    name, eq, value = item.partition("=")
    if not name:
        raise _fail(f"--changed-arg expects NAME or NAME=VALUE, got '{printable(item)}'")
    return name, value if eq else None


def _warn_undeclared_args(cache_model: Any, names: list[str]) -> None:
    """A ``--changed-arg`` the Dockerfile never declares changes nothing; say so, since it is
    most often a typo. Predefined args (proxies, platforms) need no declaration."""
    from dfcheck.dockerfile.model import PREDEFINED_ARGS

    declared = {
        pair.key for ins in cache_model.dockerfile.walk() if ins.keyword == "ARG" for pair in ins.pairs
    }
    for name in dict.fromkeys(names):
        if name not in declared and name not in PREDEFINED_ARGS:
            _say(
                "warning",
                f"--changed-arg {printable(name)}: no ARG {printable(name)} in the Dockerfile; it changes nothing",
            )


def _emit(rendered: str, output: Path | None, *, utf8: bool, code: int) -> None:
    """Write the report to ``output`` (whole, or an error and exit 2) or to stdout; a closed
    stdout ends the command quietly with ``code``."""
    from dfcheck.report.output import quiet_stdout, write_atomic, write_stdout

    if output is not None:
        try:
            write_atomic(output, rendered.encode("utf-8"))
        except OSError as exc:
            raise _fail(f"cannot write {printable(str(output))}: {exc.strerror or exc}") from None
        return
    try:
        write_stdout(rendered, utf8=utf8)
    except BrokenPipeError:
        quiet_stdout()
        raise typer.Exit(code) from None


def _printable_record(value: Any) -> Any:
    """A JSON-ready record with every string made :func:`printable`, for a text renderer that
    prints names from the file system as they are."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [_printable_record(v) for v in value]
    if isinstance(value, dict):
        return {k: _printable_record(v) for k, v in value.items()}
    return value


def _html(record: dict[str, Any], dockerfile: Path | None, text: str) -> str:
    """The lint report of the Dockerfile with the cache analysis beside its lines."""
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import Linter
    from dfcheck.lint.finding import Report
    from dfcheck.report import RenderOptions
    from dfcheck.report.output import render_report

    shown = str(dockerfile) if dockerfile is not None else "-"
    result = Linter(None, Settings()).lint_source(text, shown, dockerfile)
    return render_report("html", Report([result]), RenderOptions(extras={shown: record}))
