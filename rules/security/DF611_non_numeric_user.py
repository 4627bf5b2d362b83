"""A USER given by name cannot be checked by Kubernetes' ``runAsNonRoot``: kubelet needs a uid."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage, expand_known, is_root_user
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class NonNumericUserRule(Rule):
    code = "DF611"
    name = "non-numeric-user"
    severity = Severity.INFO
    summary = "The shipped image's USER is a name, not a uid"
    aliases = ("DL3066",)
    enabled_by_default = False
    security_severity = 2.0
    requires_instructions = frozenset({"USER"})

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        last = ctx.last_user(chain)
        if last is None:
            return
        value = expand_known(ctx.model, last.args[0].value, last)
        user = (value or "").split(":", 1)[0]
        if not user or user.isdigit() or is_root_user(user):
            return
        yield self.finding(
            ctx,
            last.args[0].span,
            f"USER {user} is a name: Kubernetes cannot verify runAsNonRoot for it (kubelet reads a "
            f"numeric uid from the image); use the uid, e.g. USER 10001 (or uid:gid)",
        )
