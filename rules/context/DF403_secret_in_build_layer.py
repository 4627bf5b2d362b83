"""A COPY/ADD that puts a credential file into a layer of a build-only stage."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class SecretInBuildLayerRule(Rule):
    code = "DF403"
    name = "secret-in-build-layer"
    severity = Severity.WARNING
    summary = "COPY/ADD puts a secret file from the context into a build-stage layer"
    tags = ("security",)
    security_severity = 5.0

    judged_stages = "unshipped"
    instructions = frozenset({"COPY", "ADD"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        from dfcheck.build.inventory import secret_copies
        from dfcheck.build.sources import instruction_reads

        stage = ctx.facts(ins).stage
        if stage is None or stage.index not in ctx.needed:  # a stage the build never runs
            return
        reads = instruction_reads(ctx.model, ins)
        build = ctx.build_context if reads else None
        for read, secrets in secret_copies(build, reads) if build is not None else ():
            more = f" and {len(secrets) - 1} more" if len(secrets) > 1 else ""
            yield self.finding(
                ctx,
                read.token.span,
                f"'{read.token.value}' copies {secrets[0]}{more} into a layer of build stage "
                f"'{read.stage.label}': it stays in the build cache and in any image or export of that "
                "stage; use RUN --mount=type=secret instead",
            )
