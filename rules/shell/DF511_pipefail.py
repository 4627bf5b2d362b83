"""A pipe's exit status is its last command's: a failed download piped into tar goes unnoticed."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import DEFAULT_SHELL
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import UNSAFE, Edit, Finding, Fix, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext
from dfcheck.shell import Command

_SUPPORTS = frozenset({"bash", "zsh", "ash", "ksh", "mksh", "busybox"})
#: Producers that cannot fail in a way worth catching (``yes`` even dies of SIGPIPE by design),
#: including queries of the build machine (``uname -m``, ``dpkg --print-architecture``).
_HARMLESS = frozenset({"echo", "printf", "yes", "true", "uname", "arch", "nproc", "getconf"})
_ARCH_QUERIES = {"dpkg": "--print-architecture", "apk": "--print-arch"}
#: Text filters and the flags whose value is a separate word; with no file operand they only
#: transform their input, so their failure is no failure of the build.
_FILTERS: dict[str, frozenset[str]] = {
    "tr": frozenset(),
    "sed": frozenset({"-e", "-l"}),
    "awk": frozenset({"-F", "-v"}),
    "cut": frozenset({"-d", "-f", "-c", "-b"}),
    "head": frozenset({"-n", "-c"}),
    "tail": frozenset({"-n", "-c"}),
    "sort": frozenset({"-k", "-t", "-S"}),
    "uniq": frozenset({"-f", "-s", "-w"}),
    "wc": frozenset(),
    "rev": frozenset(),
}
#: How many operands a filter takes before its files (the script of ``sed``/``awk``, ``tr``'s sets).
_SCRIPTS = {"sed": 1, "awk": 1, "tr": 2}


def _harmless(cmd: Command) -> bool:
    if cmd.name == "cat":
        return not cmd.args
    if cmd.name in _HARMLESS or (cmd.name in _ARCH_QUERIES and cmd.has_flag(_ARCH_QUERIES[cmd.name])):
        return True
    if cmd.name not in _FILTERS or (cmd.name == "sed" and cmd.has_flag("-i", "--in-place", "-f")):
        return False
    operands = cmd.positional(_FILTERS[cmd.name])
    scripts = 0 if cmd.name == "sed" and cmd.has_flag("-e") else _SCRIPTS.get(cmd.name, 0)
    return len(operands) <= scripts or cmd.name == "tr"


def _shell_pipefail(shell: tuple[str, ...]) -> bool:
    """Does SHELL set pipefail? Not for ``sh``/``dash``: the image's ``sh`` may not know the option."""
    if not shell or shell[0].rsplit("/", 1)[-1] in ("sh", "dash"):
        return False
    for i, arg in enumerate(shell[1:-1], start=1):
        if arg.startswith("-") and not arg.startswith("--") and "o" in arg and shell[i + 1] == "pipefail":
            return True
    return False


class PipefailRule(Rule):
    code = "DF511"
    name = "pipefail"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    summary = "RUN pipe without pipefail hides failures"
    aliases = ("DL4006", "DS032")

    def __init__(self) -> None:
        #: The first RUN of the stage chain given a fix: every fix of the chain inserts its SHELL
        #: before that one, so one SHELL serves them all.
        self.first: ChainState[Instruction | None] = ChainState(None)

    def _fix(self, ctx: RuleContext, ins: Instruction, shell: tuple[str, ...]) -> Fix | None:
        """``SHELL [<bash or ash>, "-o", "pipefail", "-c"]`` before the chain's first piped RUN,
        when the default shell is in effect (another SHELL may carry options of its own)."""
        stage = ctx.facts(ins).stage
        if stage is None or ins.parent is not None or tuple(shell) != DEFAULT_SHELL:
            return None
        first = self.first.get(stage)
        if first is None:
            first = ins
            self.first.set(stage, ins)
        program = "/bin/ash" if "alpine" in stage.root.base.repository else "/bin/bash"
        line = ctx.dockerfile.lines[first.line - 1]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        at = ctx.line_start(first.line)
        command = f'{indent}SHELL ["{program}", "-o", "pipefail", "-c"]\n'
        return Fix(f"Run with {program} -o pipefail", (Edit(at, at, command),), UNSAFE)

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        shell = ctx.model.shell_at(ins)
        if _shell_pipefail(shell):
            return
        program = shell[0].rsplit("/", 1)[-1] if shell else "sh"
        for script in ctx.scripts(ins):
            if "pipefail" in script.sets:
                continue
            for pipe in script.pipelines:
                producers = [c for c in pipe if c.pipeline_index < max(p.pipeline_index for p in pipe)]
                if not producers or producers[0].in_nested_shell:
                    continue
                first = next((c for c in producers if not _harmless(c)), None)
                if first is None:
                    continue
                hint = (
                    'add `set -o pipefail &&` or `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`'
                    if program in _SUPPORTS or program == "sh"
                    else "use a shell that supports pipefail"
                )
                yield self.finding(
                    ctx,
                    first.name_span,
                    f"A failure of `{first.name}` is hidden by the pipe: {hint}",
                    fix=self._fix(ctx, ins, shell),
                )
