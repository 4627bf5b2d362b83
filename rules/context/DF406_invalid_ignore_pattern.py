"""A line of the ignore file that Docker cannot compile: the build fails when it sends the context."""

from __future__ import annotations

import os
from collections.abc import Iterator

from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class InvalidIgnorePatternRule(Rule):
    code = "DF406"
    name = "invalid-ignore-pattern"
    severity = Severity.ERROR
    summary = "A .dockerignore pattern is invalid, so the build fails"
    #: The context is sent for a COPY/ADD or a RUN bind mount.
    requires_instructions = frozenset({"COPY", "ADD", "RUN"})

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        if not _sends_context(ctx):  # before the context (and its ignore file) is loaded
            return
        build = ctx.build_context
        if build is None or build.ignore_file is None:
            return
        bad = [p for p in build.patterns if p.error]
        shown = _display(ctx, build.ignore_file)
        for p in bad:
            start = len(p.text) - len(p.text.lstrip()) + 1
            span = Span(p.line, start, p.line, len(p.text.rstrip()) + 1)
            finding = self.finding(
                ctx,
                span,
                f"'{p.text.strip()}' is not a valid pattern ({p.error}): Docker stops the build when it "
                "sends the context; fix the line or delete it",
            )
            yield finding._replace(path=shown, source_line=p.text)


def _sends_context(ctx: RuleContext) -> bool:
    """Does the build read the context (a COPY/ADD from it, or a RUN bind mount of it)?"""
    from dfcheck.build.sources import context_reads

    if context_reads(ctx.model, ctx.settings.target):
        return True
    needed = ctx.model.needed_stages(ctx.settings.target)
    return any(
        m.type == "bind" and not m.from_
        for stage in ctx.model.stages
        if stage.index in needed
        for ins in stage.instructions
        if ins.keyword == "RUN"
        for m in ctx.model.mounts(ins)
    )


def _display(ctx: RuleContext, ignore_file: os.PathLike[str]) -> str:
    """The ignore file's path as the Dockerfile's path is shown (relative to the same place)."""
    if ctx.file_path is None:
        return os.fspath(ignore_file)
    relative = os.path.relpath(ignore_file, ctx.file_path.parent)
    return os.path.normpath(os.path.join(os.path.dirname(ctx.path), relative))
