"""Without any USER the image runs as whatever the base image chose, usually root."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class MissingUserRule(Rule):
    code = "DF602"
    name = "missing-user"
    severity = Severity.INFO
    summary = "The shipped image never sets a USER"
    aliases = ("CKV_DOCKER_3", "DS002")
    enabled_by_default = False
    security_severity = 4.0

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        target = chain[-1]
        if target.end.user is None:
            yield self.finding(
                ctx,
                target.from_ins.keyword_span,
                "the image never sets a USER, so it runs as the base image's user (root unless the base "
                "changed it); add an unprivileged USER",
            )
