"""A stage the image takes nothing from: often a COPY that forgot ``--from``."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

#: Instructions of an image meant to run: a stage with them is another target of the file.
_FINAL = frozenset({"CMD", "ENTRYPOINT", "EXPOSE", "HEALTHCHECK"})


class UnusedStageRule(Rule):
    code = "DF816"
    name = "unused-stage"
    severity = Severity.INFO
    summary = "A stage before the last one that no other stage uses"

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        stages = [s for s in ctx.model.stages if not s.implicit]
        target = ctx.model.target_stage(ctx.settings.target)
        if len(stages) < 2 or target is None:
            return
        used = {dep.index for s in stages for dep in ctx.model.dependencies(s)}
        alone = not ctx.model.dependencies(target)
        for stage in stages[:-1]:
            if stage.index in used or stage is target:
                continue
            if stage.name is None:
                message = (
                    f"nothing uses stage {stage.index}, and without a name it cannot be built on its own"
                )
            elif alone and not any(i.keyword in _FINAL for i in stage.instructions):
                message = (
                    f"the image takes nothing from stage '{stage.name}' (no FROM, COPY --from or RUN --mount from= "
                    f"names it): did a COPY forget `--from={stage.name}`? Otherwise remove the stage, or build it "
                    f"on its own with `--target {stage.name}`"
                )
            else:
                continue  # one of several targets of the file (`docker build --target`, bake)
            yield self.finding(ctx, stage.from_ins.keyword_span, message)
