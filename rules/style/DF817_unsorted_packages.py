"""Package lists in alphabetical order make diffs readable and duplicates visible."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Edit, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script, Word

#: Program -> verbs whose operands are packages installed in any order.
_INSTALLS = {
    "apt-get": ("install",), "apt": ("install",), "apk": ("add",), "yum": ("install",), "dnf": ("install",),
    "microdnf": ("install",), "zypper": ("install", "in"), "tdnf": ("install",),
}  # fmt: skip


class UnsortedPackagesRule(Rule):
    code = "DF817"
    name = "unsorted-packages"
    severity = Severity.STYLE
    fix_safety = "safe"
    summary = "The packages of an install command are not in alphabetical order"
    enabled_by_default = False
    programs = frozenset(_INSTALLS)

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        words = operands(cmd)
        if not words or words[0].text not in _INSTALLS[cmd.name]:
            return
        packages = words[1:]
        if len(packages) < 2 or any("$" in w.raw or "`" in w.raw for w in packages):
            return
        ordered = sorted(packages, key=lambda w: (w.text.casefold(), w.text))
        if ordered == packages:
            return
        first = next(i for i, (a, b) in enumerate(zip(packages, ordered, strict=True)) if a is not b)
        spans = [w.span for w in packages]
        fix = None
        if all(s.start_line == s.end_line for s in spans):
            aligned = _aligned(ctx, packages)
            edits = tuple(
                _swap(ctx, w, o, aligned) for w, o in zip(packages, ordered, strict=True) if w is not o
            )
            fix = Fix("Sort the packages", edits)
        yield self.finding(
            ctx,
            packages[first].span,
            f"the packages are not in alphabetical order (`{ordered[first].text}` belongs before "
            f"`{packages[first].text}`): sorted lists make changes easy to review and duplicates easy to see",
            fix=fix,
        )


def _swap(ctx: RuleContext, word: Word, other: Word, aligned: bool) -> Edit:
    """``word`` replaced by ``other``; in a list whose continuation escapes are aligned in one
    column, the blanks before this line's escape are resized so that it keeps the column."""
    start, end = ctx.line_index.offsets(word.span)
    escape_at = _escape_after(ctx, end)
    if aligned and escape_at is not None:
        pad = max(1, len(word.raw) + escape_at - end - len(other.raw))
        return Edit(start, escape_at, other.raw + " " * pad)
    return Edit(start, end, other.raw)


def _escape_after(ctx: RuleContext, end: int) -> int | None:
    """The offset of the continuation escape when only blanks separate it from ``end`` and it ends
    the line, else None."""
    text = ctx.dockerfile.text
    at = end
    while at < len(text) and text[at] == " ":
        at += 1
    if at == end or not text.startswith(ctx.dockerfile.escape, at):
        return None
    return at if text[at + 1 : at + 3].lstrip("\r")[:1] in ("\n", "") else None


def _aligned(ctx: RuleContext, packages: list[Word]) -> bool:
    """Are the escapes after the packages (two or more) all in one column?"""
    index = ctx.line_index
    columns = set()
    for word in packages:
        at = _escape_after(ctx, index.offsets(word.span)[1])
        if at is not None:
            columns.add(index.position(at)[1])
    return len(columns) == 1 and sum(1 for w in packages if _escape_after(ctx, index.offsets(w.span)[1])) >= 2
