"""STOPSIGNAL must name a signal the kernel has, or ``docker stop`` fails."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import expand_known
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

SIGNALS = frozenset(
    [
        "ABRT",
        "ALRM",
        "BUS",
        "CHLD",
        "CLD",
        "CONT",
        "FPE",
        "HUP",
        "ILL",
        "INT",
        "IO",
        "IOT",
        "KILL",
        "PIPE",
        "POLL",
        "PROF",
        "PWR",
        "QUIT",
        "SEGV",
        "STKFLT",
        "STOP",
        "SYS",
        "TERM",
        "TRAP",
        "TSTP",
        "TTIN",
        "TTOU",
        "URG",
        "USR1",
        "USR2",
        "VTALRM",
        "WINCH",
        "XCPU",
        "XFSZ",
        "RTMIN",
        "RTMAX",
    ]
)
REALTIME = lazy(r"^RTMIN\+([1-9]|1[0-5])$|^RTMAX-([1-9]|1[0-4])$")


def valid(signal: str) -> bool:
    if signal.isdigit():
        return 0 < int(signal) <= 64
    name = signal.upper().removeprefix("SIG")
    return name in SIGNALS or bool(REALTIME.match(name))


class InvalidStopsignalRule(Rule):
    code = "DF017"
    name = "invalid-stopsignal"
    severity = Severity.ERROR
    summary = "STOPSIGNAL names no known signal"
    instructions = frozenset({"STOPSIGNAL"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if not ins.args:
            return
        value = expand_known(ctx.model, ins.args[0].value, ins)
        if value is not None and not valid(value.strip()):
            yield self.finding(
                ctx,
                ins.args[0].span,
                f"invalid STOPSIGNAL '{value}': use a signal name such as SIGTERM, or a number 1-64",
            )
