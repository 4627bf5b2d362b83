"""``FROM $BASE`` without a global ``ARG BASE``: the variable is always empty there."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import PREDEFINED_ARGS, Stage, narrow
from dfcheck.dockerfile.substitute import variable_refs
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class UndefinedArgInFromRule(Rule):
    code = "DF012"
    name = "undefined-arg-in-from"
    severity = Severity.WARNING
    summary = "FROM uses a variable that no global ARG declares"
    aliases = ("UndefinedArgInFrom",)

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        declared = [p.key for ins in ctx.model.global_args for p in ins.pairs]
        known = set(declared) | PREDEFINED_ARGS
        ins = stage.from_ins
        tokens = [(ins.args[0].value, ins.args[0].span)] if ins.args else []
        platform = ins.flag("platform")
        if platform is not None and platform.value:
            tokens.append((platform.value, platform.value_span))
        for raw, span in tokens:
            for name, start, end, _ in variable_refs(raw, ctx.dockerfile.escape):
                if name in known:
                    continue
                import difflib

                close = difflib.get_close_matches(name, declared, n=1, cutoff=0.8)
                hint = f" (did you mean ${close[0]}?)" if close else ""
                yield self.finding(
                    ctx,
                    narrow(span, raw, start, end),
                    f"FROM uses ${name}, but no ARG before the first FROM declares it{hint}",
                )
