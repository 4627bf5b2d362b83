"""Shell-form CMD/ENTRYPOINT runs under ``/bin/sh -c``: the app is not PID 1 and misses SIGTERM."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import DEFAULT_SHELL
from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule


class JsonArgsRecommendedRule(Rule):
    code = "DF201"
    name = "json-args-recommended"
    severity = Severity.WARNING
    summary = "CMD/ENTRYPOINT uses the shell form"
    aliases = ("DL3025", "JSONArgsRecommended")
    shipped_stages_only = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for stage in ctx.stages(shipped_only=True):
            for ins in stage.instructions:
                if ins.keyword not in ("CMD", "ENTRYPOINT") or ins.is_json or not ins.args:
                    continue
                if ctx.model.shell_at(ins) != DEFAULT_SHELL:
                    continue
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
