"""An image the Dockerfile can build lacks a label the configured label schema requires."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext


class MissingLabelRule(Rule):
    code = "DF812"
    name = "missing-label"
    severity = Severity.INFO
    summary = "A label required by the label schema is missing"
    aliases = ("DL3049",)

    instructions = frozenset({"LABEL"})

    def __init__(self) -> None:
        #: Label keys the stage chain has set so far.
        self.present: ChainState[frozenset[str]] = ChainState(frozenset())

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        schema = ctx.settings.label_schema
        if stage is not None and ins.parent is None and schema:
            # only the schema's labels: a set of every label, copied per LABEL, was quadratic
            keys = frozenset(k for p in ins.pairs if (k := ctx.model.unquote(p.key)) in schema)
            if keys - self.present.get(stage):
                self.present.set(stage, self.present.get(stage) | keys)
        return iter(())

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        schema = ctx.settings.label_schema
        if not schema:
            return
        model = ctx.model
        present = {stage.index: self.present.get(stage) for stage in model.stages}
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
