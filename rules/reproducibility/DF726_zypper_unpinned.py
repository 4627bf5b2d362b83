"""zypper install <name> picks the newest package in the enabled repositories."""

from __future__ import annotations

from dfcheck.build.packages import install_targets
from dfcheck.lint.finding import Severity
from dfcheck.lint.rule import PinRule
from dfcheck.shell import Command, Word


class ZypperUnpinnedRule(PinRule):
    code = "DF726"
    name = "zypper-unpinned"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "zypper install without version pins"
    aliases = ("DL3037",)
    programs = frozenset({"zypper"})
    hint = "use `zypper install <package>=<version>`"
    pin_format = "{}=<version>"

    def packages(self, cmd: Command) -> list[Word] | None:
        return install_targets(cmd, ("install",))

    def pinned(self, package: str) -> bool:
        return any(c in package for c in "=<>") or package.endswith(".rpm") or "/" in package
