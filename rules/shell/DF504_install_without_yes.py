"""Package-manager commands that would stop at a confirmation prompt in a non-interactive build."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import verb
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script

_APT_VERBS = (
    "install",
    "remove",
    "purge",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "autoremove",
    "build-dep",
)
_VERBS = {
    "apt-get": _APT_VERBS,
    "apt": _APT_VERBS,
    # Canonical names (packages.VERB_SYNONYMS): `dnf in`, `yum erase`, `zypper dup` count too.
    "yum": ("install", "groupinstall", "reinstall", "remove", "upgrade"),
    "dnf": ("install", "groupinstall", "reinstall", "remove", "upgrade"),
    "microdnf": ("install", "reinstall", "remove", "upgrade"),
    "zypper": ("install", "remove", "source-install", "patch", "update", "dist-upgrade"),
}
_YES = {
    "apt-get": ("-y", "--yes", "--assume-yes"),
    "yum": ("-y", "--assumeyes"),
    "zypper": ("-y", "--no-confirm", "-n", "--non-interactive"),
}


def _answers_yes(cmd: Command, script: Script) -> bool:
    if cmd.pipeline_index > 0:
        for pipe in script.pipelines:
            if cmd in pipe and any(c.name == "yes" and c.pipeline_index < cmd.pipeline_index for c in pipe):
                return True
    program = {"apt": "apt-get", "dnf": "yum", "microdnf": "yum"}.get(cmd.name, cmd.name)
    if cmd.has_flag(*_YES[program]):
        return True
    texts = [w.text for w in cmd.args]
    if program == "apt-get":
        quiet = sum(t.count("q") for t in texts if t.startswith("-") and not t.startswith("--"))
        quiet += texts.count("--quiet")
        assume = any(
            t.lower().startswith("apt::get::assume-yes=") and t.lower().endswith(("=true", "=1"))
            for t in texts
        )
        return quiet >= 2 or "--quiet=2" in texts or "-q=2" in texts or assume
    return any(t.lower() in ("--setopt=assumeyes=1", "--setopt=assumeyes=true") for t in texts)


class InstallWithoutYesRule(Rule):
    code = "DF504"
    name = "install-without-yes"
    severity = Severity.WARNING
    fix_safety = "safe"
    summary = "Package manager would ask for confirmation"
    aliases = ("DL3014", "DL3030", "DL3034", "DL3038", "DS021")
    programs = frozenset(_VERBS)

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        found = verb(cmd)
        if found is None or found[1] not in _VERBS[cmd.name] or _answers_yes(cmd, script):
            return
        word = found[0]
        flag = "-y"
        yield self.finding(
            ctx,
            word.span,
            f"`{cmd.name} {word.text}` without `{flag}` waits for a confirmation the build cannot give",
            fix=Fix(f"Add {flag}", (ctx.insert_after(word.span, f" {flag}"),)),
        )
