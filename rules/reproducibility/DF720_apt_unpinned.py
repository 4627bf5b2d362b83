"""apt-get install without versions: the image changes whenever the archive does."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import install_targets
from dfcheck.dockerfile.model import chain_instructions
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import PinRule, RuleContext
from dfcheck.shell import Command, Script, Word

#: An archive frozen at a point in time pins every package it serves.
SNAPSHOT_HOSTS = ("snapshot.debian.org", "snapshot.ubuntu.com", "apt::snapshot")


def _snapshot(cmd: Command) -> bool:
    if cmd.name in ("apt-get", "apt") and cmd.has_flag("--snapshot", "-S"):
        return True
    return any(host in w.text.lower() for w in cmd.args for host in SNAPSHOT_HOSTS)


class AptUnpinnedRule(PinRule):
    code = "DF720"
    name = "apt-unpinned"
    severity = Severity.WARNING
    summary = "apt-get install without version pins"
    aliases = ("DL3008",)
    programs = frozenset({"apt-get", "apt"})
    hint = "use `apt-get install <package>=<version>`"

    def packages(self, cmd: Command) -> list[Word] | None:
        return install_targets(cmd, ("install",))

    def pinned(self, package: str) -> bool:
        return "=" in package or "/" in package or package.endswith(".deb")

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        if any(_snapshot(c) for c in ctx.commands(ins)) or self._snapshot_sources(ctx, ins):
            return
        yield from super().check_command(ctx, ins, script, cmd)

    def _snapshot_sources(self, ctx: RuleContext, ins: Instruction) -> bool:
        """Did this stage (or one it is built from) point apt at a snapshot archive before ``ins``?"""
        stage = ctx.model.stage_of(ins)
        for other in chain_instructions(stage) if stage is not None else ():
            if other is ins or other is ins.parent:
                return False
            if other.keyword == "RUN" and any(_snapshot(c) for c in ctx.commands(other)):
                return True
        return False
