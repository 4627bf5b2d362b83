"""A stage cannot copy from itself: it does not exist yet."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class CopyFromOwnStageRule(Rule):
    code = "DF006"
    name = "copy-from-own-stage"
    severity = Severity.ERROR
    summary = "COPY --from names the stage it is in"
    aliases = ("DL3023", "DS006")
    requires_instructions = frozenset({"COPY"})

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        for ins in stage.instructions:
            flag = ins.flag("from") if ins.keyword == "COPY" else None
            if flag is None or not flag.value:
                continue
            if ctx.model.stage_named(ctx.model.expand(flag.value, ins)) is stage:
                yield self.finding(
                    ctx,
                    flag.value_span,
                    f"COPY --from={flag.value} refers to the stage it is in; "
                    "a stage cannot read its own result",
                )
