"""Base images from registries outside the configured allow-list."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

DOCKER_HUB = ("docker.io", "index.docker.io", "hub.docker.com", "registry-1.docker.io")


class UntrustedRegistryRule(Rule):
    code = "DF606"
    name = "untrusted-registry"
    severity = Severity.ERROR
    summary = "A base image comes from a registry that is not trusted"
    aliases = ("DL3026",)
    security_severity = 6.0

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        trusted = [p.lower() for p in ctx.settings.trusted_registries]
        if not trusted:
            return
        if stage.parent is not None or stage.base.is_scratch or not stage.from_ins.args:
            return
        registry = (stage.base.registry or "docker.io").lower()
        names = DOCKER_HUB if registry in DOCKER_HUB else (registry,)
        if any(fnmatch.fnmatchcase(name, pattern) for name in names for pattern in trusted):
            return
        yield self.finding(
            ctx,
            stage.from_ins.args[0].span,
            f"base image '{stage.base.raw}' comes from '{registry}', which is not in trusted_registries",
        )
