"""chmod 777 lets any process in the container rewrite the files, including the application."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy
from dfcheck.shell import Command, Script

_OCTAL = lazy(r"^0?([0-7])?([0-7])([0-7])([0-7])$")
_SYMBOLIC = lazy(r"^[ugoa]*[+=][rwxXst]*$")


def world_writable(mode: str) -> bool:
    m = _OCTAL.match(mode)
    if m:
        special = int(m.group(1) or "0")
        return bool(int(m.group(4)) & 2) and not special & 1
    clauses = mode.split(",")
    if any(re.match(r"^[ugoa]*[+=][rwxXst]*t", c) and re.match(r"^[^+=]*[oa]", c) for c in clauses):
        return False
    for clause in clauses:
        who, _, perms = (
            re.split(r"([+=])", clause, maxsplit=1) if re.search(r"[+=]", clause) else (clause, "", "")
        )
        if _SYMBOLIC.match(clause) and ("o" in who or "a" in who) and "w" in perms and "t" not in perms:
            return True
    return False


class WorldWritableRule(Rule):
    code = "DF623"
    name = "world-writable"
    severity = Severity.WARNING
    summary = "chmod or COPY/ADD --chmod makes files writable by every user"
    programs = frozenset({"chmod"})
    instructions = frozenset({"COPY", "ADD"})
    security_severity = 5.5

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        mode = next(
            (w for w in cmd.args if not w.text.startswith("-") or re.fullmatch(r"-[rwxXst]+", w.text)), None
        )
        if mode is not None and world_writable(mode.text):
            yield self.finding(
                ctx,
                mode.span,
                f"`chmod {mode.text}` makes files writable by any user: grant write to the owner or group",
            )

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for flag in ins.flags_of("chmod"):
            mode = ctx.expand(flag.value or "", ins)
            if world_writable(mode):
                yield self.finding(
                    ctx,
                    flag.value_span,
                    f"`{ins.keyword} --chmod={mode}` makes the files writable by any user: grant write to the "
                    "owner or group (`--chmod=755`, `--chmod=644`)",
                )
