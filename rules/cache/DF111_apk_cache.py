"""apk add without --no-cache keeps the downloaded index in /var/cache/apk."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands, removes
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext

CACHE = "/var/cache/apk"


class ApkCacheRule(Rule):
    code = "DF111"
    name = "apk-cache"
    severity = Severity.INFO
    fix_safety = "safe"
    summary = "apk add without --no-cache"
    aliases = ("DL3019", "DS025")
    judged_stages = "shipped"
    requires_programs = frozenset({"apk"})

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        cmds = ctx.commands(ins)
        if ctx.cache_mount(ins, CACHE, "/etc/apk/cache") or removes(cmds, CACHE + "/x"):
            return
        for cmd in cmds:
            words = operands(cmd) if cmd.name == "apk" else []
            if not words or words[0].text != "add" or cmd.has_flag("--no-cache"):
                continue
            yield self.finding(
                ctx,
                words[0].span,
                "Use `apk add --no-cache` so the package index does not ship in this layer",
                fix=Fix("Add --no-cache", (ctx.insert_after(words[0].span, " --no-cache"),)),
            )
