"""A package pinned to a branch is not pinned: the branch moves, the cache key does not."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.build.packages import install_targets, pip_args, positionals
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import DISPLAY_ONLY, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy
from dfcheck.shell import Command, Script, Word
from dfcheck.shell.flags import VALUE_FLAGS

BRANCHES = frozenset(
    {"main", "master", "develop", "development", "dev", "trunk", "head", "default", "nightly"}
)
_PIP_VCS = lazy(r"^(?:git|hg|svn|bzr)\+[a-z]+://[^@]*?(?:@[^/]*)?/[^@]*@([^#?]+)", re.I)


def _ref(cmd: Command) -> Iterator[tuple[Word, str]]:
    if cmd.name == "go":
        for word in install_targets(cmd, ("install", "get")) or ():
            if "@" in word.text:
                yield word, word.text.rsplit("@", 1)[1]
    elif cmd.name == "npm":
        for word in install_targets(cmd, ("install", "i", "add")) or ():
            if ("#" in word.text and "://" in word.text) or word.text.startswith(("github:", "gitlab:")):
                yield word, word.text.rsplit("#", 1)[-1] if "#" in word.text else ""
    else:
        args = pip_args(cmd)
        words = positionals(args, VALUE_FLAGS["pip"]) if args else []
        if words and words[0].text == "install":
            for word in words[1:]:
                m = _PIP_VCS.match(word.text)
                if m:
                    yield word, m.group(1)


class MovingVcsRefRule(Rule):
    code = "DF728"
    name = "moving-vcs-ref"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "Package installed from a branch instead of a tag or commit"
    programs = frozenset({"go", "npm", "pip", "pip3"}) | frozenset({"python", "python3"})

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        for word, ref in _ref(cmd):
            if ctx.word_values(ins, word) is not None and ref.lower() in BRANCHES:
                fix = None
                at = word.raw.rfind(ref)
                if word.raw == word.text and at > 0:
                    pinned = word.raw[:at] + "<commit-sha>" + word.raw[at + len(ref) :]
                    fix = Fix("Pin a commit", (ctx.edit(word.span, pinned),), DISPLAY_ONLY)
                yield self.finding(
                    ctx,
                    word.span,
                    f"`{ref}` is a branch that moves: pin a tag or a commit hash instead",
                    fix=fix,
                )
