"""Source files copied before the manifests an install reads: every source change re-runs the install."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext, reorder_fix


class SourceCopiedBeforeManifestsRule(Rule):
    code = "DF151"
    name = "source-copied-before-manifests"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    summary = "Source files are copied before the manifest copy and install that do not need them"
    requires_instructions = frozenset({"COPY", "ADD"})

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        for problem in ctx.cache_order.problems:
            if problem.rule != self.code:
                continue
            ins = problem.operations[0][0]
            manifests = " ".join(problem.manifests) or "the manifests"
            related = tuple(
                Related(op.operation.command.span, f"{problem.work} that re-runs")
                for _, op in problem.operations
            )
            yield self.finding(
                ctx,
                problem.token.span,
                f"'{problem.token.value}' is copied before {manifests} and `{problem.command}` (line {ins.line}), "
                f"which do not need it: every change to it re-runs the {problem.work}; copy it after the install "
                "(if the install reads part of it, such as a workspace package's package.json, copy only that first)",
                related=related,
                fix=reorder_fix(ctx, problem, "Copy the sources after the install"),
            )
