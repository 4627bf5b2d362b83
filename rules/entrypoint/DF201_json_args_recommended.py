"""Shell-form CMD/ENTRYPOINT runs under ``/bin/sh -c``: the app is not PID 1 and misses SIGTERM."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import DEFAULT_SHELL
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class JsonArgsRecommendedRule(Rule):
    code = "DF201"
    name = "json-args-recommended"
    severity = Severity.WARNING
    summary = "CMD/ENTRYPOINT uses the shell form"
    aliases = ("DL3025", "JSONArgsRecommended")
    judged_stages = "shipped"
    instructions = frozenset({"CMD", "ENTRYPOINT"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if ins.is_json or not ins.args or ctx.facts(ins).shell != DEFAULT_SHELL:
            return
        text = ins.args[0].value
        if text.startswith("[") and "'" in text:
            why = "single quotes are not JSON, so this is the shell form; use double quotes"
        else:
            why = f'use the exec form, e.g. {ins.keyword} ["executable", "arg"]'
        yield self.finding(
            ctx,
            ins.args[0].span,
            f"{ins.keyword} in shell form runs under /bin/sh -c, which does not pass signals on; {why}",
        )
