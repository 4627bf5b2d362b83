"""No ignore file while a broad COPY sends VCS data, dependencies, virtualenvs or build outputs."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.sources import source_tokens
from dfcheck.build.steps import BROAD, from_context
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class NoDockerignoreHeavyContextRule(Rule):
    code = "DF401"
    name = "no-dockerignore-heavy-context"
    severity = Severity.WARNING
    summary = "No .dockerignore while COPY . sends .git, dependencies, virtualenvs or build outputs"

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        build = ctx.build_context
        if build is None or build.ignore_file is not None:
            return
        token = next(
            (
                t
                for ins in ctx.all_instructions("COPY", "ADD")
                if from_context(ins)
                for t in source_tokens(ins)
                if t.value in BROAD
            ),
            None,
        )
        if token is None:
            return
        from dfcheck.build.inventory import heavy_entries, shared_inventory

        heavy = heavy_entries(shared_inventory(build))
        if not heavy:
            return
        shown = ", ".join(f"{e.path} ({e.kind})" for e in heavy[:4]) + (" ..." if len(heavy) > 4 else "")
        yield self.finding(
            ctx,
            token.span,
            f"there is no .dockerignore, so this copies {shown} into the image and sends it with every "
            "build; add a .dockerignore that excludes them",
        )
