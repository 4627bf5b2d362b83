"""apt-get update downloads package lists (tens of MB) that stay in the layer unless removed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.build.packages import covers, operands, removes
from dfcheck.dockerfile.model import Mount, chain_instructions
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

LISTS = "/var/lib/apt/lists"
ARCHIVES = "/var/cache/apt"
_KEEP = re.compile(r"apt\.conf\.d/docker-clean|Keep-Downloaded-Packages", re.I)
_STRAY_MOUNT = re.compile(r"(?<!\S)--mount=(\S+)")


class AptListsNotDeletedRule(Rule):
    code = "DF110"
    name = "apt-lists-not-deleted"
    severity = Severity.INFO
    summary = "apt lists left in the layer after apt-get update"
    aliases = ("DL3009",)
    judged_stages = "shipped"

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        cmds = ctx.commands(ins)
        updates = [c for c in cmds if c.name in ("apt-get", "apt") and c.subcommand == "update"]
        if not updates or removes(cmds, LISTS):
            return
        # Also `--mount` words the flags parser never reached (`RUN --mount=a \  --mount=b cmd`
        # on one line: the stray `\ ` ends the flags), which hadolint counts as mounts.
        stray = [Mount.parse(v) for v in _STRAY_MOUNT.findall(ins.rest)]
        mounted = [
            ctx.model.expand(m.target, ins).rstrip("/") or "/"
            for m in [*ctx.model.mounts(ins), *stray]
            if m.type == "cache"
        ]
        if LISTS in mounted:
            return
        if any(covers(t, LISTS) for t in mounted):
            # A cache over all of /var/lib/apt keeps the lists out, but once docker-clean is
            # gone apt's downloaded packages ship unless their cache is mounted too (hadolint's
            # DL3009 asks for both).
            if any(covers(t, ARCHIVES) for t in mounted) or not _keeps_packages(ctx, ins):
                return
            yield self.finding(
                ctx,
                operands(updates[0])[0].span,
                f"Mount a cache on {ARCHIVES} too: with only /var/lib/apt in a cache, apt's "
                "downloaded packages ship in this layer",
            )
            return
        if any(
            c.name in ("apt-get", "apt") and c.subcommand in ("distclean", "dist-clean") for c in cmds
        ):
            return
        word = operands(updates[0])[0]
        yield self.finding(
            ctx,
            word.span,
            f"Remove {LISTS}/* in the same RUN (or mount a cache there): the lists ship in this layer",
        )


def _keeps_packages(ctx: RuleContext, ins: Instruction) -> bool:
    """Has this RUN or one before it in the stage stopped apt from deleting downloaded packages?"""
    stage = ctx.model.stage_of(ins)
    for other in chain_instructions(stage) if stage is not None else [ins]:
        item = other.trigger or other
        if item.keyword == "RUN" and _KEEP.search(item.rest):
            return True
        if item is ins:
            break
    return False
