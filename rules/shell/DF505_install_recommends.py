"""apt installs "Recommends" by default, which often doubles what lands in the image."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import UNSAFE, Finding, Fix, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext
from dfcheck.shell import Command

_OFF = ("=false", "=0", "=no", "=off")


def _disables(text: str) -> bool:
    low = text.lower().replace('"', "").replace(" ", "").replace(";", "")
    return "apt::install-recommends" in low and low.endswith((*_OFF, "false", "0"))


class InstallRecommendsRule(Rule):
    code = "DF505"
    name = "install-recommends"
    severity = Severity.INFO
    fix_safety = "unsafe"
    summary = "apt-get install without --no-install-recommends"
    aliases = ("DL3015", "DS029")
    requires_programs = frozenset({"apt-get", "apt"})

    def __init__(self) -> None:
        #: Has a RUN of the stage chain configured apt not to install recommends?
        self.configured: ChainState[bool] = ChainState(False)

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        cmds = ctx.commands(ins)
        if stage is None:
            return
        if any(c.name in ("echo", "printf") and any(_disables(w.text) for w in c.args) for c in cmds):
            self.configured.set(stage, True)
        if not self.configured.get(stage):
            yield from self._check_run(ctx, cmds)

    def _check_run(self, ctx: RuleContext, cmds: list[Command]) -> Iterator[Finding]:
        for cmd in cmds:
            if cmd.name not in ("apt-get", "apt"):
                continue
            words = operands(cmd)
            if not words or words[0].text != "install":
                continue
            if cmd.has_flag("--no-install-recommends") or any(_disables(w.text) for w in cmd.args):
                continue
            yield self.finding(
                ctx,
                words[0].span,
                "Add `--no-install-recommends` to avoid installing recommended packages",
                fix=Fix(
                    "Add --no-install-recommends",
                    (ctx.insert_after(words[0].span, " --no-install-recommends"),),
                    UNSAFE,
                ),
            )
