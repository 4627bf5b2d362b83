"""``ENV A=1 B=$A`` expands ``$A`` before the instruction runs, so B does not get 1."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import narrow
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.substitute import variable_refs
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class EnvSelfReferenceRule(Rule):
    code = "DF010"
    name = "env-self-reference"
    severity = Severity.ERROR
    summary = "An ENV value uses a variable defined in the same ENV instruction"
    instructions = frozenset({"ENV"})
    aliases = ("DL3044",)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if len(ins.pairs) < 2:
            return
        known = ctx.model.scope_at(ins)
        for i, pair in enumerate(ins.pairs):
            others = {p.key for j, p in enumerate(ins.pairs) if j != i}
            for name, start, end, _ in variable_refs(pair.value, ctx.dockerfile.escape):
                if name in others and name not in known:
                    yield self.finding(
                        ctx,
                        narrow(pair.value_span, pair.value, start, end),
                        f"'${name}' in {pair.key}'s value is expanded before this ENV sets {name}, "
                        "so it is empty here; set it in an earlier ENV",
                    )
