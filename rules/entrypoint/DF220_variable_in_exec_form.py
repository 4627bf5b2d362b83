"""Exec form runs the program directly: nobody expands ``$HOME`` in ``CMD ["echo", "$HOME"]``."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import direct_exec_forms
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

VARIABLE = lazy(r"\$(\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")


class VariableInExecFormRule(Rule):
    code = "DF220"
    name = "variable-in-exec-form"
    severity = Severity.WARNING
    summary = "A $VARIABLE in exec form is passed literally, not expanded"
    instructions = frozenset({"CMD", "ENTRYPOINT", "RUN", "HEALTHCHECK"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for _, argv in direct_exec_forms([ins]):
            for token in argv:
                match = VARIABLE.search(token.value)
                if match:
                    yield self.finding(
                        ctx,
                        token.span,
                        f"'{match.group(0)}' in the exec form of {ins.keyword} is not expanded: "
                        "the program receives it literally; use the shell form or "
                        '["sh", "-c", "..."] if expansion is intended',
                    )
                    break
