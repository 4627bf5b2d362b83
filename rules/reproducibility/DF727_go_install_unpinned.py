"""go install/get without a version (or with @latest) resolves the newest release at build time."""

from __future__ import annotations

from dfcheck.finding import Severity
from dfcheck.packages import PinRule, install_targets
from dfcheck.shell import Command, Word


class GoInstallUnpinnedRule(PinRule):
    code = "DF727"
    name = "go-install-unpinned"
    severity = Severity.WARNING
    summary = "go install without a module version"
    aliases = ("DL3062",)
    programs = frozenset({"go"})
    hint = "use `go install <package>@<version>`"

    def packages(self, cmd: Command) -> list[Word] | None:
        return install_targets(cmd, ("install", "get"))

    def pinned(self, package: str) -> bool:
        if package.startswith((".", "/")) or "." not in package.split("/", 1)[0]:
            return True
        return "@" in package and package.rsplit("@", 1)[1] not in ("latest", "")
