"""``COPY --from=biuld``: a typo silently turns a stage reference into an image pull."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class CopyFromUndefinedStageRule(Rule):
    code = "DF005"
    name = "copy-from-undefined-stage"
    severity = Severity.WARNING
    summary = "COPY --from names neither an earlier stage nor an image reference"
    aliases = ("DL3022",)
    requires_instructions = frozenset({"COPY"})

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        for ins in stage.instructions:
            flag = ins.flag("from") if ins.keyword == "COPY" else None
            if flag is None or not flag.value:
                continue
            value = ctx.model.expand(flag.value, ins).strip()
            if any(c in value for c in ":@/"):
                continue
            target = ctx.model.stage_named(value)
            if target is not None and target.index <= stage.index:
                continue
            if target is not None:
                why = f"stage '{value}' is defined after this one (line {target.from_ins.line})"
            elif value.isdigit():
                why = f"there is no stage {value} before this one"
            else:
                why = f"no earlier stage is named '{value}'"
            yield self.finding(
                ctx,
                flag.value_span,
                f"COPY --from={flag.value}: {why}; a name that is not a stage is pulled as an image",
            )
