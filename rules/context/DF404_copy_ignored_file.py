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

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        build = ctx.build_context
        if build is None or build.ignore_file is None:
            return
        from dfcheck.build.context import (
            context_reads,
            included_under,
            on_disk,
            read_files,
            shared_inventory,
            source_root,
        )

        inventory = shared_inventory(build)
        ignore_name = build.ignore_file.name
        for read in context_reads(ctx):
            base, regex = source_root(read.source)
            if not base and regex is None:
                # The context root (`COPY . .`): as BuildKit, when a pattern excludes all of it
                # (`*`, `**`, `**/*`) and no `!` brings anything back.
                patterns = build.patterns
                if any(p.exclusion for p in patterns) or not any(p.pattern in _ALL for p in patterns):
                    continue
            else:
                present = on_disk(build.root, read.source)
                if not present or read_files(read, included_under(inventory, base)):
                    continue
                if not any(build.matcher.excluded(p) for p in present):
                    continue
            yield self.finding(
                ctx,
                read.token.span,
                f"'{read.source}' is excluded by {ignore_name}: the context sent to the builder does not "
                "contain it, so this copies nothing or fails with 'not found'; remove it from the ignore "
                "file or add a '!' exception",
            )
