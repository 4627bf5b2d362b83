"""curl | sh runs whatever the server (or anyone in between) sends, unverified."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

INTERPRETERS = frozenset(
    {"sh", "bash", "dash", "ash", "zsh", "ksh", "python", "python2", "python3", "perl", "ruby", "node", "php"}
)
_FETCH = lazy(r"(?:\$\(|<\(|`)\s*(?:curl|wget)\b")


def _reads_stdin(args: list[str]) -> bool:
    """An interpreter with no script file argument (``bash``, ``bash -s -- x``, ``python3 -``)."""
    for t in args:
        if t in ("-", "-s") or t.startswith("-s"):
            return True
        if t in ("-c", "-e", "-m") or (t.startswith("-") and "c" in t[1:] and not t.startswith("--")):
            return False
        if not t.startswith("-"):
            return False
    return True


class RemoteScriptExecutionRule(Rule):
    code = "DF622"
    name = "remote-script-execution"
    severity = Severity.WARNING
    summary = "Downloaded script piped into an interpreter"
    security_severity = 6.5
    requires_programs = INTERPRETERS

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for script in ctx.scripts(ins):
            for pipe in script.pipelines:
                fetch = next((c for c in pipe if c.name in ("curl", "wget")), None)
                run = next(
                    (
                        c
                        for c in pipe
                        if c.name in INTERPRETERS and fetch and c.pipeline_index > fetch.pipeline_index
                    ),
                    None,
                )
                if fetch and run and _reads_stdin([w.text for w in run.args]):
                    yield self.finding(
                        ctx,
                        run.name_span,
                        f"`{fetch.name} ... | {run.name}` runs an unverified download: save it, check its "
                        "checksum or signature, then run it",
                        related=(Related(fetch.name_span, "downloaded here"),),
                    )
            for cmd in script.commands:
                if cmd.name in INTERPRETERS and any(_FETCH.search(w.raw) for w in cmd.args):
                    yield self.finding(
                        ctx,
                        cmd.name_span,
                        f"`{cmd.name}` runs an unverified download: verify it before running it",
                    )
