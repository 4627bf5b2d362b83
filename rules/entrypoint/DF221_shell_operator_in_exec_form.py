"""``CMD ["npm", "run", "build", "&&", "npm", "start"]`` passes ``&&`` to npm as an argument."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import direct_exec_forms
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

OPERATOR = lazy(r"^(&&|\|\||\||;|>|>>|<|2>&1|&>|2>|&)$|\s(&&|\|\|)\s")


class ShellOperatorInExecFormRule(Rule):
    code = "DF221"
    name = "shell-operator-in-exec-form"
    severity = Severity.ERROR
    summary = "A shell operator inside an exec-form array is passed as a literal argument"
    instructions = frozenset({"CMD", "ENTRYPOINT", "RUN", "HEALTHCHECK"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for _, args in direct_exec_forms([ins]):
            for token in args[1:]:
                match = OPERATOR.search(token.value)
                if match:
                    op = (match.group(1) or match.group(2)).strip()
                    yield self.finding(
                        ctx,
                        token.span,
                        f"'{op}' in the exec form of {ins.keyword} is not a shell operator: "
                        f"'{args[0].value}' receives it as an argument; use the shell form or "
                        '["sh", "-c", "..."]',
                    )
                    break
