"""The classic cache killer: copying the whole source tree before installing dependencies."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build import ecosystems
from dfcheck.dockerfile.model import Stage
from dfcheck.dockerfile.parse import Instruction, Token
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command

BROAD_SOURCES = frozenset({".", "./", "*", "./*", ".*"})


def broad_source(ins: Instruction) -> Token | None:
    """The ``.`` source of a ``COPY . .`` (not from another stage, not a heredoc)."""
    if ins.keyword not in ("COPY", "ADD") or ins.flag("from") or ins.heredocs or len(ins.args) < 2:
        return None
    return next((t for t in ins.args[:-1] if t.value in BROAD_SOURCES), None)


class DependenciesAfterSourceRule(Rule):
    code = "DF101"
    name = "dependencies-after-source"
    severity = Severity.WARNING
    summary = "Dependencies are installed after the whole source tree is copied"

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        broad: Token | None = None
        installed_early: set[str] = set()
        reported: set[str] = set()
        for ins in stage.instructions:
            token = broad_source(ins)
            if token is not None and broad is None:
                broad = token
                continue
            if ins.keyword != "RUN":
                continue
            mounted = {m.target.rstrip("/") for m in ctx.model.mounts(ins) if m.type == "cache"}
            for script in ctx.scripts(ins):
                for cmd in script.commands:
                    eco = ecosystems.manifest_install(cmd)
                    if eco is None or eco.name in reported:
                        continue
                    if broad is None:
                        installed_early.add(eco.name)
                        continue
                    if eco.name in installed_early:
                        continue
                    cached = any(t.rstrip("/") in mounted for t in eco.cache_targets)
                    if cached and ecosystems.is_build_that_fetches(cmd, eco):
                        continue
                    reported.add(eco.name)
                    yield self.finding(
                        ctx,
                        broad.span,
                        f"the whole context is copied before '{_command_text(cmd)}' "
                        f"(line {cmd.span.start_line}): every source change re-runs the {eco.name} "
                        f"install; copy {_manifests(ctx, eco)} and install before copying the rest",
                        related=(Related(cmd.span, "dependency install that re-runs"),),
                    )


def _command_text(cmd: Command) -> str:
    text = " ".join(w.raw for w in cmd.words)
    return text if len(text) <= 40 else text[:37] + "..."


def _manifests(ctx: RuleContext, eco: ecosystems.Ecosystem) -> str:
    present = []
    if ctx.context_dir is not None:
        present = [m for m in eco.manifests if (ctx.context_dir / m).is_file()]
    chosen = present or list(eco.manifests[:2])
    return " ".join(chosen)
