"""apt-get install without versions: the image changes whenever the archive does."""

from __future__ import annotations

from dfcheck.finding import Severity
from dfcheck.packages import PinRule, install_targets
from dfcheck.shell import Command, Word


class AptUnpinnedRule(PinRule):
    code = "DF720"
    name = "apt-unpinned"
    severity = Severity.WARNING
    summary = "apt-get install without version pins"
    aliases = ("DL3008",)
    programs = frozenset({"apt-get", "apt"})
    hint = "use `apt-get install <package>=<version>`"

    def packages(self, cmd: Command) -> list[Word] | None:
        return install_targets(cmd, ("install",))

    def pinned(self, package: str) -> bool:
        return "=" in package or "/" in package or package.endswith(".deb")
