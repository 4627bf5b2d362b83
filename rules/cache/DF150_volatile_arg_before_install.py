"""A build arg that changes on every build, declared above package installs that do not use it."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.steps import step_kind, volatile_arg_move
from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext


class VolatileArgBeforeInstallRule(Rule):
    code = "DF150"
    name = "volatile-arg-before-install"
    severity = Severity.WARNING
    summary = "A per-build ARG (GIT_SHA, BUILD_DATE...) is declared above installs that do not use it"
    options = {"names": []}
    #: A global ARG (before the first FROM) is not moved: only a stage's ARGs are.
    requires_instructions = frozenset({"ARG"})

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        names = ctx.option(self, "names") or []
        for index, arg in enumerate(stage.instructions):
            move = volatile_arg_move(ctx.semantics, stage, index, ctx.dockerfile.escape, names)
            if move is None:
                continue
            name, stop = move
            end = stop if stop is not None else len(stage.instructions)
            installs = [
                ins
                for ins in stage.instructions[index + 1 : end]
                if ins.keyword == "RUN" and step_kind(ctx.semantics, ins) == "install"
            ]
            if not installs:
                continue
            where = (
                f"just before line {stage.instructions[stop].line}"
                if stop is not None
                else "to the end of the stage"
            )
            yield self.finding(
                ctx,
                arg.pairs[0].key_span,
                f"ARG {name} changes on every build, and every RUN after it sees it in its environment: "
                f"the install at line {installs[0].line} re-runs each time; move the ARG {where}",
                related=tuple(Related(ins.keyword_span, "re-runs when the ARG changes") for ins in installs),
            )
