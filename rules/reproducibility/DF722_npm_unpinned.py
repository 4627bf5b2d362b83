"""npm install <name> resolves to the newest matching release at build time."""

from __future__ import annotations

from dfcheck.build.packages import install_targets
from dfcheck.lint.finding import Severity
from dfcheck.lint.rule import PinRule
from dfcheck.shell import Command, Word

_GIT = ("git://", "git+ssh://", "git+http://", "git+https://", "github:", "gitlab:", "bitbucket:")
_LOCAL = ("/", "./", "../", "~/", "file:")
_TARBALL = (".tar", ".tar.gz", ".tgz")
_MOVING = frozenset({"latest", "next", "canary", "beta", "alpha", "rc", "nightly", "*", "x"})


class NpmUnpinnedRule(PinRule):
    code = "DF722"
    name = "npm-unpinned"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "npm install of packages without versions"
    aliases = ("DL3016",)
    programs = frozenset({"npm"})
    hint = "use `npm install <package>@<version>`"
    pin_format = "{}@<version>"

    def packages(self, cmd: Command) -> list[Word] | None:
        return install_targets(cmd, ("install", "i", "add", "isntall", "in"))

    def pinned(self, package: str) -> bool:
        if package.startswith(_GIT):
            return "#" in package
        if package.startswith(_LOCAL) or package.endswith(_TARBALL) or "://" in package:
            return True
        name = package[1:] if package.startswith("@") else package
        if "@" not in name:
            return False
        return name.rsplit("@", 1)[1].lower() not in _MOVING
