"""Opt-in: a long-running service image without a HEALTHCHECK reports "running" while hung."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule


class MissingHealthcheckRule(Rule):
    code = "DF301"
    name = "missing-healthcheck"
    severity = Severity.INFO
    summary = "The shipped image of a network service has no HEALTHCHECK"
    aliases = ("DL3057", "CKV_DOCKER_2", "DS026")
    enabled_by_default = False
    shipped_stages_only = True
    options = {"require_expose": False}

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        chain = ctx.shipped_chain()
        if not chain:
            return
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
