"""yum, dnf and zypper keep metadata and packages in /var/cache unless cleaned in the same RUN."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import canonical_verb, operands, removes, verb
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import UNSAFE, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command

_FAMILY = {"yum": "yum", "dnf": "dnf", "microdnf": "dnf", "zypper": "zypper"}
#: Commands that download packages into the cache (canonical names: ``dnf in`` is ``install``).
_RPM = ("install", "groupinstall", "reinstall", "upgrade", "upgrade-minimal", "downgrade", "distro-sync")
_INSTALL = {"yum": _RPM, "dnf": _RPM,
            "zypper": ("install", "update", "patch", "dist-upgrade", "source-install", "install-new-recommends")}  # fmt: skip
#: Where each keeps its cache: yum 3, dnf 4 (and yum 4), dnf 5 (``~/.cache/libdnf5`` for other users).
_CACHES = {"yum": ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"),
           "dnf": ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5", "~/.cache/libdnf5"),
           "zypper": ("/var/cache/zypp",)}  # fmt: skip
_HOW = {
    "yum": "yum clean all",
    "dnf": "dnf clean all",
    "microdnf": "microdnf clean all",
    "zypper": "zypper clean --all",
}


def _cleans(cmd: Command, installer: str) -> bool:
    """Does ``cmd`` clean the cache of ``installer``? microdnf and dnf keep separate caches."""
    words = [w.text for w in operands(cmd)] if cmd.name == installer else []
    if not words or canonical_verb(installer, words[0]) != "clean":
        return False
    return installer == "zypper" or words[1:2] == ["all"]


class PackageCacheNotCleanedRule(Rule):
    code = "DF113"
    name = "package-cache-not-cleaned"
    severity = Severity.INFO
    fix_safety = "unsafe"
    summary = "yum/dnf/zypper cache left in the layer"
    aliases = ("DL3032", "DL3036", "DL3040", "DS015", "DS019", "DS020", "DS027")
    judged_stages = "shipped"
    requires_programs = frozenset(_FAMILY)

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        cmds = ctx.commands(ins)
        for i, cmd in enumerate(cmds):
            family = _FAMILY.get(cmd.name)
            found = verb(cmd) if family else None
            if not family or found is None or found[1] not in _INSTALL[family]:
                continue
            later = cmds[i + 1 :]
            if any(_cleans(c, cmd.name) for c in later) or ctx.cache_mount(ins, *_CACHES[family]):
                continue
            if any(removes(later, path + "/x") for path in _CACHES[family]):
                continue
            how = _HOW.get(cmd.name, _HOW[family])
            cleanup = ctx.append_command(ins, how)
            yield self.finding(
                ctx,
                found[0].span,
                f"Run `{how}` after installing, in the same RUN",
                fix=Fix(f"Run {how} at the end of the RUN", (cleanup,), UNSAFE) if cleanup else None,
            )
            break
