"""An image the Dockerfile can build lacks a label the configured label schema requires."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import chain_instructions
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class MissingLabelRule(Rule):
    code = "DF812"
    name = "missing-label"
    severity = Severity.INFO
    summary = "A label required by the label schema is missing"
    aliases = ("DL3049",)

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        schema = ctx.settings.label_schema
        if not schema:
            return
        model = ctx.model
        present: dict[int, set[str]] = {
            stage.index: {
                model.unquote(p.key)
                for i in chain_instructions(stage)
                if i.keyword == "LABEL"
                for p in i.pairs
            }
            for stage in model.stages
        }
        for label in schema:
            missing = [s for s in model.stages if label not in present[s.index]]
            # A stage that a stage with the label builds on or copies from is an intermediate step
            # of a labelled image, not an image of its own.
            covered: set[int] = set()
            for stage in model.stages:
                if label in present[stage.index]:
                    covered.update(dep.index for dep in model.dependencies(stage))
            for stage in missing:
                if stage.index not in covered:
                    yield self.finding(ctx, stage.from_ins.keyword_span, f"label '{label}' is missing")
