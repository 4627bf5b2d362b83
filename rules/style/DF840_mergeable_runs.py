"""Consecutive cheap RUNs only add layers; merging them costs no cache hits."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext

#: File-system and account bookkeeping: fast, no network, nothing worth caching on its own.
CHEAP = frozenset(
    {"mkdir", "ln", "chmod", "chown", "chgrp", "rm", "cp", "mv", "touch", "echo", "printf", "sed", "true",
     "set", "export", "useradd", "groupadd", "adduser", "addgroup", "usermod", "groupmod", "ldconfig",
     "update-ca-certificates", "update-alternatives", "tee", "cat", "test", "[", "install", ":", "cd"}
)  # fmt: skip


def _cheap(ctx: RuleContext, ins: Instruction) -> bool:
    if ins.keyword != "RUN" or ins.flags or ins.heredocs or ins.is_json or not ctx.facts(ins).posix:
        return False
    cmds = ctx.commands(ins)
    return bool(cmds) and all(c.name in CHEAP for c in cmds)


class MergeableRunsRule(Rule):
    code = "DF840"
    name = "mergeable-runs"
    severity = Severity.STYLE
    summary = "Consecutive cheap RUN instructions could be one"
    aliases = ("DL3059",)
    #: A mergeable RUN runs only cheap commands.
    requires_programs = CHEAP

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        previous: Instruction | None = None
        for ins in stage.instructions:
            if previous is not None and _cheap(ctx, previous) and _cheap(ctx, ins):
                yield self.finding(
                    ctx,
                    ins.keyword_span,
                    "This RUN and the previous one only do quick file-system work: merge them into one layer",
                    related=(Related(previous.keyword_span, "previous RUN"),),
                )
            previous = ins
