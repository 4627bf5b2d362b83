"""Label keys follow a reverse-DNS convention that tools rely on."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

KEY = lazy(r"^[a-z](?:[a-z0-9]|[.-](?=[a-z0-9]))*$")
RESERVED = ("com.docker.", "io.docker.", "org.dockerproject.")


class InvalidLabelKeyRule(Rule):
    code = "DF803"
    name = "invalid-label-key"
    severity = Severity.STYLE
    summary = "A label key does not follow Docker's key format"
    instructions = frozenset({"LABEL"})
    aliases = ("DL3048",)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for pair in ins.pairs:
            key = ctx.model.unquote(pair.key)
            if key.startswith(RESERVED):
                why = "uses a namespace reserved for Docker"
            elif not KEY.match(key):
                why = "must be lowercase letters, digits, '.' and '-', start with a letter and not repeat separators"
            else:
                continue
            yield self.finding(ctx, pair.key_span, f"label key '{key}' {why}")
