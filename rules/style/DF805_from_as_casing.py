"""``FROM x as y``: the AS keyword should match the case of FROM."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class FromAsCasingRule(Rule):
    code = "DF805"
    name = "from-as-casing"
    severity = Severity.STYLE
    fix_safety = "safe"
    summary = "'AS' and 'FROM' are written in different cases"
    aliases = ("FromAsCasing",)

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        ins = stage.from_ins
        if len(ins.args) != 3:
            return
        keyword, word = ins.keyword_raw, ins.args[1]
        if keyword == keyword.upper():
            wanted = word.value.upper()
        elif keyword == keyword.lower():
            wanted = word.value.lower()
        else:
            return
        if word.value != wanted:
            yield self.finding(
                ctx,
                word.span,
                f"'{word.value}' and '{keyword}' keywords' casing do not match",
                fix=Fix(f"Write '{wanted}'", (ctx.edit(word.span, wanted),)),
            )
