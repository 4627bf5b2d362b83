"""Only ARG may come before the first FROM; anything else has no stage to belong to."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import KNOWN_INSTRUCTIONS
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class InstructionBeforeFromRule(Rule):
    code = "DF009"
    name = "instruction-before-from"
    severity = Severity.ERROR
    summary = "An instruction other than ARG comes before the first FROM"
    aliases = ("DL3061",)

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in ctx.dockerfile.instructions:
            if ins.keyword == "FROM":
                return
            if ins.keyword != "ARG" and ins.keyword in KNOWN_INSTRUCTIONS:
                yield self.finding(
                    ctx,
                    ins.keyword_span,
                    f"{ins.keyword} before the first FROM: only ARG may come before FROM",
                )
