"""Opt-in policy: ignore decisions belong in reviewed configuration, not scattered comments."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.pragmas import is_pragma
from dfcheck.lint.rule import Rule, RuleContext


class InlineIgnoreRule(Rule):
    code = "DF020"
    name = "inline-ignore"
    severity = Severity.INFO
    summary = "An inline ignore comment is used"
    aliases = ("DL1001",)
    enabled_by_default = False

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        for comment in ctx.dockerfile.comments:
            if is_pragma(comment.text):
                yield self.finding(
                    ctx,
                    comment.span,
                    "inline ignore comment: record accepted exceptions in the configuration "
                    "(ignore, or a baseline) where they are reviewed in one place",
                )
