"""A network service image without a HEALTHCHECK reports "running" while hung."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.base_images import lookup
from dfcheck.build.startup import launch, process, server
from dfcheck.dockerfile.model import Stage, exposed_ports
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class MissingHealthcheckRule(Rule):
    code = "DF301"
    name = "missing-healthcheck"
    severity = Severity.INFO
    summary = "The shipped image of a network service has no HEALTHCHECK"
    aliases = ("DL3057", "CKV_DOCKER_2", "DS026", "DS-0026", "AVD-DS-0026")
    options = {"require_expose": False, "services_only": True}

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        target = chain[-1]
        instructions = [i for s in chain for i in s.instructions]
        if any(i.keyword == "HEALTHCHECK" for i in instructions):
            return
        ports = [
            spec for i in instructions if i.keyword == "EXPOSE" for _, spec in exposed_ports(ctx.model, i)
        ]
        exposes = any(i.keyword == "EXPOSE" for i in instructions)
        if ctx.option(self, "require_expose") and not exposes:
            return
        what = "the image has no HEALTHCHECK"
        if exposes:
            what = f"the image serves requests (it exposes {ports[0] if ports else 'a port'}) but has no HEALTHCHECK"
        elif ctx.option(self, "services_only"):
            start = launch(chain)
            info = lookup(chain[0].base)
            service = server(process(start)[0]) if start.main else (info.service if info else None)
            if not service:
                return
            what = f"the image serves requests (it starts `{service}`) but has no HEALTHCHECK"
        yield self.finding(
            ctx,
            target.from_ins.keyword_span,
            f"{what}: Docker reports it 'running' even when the service hangs; add `HEALTHCHECK CMD ...`, or "
            "`HEALTHCHECK NONE` when an orchestrator probes it instead (Kubernetes ignores HEALTHCHECK)",
        )
