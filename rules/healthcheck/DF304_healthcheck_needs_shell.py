"""Shell-form HEALTHCHECK needs /bin/sh; scratch and distroless images have none."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build import images
from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class HealthcheckNeedsShellRule(Rule):
    code = "DF304"
    name = "healthcheck-needs-shell"
    severity = Severity.ERROR
    summary = "Shell-form HEALTHCHECK in an image without a shell"
    requires_instructions = frozenset({"HEALTHCHECK"})

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        if chain[0].parent is not None or images.has_shell(chain[0].base) is not False:
            return
        for stage in chain:
            for ins in stage.instructions:
                if ins.keyword in ("COPY", "ADD") and any(
                    t.value.endswith(("/sh", "/busybox")) for t in ins.args
                ):
                    return
        checks = [i for s in chain for i in s.instructions if i.keyword == "HEALTHCHECK"]
        if not checks or checks[-1].is_json or len(checks[-1].args) < 2:
            return
        hc = checks[-1]
        yield self.finding(
            ctx,
            hc.args[1].span,
            f"shell-form HEALTHCHECK runs '/bin/sh -c', but '{chain[0].base.raw}' has no shell: "
            'use the exec form HEALTHCHECK CMD ["/probe", "arg"]',
        )
