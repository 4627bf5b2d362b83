"""Mixed ``RUN``/``run``/``Run`` keywords make a Dockerfile harder to scan and grep."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import KNOWN_INSTRUCTIONS
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class InconsistentInstructionCasingRule(Rule):
    code = "DF807"
    name = "inconsistent-instruction-casing"
    severity = Severity.STYLE
    fix_safety = "safe"
    summary = "Instruction keywords are not all in the same case"
    aliases = ("ConsistentInstructionCasing",)

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        keywords = [i for i in ctx.dockerfile.walk() if i.keyword in KNOWN_INSTRUCTIONS]
        lower = sum(1 for i in keywords if i.keyword_raw == i.keyword_raw.lower())
        upper = sum(1 for i in keywords if i.keyword_raw == i.keyword_raw.upper())
        majority_lower = lower > upper
        for ins in keywords:
            wanted = ins.keyword_raw.lower() if majority_lower else ins.keyword_raw.upper()
            if ins.keyword_raw != wanted:
                case = "lowercase" if majority_lower else "uppercase"
                yield self.finding(
                    ctx,
                    ins.keyword_span,
                    f"'{ins.keyword_raw}' should match the case of the other instructions ({case})",
                    fix=Fix(f"Write '{wanted}'", (ctx.edit(ins.keyword_span, wanted),)),
                )
