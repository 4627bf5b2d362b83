"""A base image whose runtime or distribution reached end of life gets no security fixes."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.eol import releases
from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


def _today() -> str:
    """The build's ``SOURCE_DATE_EPOCH`` when set (reproducible results for a given commit), else today."""
    import os
    import time

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return time.strftime("%Y-%m-%d", time.gmtime(int(epoch) if epoch.isdigit() else None))


class EndOfLifeBaseImageRule(Rule):
    code = "DF609"
    name = "end-of-life-base-image"
    severity = Severity.WARNING
    summary = "The shipped image is built on a runtime or distribution version past its end of life"
    options = {"as_of": ""}
    security_severity = 5.0

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        root = chain[0]
        if not root.from_ins.args:
            return
        today = ctx.option(self, "as_of") or _today()
        ended = [r for r in releases(root.base) if r.date <= today]
        if not ended:
            return
        what = " and ".join(
            f"{r.product} {r.version} reached end of life {'before' if r.before else 'on'} {r.date}"
            for r in ended
        )
        yield self.finding(
            ctx,
            root.from_ins.args[0].span,
            f"`{root.base.raw}`: {what}, and gets no security fixes any more; move to a supported release",
        )
