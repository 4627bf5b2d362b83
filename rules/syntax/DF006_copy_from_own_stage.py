"""A stage cannot copy from itself: it does not exist yet."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule


class CopyFromOwnStageRule(Rule):
    code = "DF006"
    name = "copy-from-own-stage"
    severity = Severity.ERROR
    summary = "COPY --from names the stage it is in"
    aliases = ("DL3023", "DS006")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for stage in ctx.stages():
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
