"""What RUN rules need to know about package managers and other programs.

Which subcommand installs, which flags take a separate value (so that ``--virtual .deps`` is not
read as a package), how a pinned version looks for each manager, where each tool keeps its
download cache, and the small base class most RUN rules share. Rules stay declarative: they
name programs and predicates; walking RUNs, shells and ONBUILD triggers happens here once.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from dfcheck.dockerfile.model import DEFAULT_SHELL, chain_instructions, stage_chain
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Edit
from dfcheck.lint.rule import Rule

if TYPE_CHECKING:
    from dfcheck.dockerfile.parse import Instruction
    from dfcheck.lint.engine import RuleContext
    from dfcheck.lint.finding import Finding
    from dfcheck.shell import Command, Script, Word

WINDOWS_DIALECTS = frozenset({"powershell", "cmd"})


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Flags whose value is a separate word, per program (superset of what the shell module knows).
VALUE_FLAGS: dict[str, frozenset[str]] = {
    "apt-get": _set(
        "-o -c -t -a -S --option --config-file --target-release --default-release --host-architecture"
        " --snapshot"
    ),
    "apk": _set(
        "-t -X -p --virtual --repository --root --arch --cache-dir --keys-dir --repositories-file"
        " --cache-max-age --timeout --progress-fd"
    ),
    "pip": _set(
        "-r -c -e -i -f -t -b --requirement --constraint --editable --index-url --extra-index-url"
        " --find-links --target --prefix --root --src --platform --python-version --implementation --abi"
        " --no-binary --only-binary --progress-bar --upgrade-strategy --trusted-host --proxy --retries"
        " --timeout --cache-dir --log --cert --client-cert --exists-action --global-option"
        " --config-settings -C --report --python --keyring-provider --root-user-action --use-feature"
        " --use-deprecated --build"
        " --index --default-index --index-strategy --python-preference --requirements --constraints --overrides"
        " --override -p --link-mode --resolution --prerelease --exclude-newer --extra --group -P"
        " --upgrade-package --reinstall-package"
    ),
    "npm": _set(
        "--prefix --registry --cache --userconfig --globalconfig --omit --include --tag --workspace -w"
        " --loglevel --install-strategy --save-prefix --scope --before --only"
    ),
    "gem": _set(
        "-v -i -n -s -P --version --install-dir --bindir --source --trust-policy --platform --config-file"
    ),
    "yum": _set(
        "-c -d -e -x -R --config --installroot --releasever --enablerepo --disablerepo --exclude --setopt"
        " --repo --repoid --repofrompath --downloaddir --destdir --forcearch --color"
    ),
    "zypper": _set("-R -c -D -t -r --root --config --reposd-dir --type --repo --from --cache-dir"),
    "go": _set(
        "-C -p -o -ldflags -gcflags -asmflags -tags -mod -modfile -pkgdir -toolexec -buildmode -compiler"
        " -installsuffix -overlay -pgo -gccgoflags -trimpath_ignored"
    ),
    "mvn": _set(
        "-f --file -s --settings -gs --global-settings -t --toolchains -pl --projects -rf --resume-from"
        " -P --activate-profiles -T --threads -l --log-file -b --builder -D --define"
    ),
    "gradle": _set(
        "-p --project-dir -g --gradle-user-home -c --settings-file -b --build-file -x --exclude-task"
        " -I --init-script -D --system-prop -P --project-prop --include-build --console --warning-mode"
        " --max-workers --priority"
    ),
}
VALUE_FLAGS["apt"] = VALUE_FLAGS["apt-get"]
VALUE_FLAGS["mvnw"] = VALUE_FLAGS["mvn"]
VALUE_FLAGS["gradlew"] = VALUE_FLAGS["gradle"]
VALUE_FLAGS["dnf"] = VALUE_FLAGS["microdnf"] = VALUE_FLAGS["yum"]
for _name in ("pip3", "pipx"):
    VALUE_FLAGS[_name] = VALUE_FLAGS["pip"]

_EXPANSION = re.compile(r"\$(?:\{(\w+|[@*])\}|(\w+|[@*]))")
_COMPLEX = re.compile(r"\$|`")


def is_posix(ctx: RuleContext, ins: Instruction) -> bool:
    """Does the RUN go to a POSIX shell? The model knows Windows images (cmd without SHELL).

    A backtick escape or a ``windows/...`` platform with the default shell still means Windows:
    a custom base image the model cannot recognise by its name.
    """
    if ctx.model.dialect(ins) in WINDOWS_DIALECTS:
        return False
    if ctx.model.shell_at(ins) != DEFAULT_SHELL:
        return True
    stage = ctx.model.stage_of(ins)
    platform = (stage_chain(stage)[0].platform or "").lower() if stage is not None else ""
    return ctx.dockerfile.escape != "`" and not platform.startswith("windows")


def commands(ctx: RuleContext, ins: Instruction) -> list[Command]:
    """Every simple command a RUN executes (nested ``sh -c`` bodies included); none under Windows."""
    if ins.keyword != "RUN" or not is_posix(ctx, ins):
        return []
    return [c for s in ctx.model.scripts(ins) for c in s.commands]


def posix_runs(ctx: RuleContext, *, shipped_only: bool = False) -> Iterator[Instruction]:
    for ins in ctx.instructions("RUN", shipped_only=shipped_only):
        if is_posix(ctx, ins):
            yield ins


def is_pip(cmd: Command) -> bool:
    """``pip``, ``pip3``, ``pip3.12`` — or ``python -m pip`` (see :func:`pip_args`)."""
    return bool(re.fullmatch(r"pip[0-9.]*", cmd.name)) or pip_args(cmd) is not None


def pip_args(cmd: Command) -> tuple[Word, ...] | None:
    """Arguments after ``pip`` for ``pip ...``, ``python -m pip ...`` and ``uv pip ...``."""
    if re.fullmatch(r"pip[0-9.]*", cmd.name):
        return cmd.args
    if re.fullmatch(r"python[0-9.]*", cmd.name):
        texts = [w.text for w in cmd.args]
        for i in range(len(texts) - 1):
            if texts[i] == "-m" and texts[i + 1] == "pip":
                return cmd.args[i + 2 :]
            if not texts[i].startswith("-"):
                return None
    return None


def positionals(args: tuple[Word, ...] | list[Word], value_flags: frozenset[str]) -> list[Word]:
    """Non-flag words of ``args``; flags in ``value_flags`` consume the next word."""
    out: list[Word] = []
    i = 0
    while i < len(args):
        t = args[i].text
        i += 1
        if t == "--":
            out.extend(args[i:])
            break
        if len(t) > 1 and t.startswith("-"):
            name = t.split("=", 1)[0]
            if "=" not in t and (
                name in value_flags or (not t.startswith("--") and f"-{t[-1]}" in value_flags)
            ):
                i += 1
            continue
        out.append(args[i - 1])
    return out


def operands(cmd: Command, program: str | None = None, args: tuple[Word, ...] | None = None) -> list[Word]:
    """Positional words of ``cmd`` with the value flags of ``program`` (default: its own name)."""
    return positionals(cmd.args if args is None else args, VALUE_FLAGS.get(program or cmd.name, frozenset()))


def install_targets(
    cmd: Command, verbs: tuple[str, ...], program: str | None = None, args: tuple[Word, ...] | None = None
) -> list[Word] | None:
    """Package words after an install verb (``apt-get install a b`` -> [a, b]), or None."""
    words = operands(cmd, program, args)
    if not words or words[0].text not in verbs:
        return None
    return words[1:]


def resolve(
    ctx: RuleContext, ins: Instruction, word: Word, script: Script | None = None, cmd: Command | None = None
) -> list[str] | None:
    """The word's value split like the shell would, with ARG/ENV values substituted.

    Given the ``script`` and the ``cmd`` holding the word, a variable the script itself set
    earlier (``deps="curl gnupg"; apt-get install $deps``, ``set -- a b; ... "$@"``) takes that
    value instead, when it is a literal (:meth:`~dfcheck.shell.Script.value_at`).
    None when the word holds something unknowable here (command substitution, a variable set
    inside the script from something unknown, an ARG without a value): such words are never judged.
    """
    text = word.text
    if "$" not in text and "`" not in text:
        return [text]
    if _COMPLEX.search(_EXPANSION.sub("", text)):
        return None
    scope = ctx.model.scope_at(ins)
    values: dict[str, str] = {}
    for a, b in _EXPANSION.findall(text):
        name = a or b
        value: str | None = None
        if script is not None and cmd is not None:
            value = script.value_at(name, cmd)
            if value is None and script.assigns(name, cmd):
                return None
        if value is None:
            value = scope.get(name) or None
        if value is None:
            return None
        values[name] = value
    value = _EXPANSION.sub(lambda m: values[m.group(1) or m.group(2)], text)
    return None if "$" in value else value.split()


def cache_mount(ctx: RuleContext, ins: Instruction, *paths: str, within: bool = False) -> bool:
    """Does the RUN mount a cache at (or above) one of ``paths``? ``~/x`` matches any home.

    With ``within``, a mount on part of a path counts too (``/go/pkg/mod/cache`` for ``/go/pkg/mod``).
    """
    for mount in ctx.model.mounts(ins):
        if mount.type != "cache":
            continue
        target = ctx.model.expand(mount.target, ins).rstrip("/") or "/"
        for path in paths:
            if covers(target, path):
                return True
            if within and path.startswith("~/") and f"/{path[2:].rstrip('/')}/" in target + "/":
                return True
            if within and target.startswith(path.rstrip("/") + "/"):
                return True
    return False


def covers(target: str, path: str) -> bool:
    """Is ``path`` inside ``target``? A ``~/`` path is inside any home directory's copy of it."""
    if target == "/":
        return True
    if not path.startswith("~/"):
        path = path.rstrip("/")
        return path == target or path.startswith(target + "/")
    rel = path[2:].rstrip("/").split("/")
    parts = target.strip("/").split("/")
    if parts == ["root"] or (len(parts) == 2 and parts[0] == "home"):
        return True
    return any(parts[-k:] == rel[:k] for k in range(1, min(len(rel), len(parts)) + 1))


