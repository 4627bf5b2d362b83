"""Ignore comments that suppress nothing, or name rules that do not exist, rot silently."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.registry import rules_matching
from dfcheck.lint.rule import Rule, RuleContext


class UnusedIgnoreRule(Rule):
    code = "DF002"
    name = "unused-ignore"
    severity = Severity.INFO
    summary = "An ignore comment names an unknown rule or suppresses nothing"
    after_suppression = True

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        for pragma in ctx.pragmas:
            if pragma.unknown:
                bad = [repr(u) for u in pragma.unknown if u in pragma.codes]
                verb = "is not a rule code" if len(bad) == 1 else "are not rule codes"
                why = f"{', '.join(bad)} {verb}" if bad else "rule codes must be separated by commas"
                yield self.finding(
                    ctx, pragma.span, f"hadolint ignores this whole comment, and so does dfcheck: {why}"
                )
                continue
            for token in pragma.codes:
                if token.lower() in ("all", "*"):
                    continue
                if re.fullmatch(r"SC\d{4}", token, re.I):
                    continue
                named = rules_matching(token)
                if not named:
                    if pragma.tool == "dfcheck":
                        yield self.finding(ctx, pragma.span, f"unknown rule '{token}' in ignore comment")
                elif (
                    token not in pragma.used
                    and pragma.tool == "dfcheck"
                    and any(r.code in ctx.selected for r in named)
                ):
                    yield self.finding(ctx, pragma.span, f"ignore comment for '{token}' suppresses nothing")
