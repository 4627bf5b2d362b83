"""A variable the build cannot know expands to "" in COPY, ENV, WORKDIR, USER and friends."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dfcheck.dockerfile.model import PREDEFINED_ARGS, Model, Stage, narrow
from dfcheck.dockerfile.parse import Instruction, Token
from dfcheck.dockerfile.substitute import variable_refs
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

EXPANDED = ("ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR", "ARG")
FLAGS = ("chown", "chmod", "from")
ALWAYS_SET = frozenset({"PATH"})


class _NearNames:
    """The declared names one typo from a name, through an index of each name with one letter
    deleted (two names one edit apart share such a key), for files declaring more than
    :data:`_MANY` names: comparing each undefined reference with every name in scope was
    quadratic there. Names longer than 32 letters are compared by length."""

    def __init__(self, names: Iterable[str]) -> None:
        self.index: dict[str, list[str]] = {}
        self.long: dict[int, list[str]] = {}
        for name in dict.fromkeys(names):
            if len(name) > 32:
                self.long.setdefault(len(name), []).append(name)
                continue
            for key in _deletions(name):
                self.index.setdefault(key, []).append(name)

    def near(self, name: str) -> list[str]:
        found = dict.fromkeys(n for key in _deletions(name) for n in self.index.get(key, ()))
        found.update(dict.fromkeys(n for d in (-1, 0, 1) for n in self.long.get(len(name) + d, ())))
        return [n for n in found if _one_edit(name, n)]


#: Above this many ARG/ENV names in a file, typos are looked up in an index (:class:`_NearNames`).
_MANY = 256


def _deletions(name: str) -> set[str]:
    return {name, *(name[:i] + name[i + 1 :] for i in range(len(name)))} if len(name) <= 33 else set()


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

    _near: tuple[_NearNames | None] | None = None

    def _near_names(self, model: Model) -> _NearNames | None:
        """The typo index of the file (a rule object lints one file), when it declares many names."""
        if self._near is None:
            declared = [
                p.key for i in model.dockerfile.walk() if i.keyword in ("ARG", "ENV") for p in i.pairs
            ]
            many = len(declared) > _MANY
            self._near = (_NearNames([*ALWAYS_SET, *PREDEFINED_ARGS, *declared]) if many else None,)
        return self._near[0]

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
        near = self._near_names(model)
        for ins in stage.instructions:
            if ins.keyword not in EXPANDED:
                continue
            scope = model.scope_at(ins)
            for token in _words(ins):
                for name, start, end, modifier in variable_refs(token.value, ctx.dockerfile.escape):
                    if name in scope or name in ALWAYS_SET or modifier[:1] in (":", "-", "+", "?"):
                        continue
                    options = [*scope, *ALWAYS_SET] if near is None else near.near(name)
                    if near is not None and len(options) > 1:
                        options = [*scope, *ALWAYS_SET]  # two near misses: the first in scope wins
                    close = one_typo_from(name, [n for n in options if n in scope or n in ALWAYS_SET])
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
