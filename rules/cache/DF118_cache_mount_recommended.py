"""Without a cache mount, every rebuild of a dependency step downloads everything again."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from dfcheck.build import ecosystems
from dfcheck.build.base_images import image_user
from dfcheck.build.ecosystems import Ecosystem
from dfcheck.build.packages import operands, removes
from dfcheck.build.users import NewUser, created_user
from dfcheck.dockerfile.model import is_root_user, stage_chain
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import UNSAFE, Finding, Fix, Related, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext
from dfcheck.records import NamedTuple
from dfcheck.shell import Command, Word


class Tool(NamedTuple):
    """What this rule adds to an ecosystem of the shared table (its caches, the commands that
    download): the mount targets it proposes to root, where ``VAR:default`` means ``$VAR`` when
    the Dockerfile sets it, else the default; the flag that moves the cache; the subcommands that
    clean it; the flags that forbid downloads (``--frozen`` is Cargo's ``--locked --offline``)."""

    ecosystem: Ecosystem
    suggest: tuple[str, ...]
    flags: tuple[str, ...] = ()
    cleans: tuple[str, ...] = ()
    offline: tuple[str, ...] = ("--offline",)
    #: Stages that ship are left to DF114, which already asks for a mount or a cleanup.
    build_stages_only: bool = False

    @property
    def name(self) -> str:
        return self.ecosystem.name


TOOLS = {
    tool.ecosystem.name: tool
    for tool in (
        Tool(ecosystems.NPM, ("npm_config_cache:/root/.npm",), ("--cache",), ("cache clean",)),
        Tool(ecosystems.YARN, ("YARN_CACHE_FOLDER:/usr/local/share/.cache/yarn",), ("--cache-folder",),
             ("cache clean",), build_stages_only=True),
        Tool(ecosystems.PNPM, ("PNPM_HOME/store:/root/.local/share/pnpm/store",), ("--store-dir",), ("store prune",)),
        Tool(ecosystems.GO, ("GOPATH/pkg/mod:/go/pkg/mod", "GOCACHE:/root/.cache/go-build"), (),
             ("clean -modcache", "clean -cache"), offline=()),
        Tool(ecosystems.CARGO, ("CARGO_HOME/registry:/usr/local/cargo/registry",), offline=("--offline", "--frozen")),
        Tool(ecosystems.MAVEN, ("/root/.m2",), offline=("-o", "--offline")),
        Tool(ecosystems.GRADLE, ("GRADLE_USER_HOME:/root/.gradle",), ("-g", "--gradle-user-home")),
    )
}  # fmt: skip


#: The programs of each tool, for its flags and its cleanup subcommands.
_PROGRAMS = {"npm": ("npm",), "yarn": ("yarn",), "pnpm": ("pnpm",), "go": ("go",), "cargo": ("cargo",),
             "maven": ("mvn", "mvnw"), "gradle": ("gradle", "gradlew")}  # fmt: skip


def _env_path(scope: Mapping[str, str], entry: str) -> str | None:
    name, _, sub = entry.partition("/")
    value = scope.get(name)
    return f"{value.rstrip('/')}/{sub}".rstrip("/") if value else None


def _verb(tool: Tool, cmd: Command) -> Word | None:
    """The word that makes ``cmd`` download (the subcommand; the command name for a bare ``yarn``),
    or None when a flag forbids downloads."""
    if cmd.has_flag(*tool.offline):
        return None
    words = operands(cmd)
    if not words:
        return cmd.words[len(cmd.words) - len(cmd.args) - 1]
    if len(words) > 1 and words[0].text in ("mod", "chef"):
        return words[1]
    return words[0]


def _satisfied(ctx: RuleContext, ins: Instruction, tool: Tool, cmds: list[Command]) -> bool:
    """A cache mount on one of the tool's caches, or a cleanup of them in the same RUN."""
    scope = ctx.model.scope_at(ins)
    programs = _PROGRAMS[tool.name]
    eco = tool.ecosystem
    paths = [*eco.cache_dirs, *filter(None, (_env_path(scope, e) for e in eco.cache_env))]
    paths += [v for c in cmds if c.name in programs for v in c.flag_values(*tool.flags)] if tool.flags else []
    if ctx.cache_mount(ins, *paths, within=True):
        return True
    for cmd in cmds:
        said = " ".join(w.text for w in cmd.args)
        if cmd.name in programs and any(said.startswith(c) for c in tool.cleans):
            return True
    return any(removes(cmds, p + "/x") for p in paths)


#: Defaults that hold in the official image only (its ENV sets GOPATH / CARGO_HOME): elsewhere, home.
_IMAGE_DEFAULTS = {"/go/pkg/mod": ("golang", "/root/go/pkg/mod"),
                   "/usr/local/cargo/registry": ("rust", "/root/.cargo/registry")}  # fmt: skip


def _suggested(ctx: RuleContext, ins: Instruction, tool: Tool, compiles: bool) -> list[str]:
    """Mount targets for root: ``$VAR`` when the Dockerfile sets it, the official image's path in
    images built on it (``golang``, ``rust``, ``...-rust-1.85``), else the home directory's."""
    scope = ctx.model.scope_at(ins)
    stage = ctx.model.stage_of(ins)
    images = " ".join(f"{s.base.name} {s.base.tag or ''}" for s in stage_chain(stage)) if stage else ""
    out = []
    for entry in tool.suggest if compiles or tool.name != "go" else tool.suggest[:1]:
        var, _, default = entry.rpartition(":")
        image, elsewhere = _IMAGE_DEFAULTS.get(default, ("", default))
        out.append((_env_path(scope, var) if var else None) or (default if image in images else elsewhere))
    return out


def _switched_user(cmds: list[Command]) -> str | None:
    """The user a RUN hands its work to (``gosu app``, ``sudo -u app``, ``su app -c``), if any."""
    for cmd in cmds:
        texts = [w.text for w in cmd.words]
        for wrapper in ("gosu", "su-exec"):
            if wrapper in cmd.wrappers and wrapper in texts[:-1]:
                return texts[texts.index(wrapper) + 1]
        if "sudo" in cmd.wrappers:
            for flag in ("-u", "--user"):
                if flag in texts[:-1]:
                    return texts[texts.index(flag) + 1]
        if cmd.name in ("su", "runuser") and "-c" in texts:
            names = [t for t in texts[1 : texts.index("-c")] if not t.startswith("-")]
            return names[0] if names else "root"
    return None


def _user_mount(user: NewUser, targets: list[str]) -> str:
    """The advice for a tool run as another user: the cache is in its home and must be writable by it."""
    if user.home is None:
        dirs = ", ".join(f"`{t.removeprefix('/root/')}`" for t in targets)
        uid = f"`uid={user.uid}`" if user.uid else "`uid=` set to its uid"
        return (
            f"add a cache mount on {dirs} in the home directory of `{user.name}` (which the Dockerfile does "
            f"not say), with {uid}"
        )
    uid = f",uid={user.uid}" if user.uid else ""
    mounts = " ".join(
        f"--mount=type=cache,target={t.replace('/root/', user.home.rstrip('/') + '/')}{uid}" for t in targets
    )
    if user.uid:
        return f"add `{mounts}` (the cache must be writable by `{user.name}`)"
    return f"add `{mounts}` with `uid=` set to the uid of `{user.name}` (the cache must be writable by it)"


class CacheMountRecommendedRule(Rule):
    code = "DF118"
    name = "cache-mount-recommended"
    severity = Severity.INFO
    fix_safety = "unsafe"
    summary = "Dependency download without a build cache mount"
    requires_instructions = frozenset({"RUN"})

    def __init__(self) -> None:
        self.found: dict[tuple[int, str, str], list[tuple[Instruction, Command, list[Command], Word]]] = {}
        #: Users the RUNs of each stage chain created so far, for their home directory and uid.
        self.users: ChainState[tuple[NewUser, ...]] = ChainState(())
        #: The user each finding's first RUN runs its tool as, with home and uid when known.
        self.accounts: dict[int, NewUser] = {}

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        shipped = ctx.ships(stage)
        cmds = ctx.commands(ins)
        if stage is not None:
            self.users.append(stage, (u for c in cmds if (u := created_user(c)) is not None))
        first: dict[str, tuple[Command, Word]] = {}
        for op in ctx.semantics.operations(ins):
            tool = TOOLS.get(op.operation.ecosystem.name)
            if tool is None or tool.name in first or (tool.build_stages_only and shipped):
                continue
            verb = _verb(tool, op.operation.command)
            if verb is not None and not (tool.name == "go" and ctx.cache_order.vendored(ins, op)):
                first[tool.name] = (op.operation.command, verb)
        for name, (cmd, verb) in first.items():
            tool = TOOLS[name]
            if _satisfied(ctx, ins, tool, cmds):
                continue
            kind = "compile" if tool.name == "go" and verb.text in ("build", "install") else "fetch"
            key = (stage.index if stage is not None else -1, tool.name, kind)
            if key not in self.found:
                self.accounts[id(ins)] = self._account(ctx, ins, cmds)
            self.found.setdefault(key, []).append((ins, cmd, cmds, verb))
        return iter(())

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        """One finding per stage and tool at its first uncached RUN; the others are related to it."""
        for (_, name, _), runs in self.found.items():
            yield self._finding(ctx, TOOLS[name], runs)

    def _account(self, ctx: RuleContext, ins: Instruction, cmds: list[Command]) -> NewUser:
        """The user the RUN's tool runs as, with the home and uid its useradd (or the image) gave it."""
        name = _switched_user(cmds) or ctx.user_at(ins)
        stage = ctx.facts(ins).stage
        if is_root_user(name) or stage is None:
            return NewUser(name, "/root", "0")
        made = next((u for u in reversed(self.users.get(stage)) if u.name == name), None)
        if made is not None:
            return made
        known = image_user(stage.root.base, name)
        return NewUser(name, *known) if known else NewUser(name, None, None)

    def _finding(
        self, ctx: RuleContext, tool: Tool, runs: list[tuple[Instruction, Command, list[Command], Word]]
    ) -> Finding:
        ins, cmd, _, verb = runs[0]
        related = tuple(Related(v.span, "also without a cache mount") for _, _, _, v in runs[1:])
        words = [w.text for w in operands(cmd)]
        phrase = " ".join(words[: words.index(verb.text) + 1]) if verb.text in words else ""
        what = f"`{cmd.name}`" if not phrase or tool.name in ("maven", "gradle") else f"`{cmd.name} {phrase}`"
        compiles = cmd.name == "go" and verb.text in ("build", "install")
        if compiles:
            what += " compiles every package again (and fetches missing modules) whenever this step re-runs"
        else:
            what += " downloads every dependency again whenever this step re-runs"
        targets = _suggested(ctx, ins, tool, compiles)
        account = self.accounts[id(ins)]
        if not is_root_user(account.name):
            return self.finding(ctx, verb.span, f"{what}: {_user_mount(account, targets)}", related=related)
        mounts = " ".join(f"--mount=type=cache,target={t}" for t in targets)
        edits = tuple(ctx.insert_after(run.keyword_span, " " + mounts) for run, *_ in runs)
        fix = Fix(f"Mount a {tool.name} cache", edits, UNSAFE)
        return self.finding(ctx, verb.span, f"{what}: add `{mounts}`", fix=fix, related=related)
