"""An unpinned remote ADD above expensive steps: when the remote changes, they all re-run."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from dfcheck.build.sources import REMOTE, source_tokens
from dfcheck.build.steps import is_expensive, remote_is_pinned
from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext

#: The steps a finding points at (the message counts them all): every ADD of a long file listing
#: every later step made findings, and reports, quadratic in size.
MAX_RELATED = 20


class RemoteAddBeforeExpensiveStepsRule(Rule):
    code = "DF152"
    name = "remote-add-before-expensive-steps"
    severity = Severity.INFO
    summary = "An unpinned ADD of a URL or git repository comes before expensive steps"
    requires_instructions = frozenset({"ADD"})

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        expensive: list[int] | None = None  # positions of the expensive steps, found once per stage
        steps = stage.instructions
        for index, ins in enumerate(steps):
            if ins.keyword != "ADD":
                continue
            remote = [
                t for t in source_tokens(ins) if REMOTE.match(t.value) and not remote_is_pinned(ins, t.value)
            ]
            if not remote:
                continue
            if expensive is None:
                expensive = [k for k, i in enumerate(steps) if is_expensive(ctx.semantics, i)]
            first = bisect.bisect_right(expensive, index)
            count = len(expensive) - first
            if not count:
                continue
            yield self.finding(
                ctx,
                remote[0].span,
                f"the content of {remote[0].value} is checked on every build and is not pinned: when it "
                f"changes, the {count} install or build step(s) after it re-run; pin it "
                "(--checksum=sha256:..., or a git commit) or add it after the steps that do not need it",
                related=tuple(
                    Related(i.keyword_span, "re-runs when the remote content changes")
                    for i in (steps[k] for k in expensive[first : first + MAX_RELATED])
                ),
            )
