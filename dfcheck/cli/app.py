"""The typer app: ``check`` built from its declaration, the other commands registered from their modules.

Exit codes: 0 clean, 1 findings at or above the failure threshold, 2 usage, configuration or
I/O error. Errors are one line with path:line:col; a Python traceback is a bug. Output cut short
by a reader that went away (``dfcheck rules | head``) ends quietly, with the exit code the command
would have had.

Command modules (:mod:`dfcheck.cli.commands`, :mod:`dfcheck.cli.analyze`) define plain functions
and never import this module; this module imports them and registers them.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
import typer.core
import typer.models

from dfcheck import __version__
from dfcheck.cli import analyze, commands, runner
from dfcheck.cli.options import DEFAULTS, FIELDS, Check, help_text, kind
from dfcheck.lint.config import KEYS, env_var

app = typer.Typer(
    name="dfcheck",
    help="A Dockerfile linter and layer-cache efficiency analyzer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)


def _version(value: bool) -> None:
    if value:
        print(f"dfcheck {__version__}")
        raise typer.Exit(runner.EXIT_CLEAN)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Lint Dockerfiles, analyse layer caching and the build context."""


def _check_command() -> Callable[..., None]:
    """``check`` as typer wants it: a function with one annotated keyword parameter per option."""
    parameters = []
    many = {name for name, (_, value_type) in FIELDS.items() if kind(value_type) == "many"}
    for name, (opt, value_type) in FIELDS.items():
        shown = help_text(opt)
        if opt.config:
            env = f"; env var: {env_var(opt.config)}" if KEYS[opt.config].env else ""
            shown += f"  [config: {opt.config}{env}]"
        info: typer.models.ParameterInfo
        if opt.flags:
            info = typer.Option(*opt.flags, metavar=opt.metavar or None, help=shown, envvar=opt.envvar)
        else:
            info = typer.Argument(metavar=opt.metavar, help=shown, show_default=False)
        hint = list[str] | None if name in many else value_type
        default = None if name in many else getattr(DEFAULTS, name)
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[hint, info]
            )
        )

    def check(**values: Any) -> None:
        """Lint Dockerfiles."""
        # typer passes a repeatable option as a list, or None when it is not given.
        given: dict[str, Any] = {n: tuple(v or ()) if n in many else v for n, v in values.items()}
        raise typer.Exit(runner.run_check(Check(**given)))

    check.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    check.__annotations__ = {p.name: p.annotation for p in parameters}
    return check


def _ends_quietly_on_broken_pipe(func: Callable[..., None]) -> Callable[..., None]:
    """No "Broken pipe" message when the reader goes away: commands that can fail after their
    output (``check``, ``parse``, ``cache``, ``context``) handle it themselves, so a BrokenPipeError
    that gets here comes from one that has nothing left to say but success."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> None:
        try:
            try:
                func(*args, **kwargs)
            finally:
                sys.stdout.flush()
        except BrokenPipeError:
            from dfcheck.report.output import quiet_stdout

            quiet_stdout()
            raise typer.Exit(runner.EXIT_CLEAN) from None

    return command


class _Command(typer.core.TyperCommand):
    """Help in click's plain style: every value shows a metavar (``--since SINCE``, ``PATH...``,
    named after the option as argparse does when none is declared), never typer's type names
    (``<list[str]>``, ``<int range>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.metavar is None and not getattr(param, "is_flag", False):
                param.metavar = max(param.opts, key=len).lstrip("-").replace("-", "_").upper()

    def _shown(self, param: Any) -> str:
        return f"{param.metavar}..." if param.nargs != 1 else str(param.metavar)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(self._shown(param) if param.required else f"[{self._shown(param)}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((self._shown(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _register(name: str, func: Callable[..., None]) -> None:
    """Add a command; its summary in ``dfcheck --help`` is its docstring's first paragraph, whole."""
    summary = " ".join((func.__doc__ or "").strip().split("\n\n")[0].split())
    app.command(name, cls=_Command, short_help=summary)(_ends_quietly_on_broken_pipe(func))


_register("check", _check_command())
_register("baseline", commands.baseline)
_register("rules", commands.rules)
_register("rule", commands.rule)
_register("parse", commands.parse)
_register("context", analyze.context_command)
_register("cache", analyze.cache_command)
_register("server", commands.server)


def main() -> None:
    """The typer app; ``dfcheck.cli.main`` tries the fast path first."""
    app()
