"""``FROM --platform=linux/amd64`` pins every build to one architecture."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.dockerfile.substitute import variable_refs
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

PLATFORM = lazy(r"^([a-z0-9_]+)(?:/([a-z0-9_]+)(?:/[a-z0-9_.]+)?)?$")


class FromPlatformConstantRule(Rule):
    code = "DF019"
    name = "from-platform-constant"
    severity = Severity.WARNING
    summary = "FROM --platform is a constant"
    aliases = ("DL3029", "FromPlatformFlagConstDisallowed")

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        flag = stage.from_ins.flag("platform")
        if flag is None or not flag.value or variable_refs(flag.value, ctx.dockerfile.escape):
            return
        value = ctx.model.unquote(flag.value)
        match = PLATFORM.match(value.lower())
        if match is None:
            return
        name = stage.name or ""
        if any(part and part in name for part in match.groups()):
            return
        yield self.finding(
            ctx,
            flag.value_span,
            f"FROM --platform={value} forces this stage to one platform; use $BUILDPLATFORM or "
            "$TARGETPLATFORM, or name the stage after the platform if that is intended",
        )
