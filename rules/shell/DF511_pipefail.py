"""A pipe's exit status is its last command's: a failed download piped into tar goes unnoticed."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.engine import RuleContext
from dfcheck.finding import Finding, Severity
from dfcheck.packages import posix_runs
from dfcheck.rule import Rule

_SUPPORTS = frozenset({"bash", "zsh", "ash", "ksh", "mksh", "busybox"})
#: Producers that cannot fail in a way worth catching (``yes`` even dies of SIGPIPE by design).
_HARMLESS = frozenset({"echo", "printf", "yes", "true", "cat"})


def _shell_pipefail(shell: tuple[str, ...]) -> bool:
    for i, arg in enumerate(shell[1:-1], start=1):
        if arg.startswith("-") and not arg.startswith("--") and "o" in arg and shell[i + 1] == "pipefail":
            return True
    return False


class PipefailRule(Rule):
    code = "DF511"
    name = "pipefail"
    severity = Severity.WARNING
    summary = "RUN pipe without pipefail hides failures"
    aliases = ("DL4006", "DS032")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in posix_runs(ctx):
            shell = ctx.model.shell_at(ins)
            if _shell_pipefail(shell):
                continue
            program = shell[0].rsplit("/", 1)[-1] if shell else "sh"
            for script in ctx.model.scripts(ins):
                if "pipefail" in script.sets:
                    continue
                for pipe in script.pipelines:
                    producers = [c for c in pipe if c.pipeline_index < max(p.pipeline_index for p in pipe)]
                    if not producers or producers[0].in_nested_shell:
                        continue
                    if all(c.name in _HARMLESS and not (c.name == "cat" and c.args) for c in producers):
                        continue
                    first = producers[0]
                    hint = (
                        'add `set -o pipefail &&` or `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`'
                        if program in _SUPPORTS or program == "sh"
                        else "use a shell that supports pipefail"
                    )
                    yield self.finding(
                        ctx, first.name_span, f"A failure of `{first.name}` is hidden by the pipe: {hint}"
                    )
