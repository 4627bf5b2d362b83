"""``--chmod=755x`` or ``--chmod=8755`` fails the build when COPY runs."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import expand_known
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

OCTAL = lazy(r"^[0-7]+$")
CLAUSE = r"[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+"
SYMBOLIC = lazy(rf"^{CLAUSE}(?:,{CLAUSE})*$")


class InvalidChmodRule(Rule):
    code = "DF018"
    name = "invalid-chmod"
    severity = Severity.ERROR
    summary = "COPY/ADD --chmod is not a valid file mode"
    instructions = frozenset({"COPY", "ADD"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        flag = ins.flag("chmod")
        if flag is None or not flag.value:
            return
        mode = expand_known(ctx.model, flag.value, ins)
        if mode is None:
            return
        if OCTAL.match(mode):
            if int(mode, 8) <= 0o7777:
                return
            why = "is larger than 7777"
        elif SYMBOLIC.match(mode):
            return
        else:
            why = "is neither an octal mode such as 0755 nor a chmod expression such as u+x"
        yield self.finding(ctx, flag.value_span, f"--chmod={mode} {why}")
