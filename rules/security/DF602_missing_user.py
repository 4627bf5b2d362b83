"""Without any USER the image runs as whatever the base image chose, usually root."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import chain_instructions
from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule


class MissingUserRule(Rule):
    code = "DF602"
    name = "missing-user"
    severity = Severity.INFO
    summary = "The shipped image never sets a USER"
    aliases = ("CKV_DOCKER_3", "DS002")
    enabled_by_default = False
    shipped_stages_only = True
    security_severity = 4.0

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        target = ctx.model.target_stage(ctx.settings.target)
        if target is None:
            return
        if not any(ins.keyword == "USER" for ins in chain_instructions(target)):
            yield self.finding(
                ctx,
                target.from_ins.keyword_span,
                "the image never sets a USER, so it runs as the base image's user (root unless the base "
                "changed it); add an unprivileged USER",
            )
