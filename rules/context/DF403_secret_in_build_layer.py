"""A COPY/ADD that puts a credential file into a layer of a build-only stage."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class SecretInBuildLayerRule(Rule):
    code = "DF403"
    name = "secret-in-build-layer"
    severity = Severity.WARNING
    summary = "COPY/ADD puts a secret file from the context into a build-stage layer"
    tags = ("security",)
    security_severity = 5.0

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        build = ctx.build_context
        if build is None:
            return
        from dfcheck.build.inventory import secret_copies
        from dfcheck.build.sources import context_reads

        for read, secrets in secret_copies(build, context_reads(ctx.model, ctx.settings.target)):
            if not ctx.ships(read.stage):
                more = f" and {len(secrets) - 1} more" if len(secrets) > 1 else ""
                yield self.finding(
                    ctx,
                    read.token.span,
                    f"'{read.token.value}' copies {secrets[0]}{more} into a layer of build stage "
                    f"'{read.stage.label}': it stays in the build cache and in any image or export of that "
                    "stage; use RUN --mount=type=secret instead",
                )
