"""pip install of a bare name takes whatever PyPI serves on the day of the build."""

from __future__ import annotations

import re

from dfcheck.build.packages import pip_args, positionals
from dfcheck.lint.finding import Severity
from dfcheck.lint.rule import ANY_PROGRAM, PinRule
from dfcheck.regex import lazy
from dfcheck.shell import Command, Word
from dfcheck.shell.flags import VALUE_FLAGS

_VCS = lazy(r"^(git|hg|svn|bzr)(\+[a-z]+)?:", re.I)
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2")


def pip_install_args(cmd: Command) -> tuple[Word, ...] | None:
    """Arguments of ``pip install`` (also ``python -m pip``, ``pipx`` and ``uv pip``)."""
    args = pip_args(cmd)
    if args is None and cmd.name == "pipx":
        args = cmd.args
    if args is None and cmd.name == "uv" and cmd.args and cmd.args[0].text == "pip":
        args = cmd.args[1:]
    if not args:
        return None
    words = positionals(args, VALUE_FLAGS["pip"])
    if not words or words[0].text != "install":
        return None
    return args


class PipUnpinnedRule(PinRule):
    code = "DF721"
    name = "pip-unpinned"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "pip install without version pins"
    aliases = ("DL3013",)
    programs = ANY_PROGRAM
    hint = "use `pip install <package>==<version>` or a requirements/constraints file"
    pin_format = "{}==<version>"

    def packages(self, cmd: Command) -> list[Word] | None:
        args = pip_install_args(cmd)
        if args is None:
            return None
        texts = {w.text.split("=", 1)[0] for w in args}
        if texts & {"-c", "--constraint", "--constraints"}:
            return None
        return positionals(args, VALUE_FLAGS["pip"])[1:]

    def pinned(self, package: str) -> bool:
        if _VCS.match(package):
            return "@" in package.split("://", 1)[-1].split("/", 1)[-1]
        if any(s in package for s in ("==", ">=", "<=", "~=", "!=", "<", ">", " @ ")):
            return True
        base = package.split("#", 1)[0].split("?", 1)[0]
        return base.endswith(_ARCHIVE) or "/" in package or package.startswith(".")
