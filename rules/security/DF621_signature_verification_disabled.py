"""Installing packages without checking their signatures trusts whoever served them."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Word

_FLAGS = {
    "apk": ("--allow-untrusted",),
    "apt-get": ("--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes"),
    "apt": ("--allow-unauthenticated", "--allow-insecure-repositories"),
    "yum": ("--nogpgcheck",),
    "dnf": ("--nogpgcheck", "--no-gpgchecks"),
    "microdnf": ("--nogpgcheck",),
    "zypper": ("--no-gpg-checks", "--gpg-auto-import-keys"),
    "rpm": ("--nosignature", "--nodigest", "--nofiledigest", "--noverify"),
}
_APT_OPTIONS = (
    "acquire::allowinsecurerepositories",
    "apt::get::allowunauthenticated",
    "acquire::allowdowngradetoinsecurerepositories",
)
_TRUE = ("=true", "=1", "=yes")


def _disabling(cmd: Command) -> Iterator[Word]:
    flags = _FLAGS.get(cmd.name, ())
    for word in cmd.args:
        low = word.text.lower()
        packed = low.replace(" ", "")
        if cmd.name in ("echo", "printf", "tee"):
            bad = "[trusted=yes]" in packed and "]file:" not in packed
        elif cmd.name == "apk":
            bad = low == "--allow-untrusted" and not _all_local(cmd)
        elif cmd.name in ("apt-get", "apt") and low.startswith(_APT_OPTIONS):
            bad = low.endswith(_TRUE)
        elif cmd.name in ("yum", "dnf", "microdnf") and packed.startswith("--setopt=gpgcheck="):
            bad = packed.endswith(("=0", "=false"))
        else:
            bad = low.split("=", 1)[0] in flags and (cmd.name != "zypper" or low == "--no-gpg-checks")
        if bad:
            yield word


def _all_local(cmd: Command) -> bool:
    """``apk add --allow-untrusted /tmp/packages/*.apk``: packages built earlier in the same build."""
    words = [w.text for w in cmd.args if not w.text.startswith("-")][1:]
    return bool(words) and all(w.startswith(("/", "./")) for w in words)


class SignatureVerificationDisabledRule(Rule):
    code = "DF621"
    name = "signature-verification-disabled"
    severity = Severity.ERROR
    summary = "Package signature verification turned off"
    instructions = frozenset({"RUN"})
    aliases = ("CKV2_DOCKER_7", "CKV2_DOCKER_8", "CKV2_DOCKER_9", "CKV2_DOCKER_10", "CKV2_DOCKER_11")
    security_severity = 8.1

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for cmd in ctx.commands(ins):
            for word in _disabling(cmd):
                what = (
                    "an apt source marked [trusted=yes]"
                    if cmd.name in ("echo", "printf", "tee")
                    else f"`{word.text}`"
                )
                yield self.finding(
                    ctx,
                    word.span,
                    f"{what} installs packages without checking their signatures: import the key instead",
                )
