"""pip keeps every downloaded wheel in ~/.cache/pip, which then ships in the layer."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import pip_args, positionals
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell.flags import VALUE_FLAGS

_TRUE = frozenset({"1", "true", "yes", "on"})
PIP_CACHE = "~/.cache/pip"


class PipCacheRule(Rule):
    code = "DF112"
    name = "pip-cache"
    severity = Severity.WARNING
    fix_safety = "safe"
    summary = "pip install keeps its cache in the image"
    aliases = ("DL3042",)
    judged_stages = "shipped"

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        scope = ctx.model.scope_at(ins)
        if (scope.get("PIP_NO_CACHE_DIR") or "").lower() in _TRUE or ctx.cache_mount(ins, PIP_CACHE):
            return
        cache_dir = scope.get("PIP_CACHE_DIR")
        if cache_dir and ctx.cache_mount(ins, cache_dir):
            return
        exported = False
        for cmd in ctx.commands(ins):
            if cmd.name == "export":
                exported = exported or any(
                    a.text.startswith("PIP_NO_CACHE_DIR=") and a.text.split("=", 1)[1].lower() in _TRUE
                    for a in cmd.args
                )
                continue
            args = pip_args(cmd)
            words = positionals(args, VALUE_FLAGS["pip"]) if args else []
            if not words or words[0].text != "install":
                continue
            texts = {w.text.split("=", 1)[0] for w in args or ()}
            if (
                exported
                or texts & {"--no-cache-dir", "--no-cache"}
                or any(
                    a.text.startswith("PIP_NO_CACHE_DIR=") and a.text.split("=", 1)[1].lower() in _TRUE
                    for a in cmd.assignments
                )
            ):
                continue
            yield self.finding(
                ctx,
                words[0].span,
                "Use `pip install --no-cache-dir` (or a cache mount on /root/.cache/pip)",
                fix=Fix("Add --no-cache-dir", (ctx.insert_after(words[0].span, " --no-cache-dir"),)),
            )
