"""``ADD https://...`` without ``--checksum`` trusts whatever the server returns today."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import is_git_source, unverified_add_sources
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import DISPLAY_ONLY, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class AddUrlWithoutChecksumRule(Rule):
    code = "DF703"
    name = "add-url-without-checksum"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "ADD downloads a URL without --checksum"
    instructions = frozenset({"ADD"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for token, url in unverified_add_sources([ins], ctx.model):
            if url.lower().startswith(("http://", "https://")) and not is_git_source(url):
                fix = None
                if len(ins.args) == 2:  # --checksum verifies a single source
                    flag = " --checksum=sha256:<sha256>"
                    fix = Fix("Add --checksum", (ctx.insert_after(ins.keyword_span, flag),), DISPLAY_ONLY)
                yield self.finding(
                    ctx,
                    token.span,
                    f"ADD downloads '{token.value}' without --checksum=sha256:...; the content can change "
                    "or be tampered with between builds",
                    fix=fix,
                )
