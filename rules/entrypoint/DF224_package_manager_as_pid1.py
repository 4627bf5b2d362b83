"""``CMD ["npm", "start"]``: npm runs as PID 1 and does not hand SIGTERM on to the application."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.startup import launch, process
from dfcheck.dockerfile.model import Stage, program_name
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

_MANAGERS = frozenset({"npm", "npx", "yarn", "pnpm"})


class PackageManagerAsPid1Rule(Rule):
    code = "DF224"
    name = "package-manager-as-pid1"
    severity = Severity.WARNING
    summary = "npm, yarn or pnpm runs as the container's main process"
    requires_instructions = frozenset({"CMD", "ENTRYPOINT"})

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        start = launch(chain)
        argv, init = process(start)
        if init or not argv or program_name(argv[0].text) not in _MANAGERS:
            return
        said = " ".join(w.text for w in argv[:3])
        yield self.finding(
            ctx,
            argv[0].span,
            f"`{said}` makes {program_name(argv[0].text)} the container's main process: it does not pass "
            "SIGTERM on to the application, so `docker stop` waits 10 s and kills it without a clean "
            'shutdown; start the application directly (`CMD ["node", "server.js"]`), or run it under an '
            'init (`docker run --init`, or `ENTRYPOINT ["tini", "--"]`)',
        )
