"""apt-get update downloads package lists (tens of MB) that stay in the layer unless removed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.build.packages import covers, operands, removes
from dfcheck.dockerfile.model import Mount
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import UNSAFE, Finding, Fix, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext
from dfcheck.regex import lazy

LISTS = "/var/lib/apt/lists"
ARCHIVES = "/var/cache/apt"
_KEEP = lazy(r"apt\.conf\.d/docker-clean|Keep-Downloaded-Packages", re.I)
_STRAY_MOUNT = lazy(r"(?<!\S)--mount=(\S+)")
#: The front ends that download the lists: apt-get, apt and aptitude.
_APT = ("apt-get", "apt", "aptitude")


class AptListsNotDeletedRule(Rule):
    code = "DF110"
    name = "apt-lists-not-deleted"
    severity = Severity.INFO
    fix_safety = "unsafe"
    summary = "apt lists left in the layer after apt-get update"
    aliases = ("DL3009",)
    judged_stages = "shipped"
    requires_programs = frozenset(_APT)

    def __init__(self) -> None:
        #: Has a RUN of the stage chain stopped apt from deleting downloaded packages?
        self.keeps_packages: ChainState[bool] = ChainState(False)
        #: Per stage index, the last line of a RUN in it or in a stage built FROM it that reads
        #: the lists without updating them (see :func:`_last_readers`); built on first need.
        self.last_reader: dict[int, int] | None = None

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        if stage is not None and _KEEP.search(ins.rest):
            self.keeps_packages.set(stage, True)
        cmds = ctx.commands(ins)
        updates = [c for c in cmds if c.name in _APT and c.subcommand == "update"]
        if not updates or removes(cmds, LISTS):
            return
        # Also `--mount` words the flags parser never reached (`RUN --mount=a \  --mount=b cmd`
        # on one line: the stray `\ ` ends the flags), which hadolint counts as mounts.
        stray = [Mount.parse(v) for v in _STRAY_MOUNT.findall(ins.rest)]
        mounted = [
            ctx.model.expand(m.target, ins).rstrip("/") or "/"
            for m in [*ctx.model.mounts(ins), *stray]
            if m.type in ("cache", "tmpfs")
        ]
        if LISTS in mounted:
            return
        if any(covers(t, LISTS) for t in mounted):
            # A cache over all of /var/lib/apt keeps the lists out, but once docker-clean is
            # gone apt's downloaded packages ship unless their cache is mounted too (hadolint's
            # DL3009 asks for both).
            if (
                any(covers(t, ARCHIVES) for t in mounted)
                or stage is None
                or not self.keeps_packages.get(stage)
            ):
                return
            yield self.finding(
                ctx,
                operands(updates[0])[0].span,
                f"Mount a cache on {ARCHIVES} too: with only /var/lib/apt in a cache, apt's "
                "downloaded packages ship in this layer",
            )
            return
        if any(c.name in _APT and c.subcommand in ("distclean", "dist-clean") for c in cmds):
            return
        word = operands(updates[0])[0]
        if self.last_reader is None:
            self.last_reader = _last_readers(ctx)
        stage_index = stage.index if stage is not None else -1
        read_later = self.last_reader.get(stage_index, 0) > ins.line
        cleanup = None if read_later else ctx.append_command(ins, f"rm -rf {LISTS}/*")
        yield self.finding(
            ctx,
            word.span,
            f"Remove {LISTS}/* in the same RUN (or mount a cache there): the lists ship in this layer",
            fix=Fix(f"Remove {LISTS}/* at the end of the RUN", (cleanup,), UNSAFE) if cleanup else None,
        )


#: apt subcommands that read the package lists.
_READS_LISTS = frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source"})


def _last_readers(ctx: RuleContext) -> dict[int, int]:
    """For each stage, the last line of a RUN, in it or in a stage built FROM it (at any depth),
    that reads the lists without running ``apt-get update`` itself: removing the lists before
    it would break it, so the fix is not offered. One pass over the file (asking every later RUN
    for every finding was quadratic); a stage is FROM an earlier one, so walking the stages
    backwards hands each one's latest reader to its parent after all its children."""
    last: dict[int, int] = {}
    for stage in ctx.model.stages:
        for later in stage.instructions:
            if later.keyword == "RUN":
                verbs = {c.subcommand for c in ctx.commands(later) if c.name in _APT}
                if verbs & _READS_LISTS and "update" not in verbs:
                    last[stage.index] = max(last.get(stage.index, 0), later.line)
    for stage in reversed(ctx.model.stages):
        if stage.parent is not None and stage.index in last:
            last[stage.parent.index] = max(last.get(stage.parent.index, 0), last[stage.index])
    return last
