"""apt installs "Recommends" by default, which often doubles what lands in the image."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands
from dfcheck.dockerfile.model import stage_chain
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext, insert_after

_OFF = ("=false", "=0", "=no", "=off")


def _disables(text: str) -> bool:
    low = text.lower().replace('"', "").replace(" ", "").replace(";", "")
    return "apt::install-recommends" in low and low.endswith((*_OFF, "false", "0"))


class InstallRecommendsRule(Rule):
    code = "DF505"
    name = "install-recommends"
    severity = Severity.INFO
    summary = "apt-get install without --no-install-recommends"
    aliases = ("DL3015", "DS029")

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        configured: set[int] = set()
        for stage in ctx.stages():
            chain = stage_chain(stage)
            for ins in stage.instructions:
                for item in (ins, ins.trigger):
                    if item is None or item.keyword != "RUN":
                        continue
                    cmds = ctx.commands(item)
                    if any(
                        c.name in ("echo", "printf") and any(_disables(w.text) for w in c.args) for c in cmds
                    ):
                        configured.add(stage.index)
                    if any(st.index in configured for st in chain):
                        continue
                    yield from self._check_run(ctx, cmds)

    def _check_run(self, ctx: RuleContext, cmds: list) -> Iterator[Finding]:
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
                    (insert_after(words[0], " --no-install-recommends"),),
                    safe=False,
                ),
            )
