"""``ENV key value`` sets one variable to the rest of the line; ``key=value`` says what it means."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class LegacyKeyValueFormatRule(Rule):
    code = "DF808"
    name = "legacy-key-value-format"
    severity = Severity.WARNING
    fix_safety = "safe"
    summary = "ENV/LABEL uses the legacy 'key value' form"
    instructions = frozenset({"ENV", "LABEL"})
    aliases = ("LegacyKeyValueFormat",)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for pair in ins.pairs:
            if not pair.legacy:
                continue
            fix = None
            k, v = pair.key_span, pair.value_span
            simple = not any(c in pair.value for c in " \t'\"\\")
            if simple and k.end_line == v.start_line:
                gap = Span(k.end_line, k.end_col, v.start_line, v.start_col)
                fix = Fix("Use key=value", (ctx.edit(gap, "="),))
            yield self.finding(
                ctx,
                pair.key_span,
                f'"{ins.keyword} {pair.key}={pair.value}" should be used instead of the legacy '
                f'"{ins.keyword} {pair.key} value" form',
                fix=fix,
            )
