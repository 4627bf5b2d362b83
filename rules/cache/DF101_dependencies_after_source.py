"""The classic cache killer: copying the sources together with the manifests, then installing."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.ordering import Problem
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext, reorder_fix


class DependenciesAfterSourceRule(Rule):
    code = "DF101"
    name = "dependencies-after-source"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    summary = "Dependencies are installed after the sources are copied together with the manifests"
    #: Source copied before an install needs both a COPY/ADD and a RUN; COPY/ADD is the rarer.
    requires_instructions = frozenset({"COPY", "ADD"})

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        for problem in ctx.cache_order.problems:
            if problem.rule == self.code:
                related = tuple(
                    Related(op.operation.command.span, f"{problem.work} that re-runs")
                    for _, op in problem.operations
                )
                fix = reorder_fix(ctx, problem, "Copy the manifests and install before the sources")
                yield self.finding(ctx, problem.token.span, _message(problem), related=related, fix=fix)


def _message(problem: Problem) -> str:
    source = problem.token.value
    what = "the whole context" if source.strip() in (".", "./", "*", "./*") else f"'{source}'"
    if problem.copy.from_stage is not None:
        what = f"'{source}' of stage '{problem.copy.from_stage.label}', which holds the sources,"
    files = " ".join(problem.manifests) or problem.ecosystem.described
    if problem.operations[0][1].operation.needs_source:
        then = "install only the dependencies there, then copy the rest and install the project"
    else:
        then = f"run `{problem.ecosystem.install}` there, then copy the rest"
    return (
        f"{what} is copied before `{problem.command}` (line {problem.operations[0][0].line}): every source "
        f"change re-runs the {problem.work}; copy {files} first, {then}"
    )
