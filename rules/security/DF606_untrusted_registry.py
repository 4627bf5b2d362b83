"""Images from registries outside the configured allow-list: in FROM, COPY --from and RUN --mount."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from dfcheck.dockerfile.model import ImageRef, Mount, Stage, narrow
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

DOCKER_HUB = ("docker.io", "index.docker.io", "hub.docker.com", "registry-1.docker.io")


class UntrustedRegistryRule(Rule):
    code = "DF606"
    name = "untrusted-registry"
    severity = Severity.ERROR
    summary = "An image comes from a registry that is not trusted"
    aliases = ("DL3026",)
    instructions = frozenset({"COPY", "ADD", "RUN"})
    security_severity = 6.0

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        if stage.parent is not None or stage.base.is_scratch or not stage.from_ins.args:
            return
        yield from self._judge(ctx, stage.base, stage.from_ins.args[0].span, "base image")

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if not ctx.settings.trusted_registries:
            return
        places: list[tuple[str, Span]] = []
        for flag in ins.flags_of("mount" if ins.keyword == "RUN" else "from"):
            ref = Mount.parse(flag.value or "").from_ if ins.keyword == "RUN" else flag.value or ""
            at = flag.raw.find(ref) if ref else -1
            if ref:
                places.append((ref, narrow(flag.span, flag.raw, at, at + len(ref)) if at >= 0 else flag.span))
        what = "RUN --mount from=" if ins.keyword == "RUN" else f"{ins.keyword} --from"
        for ref, span in places:
            image = ctx.expand(ref, ins)
            if ctx.model.stage_named(image) is not None or image.lower() == "scratch" or "$" in image:
                continue
            yield from self._judge(ctx, ImageRef.parse(image), span, f"`{what}` image")

    def _judge(self, ctx: RuleContext, image: ImageRef, span: Span, what: str) -> Iterator[Finding]:
        trusted = [p.lower() for p in ctx.settings.trusted_registries]
        if not trusted:
            return
        registry = (image.registry or "docker.io").lower()
        names = DOCKER_HUB if registry in DOCKER_HUB else (registry,)
        if any(fnmatch.fnmatchcase(name, pattern) for name in names for pattern in trusted):
            return
        yield self.finding(
            ctx, span, f"{what} '{image.raw}' comes from '{registry}', which is not in trusted_registries"
        )
