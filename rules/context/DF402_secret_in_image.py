"""A COPY/ADD that bakes a credential file of the context into a layer of the shipped image."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class SecretInImageRule(Rule):
    code = "DF402"
    name = "secret-in-image"
    severity = Severity.ERROR
    summary = "COPY/ADD puts a secret file from the context into the image"
    tags = ("security",)
    security_severity = 8.0

    judged_stages = "shipped"
    instructions = frozenset({"COPY", "ADD"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        from dfcheck.build.inventory import secret_copies
        from dfcheck.build.sources import instruction_reads

        reads = instruction_reads(ctx.model, ins)
        build = ctx.build_context if reads else None
        for read, secrets in secret_copies(build, reads) if build is not None else ():
            yield self.finding(ctx, read.token.span, _message(read.token.value, secrets, "the image"))


def _message(source: str, secrets: list[str], where: str) -> str:
    more = f" and {len(secrets) - 1} more" if len(secrets) > 1 else ""
    return (
        f"'{source}' copies {secrets[0]}{more} into {where}: anyone who can pull it can read the secret, "
        "even if a later step deletes it; exclude it in .dockerignore and use RUN --mount=type=secret"
    )
