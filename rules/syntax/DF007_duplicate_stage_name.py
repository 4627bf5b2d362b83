"""Two stages with one name: every later reference silently means the first one."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext


class DuplicateStageNameRule(Rule):
    code = "DF007"
    name = "duplicate-stage-name"
    severity = Severity.ERROR
    summary = "Two stages have the same name"
    aliases = ("DL3024", "DuplicateStageName", "DS012")

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        seen: dict[str, int] = {}
        for stage in ctx.stages():
            args = stage.from_ins.args
            if stage.name is None or len(args) != 3:
                continue
            if stage.name in seen:
                first = ctx.model.stages[seen[stage.name]].from_ins.args[2]
                yield self.finding(
                    ctx,
                    args[2].span,
                    f"stage name '{args[2].value}' is already used on line {first.span.start_line}; "
                    "stage names must be unique",
                    related=(Related(first.span, "first definition"),),
                )
            else:
                seen[stage.name] = stage.index
