"""``RUN cd /app && ...`` hides the working directory from every later instruction."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import removes
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

_TEMP = ("/tmp", "/var/tmp", "/dev/shm")


class CdInsteadOfWorkdirRule(Rule):
    code = "DF502"
    name = "cd-instead-of-workdir"
    severity = Severity.WARNING
    summary = "RUN changes into a project directory with cd instead of WORKDIR"
    aliases = ("DL3003", "DS013")
    requires_programs = frozenset({"cd"})

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for script in ctx.scripts(ins):
            top = [c for c in script.commands if not (c.in_nested_shell or c.in_substitution)]
            work = [c for c in top if c.name not in ("set", "export", "umask")]
            for i, cmd in enumerate(top):
                if cmd.name != "cd" or cmd.wrappers:
                    continue
                if i == len(top) - 1 and i > 0:
                    yield self.finding(ctx, cmd.name_span, "`cd` as the last command has no effect")
                    break
                if cmd is not work[0]:
                    continue
                target = ctx.word_values(ins, cmd.args[0]) if len(cmd.args) == 1 else None
                if not target or len(target) != 1 or not target[0].startswith("/"):
                    continue
                path = target[0].rstrip("/") or "/"
                if path.startswith(_TEMP) or removes(script.commands, path) or path == "/":
                    continue
                yield self.finding(ctx, cmd.name_span, f"Use `WORKDIR {path}` instead of `cd {path}`")
                break
