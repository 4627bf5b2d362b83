"""``--chmod=755x`` or ``--chmod=8755`` fails the build when COPY runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.model import expand_known
from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule

OCTAL = re.compile(r"^[0-7]+$")
CLAUSE = r"[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+"
SYMBOLIC = re.compile(rf"^{CLAUSE}(?:,{CLAUSE})*$")


class InvalidChmodRule(Rule):
    code = "DF018"
    name = "invalid-chmod"
    severity = Severity.ERROR
    summary = "COPY/ADD --chmod is not a valid file mode"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in ctx.instructions("COPY", "ADD"):
            flag = ins.flag("chmod")
            if flag is None or not flag.value:
                continue
            mode = expand_known(ctx.model, flag.value, ins)
            if mode is None:
                continue
            if OCTAL.match(mode):
                if int(mode, 8) <= 0o7777:
                    continue
                why = "is larger than 7777"
            elif SYMBOLIC.match(mode):
                continue
            else:
                why = "is neither an octal mode such as 0755 nor a chmod expression such as u+x"
            yield self.finding(ctx, flag.value_span, f"--chmod={mode} {why}")
