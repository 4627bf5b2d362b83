"""With strict labels, every label must be declared in the label schema."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class LabelNotInSchemaRule(Rule):
    code = "DF813"
    name = "label-not-in-schema"
    severity = Severity.INFO
    summary = "A label is not in the label schema (strict labels)"
    instructions = frozenset({"LABEL"})
    aliases = ("DL3050",)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if not ctx.settings.strict_labels:
            return
        for pair in ins.pairs:
            key = ctx.model.unquote(pair.key)
            if key not in ctx.settings.label_schema:
                yield self.finding(ctx, pair.key_span, f"label '{key}' is not in the label schema")
