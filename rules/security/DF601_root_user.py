"""The image that ships runs as root when its last USER is root."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage, is_root_user
from dfcheck.lint.finding import DISPLAY_ONLY, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class RootUserRule(Rule):
    code = "DF601"
    name = "root-user"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "The last USER of the shipped image is root"
    aliases = ("DL3002", "CKV_DOCKER_8", "DS002")
    security_severity = 6.0
    #: Without a USER the base image's user is unknown: DF602's concern.
    requires_instructions = frozenset({"USER"})

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        last = ctx.last_user(chain)
        if last is None:
            return
        user = ctx.model.expand(last.args[0].value, last)
        if is_root_user(user):
            earlier = [
                i.args[0].value
                for stage in chain
                for i in stage.instructions
                if i.keyword == "USER"
                and i.args
                and i is not last
                and not is_root_user(ctx.model.expand(i.args[0].value, i))
            ]
            unprivileged = earlier[-1] if earlier else "<non-root-user>"
            yield self.finding(
                ctx,
                last.args[0].span,
                f"the image runs as '{user}': switch to an unprivileged USER after the steps that need root",
                fix=Fix(f"Run as {unprivileged}", (ctx.edit(last.args[0].span, unprivileged),), DISPLAY_ONLY),
            )
