"""Shell-form CMD/ENTRYPOINT runs under ``/bin/sh -c``: the app is not PID 1 and misses SIGTERM."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from dfcheck.dockerfile.model import DEFAULT_SHELL
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import UNSAFE, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy


class JsonArgsRecommendedRule(Rule):
    code = "DF201"
    name = "json-args-recommended"
    severity = Severity.WARNING
    fix_safety = "unsafe"
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
                f'write a JSON array of double-quoted strings, e.g. {ins.keyword} ["executable", "arg"]'
            )
        else:
            message = (
                f"{ins.keyword} in shell form runs under /bin/sh -c, which does not pass signals on; use the exec "
                f'form, e.g. {ins.keyword} ["executable", "arg"]'
            )
        argv = _argv(text)
        fix = None
        if argv and ins.span.start_line == ins.span.end_line and not _gains_cmd(ctx, ins):
            exec_form = "[" + ", ".join(json.dumps(a, ensure_ascii=False) for a in argv) + "]"
            fix = Fix("Use the exec form", (ctx.edit(ins.args[0].span, exec_form),), UNSAFE)
        yield self.finding(ctx, ins.args[0].span, message, fix=fix)


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


#: A command line whose split into words is unambiguous: plain words and quoted strings without
#: anything the shell would expand, redirect, glob or run (``$``, backquotes, ``\\``, ``*``, ``|``...).
_WORD = r"""(?:[^\s|&;<>()$`\\"'*?\[\]#~{}!]|'[^']*'|"[^"$`\\!]*")+"""
_SIMPLE = lazy(rf"(?:{_WORD}\s+)*{_WORD}")


def _argv(text: str) -> list[str] | None:
    """The words ``sh -c`` would run, when the split is certain (``exec`` dropped), else None. A
    single-quoted array (``['a', 'b']``, meant as the exec form) gives its strings."""
    if text.startswith("["):
        if '"' in text or "\\" in text:
            return None
        try:
            value = json.loads(text.replace("'", '"'))
        except ValueError:
            return None
        ok = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        return value if ok else None
    if not _SIMPLE.fullmatch(text):
        return None
    import shlex

    words = shlex.split(text)
    if words and words[0] == "exec":
        words = words[1:]
    if not words or "=" in words[0]:
        return None
    return words


def _gains_cmd(ctx: RuleContext, ins: Instruction) -> bool:
    """Would an exec-form ENTRYPOINT receive a CMD as arguments (one in the image that ships)?
    A shell-form ENTRYPOINT ignores CMD, so the fix is offered only when there is none."""
    if ins.keyword != "ENTRYPOINT":
        return False
    return any(i.keyword == "CMD" for stage in ctx.shipped_chain for i in stage.instructions)
