"""``FROM --platform=$TARGETPLATFORM`` restates the default."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

TARGET = lazy(r"""^(["']?)\$(?:TARGETPLATFORM|\{TARGETPLATFORM\})\1$""")


class RedundantTargetPlatformRule(Rule):
    code = "DF810"
    name = "redundant-target-platform"
    severity = Severity.INFO
    fix_safety = "safe"
    summary = "FROM --platform=$TARGETPLATFORM is the default"
    aliases = ("RedundantTargetPlatform", "DL3065")

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        flag = stage.from_ins.flag("platform")
        if flag is not None and flag.value and TARGET.match(flag.value):
            yield self.finding(
                ctx,
                flag.span,
                f"--platform={flag.value} is redundant: stages are built for the target platform by default",
                fix=Fix("Remove the flag", (ctx.delete_word(flag.span),)),
            )
