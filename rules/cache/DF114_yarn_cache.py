"""yarn install keeps a copy of every package tarball in its global cache."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands, removes
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import UNSAFE, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext

CACHES = ("/usr/local/share/.cache/yarn", "~/.cache/yarn", "~/.yarn/berry/cache")


class YarnCacheRule(Rule):
    code = "DF114"
    name = "yarn-cache"
    severity = Severity.INFO
    fix_safety = "unsafe"
    summary = "yarn install without yarn cache clean"
    aliases = ("DL3060",)
    judged_stages = "shipped"
    requires_programs = frozenset({"yarn"})

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        cmds = ctx.commands(ins)
        folder = ctx.model.scope_at(ins).get("YARN_CACHE_FOLDER")
        if ctx.cache_mount(ins, *CACHES, *([folder] if folder else [])):
            return
        for i, cmd in enumerate(cmds):
            words = operands(cmd) if cmd.name == "yarn" else []
            if not (words and words[0].text == "install") and not (cmd.name == "yarn" and not cmd.args):
                continue
            later = cmds[i + 1 :]
            cleaned = any(
                c.name == "yarn" and [w.text for w in operands(c)][:2] == ["cache", "clean"] for c in later
            )
            if cleaned or any(removes(later, p.replace("~", "/root") + "/x") for p in CACHES):
                continue
            cleanup = ctx.append_command(ins, "yarn cache clean")
            yield self.finding(
                ctx,
                words[0].span if words else cmd.name_span,
                "Run `yarn cache clean` in the same RUN, or mount a cache on yarn's cache folder",
                fix=Fix("Run yarn cache clean at the end of the RUN", (cleanup,), UNSAFE)
                if cleanup
                else None,
            )
            break
