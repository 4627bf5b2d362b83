"""``EXPOSE 53/UDP`` works but reads differently from every other Dockerfile."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import exposed_ports, split_port
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class ExposeProtoCasingRule(Rule):
    code = "DF809"
    name = "expose-proto-casing"
    severity = Severity.STYLE
    fix_safety = "safe"
    summary = "EXPOSE protocol is not lowercase"
    instructions = frozenset({"EXPOSE"})
    aliases = ("ExposeProtoCasing",)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for token, spec in exposed_ports(ctx.model, ins):
            proto = split_port(spec)[3]
            if proto and proto != proto.lower():
                fix = None
                if token.value == spec and spec.endswith(proto):
                    fix = Fix(
                        "Lowercase the protocol", (ctx.edit(token.span, spec[: -len(proto)] + proto.lower()),)
                    )
                yield self.finding(
                    ctx,
                    token.span,
                    f"protocol in EXPOSE '{spec}' should be lowercase ('{proto.lower()}')",
                    fix=fix,
                )