def removes(cmds: list[Command], path: str) -> bool:
    """Does an ``rm`` remove ``path``, its contents or a directory above it? Globs and braces count.

    A ``~/`` path is a home directory's: ``rm -rf ~/.npm``, ``$HOME/.npm``, ``/root/.npm`` and
    ``/home/app/.npm`` all remove ``~/.npm``.
    """
    home = path.startswith("~/")
    if home:
        path = "/root/" + path[2:]
    parts = path.rstrip("/").split("/")
    prefixes = ["/".join(parts[:k]) for k in range(2, len(parts) + 1)]
    for cmd in cmds:
        if cmd.name != "rm":
            continue
        for word in positionals(cmd.args, frozenset()):
            text = _HOME.sub("/root", word.text) if home else word.text
            for pattern in _braces(text.rstrip("/")):
                for suffix in ("/*", "/**"):
                    pattern = pattern.removesuffix(suffix)
                if pattern and any(fnmatch.fnmatchcase(p, pattern) for p in prefixes):
                    return True
    return False


_HOME = re.compile(r"^(?:~|\$HOME|\$\{HOME\}|/home/[^/]+)(?=/|$)")


def run_user(ctx: RuleContext, ins: Instruction) -> str:
    """The user a RUN runs as (the last ``USER`` of its stage and the stages it is built from)."""
    stage = ctx.model.stage_of(ins)
    user = "root"
    for other in chain_instructions(stage) if stage is not None else ():
        if other is ins or other is ins.parent:
            break
        if other.keyword == "USER" and other.args:
            user = ctx.model.expand(other.args[0].value, other).split(":", 1)[0] or "root"
    return user


