"""Several sources need a directory destination, written with a trailing slash."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import expand_known
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class CopyDestNotDirectoryRule(Rule):
    code = "DF004"
    name = "copy-dest-not-directory"
    severity = Severity.ERROR
    fix_safety = "safe"
    summary = "COPY/ADD with several sources has a destination without a trailing slash"
    instructions = frozenset({"COPY", "ADD"})
    aliases = ("DL3021", "DS011")

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if len(ins.args) < 3:
            return
        dest = ins.args[-1]
        value = expand_known(ctx.model, dest.value, ins)
        if value is None or value.endswith(("/", "\\")):
            return
        fix = None
        if not ins.is_json and not dest.value.endswith(("'", '"')):
            fix = Fix("Add a trailing slash", (ctx.insert_after(dest.span, "/"),))
        yield self.finding(
            ctx,
            dest.span,
            f"{ins.keyword} has {len(ins.args) - 1} sources, so the destination '{dest.value}' "
            "must be a directory ending with '/'",
            fix=fix,
        )
