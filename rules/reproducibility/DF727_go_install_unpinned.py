"""go install/get/run without a version (or with @latest) resolves the newest release at build time."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import PinRule, RuleContext
from dfcheck.shell import Command, Script, Word


class GoInstallUnpinnedRule(PinRule):
    code = "DF727"
    name = "go-install-unpinned"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "go install without a module version"
    aliases = ("DL3062",)
    programs = frozenset({"go"})
    hint = "use `go install <package>@<version>`"
    pin_format = "{}@<version>"
    #: Judging tool names (``go install tool x``, ``go get -tool x``): a bare name is a module too.
    _tools = False

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        texts = [w.text for w in cmd.args]
        self._tools = "-tool" in texts or texts[:2] == ["install", "tool"]
        yield from super().check_command(ctx, ins, script, cmd)

    def packages(self, cmd: Command) -> list[Word] | None:
        words = operands(cmd)
        if not words or words[0].text not in ("install", "get", "run"):
            return None
        targets = words[1:]
        if words[0].text == "run":  # go run PACKAGE [program arguments]
            return targets[:1]
        if self._tools and targets and targets[0].text == "tool":
            return targets[1:]
        return targets

    def pinned(self, package: str) -> bool:
        if package.startswith((".", "/")) or package.endswith(".go"):
            return True
        if not self._tools and "." not in package.split("/", 1)[0]:  # std, cmd/...: the toolchain's own
            return True
        return "@" in package and package.rsplit("@", 1)[1] not in ("latest", "")