def _braces(text: str) -> list[str]:
    m = re.search(r"\{([^{}]*,[^{}]*)\}", text)
    if not m:
        return [text]
    return [x for part in m.group(1).split(",") for x in _braces(text[: m.start()] + part + text[m.end() :])]


class CommandRule(Rule):
    """A rule that judges simple commands one at a time (RUN, ONBUILD RUN, ``sh -c`` bodies).

    Subclasses list the ``programs`` they look at and implement :meth:`check_command`.
    """

    programs: ClassVar[frozenset[str]] = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in posix_runs(ctx, shipped_only=self.shipped_stages_only):
            for script in ctx.model.scripts(ins):
                for cmd in script.commands:
                    if not self.programs or cmd.name in self.programs:
                        yield from self.check_command(ctx, ins, script, cmd)

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        raise NotImplementedError


def insert_after(word: Word, text: str) -> Edit:
    """An edit inserting ``text`` right after ``word`` (e.g. ``" -y"`` after ``install``)."""
    s = word.span
    return Edit(Span(s.end_line, s.end_col, s.end_line, s.end_col), text)


class PinRule(CommandRule):
    """Flags an install command naming packages without pinned versions, at the first of them.

    Subclasses give :meth:`packages` (the words to judge, or None for other commands) and
    :meth:`pinned`; words whose value cannot be known statically are skipped, and ARG/ENV
    values, or literal values the script gave the variable earlier, are substituted first
    (``apt-get install $PKGS``, ``deps="curl gnupg"; apt-get install $deps``).
    """

    hint: ClassVar[str] = ""

    def packages(self, cmd: Command) -> list[Word] | None:
        raise NotImplementedError

    def pinned(self, package: str) -> bool:
        raise NotImplementedError

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        loose: list[tuple[Word, str]] = []
        for word in self.packages(cmd) or ():
            values = resolve(ctx, ins, word, script, cmd)
            loose += [(word, v) for v in values or () if v and not self.pinned(v)]
        if loose:
            names = ", ".join(f"`{v}`" for _, v in loose[:3])
            more = f" and {len(loose) - 3} more" if len(loose) > 3 else ""
            yield self.finding(ctx, loose[0][0].span, f"Pin the version of {names}{more}: {self.hint}")


def rpm_pinned(package: str) -> bool:
    """``name-version[-release]``: some dash-separated part after the name starts with a digit."""
    if package.endswith(".rpm") or "/" in package or package.startswith("@") or "*" in package:
        return True
    parts = package.split("-")[1:]
    return (
        bool(parts)
        and any(p[:1].isdigit() for p in parts)
        and all(re.fullmatch(r"[A-Za-z0-9.~^_:+]+", p) for p in parts)
    )
