"""ADD's extra powers (URLs, auto-extraction) are surprising when a plain copy is meant."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.model import is_git_source
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

ARCHIVE = lazy(r"\.(?:tar|tar\.\w+|t[gbx]z|tbz2|tzst|gz|bz2|xz|zst|lz|lzma|z)$", re.IGNORECASE)


class AddInsteadOfCopyRule(Rule):
    code = "DF802"
    name = "add-instead-of-copy"
    severity = Severity.WARNING
    fix_safety = "safe"
    summary = "ADD is used for plain local files"
    instructions = frozenset({"ADD"})
    aliases = ("DL3020", "DS005", "CKV_DOCKER_4")

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        sources = ins.args[:-1]
        if not sources or ins.heredocs or ins.flag("keep-git-dir") or ins.flag("unpack"):
            return
        values = [ctx.model.expand(t.value, ins) for t in sources]
        if any("://" in v or is_git_source(v) or ARCHIVE.search(v) or not v for v in values):
            return
        keyword = "copy" if ins.keyword_raw.islower() else "COPY"
        fix = Fix("Use COPY", (ctx.edit(ins.keyword_span, keyword),))
        yield self.finding(
            ctx,
            ins.keyword_span,
            "use COPY for local files and folders; ADD also fetches URLs and extracts archives",
            fix=fix,
        )
