"""Dockerfile -> global ARGs, stages, variable scopes and the stage graph.

Rules ask questions of this model instead of re-reading instructions: "which stages ship",
"what does ``$BASE`` resolve to here", "what shell runs this RUN", "which commands does it run".
Everything is computed once per file and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from dfcheck.dockerfile.parse import Dockerfile, Instruction, Token
from dfcheck.dockerfile.source import Span
from dfcheck.dockerfile.substitute import expand, unquote
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy

if TYPE_CHECKING:
    pass

#: The proxy build arguments: BuildKit passes them to every RUN without an ARG declaring them
#: (``llb.WithProxy``), and they never change a step's cache key.
PROXY_ARGS = frozenset(
    {
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "FTP_PROXY",
        "ftp_proxy",
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
    }
)
#: ARGs BuildKit defines for every build (automatic platform ARGs and proxy ARGs).
PREDEFINED_ARGS = PROXY_ARGS | frozenset(
    {
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "TARGETSTAGE",
        "BUILDKIT_SBOM_SCAN_STAGE",
        "BUILDKIT_SBOM_SCAN_CONTEXT",
        "SOURCE_DATE_EPOCH",
    }
)
#: Values of the automatic platform ARGs for a linux/amd64 build, the most common case, so that
#: ``FROM base-$TARGETARCH`` resolves to a stage; ``--build-arg`` overrides them.
PLATFORM_DEFAULTS = {
    "BUILDPLATFORM": "linux/amd64",
    "BUILDOS": "linux",
    "BUILDARCH": "amd64",
    "TARGETPLATFORM": "linux/amd64",
    "TARGETOS": "linux",
    "TARGETARCH": "amd64",
}
DEFAULT_SHELL = ("/bin/sh", "-c")
#: Windows images run RUN with cmd unless SHELL says otherwise.
WINDOWS_SHELL = ("cmd", "/S", "/C")
_WINDOWS_IMAGE = lazy(r"windows|nanoserver|servercore|ltsc20\d\d|\bwin-?\d", re.I)
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_SHELL_PRAGMA = lazy(r"hadolint\s+shell\s*=\s*(\S+)\s*$", re.I)
_DIGEST = lazy(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


class ImageRef(NamedTuple):
    """A parsed image reference (after ARG substitution)."""

    raw: str
    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        ref = text.strip()
        digest = None
        if "@" in ref:
            ref, digest = ref.split("@", 1)
        tag = None
        slash = ref.rfind("/")
        colon = ref.rfind(":")
        if colon > slash:
            ref, tag = ref[:colon], ref[colon + 1 :]
        registry = ""
        first, _, remainder = ref.partition("/")
        if remainder and ("." in first or ":" in first or first == "localhost"):
            registry, ref = first, remainder
        return cls(text, registry, ref, tag, digest)

    @property
    def name(self) -> str:
        """Repository without the Docker Hub ``library/`` prefix."""
        repo = self.repository
        if self.registry in ("", "docker.io", "index.docker.io") and repo.startswith("library/"):
            repo = repo[len("library/") :]
        return repo

    @property
    def is_windows(self) -> bool:
        """Windows base images (their default shell is cmd, paths use backslashes)."""
        return bool(_WINDOWS_IMAGE.search(self.repository + ":" + (self.tag or "")))

    @property
    def is_scratch(self) -> bool:
        return self.raw.strip().lower() == "scratch"

    @property
    def valid(self) -> bool:
        if not self.repository or self.repository != self.repository.lower():
            return False
        if not re.fullmatch(
            r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*",
            self.repository,
        ):
            return False
        if self.tag is not None and not re.fullmatch(r"[\w][\w.-]{0,127}", self.tag):
            return False
        return self.digest is None or bool(_DIGEST.match(self.digest))


class Mount(NamedTuple):
    """One ``RUN --mount=...`` parsed like BuildKit's CSV reader."""

    type: str
    fields: dict[str, str]

    @classmethod
    def parse(cls, value: str) -> Mount:
        if not any(c in value for c in '"\r\n'):  # what csv reads as plain commas (csv: 0.4 ms to import)
            parts = value.split(",") if value else []
        else:
            import csv

            try:
                parts = next(csv.reader([value]))
            except (csv.Error, StopIteration):
                parts = value.split(",")
        fields: dict[str, str] = {}
        for part in parts:
            key, eq, val = part.partition("=")
            fields[key.strip().lower()] = val if eq else "true"
        return cls(fields.get("type", "bind").lower(), fields)

    @property
    def target(self) -> str:
        for key in ("target", "dst", "destination"):
            if key in self.fields:
                return self.fields[key]
        return ""

    @property
    def source(self) -> str:
        return self.fields.get("source", self.fields.get("src", ""))

    @property
    def from_(self) -> str:
        return self.fields.get("from", "")


