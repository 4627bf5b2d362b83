"""A relative WORKDIR resolves against whatever directory the base image happens to set."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage, chain_instructions, expand_known
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

ABSOLUTE = re.compile(r"^(?:/|\\|[A-Za-z]:[\\/]?)")


class WorkdirRelativePathRule(Rule):
    code = "DF003"
    name = "workdir-relative-path"
    severity = Severity.WARNING
    summary = "The first WORKDIR of a stage is a relative path"
    aliases = ("DL3000", "WorkdirRelativePath", "DS009", "CKV_DOCKER_10")

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        for ins in chain_instructions(stage):
            if ins.keyword != "WORKDIR" or not ins.args:
                continue
            if ctx.model.stage_of(ins) is stage:
                raw = ins.args[0].value
                path = expand_known(ctx.model, raw, ins)
                if path is not None and path and not ABSOLUTE.match(path):
                    yield self.finding(
                        ctx,
                        ins.args[0].span,
                        f"relative WORKDIR '{raw}' depends on the base image's working directory; "
                        "use an absolute path",
                    )
            break
