"""``FROM x as y``: the AS keyword should match the case of FROM."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Edit, Finding, Fix, Severity
from dfcheck.lint.rule import Rule


class FromAsCasingRule(Rule):
    code = "DF805"
    name = "from-as-casing"
    severity = Severity.STYLE
    summary = "'AS' and 'FROM' are written in different cases"
    aliases = ("FromAsCasing",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for stage in ctx.stages():
            ins = stage.from_ins
            if len(ins.args) != 3:
                continue
            keyword, word = ins.keyword_raw, ins.args[1]
            if keyword == keyword.upper():
                wanted = word.value.upper()
            elif keyword == keyword.lower():
                wanted = word.value.lower()
            else:
                continue
            if word.value != wanted:
                yield self.finding(
                    ctx,
                    word.span,
                    f"'{word.value}' and '{keyword}' keywords' casing do not match",
                    fix=Fix(f"Write '{wanted}'", (Edit(word.span, wanted),)),
                )
