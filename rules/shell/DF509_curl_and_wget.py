"""Two download tools where one would do: both must be installed, patched and known by readers."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command


class CurlAndWgetRule(Rule):
    code = "DF509"
    name = "curl-and-wget"
    severity = Severity.INFO
    summary = "Stage uses both curl and wget"
    aliases = ("DL4001", "DS014")
    #: A stage needs both tools; wget, the rarer, is enough to rule files out.
    requires_programs = frozenset({"wget"})

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        first: dict[str, Command] = {}
        for ins in stage.instructions:
            for item in (ins, ins.trigger):
                if item is None:
                    continue
                for cmd in ctx.commands(item):
                    if cmd.name in ("curl", "wget") and cmd.name not in first:
                        first[cmd.name] = cmd
                        other = first.get("wget" if cmd.name == "curl" else "curl")
                        if other is not None:
                            yield self.finding(
                                ctx,
                                cmd.name_span,
                                f"This stage already uses `{other.name}`; use one download tool",
                                related=(Related(other.name_span, f"`{other.name}` used here"),),
                            )
