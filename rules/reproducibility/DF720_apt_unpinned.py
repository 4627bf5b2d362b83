"""apt-get install without versions: the image changes whenever the archive does."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import install_targets
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import ChainState, PinRule, RuleContext
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
    fix_safety = "display-only"
    summary = "apt-get install without version pins"
    aliases = ("DL3008",)
    programs = frozenset({"apt-get", "apt"})
    hint = "use `apt-get install <package>=<version>`"
    pin_format = "{}=<version>"
    requires_programs = programs

    def packages(self, cmd: Command) -> list[Word] | None:
        return install_targets(cmd, ("install",))

    def pinned(self, package: str) -> bool:
        return "=" in package or "/" in package or package.endswith(".deb")

    def __init__(self) -> None:
        #: Has this RUN, or one before it in the stage chain, pointed apt at a snapshot archive?
        self.snapshot: ChainState[bool] = ChainState(False)
        self.snapshot_here = False

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        self.snapshot_here = any(_snapshot(c) for c in ctx.commands(ins))
        if self.snapshot_here and stage is not None and ins.parent is None:
            self.snapshot.set(stage, True)
        return iter(())

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        if self.snapshot_here or (stage is not None and self.snapshot.get(stage)):
            return
        yield from super().check_command(ctx, ins, script, cmd)