class Stage:
    """One build stage: its FROM, its instructions, and where it sits in the stage graph.

    Stages compare by identity: two stages are the same stage only if they are the same object.
    """

    __slots__ = (
        "base",
        "base_raw",
        "end",
        "from_ins",
        "implicit",
        "index",
        "instructions",
        "name",
        "parent",
        "platform",
        "root",
    )

    def __init__(
        self,
        index: int,
        from_ins: Instruction,
        name: str | None,
        base_raw: str,
        base: ImageRef,
        platform: str | None,
        parent: Stage | None = None,
        implicit: bool = False,
    ) -> None:
        self.index = index
        self.from_ins = from_ins
        self.name = name
        self.base_raw = base_raw
        self.base = base
        self.platform = platform
        self.instructions: list[Instruction] = []
        #: The earlier stage this one is built ``FROM``, if any.
        self.parent = parent
        #: The first stage of the FROM chain (itself when it is built from an image).
        self.root: Stage = parent.root if parent is not None else self
        #: Instructions written before any FROM (BuildKit rejects the file): linted as a stage of
        #: their own, built from scratch, as hadolint does. It has no name and no index ``--from``
        #: can use.
        self.implicit = implicit
        #: The state after the stage's last instruction: what a stage built FROM it starts with.
        self.end: Facts

    @property
    def label(self) -> str:
        return self.name or str(self.index)

    def __repr__(self) -> str:
        return f"Stage({self.index}, {self.label!r}, base={self.base_raw!r})"


_MISSING = object()


class Scope(Mapping[str, str]):
    """The variables an instruction sees: a layer per ARG/ENV on top of the layer before it.

    Layers are shared (an instruction that declares nothing shares its predecessor's scope, a stage
    built FROM another starts on its parent's last layer), so building every instruction's scope
    costs one small dict per ARG/ENV. A lookup walks down the layers and remembers the answer in
    each layer it passed, so repeated lookups stay O(1) however long the file. A name that no
    layer below defines is answered at once from the depth of the shallowest layer that defines
    it, shared by all the layers of one tree (each new ENV name walked the whole chain, and left
    a memo in every layer: time and memory quadratic in the number of names).
    """

    __slots__ = ("_defined", "_depth", "_digest", "_memo", "_own", "_parent")

    def __init__(self, parent: Scope | None = None, own: dict[str, str] | None = None) -> None:
        self._parent = parent
        self._own: dict[str, str] = {} if own is None else own
        self._memo: dict[str, object] = {}
        self._digest: int | None = None
        self._depth: int = 0 if parent is None else parent._depth + 1
        #: name -> depth of the shallowest layer of this tree that defines it.
        self._defined: dict[str, int] = {} if parent is None else parent._defined
        for name in self._own:
            if self._defined.get(name, self._depth + 1) > self._depth:
                self._defined[name] = self._depth

    def digest(self) -> int:
        """A hash of the (name, value) pairs this scope holds: equal scopes hash equal, in one
        process. Built on the parent layer's digest, so hashing the scope of every instruction
        costs each layer only its own names (the cache model keys a RUN by the environment it
        sees; sorting that environment per RUN was quadratic in the number of ARG/ENV)."""
        chain: list[Scope] = []
        node: Scope | None = self
        while node is not None and node._digest is None:
            chain.append(node)
            node = node._parent
        value = node._digest if node is not None and node._digest is not None else 0
        for layer in reversed(chain):
            parent = layer._parent
            for name, own in layer._own.items():
                old = parent._lookup(name) if parent is not None else _MISSING
                if old is not _MISSING:
                    value ^= hash((name, old))
                value ^= hash((name, own))
            layer._digest = value
        return value

    def _lookup(self, name: str) -> object:
        if name in self._own:  # first: the layer of an ARG being evaluated grows after creation
            return self._own[name]
        if self._defined.get(name, self._depth) >= self._depth:
            return _MISSING  # every layer that defines it is this deep or deeper: none is below
        walked: list[Scope] = []
        node: Scope | None = self
        value: object = _MISSING
        while node is not None:
            if name in node._own:
                value = node._own[name]
                break
            memo = node._memo.get(name, None)
            if memo is not None:
                value = memo
                break
            walked.append(node)
            node = node._parent
        for layer in walked:
            layer._memo[name] = value
        return value

    def __getitem__(self, name: str) -> str:
        value = self._lookup(name)
        if value is _MISSING:
            raise KeyError(name)
        return value  # type: ignore[return-value]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._lookup(name) is not _MISSING

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        value = self._lookup(name)
        return default if value is _MISSING else value  # type: ignore[return-value]

    def _flatten(self) -> dict[str, str]:
        layers: list[Scope] = []
        node: Scope | None = self
        while node is not None:
            layers.append(node)
            node = node._parent
        merged: dict[str, str] = {}
        for layer in reversed(layers):
            merged.update(layer._own)
        return merged

    def __iter__(self) -> Iterator[str]:
        return iter(self._flatten())

    def __len__(self) -> int:
        return len(self._flatten())

    def __repr__(self) -> str:
        return f"Scope({self._flatten()!r})"


