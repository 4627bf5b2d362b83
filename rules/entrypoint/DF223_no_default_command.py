"""An image built FROM scratch without CMD or ENTRYPOINT cannot be started without arguments."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

#: Settings that only matter when the image runs: their presence says the image is meant to be
#: started, not exported with ``--output`` or used as a base for other images.
RUNTIME_SETTINGS = frozenset({"EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "VOLUME"})


class NoDefaultCommandRule(Rule):
    code = "DF223"
    name = "no-default-command"
    severity = Severity.WARNING
    summary = "The shipped image has no CMD or ENTRYPOINT and its base provides none"
    requires_instructions = RUNTIME_SETTINGS

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        if not chain[0].base.is_scratch or chain[0].implicit:  # no FROM: base unknown
            return
        target = chain[-1]
        keywords = {i.keyword for s in chain for i in s.instructions}
        if keywords & {"CMD", "ENTRYPOINT"} or not keywords & RUNTIME_SETTINGS:
            return
        yield self.finding(
            ctx,
            target.from_ins.keyword_span,
            f"the shipped stage '{target.label}' is built from scratch and sets no CMD or ENTRYPOINT: "
            "'docker run IMAGE' fails with 'no command specified'",
        )
