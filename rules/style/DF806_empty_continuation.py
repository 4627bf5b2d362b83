"""A blank line inside a continued instruction is deprecated and will become an error."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Fix, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext


class EmptyContinuationRule(Rule):
    code = "DF806"
    name = "empty-continuation"
    severity = Severity.WARNING
    fix_safety = "safe"
    summary = "An instruction continues across an empty line"
    aliases = ("NoEmptyContinuation",)

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        lines = ctx.dockerfile.lines
        for ins in ctx.dockerfile.instructions:
            empty = ins.empty_continuation_lines
            if not empty:
                continue
            # BuildKit reports the line where the continued instruction ends (before any heredoc body).
            last = (
                min(h.body_span.start_line for h in ins.heredocs) - 1 if ins.heredocs else ins.span.end_line
            )
            text = lines[last - 1] if last <= len(lines) else ""
            start = len(text) - len(text.lstrip()) + 1
            where = ", ".join(str(n) for n in empty)
            yield self.finding(
                ctx,
                Span(last, start, last, max(len(text.rstrip()) + 1, start + 1)),
                f"{ins.keyword} continues across the empty line{'s' if len(empty) > 1 else ''} {where}: "
                "remove it, or end the instruction above",
                related=tuple(
                    Related(Span(n, 1, n, 1 + max(len(lines[n - 1]), 1)), "empty line") for n in empty
                ),
                fix=Fix("Remove the empty lines", tuple(ctx.delete_lines(n, n) for n in empty)),
            )
