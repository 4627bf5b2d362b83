"""What kind of build step an instruction is, and the cache-order checks built on that.

Shared by the cache model (:mod:`dfcheck.build.cache`), ``dfcheck history`` and the cache rules
(DF150-DF152, DF401); kept apart from the model so that ``dfcheck check`` does not load it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dfcheck.build.packages import canonical_verb
from dfcheck.build.semantic import Semantics
from dfcheck.build.sources import REMOTE, source_tokens
from dfcheck.dockerfile.model import Stage
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.substitute import expand
from dfcheck.regex import lazy

#: Build args whose value changes on every build, by convention.
VOLATILE_ARGS = frozenset(
    {
        "BUILD_DATE",
        "BUILD_TIME",
        "BUILD_TIMESTAMP",
        "BUILDTIME",
        "BUILD_NUMBER",
        "BUILD_ID",
        "BUILD_VERSION",
        "BUILD_REF",
        "CI_COMMIT_SHA",
        "CI_COMMIT_SHORT_SHA",
        "CI_PIPELINE_ID",
        "COMMIT",
        "COMMIT_HASH",
        "COMMIT_SHA",
        "GIT_COMMIT",
        "GIT_HASH",
        "GIT_REF",
        "GIT_REVISION",
        "GIT_SHA",
        "GITHUB_SHA",
        "REVISION",
        "SOURCE_COMMIT",
        "TIMESTAMP",
        "VCS_REF",
        "VERSION",
        "APP_VERSION",
        "RELEASE",
    }
)
_PINNED_GIT = lazy(r"#[0-9a-f]{40}(?::|$)")

# --- step weights --------------------------------------------------------------------------------

#: Relative cost of re-running a step, documented in docs/cache.md.
WEIGHTS = {"install": 10, "build": 8, "run": 3, "remote": 3, "base": 2, "copy": 1, "workdir": 1, "meta": 0}
_OS_INSTALL = {
    "apt-get": ("install", "upgrade", "dist-upgrade", "build-dep"),
    "apt": ("install", "upgrade"),
    "apk": ("add", "upgrade"),
    "yum": ("install", "update", "groupinstall"),
    "dnf": ("install", "update", "upgrade"),
    "microdnf": ("install", "update"),
    "zypper": ("install", "in", "update"),
    "pacman": ("-S", "-Syu", "-Sy"),
    "tdnf": ("install",),
}
_LANG_INSTALL = {
    "pip": ("install",),
    "pip3": ("install",),
    "npm": ("install", "i", "ci"),
    "yarn": (None, "install", "add"),
    "pnpm": ("install", "i", "add"),
    "gem": ("install",),
    "bundle": (None, "install"),
    "composer": ("install", "require", "update"),
    "go": ("install", "get"),
    "cargo": ("install", "fetch"),
    "poetry": ("install",),
    "pipenv": ("install", "sync"),
    "uv": ("sync", "pip"),
    "conda": ("install", "create"),
    "mamba": ("install", "create"),
    "dotnet": ("restore",),
    "nuget": ("restore", "install"),
    "cpanm": (None,),
    "R": (None,),
}
_BUILDS = {
    "make",
    "cmake",
    "ninja",
    "gcc",
    "g++",
    "cc",
    "clang",
    "mvn",
    "mvnw",
    "./mvnw",
    "gradle",
    "gradlew",
    "./gradlew",
    "bazel",
    "tsc",
    "webpack",
    "vite",
    "rustc",
    "javac",
    "msbuild",
    "swift",
}
_BUILD_SUBCOMMANDS = {
    "go": ("build", "test", "generate", "vet"),
    "cargo": ("build", "test"),
    "dotnet": ("build", "publish", "test", "pack"),
    "npm": ("run", "test", "build"),
    "yarn": ("build", "run", "test"),
    "pnpm": ("build", "run", "test"),
    "python": ("setup.py", "-m"),
    "python3": ("setup.py", "-m"),
    "pip": ("wheel",),
    "mix": ("compile", "release"),
}


def step_kind(sem: Semantics, ins: Instruction) -> str:
    """What kind of work re-running ``ins`` costs: install, build, run, remote, copy, workdir, meta."""
    kw = ins.keyword
    if kw == "RUN":
        kind = "run"
        for package_op in sem.operations(ins):
            if package_op.operation.kind in ("install", "fetch", "tool"):
                return "install"
            kind = "build"
        for script in sem.scripts(ins):
            for cmd in script.commands:
                sub = cmd.subcommand
                os_verb = canonical_verb(cmd.name, sub) if sub is not None else None
                if os_verb in _OS_INSTALL.get(cmd.name, ()) or sub in _LANG_INSTALL.get(cmd.name, ("\0",)):
                    return "install"
                if cmd.name in _BUILDS or sub in _BUILD_SUBCOMMANDS.get(cmd.name, ()):
                    kind = "build"
        return kind
    if kw in ("COPY", "ADD"):
        return "remote" if remote_sources(ins) else "copy"
    if kw == "WORKDIR":
        return "workdir"
    return "meta"


def step_weight(sem: Semantics, ins: Instruction) -> int:
    return WEIGHTS[step_kind(sem, ins)]


def is_expensive(sem: Semantics, ins: Instruction) -> bool:
    """A package install or a build: the steps worth keeping cached."""
    return step_kind(sem, ins) in ("install", "build")


# --- sources -------------------------------------------------------------------------------------


def copy_sources(ins: Instruction) -> list[str]:
    """COPY/ADD source words (raw), without heredoc markers and the destination."""
    return [t.value for t in source_tokens(ins)]


def remote_sources(ins: Instruction) -> list[str]:
    if ins.keyword != "ADD":
        return []
    return [s for s in copy_sources(ins) if REMOTE.match(s)]


def remote_is_pinned(ins: Instruction, source: str) -> bool:
    """An ADD whose remote content cannot change: ``--checksum`` or a git URL at a commit hash."""
    return bool(ins.flag("checksum")) or bool(_PINNED_GIT.search(source))


def variable_names(text: str, escape: str) -> set[str]:
    return set(expand(text, {}, escape).used)


def volatile_arg_move(
    sem: Semantics, stage: Stage, index: int, escape: str, names: Iterable[str] = ()
) -> tuple[str, int | None] | None:
    """For a volatile ``ARG`` at ``stage.instructions[index]``: (name, where it can move) or None.

    It can move past steps that cannot see it: metadata, COPY/ADD that do not name it, and
    package installs, which do not read build metadata from the environment. The first
    instruction that names it, or any other RUN (a build script may read it from the
    environment), stops it. None when no install would stop re-running.
    """
    instrs = stage.instructions
    arg = instrs[index]
    if (
        arg.keyword != "ARG"
        or len(arg.pairs) != 1
        or arg.pairs[0].key.upper() not in VOLATILE_ARGS | {n.upper() for n in names}
    ):
        return None
    name = arg.pairs[0].key
    stop = None
    for k in range(index + 1, len(instrs)):
        ins = instrs[k]
        texts = [ins.original, *(d.content for d in ins.heredocs)]
        if any(name in variable_names(t, escape) for t in texts):
            stop = k
            break
        if ins.keyword == "RUN" and step_kind(sem, ins) != "install":
            stop = k
            break
    skipped = instrs[index + 1 : stop if stop is not None else len(instrs)]
    if not any(ins.keyword == "RUN" for ins in skipped):
        return None
    return name, stop


#: COPY sources that copy the whole build context.
BROAD = frozenset({".", "./", "*", "./*", "**", "./**", "/", ""})


def from_context(ins: Instruction) -> bool:
    return ins.keyword in ("COPY", "ADD") and not ins.flag("from") and not ins.heredocs and len(ins.args) >= 2
