"""Ignore comments that suppress nothing, or name rules that do not exist, rot silently."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.registry import rules_matching
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

if TYPE_CHECKING:
    from dfcheck.lint.pragmas import Pragma


class UnusedIgnoreRule(Rule):
    code = "DF002"
    name = "unused-ignore"
    severity = Severity.INFO
    fix_safety = "safe"
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
            stale: list[tuple[str, str]] = []
            for token in pragma.codes:
                if token.lower() in ("all", "*"):
                    continue
                if re.fullmatch(r"SC\d{4}", token, re.I):
                    continue
                named = rules_matching(token)
                if not named:
                    if pragma.tool == "dfcheck":
                        stale.append((token, f"unknown rule '{token}' in ignore comment"))
                elif (
                    token not in pragma.used
                    and pragma.tool == "dfcheck"
                    and any(r.code in ctx.selected for r in named)
                ):
                    stale.append((token, f"ignore comment for '{token}' suppresses nothing"))
            fix = _removal(ctx, pragma, {t for t, _ in stale}) if stale else None
            for _, message in stale:
                yield self.finding(ctx, pragma.span, message, fix=fix)


def _removal(ctx: RuleContext, pragma: Pragma, stale: set[str]) -> Fix | None:
    """One fix for every stale token of the comment: they leave the list, and a comment left
    with no rule is removed with its line."""
    kept = [t for t in pragma.codes if t not in stale]
    if not kept:
        return Fix("Remove the ignore comment", (ctx.delete_lines(pragma.line, pragma.line),))
    line = ctx.dockerfile.lines[pragma.line - 1]
    match = _CODES.search(line, pragma.span.start_col - 1)
    if match is None:
        return None
    listed = match.group(1)
    separator = ", " if ", " in listed else "," if "," in listed else " "
    span = Span(pragma.line, match.start(1) + 1, pragma.line, match.end(1) + 1)
    return Fix("Remove the stale rules from the ignore comment", (ctx.edit(span, separator.join(kept)),))


_CODES = lazy(r"ignore\s*=\s*([^#]*?)\s*(?:#.*)?$", re.I)
