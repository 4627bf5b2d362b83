"""Ignore comments that suppress nothing, or name rules that do not exist, rot silently."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.pragmas import Pragma
from dfcheck.lint.rule import Rule, resolve


class UnusedIgnoreRule(Rule):
    code = "DF002"
    name = "unused-ignore"
    severity = Severity.INFO
    summary = "An ignore comment names an unknown rule or suppresses nothing"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        return iter(())

    def audit(self, ctx: RuleContext, pragmas: list[Pragma]) -> Iterator[Finding]:
        """Called by the engine after filtering, when it knows which pragmas were used."""
        for pragma in pragmas:
            for token in pragma.codes:
                if token.lower() in ("all", "*"):
                    continue
                if re.fullmatch(r"SC\d{4}", token, re.I):
                    continue
                if not resolve(token):
                    if pragma.tool == "dfcheck" or token.upper().startswith("DF"):
                        yield self.finding(ctx, pragma.span, f"unknown rule '{token}' in ignore comment")
                elif (
                    token not in pragma.used
                    and pragma.tool == "dfcheck"
                    and any(r.code in ctx.selected for r in resolve(token))
                ):
                    yield self.finding(ctx, pragma.span, f"ignore comment for '{token}' suppresses nothing")
