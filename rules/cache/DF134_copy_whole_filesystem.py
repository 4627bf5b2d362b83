"""``COPY --from=<stage> / /`` rebuilds a whole image as one layer that shares nothing."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dfcheck.dockerfile.model import expand_known, join_path
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


def _root(path: str | None) -> bool:
    return path is not None and posixpath.normpath(path.rstrip("*") or "/") in ("/", "//")


class CopyWholeFilesystemRule(Rule):
    code = "DF134"
    name = "copy-whole-filesystem"
    severity = Severity.INFO
    summary = "COPY --from copies a whole filesystem onto /"
    aliases = ("DL3067",)
    judged_stages = "shipped"
    instructions = frozenset({"COPY"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        source = ins.flag("from")
        if source is None or not source.value or len(ins.args) < 2:
            return
        dest = expand_known(ctx.model, ins.args[-1].value, ins)
        if dest is None or not _root(join_path(ctx.facts(ins).workdir or "/", dest)):
            return
        word = next((w for w in ins.args[:-1] if _root(expand_known(ctx.model, w.value, ins))), None)
        if word is None:
            return
        name = ctx.model.expand(source.value, ins)
        stage = ctx.model.stage_named(name)
        if stage is not None:
            why = (
                f"copies the whole filesystem of stage '{name}' as one layer that shares nothing with "
                f"its base image and keeps what the stage left behind: build FROM {name}, or copy "
                "only the paths the image needs"
            )
        else:
            why = f"puts every file of {name} over this image's own: copy only the paths the image needs"
        yield self.finding(ctx, word.span, f"COPY --from={source.value} / / {why}")
