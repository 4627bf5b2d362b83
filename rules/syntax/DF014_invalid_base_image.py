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
        given, defaults = self._scope(ctx, ctx.model.build_args), self._scope(ctx, {})
        for stage in ctx.stages():
            if not stage.from_ins.args:
                continue
            token = stage.from_ins.args[0]
            names = [name for name, *_ in variable_refs(token.value, ctx.dockerfile.escape)]
            value, scope = self._resolve(ctx, token.value, given), given
            if value is None and names and ctx.model.build_args:
                # Valid with the build arguments given: BuildKit still judges the defaults alone.
                value, scope = self._resolve(ctx, token.value, defaults), defaults
            if value is None:
                continue
            unset = [n for n in names if n not in scope]
            if unset or scope is not given:
                if unset:
                    why = f"ARG {', '.join(unset)} has no default, so FROM gets '{value}' without --build-arg"
                else:
                    why = f"with the ARG defaults FROM gets '{value}', so builds without --build-arg fail"
                finding = self.finding(ctx, token.span, f"invalid base image: {why}")
                # Like BuildKit's InvalidDefaultArgInFrom, a warning: builds that pass --build-arg work.
                yield finding._replace(severity=Severity.WARNING)
                continue
            elif names:
                why = f"with the ARG defaults it resolves to '{value}', which is not a valid image reference"
            else:
                why = f"'{value}' is not a valid image reference (lowercase name, optional :tag and @digest)"
            yield self.finding(ctx, token.span, f"invalid base image: {why}")

    @staticmethod
    def _scope(ctx: RuleContext, build_args: dict[str, str]) -> dict[str, str]:
        """The global ARGs as FROM sees them, with ``build_args`` given."""
        scope = dict(PLATFORM_DEFAULTS)
        for ins in ctx.model.global_args:
            for pair in ins.pairs:
                if pair.key in build_args:
                    scope[pair.key] = build_args[pair.key]
                elif pair.has_value:
                    scope[pair.key] = expand(pair.value, scope, ctx.dockerfile.escape).value
        return scope

    @staticmethod
    def _resolve(ctx: RuleContext, text: str, scope: dict[str, str]) -> str | None:
        """What FROM gets with ``scope`` when that is not a valid base (a stage, scratch, an image);
        None too when the value cannot be known (an expansion past the substitution limits)."""
        value = expand(text, scope, ctx.dockerfile.escape).value
        if isinstance(value, Unknown):
            return None
        value = value.strip()
        if ctx.model.stage_named(value) is not None or value.lower() == "scratch":
            return None
        return None if ImageRef.parse(value).valid else value
