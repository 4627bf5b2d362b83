"""``FROM $BASE`` with an ARG that has no default: the build fails unless --build-arg is given."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import PLATFORM_DEFAULTS, ImageRef
from dfcheck.dockerfile.substitute import Unknown, expand, variable_refs
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class InvalidBaseImageRule(Rule):
    code = "DF014"
    name = "invalid-base-image"
    severity = Severity.ERROR
    summary = "FROM resolves to an empty or invalid image reference"
    aliases = ("InvalidDefaultArgInFrom",)

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        scope = dict(PLATFORM_DEFAULTS)
        for ins in ctx.model.global_args:
            for pair in ins.pairs:
                if pair.key in ctx.model.build_args:
                    scope[pair.key] = ctx.model.build_args[pair.key]
                elif pair.has_value:
                    scope[pair.key] = expand(pair.value, scope, ctx.dockerfile.escape).value
        for stage in ctx.stages():
            if not stage.from_ins.args:
                continue
            token = stage.from_ins.args[0]
            value = expand(token.value, scope, ctx.dockerfile.escape).value
            if isinstance(value, Unknown):
                continue
            value = value.strip()
            if ctx.model.stage_named(value) is not None or value.lower() == "scratch":
                continue
            if ImageRef.parse(value).valid:
                continue
            names = [name for name, *_ in variable_refs(token.value, ctx.dockerfile.escape)]
            unset = [n for n in names if n not in scope]
            if unset:
                why = f"ARG {', '.join(unset)} has no default, so FROM gets '{value}' without --build-arg"
                finding = self.finding(ctx, token.span, f"invalid base image: {why}")
                # Like BuildKit's InvalidDefaultArgInFrom, a warning: builds that pass --build-arg work.
                yield finding._replace(severity=Severity.WARNING)
                continue
            elif names:
                why = f"with the ARG defaults it resolves to '{value}', which is not a valid image reference"
            else:
                why = f"'{value}' is not a valid image reference (lowercase name, optional :tag and @digest)"
            yield self.finding(ctx, token.span, f"invalid base image: {why}")
