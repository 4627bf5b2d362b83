"""With a lockfile in the image, `npm install` may still resolve new versions; `npm ci` cannot."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from dfcheck.build.packages import install_targets
from dfcheck.dockerfile.model import Mount
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Edit, Finding, Fix, Related, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext

_LOCKS = {
    "npm": ("package-lock.json", "npm-shrinkwrap.json"),
    "yarn": ("yarn.lock",),
    "pnpm": ("pnpm-lock.yaml",),
}
_FROZEN = {"yarn": ("--frozen-lockfile", "--immutable"), "pnpm": ("--frozen-lockfile",)}


BROAD = frozenset({".", "./", "*", "./*"})


def _sources(ctx: RuleContext, ins: Instruction) -> list[tuple[str, Span]]:
    if ins.keyword in ("COPY", "ADD"):
        out = [(t.value, t.span) for t in ins.args[:-1]]
        if ins.flag("from") is None:
            out += _lockfiles_in_context(ctx, [t for t in ins.args[:-1] if t.value in BROAD])
        return out
    if ins.keyword == "RUN":
        mounts = [(Mount.parse(f.value or ""), f.span) for f in ins.flags_of("mount")]
        return [(m.source or m.target, span) for m, span in mounts if m.type == "bind"]
    return []


def _lockfiles_in_context(ctx: RuleContext, broad: list) -> list[tuple[str, Span]]:
    """``COPY . .`` copies whatever lockfile sits at the context root and is not ignored."""
    build = ctx.build_context if broad else None
    if build is None:
        return []
    return [
        (lock, broad[0].span)
        for locks in _LOCKS.values()
        for lock in locks
        if (build.root / lock).is_file() and not build.matcher.excluded(lock)
    ]


class LockfileNotEnforcedRule(Rule):
    code = "DF117"
    name = "lockfile-not-enforced"
    severity = Severity.WARNING
    summary = "Install ignores the lockfile that was copied in"

    instructions = frozenset({"COPY", "ADD", "RUN"})

    def __init__(self) -> None:
        #: Lockfiles the stage chain has copied or mounted so far, and where.
        self.seen: ChainState[dict[str, Span]] = ChainState({})

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        found = _sources(ctx, ins) if ins.parent is None and stage is not None else []
        if found and stage is not None:
            seen = dict(self.seen.get(stage))
            for source, span in found:
                name = source.rstrip("/").rsplit("/", 1)[-1]
                for locks in _LOCKS.values():
                    for lock in locks:
                        if lock not in seen and fnmatch.fnmatchcase(lock, name):
                            seen[lock] = span
            self.seen.set(stage, seen)
        return iter(())

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        if ins.parent is not None or stage is None:
            return
        seen = self.seen.get(stage)
        for cmd in ctx.commands(ins):
            lock = next((k for k in _LOCKS.get(cmd.name, ()) if k in seen), None)
            if lock is None:
                continue
            targets = install_targets(cmd, ("install", "i"))
            bare_yarn = cmd.name == "yarn" and not cmd.args
            if (targets is None and not bare_yarn) or targets:
                continue
            related = (Related(seen[lock], f"{lock} is copied here"),)
            if cmd.name == "npm":
                verb = next(w for w in cmd.args if w.text in ("install", "i"))
                yield self.finding(
                    ctx, verb.span, "Use `npm ci`: `npm install` may rewrite the lockfile instead of failing",
                    fix=Fix("Use npm ci", (Edit(verb.span, "ci"),), safe=False), related=related,
                )  # fmt: skip
            elif not cmd.has_flag(*_FROZEN[cmd.name]):
                flag = _FROZEN[cmd.name][0]
                yield self.finding(
                    ctx, cmd.name_span, f"Add `{flag}` so `{cmd.name}` fails instead of updating {lock}",
                    related=related,
                )  # fmt: skip
