"""Console entry point: a fast path for ``dfcheck check``, typer for everything else.

typer (with click, pydantic and rich behind it) costs about 100 ms to import, more than linting a
file takes; a pre-commit hook pays it on every call. The common ``check`` command lines are parsed
here from the declaration the typer command is built from too (:mod:`dfcheck.cli.options`);
anything unusual (``--help``, a typo, bundled short flags, another command) goes to typer, which
owns the error messages.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from dfcheck.cli.options import Check


def parse_check(argv: list[str]) -> Check | None:
    """``check ARGS`` parsed as typer would, or None to let typer handle (and diagnose) the line."""
    from pathlib import Path

    from dfcheck.cli.options import FIELDS, Check, is_path, kind

    flags = {flag: (name, kind(t)) for name, (opt, t) in FIELDS.items() for flag in opt.flags}
    values: dict[str, Any] = {}
    many: dict[str, list[str]] = {"paths": []}
    i = 0
    only_paths = False
    while i < len(argv):
        arg = argv[i]
        i += 1
        if only_paths or arg == "-" or not arg.startswith("-"):
            many["paths"].append(arg)
            continue
        if arg == "--":
            only_paths = True
            continue
        flag, eq, inline = arg.partition("=")
        spec = flags.get(flag)
        if spec is None:
            return None
        name, how = spec
        if how == "flag":
            if eq:
                return None
            values[name] = True
            continue
        if eq:
            value = inline
        elif i < len(argv):
            value = argv[i]
            i += 1
        else:
            return None
        if how == "many":
            many.setdefault(name, []).append(value)
        else:
            values[name] = value
    for name, (opt, value_type) in FIELDS.items():
        env = os.environ.get(opt.envvar) if opt.envvar and name not in values and name not in many else None
        if env:  # as click: an empty variable is unset, a repeatable option's value splits on spaces
            if kind(value_type) == "many":
                many[name] = env.split()
            else:
                values[name] = env
    for name, items in many.items():
        values[name] = tuple(items)
    for name in values:
        if is_path(FIELDS[name][1]):
            values[name] = Path(values[name])
    return Check(**values)


def main() -> None:
    # Start-up allocates some 200,000 objects (code, functions, classes) that live until the
    # process ends, and the cyclic collector scanned them again and again: about 10% of a cold
    # one-file check, and 40% of the time on a 5 MB Dockerfile. A check of one file runs without
    # it; runner.collect freezes what start-up made and turns it back on for more files, and the
    # other commands (typer's, the language server) turn it back on here.
    import gc

    gc.disable()
    try:
        check = parse_check(sys.argv[2:]) if sys.argv[1:2] == ["check"] else None
        if check is None:
            gc.enable()
            from dfcheck.cli.app import main as typer_main

            typer_main()
            return
        from dfcheck.cli import runner

        code = runner.run_check(check)
    except KeyboardInterrupt:
        print("dfcheck: interrupted", file=sys.stderr)
        sys.exit(130)
    _fast_exit(code)


def _fast_exit(code: int) -> NoReturn:
    """Exit without tearing the heap down object by object, as mypy does: about 4 ms of a cold
    check. Everything dfcheck writes is closed by now (reports are written and renamed whole);
    only the standard streams need flushing. Under a debugger, a profiler or coverage (a trace or
    profile function is set), the normal exit runs, so their own exit handlers still write."""
    if sys.gettrace() is None and sys.getprofile() is None:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: the normal exit reports nothing more either
            pass
        else:
            os._exit(code)
    sys.exit(code)
