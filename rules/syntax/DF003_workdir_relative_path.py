"""A relative WORKDIR resolves against whatever directory the base image happens to set."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import expand_known
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

ABSOLUTE = lazy(r"^(?:/|\\|[A-Za-z]:[\\/]?)")


class WorkdirRelativePathRule(Rule):
    code = "DF003"
    name = "workdir-relative-path"
    severity = Severity.WARNING
    summary = "The first WORKDIR of a stage is a relative path"
    instructions = frozenset({"WORKDIR"})
    aliases = ("DL3000", "WorkdirRelativePath", "DS009", "CKV_DOCKER_10")

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if not ins.args or ins.parent is not None or ctx.facts(ins).workdir is not None:
            return
        raw = ins.args[0].value
        path = expand_known(ctx.model, raw, ins)
        if path is not None and path and not ABSOLUTE.match(path):
            yield self.finding(
                ctx,
                ins.args[0].span,
                f"relative WORKDIR '{raw}' depends on the base image's working directory; "
                "use an absolute path",
            )
