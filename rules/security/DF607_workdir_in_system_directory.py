"""Files put into /proc, /sys, /dev or /run during the build vanish when the container starts."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dfcheck.dockerfile.model import expand_known
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

#: Kernel and runtime filesystems that are mounted over when the container starts, and /boot.
SYSTEM_DIRECTORIES = ("/proc", "/sys", "/dev", "/run", "/boot")


class WorkdirInSystemDirectoryRule(Rule):
    code = "DF607"
    name = "workdir-in-system-directory"
    severity = Severity.WARNING
    summary = "WORKDIR points into a kernel or runtime filesystem"
    instructions = frozenset({"WORKDIR"})
    security_severity = 3.0

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if not ins.args or ctx.model.dialect(ins) in ("cmd", "powershell"):
            return
        value = expand_known(ctx.model, ins.args[0].value, ins)
        if not value or not value.startswith("/"):
            return
        path = posixpath.normpath(value)
        hit = next((d for d in SYSTEM_DIRECTORIES if path == d or path.startswith(d + "/")), None)
        if hit is None:
            return
        what = (
            "is mounted over at run time"
            if hit in ("/proc", "/sys", "/dev", "/run")
            else "holds the OS's own files"
        )
        yield self.finding(
            ctx,
            ins.args[0].span,
            f"WORKDIR {path} is inside {hit}, which {what}: files written there are lost or shadow "
            "system files; use a directory of your own such as /app",
        )
