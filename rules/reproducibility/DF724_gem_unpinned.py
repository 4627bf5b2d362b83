"""gem install <name> takes the newest release from rubygems.org."""

from __future__ import annotations

from dfcheck.finding import Severity
from dfcheck.packages import PinRule, install_targets
from dfcheck.shell import Command, Word


class GemUnpinnedRule(PinRule):
    code = "DF724"
    name = "gem-unpinned"
    severity = Severity.WARNING
    summary = "gem install without version pins"
    aliases = ("DL3028",)
    programs = frozenset({"gem"})
    hint = "use `gem install <gem>:<version>` or `-v <version>`"

    def packages(self, cmd: Command) -> list[Word] | None:
        if cmd.has_flag("-v", "--version"):
            return None
        return install_targets(cmd, ("install", "i"))

    def pinned(self, package: str) -> bool:
        return ":" in package or package.endswith(".gem") or "/" in package
