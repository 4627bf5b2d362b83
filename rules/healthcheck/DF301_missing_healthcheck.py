"""Opt-in: a long-running service image without a HEALTHCHECK reports "running" while hung."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class MissingHealthcheckRule(Rule):
    code = "DF301"
    name = "missing-healthcheck"
    severity = Severity.INFO
    summary = "The shipped image of a network service has no HEALTHCHECK"
    aliases = ("DL3057", "CKV_DOCKER_2", "DS026")
    enabled_by_default = False
    options = {"require_expose": False}

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        target = chain[-1]
        keywords = {i.keyword for s in chain for i in s.instructions}
        if "HEALTHCHECK" in keywords:
            return
        if ctx.option(self, "require_expose") and "EXPOSE" not in keywords:
            return
        yield self.finding(
            ctx,
            target.from_ins.keyword_span,
            f"the shipped stage '{target.label}' has no HEALTHCHECK: the container reports 'running' "
            "even when the service hangs (add HEALTHCHECK, or HEALTHCHECK NONE to say it is deliberate)",
        )
