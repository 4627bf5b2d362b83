"""COPY/ADD of a path that is not in the build context: the build fails with "not found"."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import expand_known
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class CopySourceNotFoundRule(Rule):
    code = "DF405"
    name = "copy-source-not-found"
    severity = Severity.ERROR
    summary = "COPY/ADD source does not exist in the build context"
    requires_instructions = frozenset({"COPY", "ADD"})

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        from dfcheck.build.sources import context_reads, split_source

        reads = context_reads(ctx.model, ctx.settings.target)
        build = ctx.build_context if reads else None  # loaded only when the build reads it
        if build is None:
            return
        missing = []
        found_any = False
        for read in reads:
            base, pattern = split_source(read.source)
            if pattern or not base or expand_known(ctx.model, read.token.value, read.ins) is None:
                continue
            if build.exists(base):
                found_any = True
            else:
                missing.append(read)
        if not ctx.context_given and not found_any:
            return
        for read in missing:
            yield self.finding(
                ctx,
                read.token.span,
                f"'{read.source}' does not exist in the build context {build.root.name or build.root}: "
                'the build fails with "not found"',
            )