class Facts:
    """What holds for one instruction before it runs, computed once per file in one pass.

    ``workdir`` and ``user`` are None until the file sets them (the base image decides).
    """

    __slots__ = ("dialect", "onbuild", "posix", "scope", "shell", "stage", "user", "workdir")

    def __init__(
        self,
        stage: Stage | None,
        scope: Scope,
        shell: tuple[str, ...],
        dialect: str,
        posix: bool,
        workdir: str | None,
        user: str | None,
        onbuild: Instruction | None = None,
    ) -> None:
        self.stage = stage
        self.scope = scope
        self.shell = shell
        self.dialect = dialect
        #: The RUN goes to a POSIX shell (not cmd or PowerShell).
        self.posix = posix
        self.workdir = workdir
        self.user = user
        #: For an ONBUILD trigger: the ONBUILD instruction that carries it.
        self.onbuild = onbuild

    def but(self, **changes: object) -> Facts:
        facts = Facts(
            self.stage,
            self.scope,
            self.shell,
            self.dialect,
            self.posix,
            self.workdir,
            self.user,
            self.onbuild,
        )
        for name, value in changes.items():
            setattr(facts, name, value)
        return facts


def shell_dialect(shell: tuple[str, ...]) -> str:
    """``sh``, ``bash``, ``cmd`` or ``powershell`` for a SHELL argv."""
    program = shell[0].lower().replace("\\", "/").rsplit("/", 1)[-1] if shell else "sh"
    if program.startswith(("powershell", "pwsh")):
        return "powershell"
    if program in ("cmd", "cmd.exe"):
        return "cmd"
    return "bash" if program == "bash" else "sh"


