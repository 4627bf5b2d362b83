"""Only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage counts; earlier ones are dead code."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Fix, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext

ONCE = ("CMD", "ENTRYPOINT", "HEALTHCHECK")


class MultipleInstructionsRule(Rule):
    code = "DF202"
    name = "multiple-instructions"
    severity = Severity.WARNING
    fix_safety = "safe"
    summary = "A stage has more than one CMD, ENTRYPOINT or HEALTHCHECK"
    aliases = ("DL4003", "DL4004", "DL3012", "MultipleInstructionsDisallowed", "DS016", "DS007", "DS023")
    requires_instructions = frozenset(ONCE)

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        last: dict[str, Instruction] = {}
        for ins in stage.instructions:
            if ins.keyword not in ONCE:
                continue
            previous = last.get(ins.keyword)
            if previous is not None:
                yield self.finding(
                    ctx,
                    previous.keyword_span,
                    f"this {ins.keyword} has no effect: the {ins.keyword} on line {ins.line} replaces it",
                    related=(Related(ins.keyword_span, f"the {ins.keyword} that takes effect"),),
                    fix=Fix(
                        f"Remove the {ins.keyword} that has no effect",
                        (ctx.delete_lines(previous.span.start_line, previous.span.end_line),),
                    ),
                )
            last[ins.keyword] = ins
