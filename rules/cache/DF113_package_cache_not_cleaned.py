"""yum, dnf and zypper keep metadata and packages in /var/cache unless cleaned in the same RUN."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands, removes
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command

_FAMILY = {"yum": "yum", "dnf": "dnf", "microdnf": "dnf", "zypper": "zypper"}
_INSTALL = {"yum": ("install", "groupinstall", "localinstall", "reinstall", "update", "upgrade"),
            "dnf": ("install", "groupinstall", "localinstall", "reinstall", "upgrade", "update"),
            "zypper": ("install", "in", "update", "up", "patch", "dist-upgrade", "dup", "source-install", "si")}  # fmt: skip
_CACHES = {"yum": ("/var/cache/yum", "/var/cache/dnf"), "dnf": ("/var/cache/dnf", "/var/cache/yum",
           "/var/cache/libdnf5"), "zypper": ("/var/cache/zypp",)}  # fmt: skip
_HOW = {
    "yum": "yum clean all",
    "dnf": "dnf clean all",
    "microdnf": "microdnf clean all",
    "zypper": "zypper clean --all",
}


def _cleans(cmd: Command, installer: str) -> bool:
    """Does ``cmd`` clean the cache of ``installer``? microdnf and dnf keep separate caches."""
    words = [w.text for w in operands(cmd)]
    if installer == "zypper":
        return cmd.name == "zypper" and bool(words) and words[0] in ("clean", "cc")
    return cmd.name == installer and words[:2] == ["clean", "all"]


class PackageCacheNotCleanedRule(Rule):
    code = "DF113"
    name = "package-cache-not-cleaned"
    severity = Severity.INFO
    summary = "yum/dnf/zypper cache left in the layer"
    aliases = ("DL3032", "DL3036", "DL3040", "DS015", "DS019", "DS020", "DS027")
    judged_stages = "shipped"

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        cmds = ctx.commands(ins)
        for i, cmd in enumerate(cmds):
            family = _FAMILY.get(cmd.name)
            words = operands(cmd) if family else []
            if not family or not words or words[0].text not in _INSTALL[family]:
                continue
            later = cmds[i + 1 :]
            if any(_cleans(c, cmd.name) for c in later) or ctx.cache_mount(ins, _CACHES[family][0]):
                continue
            if any(removes(later, path + "/x") for path in _CACHES[family]):
                continue
            yield self.finding(
                ctx,
                words[0].span,
                f"Run `{_HOW.get(cmd.name, _HOW[family])}` after installing, in the same RUN",
            )
            break