class Model:
    """Stages, the stage graph and per-instruction :class:`Facts`, all built in one linear pass.

    ``target`` is the stage that ships (default: the last); build arguments override ARG defaults.
    """

    def __init__(
        self, dockerfile: Dockerfile, build_args: Mapping[str, str] | None = None, target: str | None = None
    ) -> None:
        self.dockerfile = dockerfile
        self.build_args = dict(build_args or {})
        self.target = target
        self.global_args: list[Instruction] = []
        self.stages: list[Stage] = []
        self._by_name: dict[str, Stage] = {}
        self._numbered: list[Stage] = []
        self._facts: dict[int, Facts] = {}
        #: Per stage, the variables its ENV instructions (and its parents') set: what ONBUILD
        #: triggers and images built from it see.
        self._env_end: dict[int, Scope] = {}
        self._build()

    # --- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        current: Stage | None = None
        for ins in self.dockerfile.instructions:
            if ins.keyword == "FROM":
                current = self._add_stage(self._new_stage(ins))
            elif current is None and ins.keyword == "ARG":
                self.global_args.append(ins)
            else:
                if current is None:
                    current = self._add_stage(self._implicit_stage(ins))
                current.instructions.append(ins)
        global_facts = Facts(None, Scope(None, self.global_scope), DEFAULT_SHELL, "sh", True, None, None)
        for ins in [*self.global_args, *(s.from_ins for s in self.stages)]:
            self._facts[id(ins)] = global_facts  # FROM sees the global ARGs only
        #: ``# hadolint shell=powershell``: the shell hadolint assumes for the RUNs that follow
        #: (a lint-time SHELL), latest last so the walk can pop them in file order.
        self._shell_pragmas = sorted(
            ((c.line, m.group(1)) for c in self.dockerfile.comments if (m := _SHELL_PRAGMA.match(c.text))),
            reverse=True,
        )
        for stage in self.stages:
            self._walk(stage)

    def _add_stage(self, stage: Stage) -> Stage:
        self.stages.append(stage)
        if stage.name is not None:
            self._by_name.setdefault(stage.name, stage)
        if not stage.implicit:
            self._numbered.append(stage)
        return stage

    def _walk(self, stage: Stage) -> None:
        """Facts for each instruction of ``stage``, continuing from its parent's end state."""
        if stage.parent is not None:
            facts = stage.parent.end.but(stage=stage, onbuild=None)
            env = self._env_end[stage.parent.index]
        else:
            windows = stage.base.is_windows
            shell: tuple[str, ...] = WINDOWS_SHELL if windows else DEFAULT_SHELL
            scope = Scope()
            if stage.implicit:
                # Instructions before any FROM (hadolint's snippets) see the ARGs declared above
                # them (one without a value as "", like an ARG in a stage).
                declared = {p.key: "" for ins in self.global_args for p in ins.pairs}
                scope = Scope(None, {**declared, **self.global_scope})
            facts = Facts(stage, scope, shell, shell_dialect(shell), self._posix(stage, shell), None, None)
            env = Scope()
        escape = self.dockerfile.escape
        triggers: list[tuple[Instruction, Instruction]] = []
        for ins in stage.instructions:
            while self._shell_pragmas and self._shell_pragmas[-1][0] < ins.line:
                assumed: tuple[str, ...] = (self._shell_pragmas.pop()[1],)
                facts = facts.but(
                    shell=assumed, dialect=shell_dialect(assumed), posix=self._posix(stage, assumed)
                )
            self._facts[id(ins)] = facts
            if ins.trigger is not None:
                triggers.append((ins, ins.trigger))
            keyword = ins.keyword
            if keyword in ("ARG", "ENV"):
                own = self._declare(ins, facts.scope)
                if own:
                    facts = facts.but(scope=Scope(facts.scope, own))
                    if keyword == "ENV":
                        env = Scope(env, own)
            elif keyword == "SHELL" and ins.is_json and ins.args:
                program = tuple(a.value for a in ins.args)
                facts = facts.but(
                    shell=program, dialect=shell_dialect(program), posix=self._posix(stage, program)
                )
            elif keyword == "WORKDIR" and ins.args:
                path = expand(ins.args[0].value, facts.scope, escape).value
                facts = facts.but(workdir=join_path(facts.workdir or "/", path))
            elif keyword == "USER" and ins.args:
                user = expand(ins.args[0].value, facts.scope, escape).value.split(":", 1)[0]
                facts = facts.but(user=user or "root")
        stage.end = facts
        self._env_end[stage.index] = env
        self._triggers(triggers, facts, env)

    def _triggers(self, triggers: list[tuple[Instruction, Instruction]], end: Facts, env: Scope) -> None:
        """Facts for the ONBUILD triggers of a stage that ended with ``end`` and ``env``.

        A trigger runs in an image built FROM this one, right after that FROM: it sees this
        image's final SHELL, WORKDIR, USER and ENV (wherever the ONBUILD stands in the stage), no
        ARG (an image carries none), and what the triggers before it declared with ARG or ENV.
        """
        scope = env
        for onbuild, trigger in triggers:
            self._facts[id(trigger)] = end.but(onbuild=onbuild, scope=scope)
            if trigger.keyword in ("ARG", "ENV"):
                own = self._declare(trigger, scope)
                if own:
                    scope = Scope(scope, own)

    def _declare(self, ins: Instruction, scope: Scope) -> dict[str, str]:
        """The variables an ARG or ENV sets, evaluated left to right against ``scope``."""
        escape = self.dockerfile.escape
        own: dict[str, str] = {}
        view = Scope(scope, own)
        for pair in ins.pairs:
            if ins.keyword == "ENV":
                own[pair.key] = expand(pair.value, view, escape).value
            elif pair.key in self.build_args:
                own[pair.key] = self.build_args[pair.key]
            elif pair.has_value:
                own[pair.key] = expand(pair.value, view, escape).value
            elif pair.key in self.global_scope:
                own[pair.key] = self.global_scope[pair.key]
            elif pair.key in PREDEFINED_ARGS:
                own[pair.key] = PLATFORM_DEFAULTS.get(pair.key, "")
            elif pair.key not in view:
                own[pair.key] = ""
            view._memo.clear()
        return own

    def _posix(self, stage: Stage, shell: tuple[str, ...]) -> bool:
        """Does RUN go to a POSIX shell? A backtick escape or a ``windows/...`` platform with the
        default shell still means Windows: a custom base image the name does not reveal."""
        if shell_dialect(shell) in ("cmd", "powershell"):
            return False
        if shell != DEFAULT_SHELL:
            return True
        platform = (stage.root.platform or "").lower()
        return self.dockerfile.escape != "`" and not platform.startswith("windows")

    @cached_property
    def global_scope(self) -> dict[str, str]:
        scope: dict[str, str] = {}
        for ins in self.global_args:
            for pair in ins.pairs:
                if pair.key in self.build_args:
                    scope[pair.key] = self.build_args[pair.key]
                elif pair.has_value:
                    scope[pair.key] = expand(pair.value, scope, self.dockerfile.escape).value
        return scope

    def _new_stage(self, ins: Instruction) -> Stage:
        args = [a.value for a in ins.args]
        base_raw = args[0] if args else ""
        scope = dict(self.global_scope)
        for name in PREDEFINED_ARGS:
            scope.setdefault(name, self.build_args.get(name, PLATFORM_DEFAULTS.get(name, "")))
        base_text = expand(base_raw, scope, self.dockerfile.escape).value
        stage_name = args[2].lower() if len(args) == 3 and args[1].lower() == "as" else None
        platform = ins.flag("platform")
        parent = self.stage_named(base_text.lower())
        return Stage(
            index=len(self.stages),
            from_ins=ins,
            name=stage_name,
            base_raw=base_raw,
            base=ImageRef.parse(base_text),
            platform=platform.value if platform else None,
            parent=parent,
        )

    def _implicit_stage(self, first: Instruction) -> Stage:
        """The stage for instructions before the first FROM: a ``FROM scratch`` placed at ``first``."""
        from dfcheck.dockerfile.parse import parse

        synthetic = parse("FROM scratch\n").instructions[0]
        at = Span(first.line, 1, first.line, 1)
        synthetic = synthetic.replace(span=at, keyword_span=at, args=[Token("scratch", at)])
        return Stage(
            index=len(self.stages),
            from_ins=synthetic,
            name=None,
            base_raw="scratch",
            base=ImageRef.parse("scratch"),
            platform=None,
            implicit=True,
        )

    # --- queries ----------------------------------------------------------------------------------

    def facts(self, ins: Instruction) -> Facts:
        """The facts before ``ins``; for an ONBUILD trigger, those it runs with in an image built
        FROM this one (see :meth:`_triggers`)."""
        found = self._facts.get(id(ins))
        if found is None:
            raise KeyError(f"instruction at line {ins.line} is not part of this model")
        return found

    def stage_named(self, name: str) -> Stage | None:
        """A stage by name or index, as ``COPY --from`` and ``FROM`` accept."""
        key = name.strip().lower()
        stage = self._by_name.get(key)
        if stage is not None:
            return stage
        if key.isdigit() and int(key) < len(self._numbered):
            return self._numbered[int(key)]
        return None

    def stage_of(self, ins: Instruction) -> Stage | None:
        facts = self._facts.get(id(ins))
        return facts.stage if facts is not None else None

    def target_stage(self, target: str | None = None) -> Stage | None:
        if not self.stages:
            return None
        if target:
            return self.stage_named(target)
        return self.stages[-1]

    @cached_property
    def shipped_chain(self) -> list[Stage]:
        """The target stage and the stages it is built FROM, root first; [] without stages."""
        target = self.target_stage(self.target)
        return stage_chain(target) if target is not None else []

    @cached_property
    def _shipped_indexes(self) -> frozenset[int]:
        return frozenset(s.index for s in self.shipped_chain)

    def ships(self, stage: Stage | None) -> bool:
        """Does ``stage`` end up in (or feed the base of) the image that is built?"""
        return stage is not None and stage.index in self._shipped_indexes

    def dependencies(self, stage: Stage) -> list[Stage]:
        """Stages this one reads from: its FROM parent, ``COPY --from`` and ``RUN --mount from=``."""
        deps: list[Stage] = []
        if stage.parent is not None:
            deps.append(stage.parent)
        for ins in stage.instructions:
            refs: list[str] = []
            if ins.keyword in ("COPY", "ADD"):
                refs += ins.flag_values("from")
            if ins.keyword == "RUN":
                refs += [m.from_ for m in self.mounts(ins) if m.from_]
            for ref in refs:
                resolved = self.expand(ref, ins)
                dep = self.stage_named(resolved)
                if dep is not None and dep.index != stage.index and dep not in deps:
                    deps.append(dep)
        return deps

    def needed_stages(self, target: str | None = None) -> set[int]:
        """Indexes of the stages a build of ``target`` (default: the last stage) executes."""
        start = self.target_stage(target)
        if start is None:
            return set()
        needed: set[int] = set()
        todo = [start]
        while todo:
            stage = todo.pop()
            if stage.index in needed:
                continue
            needed.add(stage.index)
            todo.extend(self.dependencies(stage))
        return needed

    def scope_at(self, ins: Instruction) -> Scope:
        """Variables visible to ``ins``: redeclared global ARGs, stage ARGs and ENV before it."""
        return self.facts(ins).scope

    def expand(self, text: str, ins: Instruction) -> str:
        return expand(text, self.facts(ins).scope, self.dockerfile.escape).value

    def unquote(self, text: str) -> str:
        return unquote(text, self.dockerfile.escape)

    def shell_at(self, ins: Instruction) -> tuple[str, ...]:
        """The SHELL in effect for ``ins`` (inherited through ``FROM <stage>``)."""
        return self.facts(ins).shell

    def dialect(self, ins: Instruction) -> str:
        return self.facts(ins).dialect

    def mounts(self, ins: Instruction) -> list[Mount]:
        return [Mount.parse(v) for v in ins.flag_values("mount")]


