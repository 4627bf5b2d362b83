"""A blank line inside a continued instruction is deprecated and will become an error."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class EmptyContinuationRule(Rule):
    code = "DF806"
    name = "empty-continuation"
    severity = Severity.WARNING
    summary = "An instruction continues across an empty line"
    aliases = ("NoEmptyContinuation",)

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in ctx.dockerfile.instructions:
            for line in ins.empty_continuation_lines:
                width = len(ctx.dockerfile.lines[line - 1]) if line <= len(ctx.dockerfile.lines) else 0
                yield self.finding(
                    ctx,
                    Span(line, 1, line, 1 + max(width, 1)),
                    f"empty continuation line inside {ins.keyword}: remove it, or end the instruction above",
                )
