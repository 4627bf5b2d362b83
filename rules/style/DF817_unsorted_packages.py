"""Package lists in alphabetical order make diffs readable and duplicates visible."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Edit, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script

#: Program -> verbs whose operands are packages installed in any order.
_INSTALLS = {
    "apt-get": ("install",), "apt": ("install",), "apk": ("add",), "yum": ("install",), "dnf": ("install",),
    "microdnf": ("install",), "zypper": ("install", "in"), "tdnf": ("install",),
}  # fmt: skip


class UnsortedPackagesRule(Rule):
    code = "DF817"
    name = "unsorted-packages"
    severity = Severity.STYLE
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
            edits = tuple(Edit(w.span, o.raw) for w, o in zip(packages, ordered, strict=True) if w is not o)
            fix = Fix("Sort the packages", edits)
        yield self.finding(
            ctx,
            packages[first].span,
            f"the packages are not in alphabetical order (`{ordered[first].text}` belongs before "
            f"`{packages[first].text}`): sorted lists make changes easy to review and duplicates easy to see",
            fix=fix,
        )
