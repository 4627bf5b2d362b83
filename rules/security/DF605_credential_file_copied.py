"""Private keys and registry credentials copied into an image are readable by anyone who pulls it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

CREDENTIAL = lazy(
    r"(?:^|/)(?:id_(?:rsa|dsa|ecdsa|ed25519)|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.dockercfg"
    r"|\.env(?:\.(?!example$|sample$|template$|dist$|defaults?$)[\w.-]+)?|\.aws/credentials|\.docker/config\.json"
    r"|\.kube/config|[^/]*\.(?:key|p12|pfx)|[^/]*(?:key|priv)[^/]*\.pem)$",
    re.IGNORECASE,
)
PUBLIC = lazy(r"(?i)gpg|pub|\.asc$|cert|\.crt$")


class CredentialFileCopiedRule(Rule):
    code = "DF605"
    name = "credential-file-copied"
    severity = Severity.WARNING
    summary = "COPY/ADD puts a credential file into the shipped image"
    instructions = frozenset({"COPY", "ADD"})
    aliases = ("DS031",)
    judged_stages = "shipped"
    security_severity = 7.5

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for token in ins.args[:-1]:
            path = ctx.model.expand(token.value, ins).rstrip("/")
            if "://" not in path and CREDENTIAL.search(path) and not PUBLIC.search(path):
                yield self.finding(
                    ctx,
                    token.span,
                    f"'{token.value}' looks like a credential file and stays readable in the image; "
                    "use RUN --mount=type=secret or mount it at run time",
                )
