"""An index update in its own RUN is cached forever: later installs use a stale index."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands, verb
from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command

#: Canonical verbs (packages.VERB_SYNONYMS): `dnf mc`, `zypper ref`, `dnf in`, `zypper up` count too.
_UPDATE = {"apt-get": ("update",), "apt": ("update",), "apk": ("update",), "yum": ("makecache",),
           "dnf": ("makecache",), "zypper": ("refresh",)}  # fmt: skip
_INSTALL = {"apt-get": ("install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source"),
            "apt": ("install", "upgrade", "full-upgrade"), "apk": ("add", "upgrade", "fix"),
            "yum": ("install", "upgrade", "groupinstall"),
            "dnf": ("install", "upgrade", "groupinstall"), "zypper": ("install", "update")}  # fmt: skip
#: Commands that cannot be what the update was for.
_HOUSEKEEPING = frozenset(
    {"rm", "echo", "printf", "true", "set", "mkdir", "ln", "chmod", "chown", "touch", ":", "cat"}
)


def _verb(cmd: Command) -> str | None:
    found = verb(cmd) if cmd.name in _UPDATE else None
    return found[1] if found else None


def _refreshes(cmd: Command) -> bool:
    """An install that updates the index itself first (``apk add -U``) never reads a stale one."""
    return cmd.name == "apk" and cmd.has_flag("-U", "--update-cache", "--update")


class UpdateAloneRule(Rule):
    code = "DF115"
    name = "update-alone"
    severity = Severity.WARNING
    summary = "Package index updated in a RUN that installs nothing"
    aliases = ("CKV_DOCKER_5", "DS017")
    requires_programs = frozenset(_UPDATE)

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        runs = [i for i in stage.instructions if i.keyword == "RUN"]
        for k, ins in enumerate(runs):
            cmds = ctx.commands(ins)
            for i, cmd in enumerate(cmds):
                if _verb(cmd) not in _UPDATE.get(cmd.name, ()):
                    continue
                rest = [c for c in cmds[i + 1 :] if not (c.name == cmd.name and _verb(c) in _UPDATE[c.name])]
                if not all(
                    c.name in _HOUSEKEEPING or (c.name == cmd.name and _verb(c) == "clean") for c in rest
                ):
                    continue
                later = next(
                    (
                        c
                        for r in runs[k + 1 :]
                        for c in ctx.commands(r)
                        if _verb(c) in _INSTALL.get(c.name, ()) and not _refreshes(c)
                    ),
                    None,
                )
                word = operands(cmd)[0]
                if later is not None:
                    yield self.finding(
                        ctx,
                        word.span,
                        f"`{cmd.name} {word.text}` alone is cached: the later install may use a stale index",
                        related=(Related(later.name_span, "installs here with the cached index"),),
                    )
                else:
                    yield self.finding(
                        ctx, word.span, f"`{cmd.name} {word.text}` without an install in the same RUN"
                    )
                break
