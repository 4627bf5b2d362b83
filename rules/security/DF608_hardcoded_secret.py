"""A token or password written out in an ARG or ENV is in the Dockerfile's history and the image."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.secrets import literal_secret
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.substitute import variable_refs
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class HardcodedSecretRule(Rule):
    code = "DF608"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    summary = "An ARG or ENV holds a secret value written out in the Dockerfile"
    instructions = frozenset({"ARG", "ENV"})
    security_severity = 8.5

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        yield from self._pairs(ctx, ins)

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in ctx.model.global_args:
            yield from self._pairs(ctx, ins)

    def _pairs(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for pair in ins.pairs:
            if not pair.has_value or variable_refs(pair.value, ctx.dockerfile.escape):
                continue
            what = literal_secret(pair.key, ctx.model.unquote(pair.value))
            if what is None:
                continue
            if ins.keyword == "ENV":
                advice = (
                    "set it when the container starts (`docker run --env-file`, Compose or Kubernetes "
                    "secrets) instead"
                )
            else:
                advice = "pass it to the RUN that needs it with `RUN --mount=type=secret` instead"
            yield self.finding(
                ctx,
                pair.value_span,
                f"{ins.keyword} {pair.key} holds {what} written out in the Dockerfile, where anyone with the "
                f"source or the image can read it; rotate it, and {advice}",
            )
