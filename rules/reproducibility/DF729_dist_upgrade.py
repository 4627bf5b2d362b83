"""dist-upgrade may add and remove packages; its result depends on the day of the build."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import verb
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script

_VERBS = {
    "apt-get": ("dist-upgrade", "full-upgrade"),
    "apt": ("dist-upgrade", "full-upgrade"),
    "zypper": ("dist-upgrade",),
}


class DistUpgradeRule(Rule):
    code = "DF729"
    name = "dist-upgrade"
    severity = Severity.WARNING
    summary = "Distribution upgrade in RUN"
    aliases = ("DL3035", "DS024")
    programs = frozenset(_VERBS)

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        found = verb(cmd)
        if found is not None and found[1] in _VERBS[cmd.name]:
            yield self.finding(
                ctx,
                found[0].span,
                f"`{cmd.name} {found[0].text}` can add, remove and replace packages: "
                "use a newer base image, or a plain upgrade",
            )
