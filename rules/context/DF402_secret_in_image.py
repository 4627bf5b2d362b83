"""A COPY/ADD that bakes a credential file of the context into a layer of the shipped image."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class SecretInImageRule(Rule):
    code = "DF402"
    name = "secret-in-image"
    severity = Severity.ERROR
    summary = "COPY/ADD puts a secret file from the context into the image"
    tags = ("security",)
    security_severity = 8.0

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        from dfcheck.build.context import secret_copies

        for stage, token, secrets in secret_copies(ctx):
            if ctx.ships(stage):
                yield self.finding(ctx, token.span, _message(token.value, secrets, "the image"))


def _message(source: str, secrets: list[str], where: str) -> str:
    more = f" and {len(secrets) - 1} more" if len(secrets) > 1 else ""
    return (
        f"'{source}' copies {secrets[0]}{more} into {where}: anyone who can pull it can read the secret, "
        "even if a later step deletes it; exclude it in .dockerignore and use RUN --mount=type=secret"
    )
