"""EXPOSE documents container ports; host ports and IPs belong to ``docker run -p``."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import exposed_ports, split_port
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class ExposeHostMappingRule(Rule):
    code = "DF015"
    name = "expose-host-mapping"
    severity = Severity.WARNING
    summary = "EXPOSE names a host IP or host port"
    instructions = frozenset({"EXPOSE"})
    aliases = ("ExposeInvalidFormat",)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for token, spec in exposed_ports(ctx.model, ins):
            ip, host, container, _ = split_port(spec)
            if ip or host:
                what = "IP address" if ip else "port"
                yield self.finding(
                    ctx,
                    token.span,
                    f"EXPOSE '{spec}' includes a host {what}; EXPOSE takes only the container port "
                    f"('{container}'), publish with 'docker run -p'",
                )
