"""Replacing /bin/sh behind the build's back instead of saying which shell RUN uses."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import positionals
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script

_SH = frozenset({"/bin/sh", "/usr/bin/sh"})


class ShellSymlinkRule(Rule):
    code = "DF510"
    name = "shell-symlink"
    severity = Severity.WARNING
    summary = "RUN replaces /bin/sh with a link instead of using SHELL"
    aliases = ("DL4005",)
    programs = frozenset({"ln"})

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        words = positionals(cmd.args, frozenset({"-t", "--target-directory", "-S", "--suffix"}))
        if len(words) >= 2 and words[-1].text in _SH:
            yield self.finding(
                ctx, words[-1].span, 'Use `SHELL ["/bin/bash", "-c"]` instead of replacing /bin/sh'
            )