def join_path(base: str, path: str) -> str:
    """``WORKDIR path`` applied in ``base`` (absolute paths replace it), normalised."""
    import posixpath

    joined = posixpath.normpath(posixpath.join(base, path)) if path else base
    return "/" + joined.lstrip("/") if not joined.startswith("//") else joined


SHELL_PROGRAMS = frozenset(
    {"sh", "bash", "ash", "dash", "zsh", "ksh", "cmd", "cmd.exe", "powershell", "pwsh"}
)


def program_name(path: str) -> str:
    """``/usr/bin/env`` -> ``env``; Windows paths too."""
    return path.replace("\\", "/").rsplit("/", 1)[-1].lower()


def exec_form_args(ins: Instruction) -> list[Token]:
    """The exec-form argv of CMD/ENTRYPOINT/RUN/HEALTHCHECK CMD (without HEALTHCHECK's type word)."""
    if not ins.is_json:
        return []
    return ins.args[1:] if ins.keyword == "HEALTHCHECK" else list(ins.args)


def direct_exec_forms(instructions: Iterable[Instruction]) -> Iterator[tuple[Instruction, list[Token]]]:
    """(instruction, argv) for exec-form CMD/ENTRYPOINT/RUN/HEALTHCHECK that start no shell."""
    for ins in instructions:
        argv = exec_form_args(ins)
        if argv and not exec_runs_shell(argv):
            yield ins, argv


