"""apt-get update downloads package lists (tens of MB) that stay in the layer unless removed."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.engine import RuleContext
from dfcheck.finding import Finding, Severity
from dfcheck.packages import cache_mount, commands, operands, posix_runs, removes
from dfcheck.rule import Rule

LISTS = "/var/lib/apt/lists"


class AptListsNotDeletedRule(Rule):
    code = "DF110"
    name = "apt-lists-not-deleted"
    severity = Severity.INFO
    summary = "apt lists left in the layer after apt-get update"
    aliases = ("DL3009",)
    shipped_stages_only = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in posix_runs(ctx, shipped_only=True):
            cmds = commands(ctx, ins)
            updates = [c for c in cmds if c.name in ("apt-get", "apt") and c.subcommand == "update"]
            if not updates or cache_mount(ctx, ins, LISTS) or removes(cmds, LISTS):
                continue
            if any(
                c.name in ("apt-get", "apt") and c.subcommand in ("distclean", "dist-clean") for c in cmds
            ):
                continue
            word = operands(updates[0])[0]
            yield self.finding(
                ctx,
                word.span,
                f"Remove {LISTS}/* in the same RUN (or mount a cache there): the lists ship in this layer",
            )
