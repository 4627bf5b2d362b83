"""The image that ships lacks a label the configured label schema requires."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.engine import RuleContext
from dfcheck.finding import Finding, Severity
from dfcheck.model import chain_instructions
from dfcheck.rule import Rule


class MissingLabelRule(Rule):
    code = "DF812"
    name = "missing-label"
    severity = Severity.INFO
    summary = "A label required by the label schema is missing"
    aliases = ("DL3049",)
    shipped_stages_only = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        target = ctx.model.target_stage(ctx.settings.target)
        if target is None or not ctx.settings.label_schema:
            return
        present = {
            ctx.model.unquote(p.key)
            for i in chain_instructions(target)
            if i.keyword == "LABEL"
            for p in i.pairs
        }
        for label in ctx.settings.label_schema:
            if label not in present:
                yield self.finding(ctx, target.from_ins.keyword_span, f"label '{label}' is missing")
