"""COPY/ADD of a path that the ignore file leaves out of the context: the build fails or copies nothing."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

_ALL = ("*", "**", "**/*")


class CopyIgnoredFileRule(Rule):
    code = "DF404"
    name = "copy-ignored-file"
    severity = Severity.ERROR
    summary = "COPY/ADD source is excluded by .dockerignore"
    aliases = ("CopyIgnoredFile",)
    requires_instructions = frozenset({"COPY", "ADD"})

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        from dfcheck.build.sources import context_reads, split_source

        reads = context_reads(ctx.model, ctx.settings.target)
        build = ctx.build_context if reads else None  # loaded only when the build reads it
        if build is None or build.ignore_file is None:
            return
        ignore_name = build.ignore_file.name
        for read in reads:
            if split_source(read.source) == ("", ""):
                # The context root (`COPY . .`): as BuildKit, when a pattern excludes all of it
                # (`*`, `**`, `**/*`) and no `!` brings anything back.
                patterns = build.patterns
                if any(p.exclusion for p in patterns) or not any(p.pattern in _ALL for p in patterns):
                    continue
            else:
                present = build.names(read.source)
                if not present or build.files(read.source, read.excludes):
                    continue
                if not any(build.excluded(p) for p in present):
                    continue
            yield self.finding(
                ctx,
                read.token.span,
                f"'{read.source}' is excluded by {ignore_name}: the context sent to the builder does not "
                "contain it, so this copies nothing or fails with 'not found'; remove it from the ignore "
                "file or add a '!' exception",
            )
