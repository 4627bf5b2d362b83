"""``COPY app.py .`` before any WORKDIR lands wherever the base image's working directory is."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import expand_known
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

ABSOLUTE = lazy(r"^(?:/|\\|[A-Za-z]:[\\/])")


class CopyRelativeDestWithoutWorkdirRule(Rule):
    code = "DF011"
    name = "copy-relative-dest-without-workdir"
    severity = Severity.WARNING
    summary = "COPY/ADD to a relative destination before any WORKDIR"
    instructions = frozenset({"COPY", "ADD"})
    aliases = ("DL3045",)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        facts = ctx.facts(ins)
        root = facts.stage.root if facts.stage is not None else None
        if root is None or (root.base.is_scratch and not root.implicit):  # scratch works in /
            return
        if facts.workdir is not None or ins.parent is not None or len(ins.args) < 2:
            return
        dest = ins.args[-1]
        if ABSOLUTE.match(dest.value.strip("\"'")):  # c:\dir, before the escape eats the \
            return
        value = expand_known(ctx.model, dest.value, ins)
        if value is None or ABSOLUTE.match(value):
            return
        yield self.finding(
            ctx,
            dest.span,
            f"{ins.keyword} to relative destination '{dest.value}' before any WORKDIR: "
            "it depends on the base image's working directory",
        )
