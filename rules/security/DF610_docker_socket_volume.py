"""``VOLUME /var/run/docker.sock``: the image expects the host's Docker socket, i.e. root on the host."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

_SOCKETS = frozenset({"/var/run/docker.sock", "/run/docker.sock"})
_DIRECTORIES = frozenset({"/var/run", "/run", "/var/run/docker", "/run/docker"})


class DockerSocketVolumeRule(Rule):
    code = "DF610"
    name = "docker-socket-volume"
    severity = Severity.WARNING
    summary = "VOLUME declares the Docker socket (or its directory) as a mount point"
    instructions = frozenset({"VOLUME"})
    judged_stages = "shipped"
    security_severity = 8.0

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for token in ins.args:
            for part in ctx.expand(token.value, ins).split():
                paths = {posixpath.normpath(p) for p in part.strip("[]\"',").split(":") if p.startswith("/")}
                if paths & _SOCKETS:
                    what = "the Docker socket"
                elif paths & _DIRECTORIES:
                    what = "the directory of the Docker socket"
                else:
                    continue
                yield self.finding(
                    ctx,
                    token.span,
                    f"VOLUME {part} makes {what} a mount point: the image expects the host's Docker daemon, and "
                    "whoever controls the socket controls the host as root; give the container only what it "
                    "needs (a rootless or remote daemon, or a socket proxy that allows a few API calls)",
                )
                break
