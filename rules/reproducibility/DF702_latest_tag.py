"""``:latest`` is a moving target, not a version."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage, narrow
from dfcheck.lint.finding import DISPLAY_ONLY, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class LatestTagRule(Rule):
    code = "DF702"
    name = "latest-tag"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "A base image uses the 'latest' tag"
    aliases = ("DL3007", "DS001", "CKV_DOCKER_7")

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        ref = stage.base
        if stage.parent is not None or ref.tag != "latest" or ref.digest or not stage.from_ins.args:
            return
        token = stage.from_ins.args[0]
        at = token.value.rfind(":latest")
        span = narrow(token.span, token.value, at + 1, at + 7) if at >= 0 else token.span
        fix = Fix("Pin a version tag", (ctx.edit(span, "<version>"),), DISPLAY_ONLY) if at >= 0 else None
        yield self.finding(
            ctx,
            span,
            f"'{ref.raw}' uses the 'latest' tag, which changes without notice; pin a version tag",
            fix=fix,
        )
