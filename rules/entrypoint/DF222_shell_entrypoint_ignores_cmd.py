"""Shell-form ENTRYPOINT silently drops the CMD written next to it."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext


class ShellEntrypointIgnoresCmdRule(Rule):
    code = "DF222"
    name = "shell-entrypoint-ignores-cmd"
    severity = Severity.ERROR
    summary = "A shell-form ENTRYPOINT makes the stage's CMD dead code"
    requires_instructions = frozenset({"ENTRYPOINT"})

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        entrypoints = [i for i in stage.instructions if i.keyword == "ENTRYPOINT"]
        cmds = [i for i in stage.instructions if i.keyword == "CMD" and i.args]
        if not entrypoints or not cmds:
            return
        entry = entrypoints[-1]
        if entry.is_json or not entry.args:
            return
        cmd = cmds[-1]
        yield self.finding(
            ctx,
            entry.args[0].span,
            f"shell-form ENTRYPOINT runs '/bin/sh -c {entry.args[0].value[:30]}' and ignores the CMD "
            f"on line {cmd.line} (and any 'docker run' arguments); use the exec form "
            '["executable", "arg"] so CMD supplies the default arguments',
            related=(Related(cmd.span, "CMD that never takes effect"),),
        )
