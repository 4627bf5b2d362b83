"""``COPY . /app`` then ``RUN chown -R app /app``: every copied file is stored a second time."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.copies import Added, added_paths
from dfcheck.dockerfile.model import join_path
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext
from dfcheck.shell import Command, Script

_FLAG = {"chown": "--chown", "chmod": "--chmod", "chgrp": "--chown"}


class RecursiveChownAfterCopyRule(Rule):
    code = "DF133"
    name = "recursive-chown-after-copy"
    severity = Severity.WARNING
    summary = "chown -R / chmod -R in a RUN rewrites files an earlier COPY added, doubling them"
    judged_stages = "shipped"
    instructions = frozenset({"COPY", "ADD"})
    programs = frozenset(_FLAG)

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
        if facts.stage is None or not cmd.has_flag("-R", "--recursive"):
            return
        operands = [w for w in cmd.args if not w.text.startswith("-")][1:]
        moved = any(c.name in ("cd", "pushd") for c in script.commands if c is not cmd)
        added = self.added.get(facts.stage)
        for word in operands:
            if "$" in word.text or (moved and not word.text.startswith("/")):
                continue
            path = join_path(facts.workdir or "/", word.text).rstrip("/") or "/"
            hit = next(
                (a for a in added if a.path == path or a.path.startswith(path.rstrip("/") + "/")), None
            )
            if hit is None:
                continue
            flag = _FLAG[cmd.name]
            yield self.finding(
                ctx,
                word.span,
                f"`{cmd.name} -R` on {word.text} rewrites what {hit.ins.keyword} at line {hit.ins.line} added "
                f"({hit.path}) into a new layer, so the image stores those files twice: set the owner or mode "
                f"while copying (`{hit.ins.keyword} {flag}=...`)",
                related=(Related(hit.span, f"{hit.path} added here"),),
            )
            return
