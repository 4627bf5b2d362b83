"""``AS scratch`` or ``AS context`` shadows a name BuildKit gives a special meaning."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

RESERVED = ("scratch", "context")


class ReservedStageNameRule(Rule):
    code = "DF008"
    name = "reserved-stage-name"
    severity = Severity.ERROR
    summary = "A stage is named 'scratch' or 'context'"
    aliases = ("ReservedStageName", "DL3063")

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        if stage.name in RESERVED:
            token = stage.from_ins.args[2]
            yield self.finding(
                ctx,
                token.span,
                f"stage name '{token.value}' is reserved: '{stage.name}' already means "
                + ("the empty image" if stage.name == "scratch" else "the build context"),
            )