def exec_runs_shell(argv: list[Token]) -> bool:
    """``["sh", "-c", "..."]`` and scripts: a shell does the expanding and the operators."""
    if not argv:
        return False
    program = program_name(argv[0].value)
    return program in SHELL_PROGRAMS or program.endswith((".sh", ".bash"))


def stage_chain(stage: Stage) -> list[Stage]:
    """The stage and the stages it is built ``FROM``, root first (an image inherits them all)."""
    chain: list[Stage] = []
    seen: set[int] = set()  # a list membership test made a long chain quadratic
    s: Stage | None = stage
    while s is not None and s.index not in seen:
        chain.append(s)
        seen.add(s.index)
        s = s.parent
    return list(reversed(chain))


# --- Helpers for the syntax, security, reproducibility and style rules (DF0/DF2/DF6/DF7/DF8) ---

#: BuildKit's SecretsUsedInArgOrEnv tokens, matched as whole ``_``-separated words of a name.
_SECRET_NAME = lazy(r"(?i)(?:_|^)(?:apikey|auth|credentials?|key|password|pword|passwd|secret|token)(?:_|$)")
#: Names that hold where a secret is, or a public value: ``GPG_KEY``, ``PUBLIC_KEY``, ``TOKEN_FILE``,
#: ``AUTH_MODULE_VERSION`` (BuildKit's allowed words ``public``, ``file``, ``version``, and more).
_NOT_SECRET = lazy(
    r"(?i)(?:_|^)(?:public|pub|gpg|pgp|fingerprint|file|version)(?:_|$)"
    r"|_(?:path|dir|url|uri|name|length|size|enabled?|disabled?|mode|type|method|header|host|port)$"
)


