"""A cache mount on /var/cache/apt stays empty while Docker's docker-clean hook deletes the .debs."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import commands, covers, operands, posix_runs
from dfcheck.dockerfile.model import Mount, stage_chain
from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule
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

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        kept: set[int] = set()
        for ins in posix_runs(ctx):
            stage = ctx.model.stage_of(ins)
            cmds = commands(ctx, ins)
            if _keeps(cmds):
                kept.add(id(stage))
            if any(id(st) in kept for st in stage_chain(stage)):
                continue
            if not any(
                c.name in ("apt-get", "apt") and [w.text for w in operands(c)][:1] == ["install"]
                for c in cmds
            ):
                continue
            for flag in ins.flags_of("mount"):
                mount = Mount.parse(flag.value or "")
                if mount.type == "cache" and covers(
                    ctx.model.expand(mount.target, ins).rstrip("/"), ARCHIVES
                ):
                    yield self.finding(
                        ctx,
                        flag.span,
                        f"{DOCKER_CLEAN} deletes downloaded packages after each install, so this cache stays "
                        f"empty: remove it first (`rm -f {DOCKER_CLEAN}`)",
                    )
