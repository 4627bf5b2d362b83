"""Source files copied before the manifests an install reads: every source change re-runs the install."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.steps import volatile_copy_before_manifests
from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext


class SourceCopiedBeforeManifestsRule(Rule):
    code = "DF151"
    name = "source-copied-before-manifests"
    severity = Severity.WARNING
    summary = "Source files are copied before the manifest copy and install that do not need them"

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        for volatile, manifest, install in volatile_copy_before_manifests(ctx.semantics, stage):
            token = volatile.args[0]
            yield self.finding(
                ctx,
                token.span,
                f"'{' '.join(volatile.original.split())}' comes before copying "
                f"{' '.join(t.value for t in manifest.args[:-1])} (line {manifest.line}) and the install at "
                f"line {install.line}: every change to these files re-runs the install; copy the "
                "manifests and install first",
                related=(
                    Related(manifest.keyword_span, "manifest copy"),
                    Related(install.keyword_span, "install that re-runs"),
                ),
            )
