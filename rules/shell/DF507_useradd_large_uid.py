"""useradd records every UID in the sparse lastlog/faillog files, which layers store densely."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script

_LIMIT = 99999


class UseraddLargeUidRule(Rule):
    code = "DF507"
    name = "useradd-large-uid"
    severity = Severity.WARNING
    fix_safety = "safe"
    summary = "useradd with a large UID and without -l"
    aliases = ("DL3046",)
    programs = frozenset({"useradd"})

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        if cmd.has_flag("-l", "--no-log-init"):
            return
        args = cmd.args
        for i, word in enumerate(args):
            t = word.text
            if t in ("-u", "--uid") and i + 1 < len(args):
                value_word = args[i + 1]
            elif t.startswith("--uid="):
                value_word = word
            else:
                continue
            raw = value_word.text.split("=", 1)[-1] if value_word is word else value_word.text
            values = ctx.word_values(ins, type(value_word)(raw, raw, value_word.span))
            if not values or not values[0].isdigit() or int(values[0]) <= _LIMIT:
                continue
            yield self.finding(
                ctx,
                value_word.span,
                f"UID {values[0]} without `useradd -l` makes /var/log/lastlog and faillog huge in the layer",
                fix=Fix("Add -l", (ctx.insert_after(cmd.name_span, " -l"),)),
            )
