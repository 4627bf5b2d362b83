"""gem install <name> takes the newest release from rubygems.org."""

from __future__ import annotations

from dfcheck.build.packages import install_targets
from dfcheck.lint.finding import Severity
from dfcheck.lint.rule import PinRule
from dfcheck.shell import Command, Word
from dfcheck.shell.flags import VALUE_FLAGS

#: gem install switches that take no value; an unknown ``--flag`` is taken to take one
#: (``--use-system-libraries true`` is a native-extension build option, not a gem named "true").
_SWITCH_NAMES = (
    "-N --document --no-document --ri --rdoc --no-ri --no-rdoc --user-install --no-user-install -f --force"
    " --no-force -l --local -r --remote -b --both --conservative --minimal-deps -E --env-shebang"
    " --no-env-shebang --ignore-dependencies --prerelease --pre --development --development-all --default"
    " --explain --lock --no-lock --suggestions --no-suggestions --wrappers --no-wrappers -w"
    " --post-install-message --no-post-install-message --vendor --norc -q --quiet -V --verbose --silent"
    " --backtrace --debug -u --update-sources --clear-sources --format-executable --no-format-executable"
    " --build-root"
)
_SWITCHES = frozenset(_SWITCH_NAMES.split())


class GemUnpinnedRule(PinRule):
    code = "DF724"
    name = "gem-unpinned"
    severity = Severity.WARNING
    fix_safety = "display-only"
    summary = "gem install without version pins"
    aliases = ("DL3028",)
    programs = frozenset({"gem"})
    hint = "use `gem install <gem>:<version>` or `-v <version>`"
    pin_format = "{}:<version>"

    def packages(self, cmd: Command) -> list[Word] | None:
        if cmd.has_flag("-v", "--version"):
            return None
        return install_targets(cmd, ("install", "i"), args=_gem_args(cmd.args))

    def pinned(self, package: str) -> bool:
        return ":" in package or package.endswith(".gem") or "/" in package


def _gem_args(args: tuple[Word, ...]) -> tuple[Word, ...]:
    """``args`` without what follows ``--`` (build options) and without the values of unknown flags."""
    out: list[Word] = []
    skip = False
    for word in args:
        t = word.text
        if t == "--":
            break
        if skip:
            skip = False
            continue
        out.append(word)
        name = t.split("=", 1)[0]
        if t.startswith("--") and "=" not in t and name not in _SWITCHES and name not in VALUE_FLAGS["gem"]:
            skip = True
    return tuple(out)
