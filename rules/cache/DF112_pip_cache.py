"""pip keeps every downloaded wheel in ~/.cache/pip, which then ships in the layer."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import (
    VALUE_FLAGS,
    cache_mount,
    commands,
    insert_after,
    pip_args,
    positionals,
    posix_runs,
)
from dfcheck.lint.engine import RuleContext
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule

_TRUE = frozenset({"1", "true", "yes", "on"})
PIP_CACHE = "~/.cache/pip"


class PipCacheRule(Rule):
    code = "DF112"
    name = "pip-cache"
    severity = Severity.WARNING
    summary = "pip install keeps its cache in the image"
    aliases = ("DL3042",)
    shipped_stages_only = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in posix_runs(ctx, shipped_only=True):
            scope = ctx.model.scope_at(ins)
            if scope.get("PIP_NO_CACHE_DIR", "").lower() in _TRUE or cache_mount(ctx, ins, PIP_CACHE):
                continue
            cache_dir = scope.get("PIP_CACHE_DIR")
            if cache_dir and cache_mount(ctx, ins, cache_dir):
                continue
            exported = False
            for cmd in commands(ctx, ins):
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
                    fix=Fix("Add --no-cache-dir", (insert_after(words[0], " --no-cache-dir"),)),
                )
