"""With a lockfile in the image, `npm install` may still resolve new versions; `npm ci` cannot."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import install_targets
from dfcheck.dockerfile.model import Mount
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import UNSAFE, Finding, Fix, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext

_FROZEN = {"yarn": ("--frozen-lockfile", "--immutable"), "pnpm": ("--frozen-lockfile",)}


class LockfileNotEnforcedRule(Rule):
    code = "DF117"
    name = "lockfile-not-enforced"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    summary = "Install ignores the lockfile that was copied in"
    instructions = frozenset({"RUN"})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if ins.parent is not None:
            return
        mounted = {
            Mount.parse(f.value or "").source.rstrip("/").rsplit("/", 1)[-1]: f.span
            for f in ins.flags_of("mount")
        }
        for op in ctx.semantics.operations(ins):
            cmd = op.operation.command
            if cmd.name not in ("npm", "yarn", "pnpm") or op.operation.kind != "install":
                continue
            lock = next(((n, mounted[n]) for n in op.operation.ecosystem.lockfiles if n in mounted), None)
            if lock is None:
                found = ctx.cache_order.lockfile(op)
                lock = (found[0], found[1].span) if found is not None else None
            if lock is None:
                continue
            targets = install_targets(cmd, ("install", "i"))
            bare_yarn = cmd.name == "yarn" and not cmd.args
            if (targets is None and not bare_yarn) or targets:
                continue
            related = (Related(lock[1], f"{lock[0]} is copied here"),)
            if cmd.name == "npm":
                verb = next(w for w in cmd.args if w.text in ("install", "i"))
                yield self.finding(
                    ctx, verb.span, "Use `npm ci`: `npm install` may rewrite the lockfile instead of failing",
                    fix=Fix("Use npm ci", (ctx.edit(verb.span, "ci"),), UNSAFE), related=related,
                )  # fmt: skip
            elif not cmd.has_flag(*_FROZEN[cmd.name]):
                flag = _FROZEN[cmd.name][0]
                yield self.finding(
                    ctx, cmd.name_span, f"Add `{flag}` so `{cmd.name}` fails instead of updating {lock[0]}",
                    related=related,
                )  # fmt: skip
