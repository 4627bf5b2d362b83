"""apk add <name> installs whatever the Alpine branch currently has."""

from __future__ import annotations

from dfcheck.build.packages import install_targets
from dfcheck.lint.finding import Severity
from dfcheck.lint.rule import PinRule
from dfcheck.shell import Command, Word


class ApkUnpinnedRule(PinRule):
    code = "DF723"
    name = "apk-unpinned"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "apk add without version pins"
    aliases = ("DL3018",)
    programs = frozenset({"apk"})
    hint = "use `apk add <package>=<version>` (or `~<version>` for a version prefix)"
    pin_format = "{}=<version>"

    def packages(self, cmd: Command) -> list[Word] | None:
        return install_targets(cmd, ("add",))

    def pinned(self, package: str) -> bool:
        return any(c in package for c in "=~<>") or package.endswith(".apk") or "/" in package
