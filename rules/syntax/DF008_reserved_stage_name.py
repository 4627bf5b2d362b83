"""``AS scratch`` or ``AS context`` shadows a name BuildKit gives a special meaning."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule

RESERVED = ("scratch", "context")


class ReservedStageNameRule(Rule):
    code = "DF008"
    name = "reserved-stage-name"
    severity = Severity.ERROR
    summary = "A stage is named 'scratch' or 'context'"
    aliases = ("ReservedStageName",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for stage in ctx.stages():
            if stage.name in RESERVED:
                token = stage.from_ins.args[2]
                yield self.finding(
                    ctx,
                    token.span,
                    f"stage name '{token.value}' is reserved: '{stage.name}' already means "
                    + ("the empty image" if stage.name == "scratch" else "the build context"),
                )
