"""An EXPOSE entry BuildKit cannot parse stops the build at that instruction."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import exposed_ports, split_port
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

RANGE = lazy(r"^(\d+)(?:-(\d+))?$")


def problem(spec: str) -> str | None:
    _, _, port, proto = split_port(spec)
    if proto is not None and proto.lower() not in ("tcp", "udp", "sctp"):
        return f"unknown protocol '{proto}' (tcp, udp or sctp)"
    match = RANGE.match(port)
    if not match:
        return f"'{port}' is not a port number or range"
    start, end = int(match.group(1)), int(match.group(2) or match.group(1))
    if max(start, end) > 65535:
        return f"port {max(start, end)} is out of range (0-65535)"
    if end < start:
        return f"port range '{port}' ends before it starts"
    return None


class InvalidExposePortRule(Rule):
    code = "DF016"
    name = "invalid-expose-port"
    severity = Severity.ERROR
    summary = "EXPOSE has an invalid port, range or protocol"
    instructions = frozenset({"EXPOSE"})
    aliases = ("DL3011",)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for token, spec in exposed_ports(ctx.model, ins):
            why = problem(spec)
            if why:
                yield self.finding(ctx, token.span, f"invalid EXPOSE '{spec}': {why}")
