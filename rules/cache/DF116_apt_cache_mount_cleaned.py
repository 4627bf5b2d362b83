"""A cache mount on /var/cache/apt stays empty while Docker's docker-clean hook deletes the .debs."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import covers, operands
from dfcheck.dockerfile.model import Mount
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext
from dfcheck.shell import Command

ARCHIVES = "/var/cache/apt/archives"
DOCKER_CLEAN = "/etc/apt/apt.conf.d/docker-clean"


def _keeps(cmds: list[Command]) -> bool:
    for cmd in cmds:
        texts = [w.text for w in cmd.args]
        if cmd.name == "rm" and any(t.rstrip("*") in (DOCKER_CLEAN, "/etc/apt/apt.conf.d/") for t in texts):
            return True
        if any("keep-downloaded-packages" in t.lower() and "true" in t.lower() for t in texts):
            return True
    return False


class AptCacheMountCleanedRule(Rule):
    code = "DF116"
    name = "apt-cache-mount-cleaned"
    severity = Severity.WARNING
    summary = "apt cache mount defeated by docker-clean"
    requires_programs = frozenset({"apt-get", "apt"})

    def __init__(self) -> None:
        #: Has a RUN of the stage chain stopped apt from deleting downloaded packages?
        self.kept: ChainState[bool] = ChainState(False)

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        cmds = ctx.commands(ins)
        if stage is None:
            return
        if _keeps(cmds):
            self.kept.set(stage, True)
        if self.kept.get(stage):
            return
        if not any(
            c.name in ("apt-get", "apt") and [w.text for w in operands(c)][:1] == ["install"] for c in cmds
        ):
            return
        for flag in ins.flags_of("mount"):
            mount = Mount.parse(flag.value or "")
            if mount.type == "cache" and covers(ctx.model.expand(mount.target, ins).rstrip("/"), ARCHIVES):
                yield self.finding(
                    ctx,
                    flag.span,
                    f"{DOCKER_CLEAN} deletes downloaded packages after each install, so this cache stays "
                    f"empty: remove it first (`rm -f {DOCKER_CLEAN}`)",
                )
