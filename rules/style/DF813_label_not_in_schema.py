"""With strict labels, every label must be declared in the label schema."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule


class LabelNotInSchemaRule(Rule):
    code = "DF813"
    name = "label-not-in-schema"
    severity = Severity.INFO
    summary = "A label is not in the label schema (strict labels)"
    aliases = ("DL3050",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.settings.strict_labels:
            return
        for ins in ctx.instructions("LABEL"):
            for pair in ins.pairs:
                key = ctx.model.unquote(pair.key)
                if key not in ctx.settings.label_schema:
                    yield self.finding(ctx, pair.key_span, f"label '{key}' is not in the label schema")
