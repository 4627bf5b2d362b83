"""Stage names are lowercased by BuildKit; writing them in another case hides that."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import Stage
from dfcheck.dockerfile.parse import Flag
from dfcheck.lint.finding import UNSAFE, Edit, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class StageNameCasingRule(Rule):
    code = "DF804"
    name = "stage-name-casing"
    severity = Severity.STYLE
    fix_safety = "unsafe"
    summary = "A stage name is not lowercase"
    aliases = ("StageNameCasing",)

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        args = stage.from_ins.args
        if stage.name is None or len(args) != 3 or args[2].value == args[2].value.lower():
            return
        token = args[2]
        lower = token.value.lower()
        edits = [ctx.edit(token.span, lower), *_references(ctx, stage, lower)]
        yield self.finding(
            ctx,
            token.span,
            f"stage name '{token.value}' should be lowercase ('{lower}')",
            fix=Fix("Lowercase the stage name and its references", tuple(edits), UNSAFE),
        )


def _references(ctx: RuleContext, stage: Stage, lower: str) -> Iterator[Edit]:
    """Edits lowercasing the literal references to the stage after it: ``FROM``, ``--from``
    of COPY/ADD and ``from=`` of a RUN mount (BuildKit matches all three without case)."""
    froms = [s.from_ins for s in ctx.model.stages]
    for ins in [*froms, *ctx.all_instructions("COPY", "ADD", "RUN")]:
        if ins.line <= stage.from_ins.line:
            continue
        if ins.keyword == "FROM":
            if ins.args and ins.args[0].value.lower() == lower and ins.args[0].value != lower:
                yield ctx.edit(ins.args[0].span, lower)
            continue
        for flag in ins.flags:
            if flag.name == "from" and (flag.value or "").lower() == lower and flag.value != lower:
                start, end = ctx.line_index.offsets(flag.value_span)
                if ctx.dockerfile.text[start:end] == flag.value:
                    yield ctx.edit(flag.value_span, lower)
            elif flag.name == "mount":
                yield from _mount_from(ctx, flag, lower)


def _mount_from(ctx: RuleContext, flag: Flag, lower: str) -> Iterator[Edit]:
    s = flag.span
    start, end = ctx.line_index.offsets(s)
    if s.start_line != s.end_line or ctx.dockerfile.text[start:end] != f"--mount={flag.value}":
        return
    at = len("--mount=")
    for field in (flag.value or "").split(","):
        key, _, value = field.partition("=")
        if key == "from" and value.lower() == lower and value != lower:
            col = s.start_col + at + len("from=")
            yield ctx.edit(s._replace(start_col=col, end_col=col + len(value)), lower)
        at += len(field) + 1
