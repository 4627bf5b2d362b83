"""A heredoc RUN is a script: without ``set -e`` a failing command in the middle goes unnoticed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.parse import Heredoc, Instruction
from dfcheck.lint.finding import UNSAFE, Edit, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy
from dfcheck.shell import Script

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_HEREDOC = lazy(r"\d*<<-?\S+")


def _errexit_flag(args: list[str]) -> bool:
    """``-e``, ``-ex``, ``-euo pipefail`` or ``-o errexit`` among a shell's arguments."""
    return any(re.fullmatch(r"-[a-zA-Z]*e[a-zA-Z]*", a) for a in args) or "errexit" in args


def _statements(script: Script, lines: list[str]) -> int:
    """Top-level commands on lines of their own: ``a && b`` and continued lines count once, and the
    body of a nested heredoc (``cat > f <<EOM ... EOM``) is data, not commands."""
    count, last = 0, 0
    for cmd in script.commands:
        if cmd.in_substitution or cmd.in_nested_shell or cmd.pipeline_index:
            continue
        line = cmd.span.start_line
        previous = lines[last - 1].rstrip() if last else ""
        if line != last and not previous.endswith(("\\", "&&", "||", "|")):
            count += 1
        last = cmd.span.end_line
    return count


def _sets_errexit(script: Script) -> bool:
    """A ``set -e`` anywhere: a script that turns it off again for a part (``set +e``) chose to."""
    return any(
        c.name == "set" and _errexit_flag([w.text for w in c.args])
        for c in script.commands
        if not c.in_nested_shell
    )


class HeredocWithoutErrexitRule(Rule):
    code = "DF512"
    name = "heredoc-without-errexit"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    summary = "A RUN heredoc runs several commands without `set -e`"

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if not ins.heredocs:
            return
        command = _HEREDOC.sub("", ins.rest).split()
        shell = list(ctx.facts(ins).shell)
        for doc, script in zip(ins.heredocs, ctx.scripts(ins)[1 if command else 0 :], strict=False):
            if not self._runs_unchecked(doc, command, shell) or _sets_errexit(script):
                continue
            if _statements(script, ctx.dockerfile.lines) < 2:
                continue
            first = doc.body_span.start_line
            shebang = (
                ctx.dockerfile.lines[first - 1].startswith("#!")
                if first <= len(ctx.dockerfile.lines)
                else False
            )
            at = ctx.line_start(first + 1 if shebang else first)
            yield self.finding(
                ctx,
                doc.marker,
                "the heredoc runs its commands one after the other without `set -e`: a command that fails in "
                "the middle is ignored and the build goes on (only the last command's status counts); "
                "start the script with `set -e` (or `set -eux`)",
                fix=Fix("Start the script with set -e", (Edit(at, at, "set -e\n"),), UNSAFE),
            )

    @staticmethod
    def _runs_unchecked(doc: Heredoc, command: list[str], shell: list[str]) -> bool:
        """Is the body run by a POSIX shell without errexit? A ``#!`` line picks the interpreter."""
        body = doc.content.lstrip()
        if body.startswith("#!"):
            words = body.split("\n", 1)[0][2:].split()
            if words and words[0].rsplit("/", 1)[-1] == "env":
                words = words[1:]
            return bool(words) and words[0].rsplit("/", 1)[-1] in _SHELLS and not _errexit_flag(words[1:])
        if not command:
            return not _errexit_flag(shell[1:])
        program = command[0].rsplit("/", 1)[-1]
        return program in _SHELLS and not _errexit_flag(command[1:]) and "-c" not in command
