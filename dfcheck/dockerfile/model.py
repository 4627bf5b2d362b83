"""Dockerfile -> global ARGs, stages, variable scopes and the stage graph.

Rules ask questions of this model instead of re-reading instructions: "which stages ship",
"what does ``$BASE`` resolve to here", "what shell runs this RUN", "which commands does it run".
Everything is computed once per file and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from dfcheck.dockerfile.parse import Dockerfile, Instruction, Token
from dfcheck.dockerfile.source import Record, Span, TextMap
from dfcheck.dockerfile.substitute import expand, unquote

if TYPE_CHECKING:
    from dfcheck.shell import Script

#: ARGs BuildKit defines for every build (automatic platform ARGs and proxy ARGs).
PREDEFINED_ARGS = frozenset(
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
_WINDOWS_IMAGE = re.compile(r"windows|nanoserver|servercore|ltsc20\d\d|\bwin-?\d", re.I)
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


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


_STAGE_FIELDS = (
    "index",
    "from_ins",
    "name",
    "base_raw",
    "base",
    "platform",
    "instructions",
    "parent",
    "implicit",
)


class Stage(Record):
    __slots__ = _STAGE_FIELDS
    _fields = _STAGE_FIELDS

    def __init__(
        self,
        index: int,
        from_ins: Instruction,
        name: str | None,
        base_raw: str,
        base: ImageRef,
        platform: str | None,
        instructions: list[Instruction] | None = None,
        parent: Stage | None = None,
        implicit: bool = False,
    ) -> None:
        self.index = index
        self.from_ins = from_ins
        self.name = name
        self.base_raw = base_raw
        self.base = base
        self.platform = platform
        self.instructions: list[Instruction] = [] if instructions is None else instructions
        self.parent = parent
        #: Instructions written before any FROM (BuildKit rejects the file): linted as a stage of
        #: their own, built from scratch, as hadolint does. It has no name and no index ``--from``
        #: can use.
        self.implicit = implicit

    @property
    def label(self) -> str:
        return self.name or str(self.index)


class Model:
    def __init__(self, dockerfile: Dockerfile, build_args: dict[str, str] | None = None) -> None:
        self.dockerfile = dockerfile
        self.build_args = dict(build_args or {})
        self.global_args: list[Instruction] = []
        self.stages: list[Stage] = []
        self._stage_of: dict[int, Stage] = {}
        self._scripts: dict[tuple[int, int], Script] = {}
        self._build()

    def _build(self) -> None:
        current: Stage | None = None
        for ins in self.dockerfile.instructions:
            if ins.keyword == "FROM":
                current = self._new_stage(ins)
                self.stages.append(current)
            elif current is None and ins.keyword == "ARG":
                self.global_args.append(ins)
            elif current is None:
                current = self._implicit_stage(ins)
                self.stages.append(current)
                current.instructions.append(ins)
            else:
                current.instructions.append(ins)
            if current is not None:
                self._stage_of[id(ins)] = current
                if ins.trigger is not None:
                    self._stage_of[id(ins.trigger)] = current

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
        stage = Stage(
            index=len(self.stages),
            from_ins=ins,
            name=stage_name,
            base_raw=base_raw,
            base=ImageRef.parse(base_text),
            platform=platform.value if platform else None,
        )
        parent = self.stage_named(base_text.lower())
        if parent is not None and parent.index < stage.index:
            stage.parent = parent
        return stage

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

    def stage_named(self, name: str) -> Stage | None:
        """A stage by name or index, as ``COPY --from`` and ``FROM`` accept."""
        key = name.strip().lower()
        for stage in self.stages:
            if stage.name == key:
                return stage
        if key.isdigit():
            real = [s for s in self.stages if not s.implicit]
            if int(key) < len(real):
                return real[int(key)]
        return None

    def stage_of(self, ins: Instruction) -> Stage | None:
        return self._stage_of.get(id(ins))

    def target_stage(self, target: str | None = None) -> Stage | None:
        if not self.stages:
            return None
        if target:
            return self.stage_named(target)
        return self.stages[-1]

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

    def scope_at(self, ins: Instruction) -> dict[str, str]:
        """Variables visible to ``ins``: redeclared global ARGs, stage ARGs and ENV before it."""
        stage = self.stage_of(ins)
        if stage is None:
            return dict(self.global_scope)
        scope: dict[str, str] = {}
        for st in stage_chain(stage):
            for other in st.instructions:
                if other is ins or other is ins.parent:
                    return scope
                self._apply(other, scope)
        return scope

    def _apply(self, ins: Instruction, scope: dict[str, str]) -> None:
        escape = self.dockerfile.escape
        if ins.keyword == "ARG":
            for pair in ins.pairs:
                if pair.key in self.build_args:
                    scope[pair.key] = self.build_args[pair.key]
                elif pair.has_value:
                    scope[pair.key] = expand(pair.value, scope, escape).value
                elif pair.key in self.global_scope:
                    scope[pair.key] = self.global_scope[pair.key]
                elif pair.key in PREDEFINED_ARGS:
                    scope[pair.key] = PLATFORM_DEFAULTS.get(pair.key, "")
                else:
                    scope.setdefault(pair.key, "")
        elif ins.keyword == "ENV":
            for pair in ins.pairs:
                scope[pair.key] = expand(pair.value, scope, escape).value

    def expand(self, text: str, ins: Instruction) -> str:
        return expand(text, self.scope_at(ins), self.dockerfile.escape).value

    def unquote(self, text: str) -> str:
        return unquote(text, self.dockerfile.escape)

    def shell_at(self, ins: Instruction) -> tuple[str, ...]:
        """The SHELL in effect for ``ins`` (inherited through ``FROM <stage>``)."""
        stage = self.stage_of(ins)
        if stage is None:
            return DEFAULT_SHELL
        chain = stage_chain(stage)
        shell: tuple[str, ...] = WINDOWS_SHELL if chain[0].base.is_windows else DEFAULT_SHELL
        for st in chain:
            for other in st.instructions:
                if other is ins or other is ins.parent:
                    return shell
                if other.keyword == "SHELL" and other.is_json and other.args:
                    shell = tuple(a.value for a in other.args)
        return shell

    def dialect(self, ins: Instruction) -> str:
        program = self.shell_at(ins)[0].lower().replace("\\", "/").rsplit("/", 1)[-1]
        if program.startswith(("powershell", "pwsh")):
            return "powershell"
        if program in ("cmd", "cmd.exe"):
            return "cmd"
        if program in ("bash", "zsh", "ksh", "mksh", "ash", "dash", "busybox"):
            return "bash" if program == "bash" else "sh"
        return "sh"

    def mounts(self, ins: Instruction) -> list[Mount]:
        return [Mount.parse(v) for v in ins.flag_values("mount")]

    def scripts(self, ins: Instruction) -> list[Script]:
        """Shell scripts a RUN executes: its shell-form command, or its heredoc bodies."""
        if ins.keyword != "RUN" or ins.is_json:
            return []
        dialect = self.dialect(ins)
        out: list[Script] = []
        command = re.sub(r"\d*<<-?\S+", "", ins.rest).strip() if ins.heredocs else ins.rest
        if command:
            out.append(self._script(ins, 0, ins.rest, ins.rest_map, dialect))
        first_word = command.split(None, 1)[0].rsplit("/", 1)[-1] if command else ""
        for k, doc in enumerate(ins.heredocs):
            shebang = doc.content.lstrip().split("\n", 1)[0] if doc.content.lstrip().startswith("#!") else ""
            runs_as_shell = not command and (not shebang or re.search(r"\b(ba|da|a|z)?sh\b", shebang))
            if runs_as_shell or first_word in _SHELLS:
                out.append(self._script(ins, k + 1, doc.content, doc.body_map, dialect))
        return out

    def _script(self, ins: Instruction, key: int, text: str, tmap: TextMap, dialect: str) -> Script:
        from dfcheck.shell import parse_script

        cache_key = (id(ins), key)
        if cache_key not in self._scripts:
            self._scripts[cache_key] = parse_script(text, tmap, dialect=dialect)
        return self._scripts[cache_key]

    def runs(self, stage: Stage | None = None) -> list[Instruction]:
        pool = stage.instructions if stage is not None else [i for s in self.stages for i in s.instructions]
        return [i for i in pool if i.keyword == "RUN"]


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
    s: Stage | None = stage
    while s is not None and s not in chain:
        chain.append(s)
        s = s.parent
    return list(reversed(chain))


# --- Helpers for the syntax, security, reproducibility and style rules (DF0/DF2/DF6/DF7/DF8) ---

_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
#: BuildKit's SecretsUsedInArgOrEnv tokens, matched as whole ``_``-separated words of a name.
_SECRET_NAME = re.compile(
    r"(?i)(?:_|^)(?:apikey|auth|credentials?|key|password|pword|passwd|secret|token)(?:_|$)"
)
#: Names that hold where a secret is, or a public value: ``GPG_KEY``, ``PUBLIC_KEY``, ``TOKEN_FILE``.
_NOT_SECRET = re.compile(
    r"(?i)(?:_|^)(?:public|pub|gpg|pgp|fingerprint)(?:_|$)"
    r"|_(?:id|file|path|dir|url|uri|name|length|size|enabled?|disabled?|mode|type|method|header|host|port)$"
)


def variable_refs(text: str, escape: str = "\\") -> list[tuple[str, int, int, str]]:
    """``$NAME`` / ``${NAME...}`` references a build would expand: (name, start, end, modifier).

    Escaped dollars and single-quoted text are skipped, as BuildKit's word lexer skips them.
    """
    refs: list[tuple[str, int, int, str]] = []
    i, quote = 0, ""
    while i < len(text):
        ch = text[i]
        if ch == escape and quote != "'":
            i += 2
            continue
        if ch in ("'", '"') and quote in ("", ch):
            quote = "" if quote else ch
        elif ch == "$" and quote != "'":
            m = _REF.match(text, i)
            if m:
                refs.append((m.group(1) or m.group(3), m.start(), m.end(), m.group(2) or ""))
                i = m.end()
                continue
        i += 1
    return refs


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