def narrow(span: Span, raw: str, start: int, end: int) -> Span:
    """The span of ``raw[start:end]`` when ``raw`` is written unbroken on one line at ``span``."""
    if span.start_line == span.end_line and span.end_col - span.start_col == len(raw) and start < end:
        return Span(span.start_line, span.start_col + start, span.start_line, span.start_col + end)
    return span


def is_secret_name(name: str) -> bool:
    """A variable name that suggests a credential (BuildKit's list, minus public-key-ish names)."""
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET.search(name)


def is_root_user(user: str) -> bool:
    name = user.strip().split(":", 1)[0]
    return name in ("root", "0")


def split_port(spec: str) -> tuple[str, str, str, str | None]:
    """``[ip:][host:]port[/proto]`` -> (ip, host port, container port, proto or None), as BuildKit splits."""
    port, slash, proto = spec.partition("/")
    parts = port.split(":")
    container = parts[-1]
    host = parts[-2] if len(parts) > 1 else ""
    ip = ":".join(parts[:-2])
    return ip, host, container, proto if slash else None


def chain_instructions(stage: Stage) -> list[Instruction]:
    """Instructions of ``stage`` and of the stages it is built from, root stage first."""
    return [ins for st in stage_chain(stage) for ins in st.instructions]


def expand_known(model: Model, text: str, ins: Instruction) -> str | None:
    """The value a build sees, or None when it depends on a variable this file does not define."""
    result = expand(text, model.scope_at(ins), model.dockerfile.escape)
    return None if result.missing else result.value


def exposed_ports(model: Model, ins: Instruction) -> list[tuple[Token, str]]:
    """EXPOSE tokens with each port spec they expand to; tokens with unknown variables are left out."""
    out: list[tuple[Token, str]] = []
    scope = model.scope_at(ins)
    for token in ins.args:
        result = expand(token.value, scope, model.dockerfile.escape)
        if not result.missing:
            out.extend((token, spec) for spec in result.value.split())
    return out


def is_git_source(src: str) -> bool:
    """An ADD source BuildKit fetches with git (``gitutil.ParseGitRef`` shapes)."""
    lower = src.lower()
    if lower.startswith(("git@", "git://", "ssh://")) or (
        "://" not in lower and lower.startswith("github.com/")
    ):
        return True
    base = lower.split("#", 1)[0].split("?", 1)[0]
    return lower.startswith(("http://", "https://")) and base.rstrip("/").endswith(".git")


#: File name endings of archives that ``ADD`` unpacks (tar, optionally compressed) and that
#: hadolint treats as archives.
ARCHIVE_SUFFIXES = (
    ".tar",
    ".Z",
    ".bz2",
    ".gz",
    ".lz",
    ".lzma",
    ".tZ",
    ".tb2",
    ".tbz",
    ".tbz2",
    ".tgz",
    ".tlz",
    ".tpz",
    ".txz",
    ".xz",
)


def path_basename(path: str) -> str:
    """Last component of a POSIX or Windows path, quotes dropped."""
    return re.split(r"[/\\]", path.strip("\"'"))[-1]


def unverified_add_sources(instructions: Iterable[Instruction], model: Model) -> Iterator[tuple[Token, str]]:
    """(source token, expanded source) of each ``ADD`` without ``--checksum``, for the rules that
    judge remote downloads (plain URLs and Git repositories)."""
    for ins in instructions:
        if ins.flag("checksum") is None:
            for token in ins.args[:-1]:
                yield token, model.expand(token.value, ins)
