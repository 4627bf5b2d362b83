"""``FROM ubuntu`` means ``ubuntu:latest``: a different image every time upstream publishes."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.dockerfile.substitute import expand
from dfcheck.lint.finding import DISPLAY_ONLY, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class UntaggedBaseImageRule(Rule):
    code = "DF701"
    name = "untagged-base-image"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "A base image has neither a tag nor a digest"
    aliases = ("DL3006", "CKV_DOCKER_7")

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        ins = stage.from_ins
        if not ins.args or stage.parent is not None or stage.base.is_scratch:
            return
        if expand(stage.base_raw, ctx.model.global_scope, ctx.dockerfile.escape).missing:
            return
        ref = stage.base
        if ref.tag or ref.digest or not ref.repository or ctx.model.stage_named(ref.raw) is not None:
            return
        token = ins.args[0]
        fix = None
        if token.value == ref.raw:
            fix = Fix("Pin a version tag", (ctx.insert_after(token.span, ":<version>"),), DISPLAY_ONLY)
        yield self.finding(
            ctx,
            token.span,
            f"base image '{ref.raw}' has no tag, so it means '{ref.raw}:latest'; pin a version tag",
            fix=fix,
        )
