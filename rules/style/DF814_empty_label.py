"""A schema label set to an empty string carries no information."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class EmptyLabelRule(Rule):
    code = "DF814"
    name = "empty-label"
    severity = Severity.WARNING
    summary = "A label of the label schema is empty"
    instructions = frozenset({"LABEL"})
    aliases = ("DL3051",)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        schema = ctx.settings.label_schema
        for pair in ins.pairs:
            key = ctx.model.unquote(pair.key)
            if key in schema and not ctx.model.unquote(pair.value).strip():
                yield self.finding(ctx, pair.key_span, f"label '{key}' is empty")
