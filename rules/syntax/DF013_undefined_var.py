"""A variable the build cannot know expands to "" in COPY, ENV, WORKDIR, USER and friends."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import PREDEFINED_ARGS, Stage, narrow
from dfcheck.dockerfile.parse import Instruction, Token
from dfcheck.dockerfile.substitute import variable_refs
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

EXPANDED = ("ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR", "ARG")
FLAGS = ("chown", "chmod", "from")
ALWAYS_SET = frozenset({"PATH"})


def one_typo_from(name: str, options: list[str]) -> str | None:
    """The first of ``options`` one typo away from ``name`` (a letter added, dropped, changed, or two
    neighbours swapped: ``$PAHT`` for ``PATH``), for names of four letters or more; None if any
    option is ``name`` itself. BuildKit suggests within two edits, but it knows the base image's
    variables: here a near miss must be close enough to prove a typo (``$GOPATH`` is no ``$PATH``)."""
    if name in options or len(name) < 4:
        return None
    return next((o for o in options if _one_edit(name, o)), None)


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1])
    return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]


def _words(ins: Instruction) -> list[Token]:
    if ins.keyword in ("ENV", "LABEL", "ARG"):
        return [Token(p.value, p.value_span) for p in ins.pairs if p.has_value]
    flags = [Token(f.value, f.value_span) for f in ins.flags if f.value and f.name in FLAGS]
    return flags + [t for t in ins.args if not t.value.startswith("<<")]


class UndefinedVarRule(Rule):
    code = "DF013"
    name = "undefined-var"
    severity = Severity.WARNING
    summary = "A variable is used where this file never defines it"
    aliases = ("UndefinedVar",)

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        model = ctx.model
        globals_ = {p.key for ins in model.global_args for p in ins.pairs} | PREDEFINED_ARGS
        if stage.parent is None and "$" in stage.base_raw and any(s.name for s in model.stages):
            return  # FROM base-$TARGETARCH: the parent stage, and so the scope, is unknown
        root = stage.root
        scratch = root.base.is_scratch and not root.implicit
        later: dict[str, int] = {}
        for ins in reversed(stage.instructions):
            for pair in ins.pairs if ins.keyword in ("ARG", "ENV") else []:
                later[pair.key] = ins.line
        for ins in stage.instructions:
            if ins.keyword not in EXPANDED:
                continue
            scope = model.scope_at(ins)
            for token in _words(ins):
                for name, start, end, modifier in variable_refs(token.value, ctx.dockerfile.escape):
                    if name in scope or name in ALWAYS_SET or modifier[:1] in (":", "-", "+", "?"):
                        continue
                    close = one_typo_from(name, [*scope, *ALWAYS_SET])
                    if name in globals_:
                        why = f"declare 'ARG {name}' in this stage;"
                        why += " global and predefined ARGs are not inherited"
                    elif later.get(name, 0) > ins.line:
                        why = f"it is only defined later, on line {later[name]}"
                    elif close:
                        why = f"did you mean ${close}?"
                    elif scratch:
                        why = "nothing in this stage defines it"
                    else:
                        continue
                    span = narrow(token.span, token.value, start, end)
                    yield self.finding(ctx, span, f"${name} is not defined here and expands to '': {why}")
