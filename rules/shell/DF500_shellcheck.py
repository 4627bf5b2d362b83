"""ShellCheck on every RUN script, with findings at their exact place in the Dockerfile.

Each ShellCheck comment becomes a finding under its own ``SCxxxx`` code (alias DF500); a RUN that
ShellCheck skipped or failed on gets an info finding under DF500 itself, so no result goes
missing without a word.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import shellcheck_binary

_SEVERITY = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "info": Severity.INFO,
    "style": Severity.STYLE,
}


class ShellCheckRule(Rule):
    code = "DF500"
    name = "shellcheck"
    severity = Severity.WARNING
    summary = "ShellCheck findings in RUN scripts (needs dfcheck[shellcheck])"
    tags = ("shellcheck",)
    #: Only RUN scripts are handed to ShellCheck.
    requires_instructions = frozenset({"RUN"})

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.settings.shellcheck or shellcheck_binary.executable() is None:
            return
        from dfcheck.shell import shellcheck

        excluded = tuple(t.upper() for t in ctx.settings.ignore if t.upper().startswith("SC"))
        for comment in shellcheck.check(ctx.model, ctx.scripts, excluded):
            finding = self.finding(ctx, comment.span, comment.message)
            yield Finding(
                code=comment.code,
                name=self.name,
                severity=_SEVERITY[comment.level],
                message=finding.message,
                path=finding.path,
                span=comment.span,
                aliases=() if comment.code == self.code else (self.code,),
                category=finding.category,
            )
