"""The options of ``dfcheck check``, declared once.

Each field of :class:`Check` is one option: its name, type and default are the field's; flags,
metavar, help, environment variable and configuration key are the :class:`Opt` that
:func:`option` records for it. Four things are built from this one declaration: the typer command
(:mod:`dfcheck.cli.app`), the start-up fast path (:mod:`dfcheck.cli.main`, which must not
import typer), the option table in the README (:func:`markdown_table`, compared by a test) and,
for options that are also configuration keys, the validation of their values (the key's check
in :data:`dfcheck.lint.config.KEYS`). Annotations stay evaluated here (no ``from __future__ import
annotations``) so the fast path reads the types without ``typing.get_type_hints``; :class:`Check`
is a :func:`~dfcheck.records.frozen` record, cheaper to define at start-up than a ``NamedTuple``.
"""

import os
from pathlib import Path
from typing import TypeVar, get_args

from dfcheck.lint.config import KEYS, env_var
from dfcheck.records import frozen

_T = TypeVar("_T")


class Opt:
    """Everything about an option but its name, type and default."""

    __slots__ = ("choices", "config", "envvar", "flags", "help", "metavar")

    def __init__(
        self,
        flags: tuple[str, ...],
        metavar: str,
        help: str,
        envvar: str | None = None,
        config: str | None = None,
        choices: tuple[str, ...] = (),
    ) -> None:
        #: ``()`` for the positional argument.
        self.flags = flags
        self.metavar = metavar
        #: Empty for an option that sets a configuration key the same way: the key's help is shown.
        self.help = help
        #: Read by typer (and the fast path) when the option is not given.
        self.envvar = envvar
        #: The configuration key this option overrides; its value is checked as the key's would be.
        self.config = config
        self.choices = choices


#: The Opt of each field of Check, in declaration order (see :func:`option`).
_DECLARED: list[Opt] = []


def option(
    default: _T,
    flags: tuple[str, ...],
    metavar: str,
    help: str = "",
    *,
    envvar: str | None = None,
    config: str | None = None,
    choices: tuple[str, ...] = (),
) -> _T:
    """Declare the next field of :class:`Check`: returns its default and keeps the rest.

    (What ``Annotated[type, Opt(...)]`` would say, for a tenth of its cost at start-up.)
    """
    _DECLARED.append(Opt(flags, metavar, help, envvar, config, choices))
    return default


@frozen
class Check:
    """A parsed ``dfcheck check`` command line: one field per option, each declared by :func:`option`."""

    paths: tuple[str, ...] = option(
        (), (), "PATH", "Dockerfiles or directories (default: the current directory); '-' reads stdin."
    )
    output_format: tuple[str, ...] = option(
        (),
        ("--format", "-f"),
        "NAME[=PATH]",
        "auto (the default: GitHub annotations under GitHub Actions, text elsewhere), text, json, "
        "sarif, html, github, checkstyle, gitlab, junit, sonarqube or rdjson; repeat as NAME=PATH "
        "to write several reports in one run.",
        envvar="DFCHECK_FORMAT",
    )
    output: Path | None = option(
        None, ("--output", "-o"), "PATH", "Write the report to this file instead of stdout."
    )
    select: tuple[str, ...] = option((), ("--select",), "RULES", config="select")
    extend_select: tuple[str, ...] = option((), ("--extend-select",), "RULES", config="extend-select")
    ignore: tuple[str, ...] = option((), ("--ignore",), "RULES", config="ignore")
    failure_threshold: str | None = option(
        None, ("--failure-threshold",), "LEVEL", config="failure-threshold"
    )
    exit_zero: bool = option(False, ("--exit-zero",), "", "Exit 0 even when there are findings.")
    no_pragmas: bool = option(
        False, ("--no-pragmas",), "", "Ignore inline ignore comments.", config="pragmas"
    )
    quiet: bool = option(False, ("--quiet", "-q"), "", "Only findings, no summary line.")
    statistics: bool = option(False, ("--statistics",), "", "Counts per rule after the report.")
    color: str = option(
        "auto",
        ("--color",),
        "WHEN",
        "Colour the text report: auto, always or never (NO_COLOR, FORCE_COLOR and TERM=dumb are honoured).",
        envvar="DFCHECK_COLOR",
        choices=("auto", "always", "never"),
    )
    config: Path | None = option(
        None, ("--config",), "PATH", "Use this config file instead of discovering one."
    )
    target: str | None = option(None, ("--target",), "STAGE", config="target")
    build_arg: tuple[str, ...] = option(
        (),
        ("--build-arg",),
        "NAME=VALUE",
        "A build argument, as for docker build (NAME alone takes the value from the environment).",
        config="build-args",
    )
    context: Path | None = option(
        None,
        ("--context",),
        "DIR",
        "Build context for the context rules (default: the Dockerfile's directory).",
    )
    baseline: Path | None = option(
        None, ("--baseline",), "PATH", "Report only findings not recorded in this baseline file."
    )
    stdin_filename: str | None = option(None, ("--stdin-filename",), "NAME", "Name to show for '-' input.")
    fix: bool = option(
        False,
        ("--fix",),
        "",
        "Apply the safe fixes in place and report what is left (stdin: the fixed file goes to stdout, "
        "the report to stderr).",
    )
    unsafe_fixes: bool = option(
        False, ("--unsafe-fixes",), "", "Apply unsafe fixes too (with --fix, --diff, --fix-only)."
    )
    diff: bool = option(
        False,
        ("--diff",),
        "",
        "Print the fixes as a unified diff and write nothing; exit 1 when there would be changes.",
    )
    fix_only: bool = option(
        False, ("--fix-only",), "", "Apply the fixes without reporting the findings that are left."
    )


