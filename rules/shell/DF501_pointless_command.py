"""Commands that do nothing useful while an image builds: no terminal, no init, no services."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script

_WHY = {
    "ssh": "there is no interactive session during a build",
    "vim": "there is no terminal to edit in during a build",
    "shutdown": "there is no init system to shut down in a build container",
    "ps": "it only lists the build's own processes",
    "free": "it reports the builder's memory, not the image's",
    "top": "it only shows the build's own processes",
    "mount": "build containers cannot mount file systems",
    "ifconfig": "the build container's network is thrown away",
    "service": "a service started in RUN stops when the RUN ends",
}
_VIM_SCRIPTED = ("-c", "-E", "-e", "-s", "-es", "-Es", "--cmd", "-u", "-N")


class PointlessCommandRule(Rule):
    code = "DF501"
    name = "pointless-command"
    severity = Severity.INFO
    summary = "Command that has no lasting effect in a RUN"
    aliases = ("DL3001",)
    programs = frozenset(_WHY)

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        texts = [w.text for w in cmd.args]
        if cmd.name == "vim" and any(t.startswith("+") or t in _VIM_SCRIPTED for t in texts):
            return
        if cmd.name == "service" and not (
            texts and texts[-1] in ("start", "restart") and cmd is script.commands[-1]
        ):
            return
        yield self.finding(ctx, cmd.name_span, f"`{cmd.name}` in RUN is pointless: {_WHY[cmd.name]}")
