"""yum/dnf install <name> picks the newest build in the enabled repositories."""

from __future__ import annotations

from dfcheck.build.packages import install_targets, operands, rpm_pinned
from dfcheck.lint.finding import Severity
from dfcheck.lint.rule import PinRule
from dfcheck.shell import Command, Word


class RpmUnpinnedRule(PinRule):
    code = "DF725"
    name = "rpm-unpinned"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "yum/dnf install without version pins"
    aliases = ("DL3033", "DL3041")
    programs = frozenset({"yum", "dnf", "microdnf"})
    hint = "use `<package>-<version>` (modules: `<module>:<stream>`)"
    pin_format = "{}-<version>"

    def packages(self, cmd: Command) -> list[Word] | None:
        words = operands(cmd)
        if len(words) > 2 and words[0].text == "module" and words[1].text == "install":
            return [w for w in words[2:] if ":" not in w.text]
        return install_targets(cmd, ("install",))

    def pinned(self, package: str) -> bool:
        return rpm_pinned(package)
