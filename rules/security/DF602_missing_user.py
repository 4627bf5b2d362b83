"""No USER on top of a base image known to run as root: the application runs as root."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.base_images import lookup, runs_as_root
from dfcheck.build.startup import Launch, interactive, launch, process, words
from dfcheck.dockerfile.model import Stage
from dfcheck.lint.finding import DISPLAY_ONLY, Edit, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext


class MissingUserRule(Rule):
    code = "DF602"
    name = "missing-user"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "The shipped image runs as root: no USER on a base image that runs as root"
    aliases = ("CKV_DOCKER_3", "DS002", "AVD-DS-0002")
    security_severity = 6.0

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        target = chain[-1]
        if target.end.user is not None or chain[0].implicit:
            return
        base = chain[0].base
        info = lookup(base)
        if info is None:
            return
        start = launch(chain)
        if not (_runs_application(start, info.service) and not _steps_down(ctx, chain)):
            return
        command: str | None = None
        if info.user == "drops" and start.entrypoint is None and start.cmd is not None:
            argv = words(start.cmd)
            command = argv[0].text if argv else ""
        elif start.entrypoint is not None:
            command = ""
        if not runs_as_root(info, command):
            return
        image = "scratch" if base.is_scratch else base.raw
        why = f"`{image}` runs as root and no USER is set"
        if info.user == "drops":
            why = (
                f"`{image}` only steps down from root for its own server, and this image runs another command"
            )
        busybox = "alpine" in f"{base.name}:{base.tag or ''}" or base.name == "busybox"
        create = "addgroup -S app && adduser -S -G app app" if busybox else "useradd --system app"
        hint = info.hint or f"create a user (`RUN {create}`) and add `USER app`"
        lines = f"RUN {create}\nUSER app\n" if not info.hint else "USER <non-root-user>\n"
        if base.is_scratch:
            hint = "add `USER 65532:65532` (a numeric id needs no /etc/passwd)"
            lines = "USER 65532:65532\n"
        yield self.finding(
            ctx,
            target.from_ins.keyword_span,
            f"the image runs as root: {why}; {hint}",
            fix=_add_user(ctx, target, lines),
        )


def _add_user(ctx: RuleContext, stage: Stage, lines: str) -> Fix:
    """``lines`` (a USER, and the RUN creating the user) before the stage's first CMD or
    ENTRYPOINT, else at its end."""
    starts = [i for i in stage.instructions if i.keyword in ("CMD", "ENTRYPOINT")]
    last = stage.instructions[-1] if stage.instructions else stage.from_ins
    at = ctx.line_start(starts[0].line if starts else last.span.end_line + 1)
    text = ctx.dockerfile.text
    lead = "\n" if at == len(text) and text and not text.endswith("\n") else ""
    return Fix("Add a USER", (Edit(at, at, lead + lines),), DISPLAY_ONLY)


#: Programs that start a command as another user: an image that installs them drops root itself.
_STEP_DOWN = ("gosu", "su-exec", "setpriv", "runuser", "chpst", "s6-setuidgid", "setuidgid")


def _runs_application(start: Launch, service: str) -> bool:
    """An application image, not a base image meant to be built upon (whose command is a shell
    or a REPL, ``CMD ["python3"]``): a base image sets no USER so that its users can install."""
    if start.main is None:
        return bool(service)
    return not interactive(process(start)[0])


def _steps_down(ctx: RuleContext, chain: list[Stage]) -> bool:
    """Does the image bring a tool to drop root (``gosu``, ``su-exec``)? Its entrypoint script,
    which dfcheck cannot read, then runs the application as another user."""
    for stage in chain:
        for ins in stage.instructions:
            texts: list[str] = []
            if ins.keyword == "RUN":
                texts = [w.text for cmd in ctx.commands(ins) for w in cmd.words]
            elif ins.keyword in ("COPY", "ADD", "ENTRYPOINT", "CMD"):
                texts = [a.value for a in ins.args] + ins.flag_values("from")
            if any(t.rstrip("/").rsplit("/", 1)[-1].split("@")[0].split(":")[0] in _STEP_DOWN for t in texts):
                return True
    return False
