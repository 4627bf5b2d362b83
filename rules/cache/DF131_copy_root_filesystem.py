"""``COPY --from=build / /``: the whole root filesystem of an operating-system image is copied."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.base_images import lookup
from dfcheck.dockerfile.model import ImageRef
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

_ROOTS = frozenset({"/", "/.", "/*", "/./"})


class CopyRootFilesystemRule(Rule):
    code = "DF131"
    name = "copy-root-filesystem"
    severity = Severity.WARNING
    summary = "COPY --from copies the whole root filesystem of a stage or image"
    aliases = ("DL3067",)
    instructions = frozenset({"COPY", "ADD"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        origin = ins.flag("from")
        if origin is None or not origin.value or len(ins.args) < 2:
            return
        name = ctx.expand(origin.value, ins)
        stage = ctx.model.stage_named(name)
        image = stage.root.base if stage is not None else ImageRef.parse(name)
        info = lookup(image)
        if info is None or image.is_scratch:
            return  # an artifact stage built FROM scratch, or an image dfcheck does not know
        for token in ins.args[:-1]:
            if ctx.expand(token.value, ins) in _ROOTS:
                what = (
                    f"stage '{stage.label}' (built on {image.raw})"
                    if stage is not None
                    else f"image {image.raw}"
                )
                yield self.finding(
                    ctx,
                    token.span,
                    f"copies the whole root filesystem of {what}: its package database, caches, /etc and every "
                    "file of its base, stored again in this layer (and replacing this image's own over a non-empty "
                    f"base); copy only the directories the image needs (`{ins.keyword} --from={origin.value} /app /app`)",
                )
