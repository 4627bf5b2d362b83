"""ARG and ENV values are stored in the image config and history: no place for credentials."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.model import is_secret_name
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.substitute import variable_refs
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

#: A GPG key id or fingerprint: public, although held in a ``..._KEY`` variable.
FINGERPRINT = re.compile(r"^(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40})$")


class SecretInArgOrEnvRule(Rule):
    code = "DF604"
    name = "secret-in-arg-or-env"
    severity = Severity.WARNING
    summary = "A credential is passed through ARG or ENV in the shipped image"
    instructions = frozenset({'ARG', 'ENV'})
    aliases = ("SecretsUsedInArgOrEnv", "DS031")
    judged_stages = "shipped"
    security_severity = 7.5

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for pair in ins.pairs:
            if not is_secret_name(pair.key):
                continue
            value = ctx.model.unquote(pair.value) if pair.has_value else ""
            if ins.keyword == "ENV" and not value.strip():
                continue
            expanded = ctx.model.expand(pair.value, ins).replace(" ", "") if pair.has_value else ""
            if FINGERPRINT.match(expanded) and not re.search("(?i)token|pass|secret", pair.key):
                continue
            if value and not variable_refs(pair.value, ctx.dockerfile.escape):
                what = f"hard-codes a value for {pair.key}"
            elif ins.keyword == "ARG":
                what = f"passes {pair.key} as a build argument, which is recorded in the image history"
            else:
                what = f"stores {pair.key} in the image's environment"
            yield self.finding(
                ctx,
                pair.key_span,
                f"{ins.keyword} {what}; use a secret mount (RUN --mount=type=secret) instead",
            )