#: field name -> (its Opt, its type).
FIELDS: dict[str, tuple[Opt, object]] = {
    name: (opt, hint) for (name, hint), opt in zip(Check.__annotations__.items(), _DECLARED, strict=True)
}
#: The values of an empty command line.
DEFAULTS = Check()


def help_text(opt: Opt) -> str:
    """The option's help, or its configuration key's."""
    return opt.help or (KEYS[opt.config].help if opt.config else "")


def kind(value_type: object) -> str:
    """ "flag" (takes no value), "many" (repeatable, a tuple) or "one" (the last given wins)."""
    if value_type is bool:
        return "flag"
    return "many" if getattr(value_type, "__origin__", None) is tuple else "one"


def is_path(value_type: object) -> bool:
    return Path in get_args(value_type)


def bad_choice(check: Check) -> str | None:
    """The message for an option whose value is not one of its choices (a typo in ``--color``)."""
    for name, (opt, _) in FIELDS.items():
        value = getattr(check, name)
        if opt.choices and value not in opt.choices:
            option = opt.flags[0] + (f" (or {opt.envvar})" if opt.envvar else "")
            return f"{option}: '{value}' is not one of {', '.join(opt.choices)}"
    return None


def build_args(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``--build-arg NAME=VALUE`` items; a bare NAME takes its value from the environment, as
    ``docker build`` does."""
    table: dict[str, str] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not name:
            raise ValueError(f"--build-arg expects NAME=VALUE, got '{item}'")
        table[name] = value if eq else os.environ.get(name, "")
    return table


def _config_value(name: str, value: object) -> object:
    """An option's value as its configuration key takes it: a flag sets its key to true, or to
    false when it is spelled ``--no-...``; listed rules may also be separated by commas."""
    opt, value_type = FIELDS[name]
    if kind(value_type) == "flag":
        return not opt.flags[0].startswith("--no-")
    if isinstance(value, tuple):
        if name == "build_arg":
            return build_args(value)
        return [v for item in value for v in item.replace(",", " ").split()]
    return value


def config_table(check: Check) -> tuple[dict[str, object], dict[str, str]]:
    """(configuration keys set on the command line, key -> the option, for messages)."""
    table: dict[str, object] = {}
    names: dict[str, str] = {}
    for name, (opt, _) in FIELDS.items():
        value = getattr(check, name)
        if opt.config is not None and value not in (None, (), False):
            table[opt.config] = _config_value(name, value)
            names[opt.config] = opt.flags[0]
    return table, names


def markdown_table() -> str:
    """The README's table of ``dfcheck check`` options."""
    rows = ["| option | meaning | environment | configuration key |", "|---|---|---|---|"]
    for name, (opt, value_type) in FIELDS.items():
        if opt.flags:
            value = f" {opt.metavar}" if opt.metavar else ""
            shown = ", ".join([f"`{opt.flags[0]}{value}`", *(f"`{f}`" for f in opt.flags[1:])])
        else:
            shown = f"`{opt.metavar}...`"
        default = getattr(DEFAULTS, name)
        meaning = help_text(opt) + (
            f" Default: `{default}`." if kind(value_type) == "one" and default else ""
        )
        env = opt.envvar or (env_var(opt.config) if opt.config and KEYS[opt.config].env else "")
        key = ""
        if opt.config:
            flag = kind(value_type) == "flag"
            key = f"`{opt.config} = {str(_config_value(name, True)).lower()}`" if flag else f"`{opt.config}`"
        row = [shown, meaning.replace("|", "/"), f"`{env}`" if env else "", key]
        rows.append("| " + " | ".join(row) + " |")
    return "\n".join(rows) + "\n"
