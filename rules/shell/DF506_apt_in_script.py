"""apt is the interactive front end; its output and behaviour are not a stable interface."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script

_SAME = frozenset(
    {"install", "update", "upgrade", "remove", "purge", "autoremove", "clean", "autoclean", "source"}
)


class AptInScriptRule(Rule):
    code = "DF506"
    name = "apt-in-script"
    severity = Severity.WARNING
    fix_safety = "safe"
    summary = "apt used in a script instead of apt-get / apt-cache"
    aliases = ("DL3027", "CKV_DOCKER_9")
    programs = frozenset({"apt"})

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        words = operands(cmd)
        fix = None
        if words and words[0].text in _SAME and cmd.name_span.start_line == cmd.name_span.end_line:
            fix = Fix("Use apt-get", (ctx.edit(cmd.name_span, "apt-get"),))
        yield self.finding(
            ctx, cmd.name_span, "Use `apt-get` (or `apt-cache`) in scripts: `apt` has no stable CLI", fix=fix
        )
