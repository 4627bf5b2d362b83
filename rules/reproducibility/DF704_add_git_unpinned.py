"""``ADD git@...#main`` builds whatever the branch points at today."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.model import is_git_source, unverified_add_sources
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import DISPLAY_ONLY, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

COMMIT = lazy(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


def pinned(url: str) -> bool:
    if re.search(r"[?&](?:commit|checksum)=", url):
        return True
    ref = url.partition("#")[2].split(":", 1)[0]
    return bool(COMMIT.match(ref))


class AddGitUnpinnedRule(Rule):
    code = "DF704"
    name = "add-git-unpinned"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "ADD of a Git repository is not pinned to a commit"
    instructions = frozenset({"ADD"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for token, url in unverified_add_sources([ins], ctx.model):
            if is_git_source(url) and not pinned(url):
                fix = None
                if token.value == url and "?" not in url:
                    base, _, ref = url.partition("#")
                    subdir = ref.partition(":")[2]
                    pinned_url = f"{base}#<commit-sha>" + (f":{subdir}" if subdir else "")
                    fix = Fix("Pin the commit", (ctx.edit(token.span, pinned_url),), DISPLAY_ONLY)
                yield self.finding(
                    ctx,
                    token.span,
                    f"ADD '{token.value}' follows a branch or tag, which can move; pin the commit "
                    "(#<40-hex sha> or ?commit=<sha>)",
                    fix=fix,
                )
