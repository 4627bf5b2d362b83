"""Stage names are lowercased by BuildKit; writing them in another case hides that."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Edit, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class StageNameCasingRule(Rule):
    code = "DF804"
    name = "stage-name-casing"
    severity = Severity.STYLE
    summary = "A stage name is not lowercase"
    aliases = ("StageNameCasing",)

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        args = stage.from_ins.args
        if stage.name is None or len(args) != 3 or args[2].value == args[2].value.lower():
            return
        token = args[2]
        yield self.finding(
            ctx,
            token.span,
            f"stage name '{token.value}' should be lowercase ('{token.value.lower()}')",
            fix=Fix("Lowercase the stage name", (Edit(token.span, token.value.lower()),), safe=False),
        )
