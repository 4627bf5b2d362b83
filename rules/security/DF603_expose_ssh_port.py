"""A shipped image that exposes port 22 invites an SSH daemon inside a container."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import exposed_ports, split_port
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

RANGE = lazy(r"^(\d+)(?:-(\d+))?$")


class ExposeSshPortRule(Rule):
    code = "DF603"
    name = "expose-ssh-port"
    severity = Severity.WARNING
    summary = "The shipped image exposes port 22 (SSH)"
    instructions = frozenset({"EXPOSE"})
    aliases = ("DS004", "CKV_DOCKER_1")
    judged_stages = "shipped"
    security_severity = 5.0

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for token, spec in exposed_ports(ctx.model, ins):
            _, _, port, proto = split_port(spec)
            match = RANGE.match(port)
            if not match or (proto or "tcp").lower() != "tcp":
                continue
            start = int(match.group(1))
            if start <= 22 <= int(match.group(2) or start):
                yield self.finding(
                    ctx,
                    token.span,
                    f"EXPOSE {spec} opens the SSH port: use 'docker exec' instead of an SSH server in the image",
                )
