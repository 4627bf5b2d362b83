"""MAINTAINER is deprecated; the OCI label is what registries and scanners read."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import UNSAFE, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class MaintainerDeprecatedRule(Rule):
    code = "DF801"
    name = "maintainer-deprecated"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    summary = "MAINTAINER is deprecated"
    instructions = frozenset({"MAINTAINER"})
    aliases = ("DL4000", "MaintainerDeprecated", "DS022", "CKV_DOCKER_6")

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        fix = None
        if ins.args and ins.span.start_line == ins.span.end_line and ins.parent is None:
            value = ins.args[0].value.replace("\\", "\\\\").replace('"', '\\"')
            whole = Span(ins.line, ins.keyword_span.start_col, ins.line, ins.args[0].span.end_col)
            label = f'LABEL org.opencontainers.image.authors="{value}"'
            fix = Fix(
                "Replace with an org.opencontainers.image.authors label",
                (ctx.edit(whole, label),),
                UNSAFE,
            )
        yield self.finding(
            ctx,
            ins.keyword_span,
            "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors=...",
            fix=fix,
        )
