"""wget's progress output floods build logs when stdout is not a terminal."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script

_QUIET = (
    "-q",
    "--quiet",
    "-nv",
    "--no-verbose",
    "-o",
    "--output-file",
    "-a",
    "--append-output",
    "--progress",
)


class WgetProgressRule(Rule):
    code = "DF508"
    name = "wget-progress"
    severity = Severity.INFO
    summary = "wget without a quiet or progress option"
    aliases = ("DL3047",)
    programs = frozenset({"wget"})

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        if not cmd.args or cmd.has_flag(*_QUIET):
            return
        yield self.finding(
            ctx,
            cmd.name_span,
            "wget prints a progress line per few KB in build logs: add `-q`, `-nv` or `--progress=dot:giga`",
        )
