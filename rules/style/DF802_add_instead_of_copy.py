"""ADD's extra powers (URLs, auto-extraction) are surprising when a plain copy is meant."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.model import is_git_source
from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Edit, Finding, Fix, Severity
from dfcheck.lint.rule import Rule

ARCHIVE = re.compile(r"\.(?:tar|tar\.\w+|t[gbx]z|tbz2|tzst|gz|bz2|xz|zst|lz|lzma|z)$", re.IGNORECASE)


class AddInsteadOfCopyRule(Rule):
    code = "DF802"
    name = "add-instead-of-copy"
    severity = Severity.WARNING
    summary = "ADD is used for plain local files"
    aliases = ("DL3020", "DS005", "CKV_DOCKER_4")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in ctx.instructions("ADD"):
            sources = ins.args[:-1]
            if not sources or ins.heredocs or ins.flag("keep-git-dir") or ins.flag("unpack"):
                continue
            values = [ctx.model.expand(t.value, ins) for t in sources]
            if any("://" in v or is_git_source(v) or ARCHIVE.search(v) or not v for v in values):
                continue
            fix = Fix("Use COPY", (Edit(ins.keyword_span, "COPY"),)) if ins.keyword_raw.isupper() else None
            yield self.finding(
                ctx,
                ins.keyword_span,
                "use COPY for local files and folders; ADD also fetches URLs and extracts archives",
                fix=fix,
            )
