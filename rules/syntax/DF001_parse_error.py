"""Parse errors are findings, so a broken instruction never hides the rest of the file."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.validate import NO_STAGE
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class ParseErrorRule(Rule):
    code = "DF001"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "BuildKit would reject this Dockerfile while parsing it"
    aliases = ("DL1000", "DL3043")

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        for error in ctx.dockerfile.errors:
            if error.message == NO_STAGE:  # DF009 reports the instruction that has no stage
                continue
            yield self.finding(ctx, error.span, error.message)
