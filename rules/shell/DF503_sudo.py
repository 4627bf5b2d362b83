"""sudo in a build: RUN already runs as the current USER, and sudo adds a TTY-bound tool to the image."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import ANY_PROGRAM, Rule, RuleContext
from dfcheck.shell import Command, Script


class SudoRule(Rule):
    code = "DF503"
    name = "sudo"
    severity = Severity.WARNING
    summary = "RUN uses sudo"
    programs = ANY_PROGRAM
    aliases = ("DL3004", "DS010", "CKV2_DOCKER_1")

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        if cmd.name != "sudo" and "sudo" not in cmd.wrappers:
            return
        word = next(w for w in cmd.words if w.text.rsplit("/", 1)[-1] == "sudo")
        yield self.finding(
            ctx, word.span, "Do not use sudo in RUN: switch with `USER root` (and back) instead"
        )
