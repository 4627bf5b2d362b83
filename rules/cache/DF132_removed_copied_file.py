"""``COPY x /tmp/x`` then ``RUN rm /tmp/x``: the file stays in the COPY's layer, only hidden."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.copies import Added, added_paths
from dfcheck.build.packages import Removals, positionals
from dfcheck.dockerfile.model import join_path
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext
from dfcheck.shell import Command, Script, Word


def _index(script: Script, cmd: Command) -> int:
    return next((i for i, c in enumerate(script.commands) if c is cmd), 0)


class RemovedCopiedFileRule(Rule):
    code = "DF132"
    name = "removed-copied-file"
    severity = Severity.INFO
    summary = "RUN deletes a file an earlier COPY/ADD added, which stays in that layer"
    judged_stages = "shipped"
    instructions = frozenset({"COPY", "ADD"})
    programs = frozenset({"rm"})

    def __init__(self) -> None:
        self.added: ChainState[tuple[Added, ...]] = ChainState(())

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        if stage is not None and ins.parent is None:
            self.added.append(stage, added_paths(ctx.model, ins))
        return iter(())

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        facts = ctx.facts(ins)
        if facts.stage is None or cmd.in_nested_shell:
            return
        added = self.added.get(facts.stage)
        moved = any(c.name in ("cd", "pushd") for c in script.commands[: _index(script, cmd)])
        for word in positionals(cmd.args, frozenset()):
            if (
                word.text.startswith(("-", "~"))
                or "$" in word.text
                or (moved and not word.text.startswith("/"))
            ):
                continue
            probe = cmd._replace(
                args=(Word(join_path(facts.workdir or "/", word.text), word.raw, word.span),)
            )
            removals = Removals([probe])
            hit = next((a for a in added if removals.remove(a.path)), None)
            if hit is None:
                continue
            yield self.finding(
                ctx,
                word.span,
                f"`rm {word.text}` removes what {hit.ins.keyword} at line {hit.ins.line} added ({hit.path}), but the "
                "file stays in that layer and still counts in the image size; read it without a layer "
                "(`RUN --mount=type=bind,source=...,target=...`) or use it in a build stage",
                related=(Related(hit.span, f"{hit.path} added here"),),
            )
