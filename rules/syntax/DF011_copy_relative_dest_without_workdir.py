"""``COPY app.py .`` before any WORKDIR lands wherever the base image's working directory is."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage, chain_instructions, expand_known, stage_chain
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

ABSOLUTE = re.compile(r"^(?:/|\\|[A-Za-z]:[\\/])")


class CopyRelativeDestWithoutWorkdirRule(Rule):
    code = "DF011"
    name = "copy-relative-dest-without-workdir"
    severity = Severity.WARNING
    summary = "COPY/ADD to a relative destination before any WORKDIR"
    aliases = ("DL3045",)

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        root = stage_chain(stage)[0]
        if root.base.is_scratch and not root.implicit:  # scratch works in /
            return
        for ins in chain_instructions(stage):
            if ins.keyword == "WORKDIR":
                break
            if ctx.model.stage_of(ins) is not stage or ins.keyword not in ("COPY", "ADD"):
                continue
            if len(ins.args) < 2:
                continue
            dest = ins.args[-1]
            if ABSOLUTE.match(dest.value.strip("\"'")):  # c:\dir, before the escape eats the \
                continue
            value = expand_known(ctx.model, dest.value, ins)
            if value is None or ABSOLUTE.match(value):
                continue
            yield self.finding(
                ctx,
                dest.span,
                f"{ins.keyword} to relative destination '{dest.value}' before any WORKDIR: "
                "it depends on the base image's working directory",
            )
