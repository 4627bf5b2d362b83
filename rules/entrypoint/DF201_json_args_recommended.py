"""Shell-form CMD/ENTRYPOINT runs under ``/bin/sh -c``: the app is not PID 1 and misses SIGTERM."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.dockerfile.model import DEFAULT_SHELL
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class JsonArgsRecommendedRule(Rule):
    code = "DF201"
    name = "json-args-recommended"
    severity = Severity.WARNING
    summary = "CMD/ENTRYPOINT uses the shell form"
    aliases = ("DL3025", "JSONArgsRecommended")
    judged_stages = "shipped"
    instructions = frozenset({"CMD", "ENTRYPOINT"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if ins.is_json or not ins.args or ctx.facts(ins).shell != DEFAULT_SHELL:
            return
        text = ins.args[0].value.strip()
        if text.startswith("["):
            program = re.sub("[\"']", "", text.split()[0])
            message = (
                f"{ins.keyword} looks like the exec form but is not valid JSON ({_json_problem(text)}), so Docker "
                f"runs it as a shell command, which starts a program named `{program}`; "
                f"write a JSON array of double-quoted strings, e.g. {ins.keyword} [\"executable\", \"arg\"]"
            )
        else:
            message = (
                f"{ins.keyword} in shell form runs under /bin/sh -c, which does not pass signals on; use the exec "
                f'form, e.g. {ins.keyword} ["executable", "arg"]'
            )
        yield self.finding(ctx, ins.args[0].span, message)


def _json_problem(text: str) -> str:
    """Why ``text`` (``[...``) is not a JSON array of strings, in the words a user would fix it with."""
    if (text.count('"') - text.count('\\"')) % 2:
        return "a string is not closed: a double quote is missing"
    if not text.endswith("]"):
        return "the closing bracket is missing"
    if "'" in text and '"' not in text:
        return "JSON strings take double quotes, not single quotes"
    if re.search(r'"\s+"', text):
        return "a comma is missing between two strings"
    if re.search(r",\s*\]$", text):
        return "a comma ends the list"
    if re.search(r'[\[,]\s*[^\s"\]]', text):
        return "every element must be a double-quoted string"
    return "it does not parse as JSON"
