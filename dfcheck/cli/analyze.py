"""``dfcheck context`` and ``dfcheck cache``: the build-context report and the layer-cache analysis.

Registered on :data:`dfcheck.cli.app.app` when that module is imported; ``dfcheck check``'s fast path
never imports this module.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from dfcheck.cli.app import _fail, app
from dfcheck.cli.runner import EXIT_CLEAN


@app.command("context")
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
    """Show what the build context sends: totals, largest entries, what each ignore pattern matched."""
    from dfcheck.build.context import context_report, render_context_text

    if output_format not in ("text", "json"):
        raise _fail(f"unknown format '{output_format}' (text, json)")
    if not directory.is_dir():
        raise _fail(f"{directory}: not a directory")
    try:
        report = context_report(directory, dockerfile, list_files=list_files)
    except OSError as exc:
        raise _fail(f"{directory}: {exc.strerror or exc}") from None
    if output_format == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_context_text(report))
    raise typer.Exit(EXIT_CLEAN)


@app.command("cache")
def cache_command(
    dockerfile: Annotated[Path, typer.Argument(help="The Dockerfile to analyse.")],
    context: Annotated[
        Path | None, typer.Option(help="Build context (default: the Dockerfile's directory).")
    ] = None,
    target: Annotated[str | None, typer.Option(help="Build target stage (default: the last).")] = None,
    changed: Annotated[
        list[str] | None,
        typer.Option("--changed", help="A changed file or directory (relative to the current directory)."),
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
    from dfcheck.build.cache import Change, analyse_file, render_text
    from dfcheck.cli.runner import build_cli_settings
    from dfcheck.dockerfile.source import decode

    if output_format not in ("text", "json", "html"):
        raise _fail(f"unknown format '{output_format}' (text, json, html)")
    try:
        data = dockerfile.read_bytes()
    except OSError as exc:
        raise _fail(f"{dockerfile}:1:1: cannot read: {exc.strerror or exc}") from None
    text, problem = decode(data)
    if problem and not text:
        raise _fail(f"{dockerfile}:1:1: {problem}")
    context_dir = context if context is not None else dockerfile.parent
    if not context_dir.is_dir():
        raise _fail(f"{context_dir}: the build context is not a directory")
    try:
        build_args = build_cli_settings({"build_arg": build_arg})["build_args"]
    except ValueError as exc:
        raise _fail(str(exc)) from None
    cache_model, change, record = analyse_file(
        dockerfile,
        context=context_dir,
        target=target,
        build_args=build_args,
        changed=changed or [],
        changed_args=[_changed_arg(item) for item in changed_arg or []],
        remote=remote_changed,
    )
    if target and cache_model.model.target_stage(target) is None:
        raise _fail(f"target stage '{target}' not found in {dockerfile}")
    parsed = cache_model.dockerfile
    record["history"] = None
    replayed: list[Change] = []
    if since is not None or history is not None:
        from dfcheck.build.history import HistoryError, history_record, replay_changes

        try:
            replay = replay_changes(cache_model, context_dir, dockerfile, since=since, limit=history)
        except HistoryError as exc:
            raise _fail(f"history: {exc}") from None
        replayed = replay.changes
        record["history"] = history_record(
            cache_model, replay, [cache_model.analyse(c) for c in replay.changes]
        )
    from dfcheck.build.history import suggestion_records

    record["suggestions"] = suggestion_records(
        cache_model,
        replayed if record["history"] is not None else ([change] if not change.empty else []),
        history=record["history"] is not None,
        path=str(dockerfile),
    )
    if output_format == "json":
        rendered = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    elif output_format == "html":
        rendered = _html(record, dockerfile, text)
    else:
        rendered = render_text(record, parsed)
    if output is not None:
        try:
            output.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(rendered)
    raise typer.Exit(EXIT_CLEAN)


def _changed_arg(item: str) -> tuple[str, str | None]:
    name, eq, value = item.partition("=")
    if not name:
        raise _fail(f"--changed-arg expects NAME or NAME=VALUE, got '{item}'")
    return name, value if eq else None


def _html(record: dict[str, Any], dockerfile: Path, text: str) -> str:
    """The lint report of the Dockerfile with the cache analysis beside its lines."""
    import io

    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import Linter
    from dfcheck.lint.finding import Report
    from dfcheck.report import RenderOptions, load

    shown = str(dockerfile)
    result = Linter({}, Settings()).lint_bytes(text.encode("utf-8"), shown, dockerfile)
    out = io.StringIO()
    options = RenderOptions(extras={shown: record})
    load("html").render(Report([result]), out, options)
    return out.getvalue()
