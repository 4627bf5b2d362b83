"""Cache ordering: dependency installs that re-run on every source edit only because of the order of
the steps, and the reordering that would keep them cached.

A COPY step's cache key is the content of what it copies, and a step re-runs when any step before
it in its image changed. So an install re-runs needlessly when some earlier step of its image
brought in frequently edited files (the whole context, a project folder, source files) although
the install reads only the dependency manifests, which could have been copied on their own first.

One walk per file, in stage order (a stage continues its FROM parent's state), follows every
COPY/ADD: where it puts files, whether they are frequently edited, and for each dependency
operation of a RUN (:meth:`~dfcheck.build.semantic.Semantics.operations`) which copy provided the
manifest it reads. The manifest's provenance decides:

- provided by a copy that also brought sources (``COPY . .``, ``COPY frontend/ .``): ``DF101``;
- provided by a copy of the manifests alone, but sources were copied earlier: ``DF151``;
- not provided by any copy (the base image's, or a tree the RUN cloned): nothing to reorder.

DF101, DF151 and ``dfcheck cache`` suggestions all read :func:`analyse`, so they always agree.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from dfcheck.build import ecosystems
from dfcheck.build.ecosystems import Ecosystem
from dfcheck.build.packages import operands
from dfcheck.build.semantic import PackageOp, Semantics
from dfcheck.build.steps import BROAD
from dfcheck.dockerfile.model import Stage, join_path
from dfcheck.dockerfile.parse import Instruction, Token
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy

if TYPE_CHECKING:
    from dfcheck.build.context import BuildContext, Resolved

#: Files whose edits are "source edits": code, templates, styles, assets of the project.
SOURCE_SUFFIXES = frozenset(
    [
        ".py",
        ".pyi",
        ".js",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".jsx",
        ".vue",
        ".svelte",
        ".go",
        ".rs",
        ".java",
        ".kt",
        ".kts",
        ".scala",
        ".groovy",
        ".cs",
        ".fs",
        ".vb",
        ".rb",
        ".erb",
        ".haml",
        ".slim",
        ".php",
        ".twig",
        ".ex",
        ".exs",
        ".heex",
        ".eex",
        ".erl",
        ".hrl",
        ".c",
        ".cc",
        ".cpp",
        ".h",
        ".hpp",
        ".m",
        ".swift",
        ".dart",
        ".html",
        ".htm",
        ".css",
        ".scss",
        ".sass",
        ".less",
        ".md",
        ".sql",
        ".graphql",
        ".proto",
        ".razor",
        ".cshtml",
        ".jinja",
        ".j2",
        ".lua",
        ".r",
        ".jl",
    ]
)
#: Instructions an install may move above without changing what it sees.
MOVABLE_BETWEEN = frozenset({"ENV", "ARG", "LABEL", "EXPOSE"})
#: Commands that may share a RUN with an install that moves (they read no sources).
_NEUTRAL = frozenset({"true", "echo", "set", "export", "rm", "mkdir", "ls", "chown", "chmod", "corepack"})
#: Paths of other stages that hold manifests or installed dependencies, not sources (turbo
#: prune's json/, cargo chef's recipe, node_modules, virtual environments, vendored packages).
_DEPENDENCY_OUTPUTS = frozenset(
    {
        "json",
        "recipe.json",
        "node_modules",
        ".venv",
        "venv",
        "vendor",
        "site-packages",
        "packages",
        ".m2",
        "deps",
        "_build",
    }
)
#: Folders an install reads besides the manifests (patch files, vendored packages, requirement
#: files, lifecycle scripts, tool configuration): copying them first is what makes the install work.
_INSTALL_INPUTS = frozenset(
    {
        "vendor",
        "requirements",
        "patches",
        ".yarn",
        ".mvn",
        "gradle",
        ".cargo",
        "prisma",
        "scripts",
        "bin",
        ".husky",
        "cmake",
        "config",
    }
)


#: ``go 1.14`` (or later) in go.mod: a ``vendor/`` folder beside it makes the go command build from it.
_GO_DIRECTIVE = re.compile(rb"^[ \t]*go[ \t]+(\d+)\.(\d+)", re.M)
#: ``go install tool@v1.2.3``: a module of its own, fetched whatever the current module vendors.
_GO_VERSIONED = lazy(r"[\w.~/-]+@[\w.+-]+")


class ContextFiles:
    """The build context as the ordering analysis asks about it: stats and one-level listings,
    never a walk of the whole tree. Answers honour ``.dockerignore``, follow links inside the
    context only, and share the listings of the context rules (:class:`BuildContext`)."""

    def __init__(self, context: BuildContext) -> None:
        self.context = context

    def _found(self, rel: str) -> Resolved | None:
        return None if rel and self.context.excluded(rel) else self.context.resolve(rel)

    def exists(self, rel: str) -> bool:
        return self._found(rel) is not None

    def is_dir(self, rel: str) -> bool:
        found = self._found(rel)
        return found is not None and stat.S_ISDIR(found.mode)

    def entries(self, rel: str) -> list[tuple[str, bool]] | None:
        """(name, is a directory) of what ``rel`` holds and the ignore file lets through."""
        return self.context.entries(rel) if self._found(rel) is not None else None

    def head(self, rel: str, limit: int = 4096) -> bytes | None:
        """The first ``limit`` bytes of the file ``rel``, or None when it is not a file that is sent."""
        found = self._found(rel)
        if found is None or not stat.S_ISREG(found.mode):
            return None
        try:
            with open(os.path.join(self.context.root, found.path), "rb") as handle:
                return handle.read(limit)
        except OSError:
            return None


def is_dependency_file(name: str) -> bool:
    return ecosystems.read_by_any(name)


def _rarely_edited(name: str) -> bool:
    """Dependency files and tool configuration (``vite.config.js``, ``.babelrc``) change far less
    often than the sources."""
    lower = name.lower()
    return is_dependency_file(name) or "config" in lower or lower.startswith(".")


def _rarely_edited_path(path: str) -> bool:
    """A file of a configuration folder (``config/prod.exs``) or a rarely edited file."""
    parts = path.split("/")
    return _rarely_edited(parts[-1]) or "config" in parts[:-1]


class Source(NamedTuple):
    token: Token
    #: Context-relative path ('' is the root), or the absolute path in the stage copied from.
    path: str
    broad: bool
    volatile: bool


class Copy(NamedTuple):
    """A COPY/ADD: where it puts files and what it brings."""

    ins: Instruction
    dest: str
    dest_is_dir: bool
    sources: tuple[Source, ...]
    from_stage: Stage | None

    @property
    def volatile(self) -> bool:
        return any(s.volatile for s in self.sources)


#: How the work that re-runs is named, by operation kind.
WORK = {"install": "install", "fetch": "dependency download", "build": "dependency download and build"}


class Problem(NamedTuple):
    """Installs of one ecosystem that re-run on every source edit because of ``copy``."""

    rule: str
    copy: Copy
    token: Token
    ecosystem: Ecosystem
    operations: tuple[tuple[Instruction, PackageOp], ...]
    #: Manifest files to copy first, as the build context names them (relative to its root).
    manifests: tuple[str, ...]
    reorder: Reorder | None

    @property
    def command(self) -> str:
        """The first re-running command, shortened for a message."""
        text = " ".join(w.raw for w in self.operations[0][1].operation.command.words)
        return text if len(text) <= 40 else text[:37] + "..."

    @property
    def work(self) -> str:
        return f"{self.ecosystem.name} {WORK[self.operations[0][1].operation.kind]}"


class Reorder(NamedTuple):
    """Move whole instructions: insert ``lines`` before line ``before``, delete the line ranges."""

    before: int
    lines: tuple[str, ...]
    delete: tuple[tuple[int, int], ...]

    def apply(self, text: str) -> str:
        lines = text.splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        dropped = {n for first, last in self.delete for n in range(first, last + 1)}
        out: list[str] = []
        for number, line in enumerate(lines, start=1):
            if number == self.before:
                out.extend(self.lines)
            if number not in dropped:
                out.append(line)
        return "".join(out)


#: (copy, its source, the manifest's path in the context, the manifest's directory in the image)
_Found = tuple["Copy", "Source", str, str]


class _State(NamedTuple):
    #: The latest copies of the stage chain (at most RECENT_COPIES), oldest first.
    copies: tuple[Copy, ...]
    #: The latest copies that brought sources, oldest first.
    volatile: tuple[Copy, ...]
    #: (ecosystem, manifest directory in the image) whose dependencies are installed or fetched:
    #: the latest RECENT_COPIES of them, oldest first.
    done: tuple[tuple[str, str], ...]


class _Analysis:
    def __init__(self, sem: Semantics, context: ContextFiles | None) -> None:
        self.sem = sem
        self.model = sem.model
        self.context = context
        self.states: dict[int, _State] = {}
        self.problems: dict[tuple[int, str], Problem] = {}
        #: For each dependency command: the copies made before it.
        self.before: dict[int, tuple[Copy, ...]] = {}

    def run(self) -> Ordering:
        for stage in self.model.stages:
            parent = self.states.get(stage.parent.index) if stage.parent is not None else None
            state = parent or _State((), (), ())
            for ins in stage.instructions:
                if ins.keyword in ("COPY", "ADD"):
                    copy = self._copy(ins)
                    if copy is not None:
                        kept = (
                            state.copies[-RECENT_COPIES + 1 :]
                            if len(state.copies) >= RECENT_COPIES
                            else state.copies
                        )
                        volatile = (
                            (*state.volatile[-RECENT_COPIES + 1 :], copy) if copy.volatile else state.volatile
                        )
                        state = state._replace(copies=(*kept, copy), volatile=volatile)
                    if copy is not None and copy.from_stage is not None:
                        other = self.states.get(copy.from_stage.index)
                        if other is not None and other.done:  # its installed dependencies or caches
                            roots = [(eco, "/") for eco, _ in other.done]
                            state = state._replace(done=_remember(state.done, roots))
                elif ins.keyword == "RUN":
                    for op in self.sem.operations(ins):
                        state = self._judge(stage, state, ins, op)
            self.states[stage.index] = state
        problems = sorted(self.problems.values(), key=lambda p: (p.copy.ins.line, p.ecosystem.name))
        return Ordering(self, problems)

    # --- what a copy brings -------------------------------------------------------------------

    def _copy(self, ins: Instruction) -> Copy | None:
        if len(ins.args) < 2:
            return None
        facts = self.model.facts(ins)
        dest_raw = self.model.expand(ins.args[-1].value, ins)
        dest = join_path(facts.workdir or "/", dest_raw)
        tokens = [
            t for t in ins.args[:-1] if not (ins.heredocs and t.value.lstrip("0123456789").startswith("<<"))
        ]
        dest_is_dir = dest_raw.endswith(("/", "\\", "/.")) or dest_raw in (".", "") or len(tokens) > 1
        origin = ins.flag("from")
        from_stage = None
        if origin is not None and origin.value:
            from_stage = self.model.stage_named(self.model.expand(origin.value, ins))
            if from_stage is None:  # another image: nothing of the context
                return Copy(ins, dest, dest_is_dir, (), None)
        if ins.heredocs or (ins.keyword == "ADD" and any("://" in t.value for t in tokens)):
            return Copy(ins, dest, dest_is_dir, (), None)
        sources = []
        for token in tokens:
            raw = self.model.expand(token.value, ins)
            if "$" in token.value and not raw.strip():  # an ARG without a value: unknown
                continue
            if from_stage is not None:
                path = posixpath.normpath("/" + raw.lstrip("/"))
                name = path.rsplit("/", 1)[-1]
                dest_is_dir = dest_is_dir or ("." not in name and not _file_name(name))
                sources.append(Source(token, path, False, self._stage_volatile(from_stage, path)))
                continue
            path = _context_path(raw)
            broad = raw.strip() in BROAD or path == ""
            dest_is_dir = dest_is_dir or broad or self._is_dir(path)
            sources.append(Source(token, path, broad, self._volatile(path, broad)))
        return Copy(ins, dest, dest_is_dir, tuple(sources), from_stage)

    def _is_dir(self, path: str) -> bool:
        """Is this context source a directory? Where the context does not have it, a name without
        an extension or glob is taken for one (``src``, ``public``, ``frontend``)."""
        if any(ch in path for ch in "*?["):
            return False
        if self.context is not None and self.context.exists(path):
            return self.context.is_dir(path)
        name = path.rsplit("/", 1)[-1]
        return "." not in name and not is_dependency_file(name) and not _file_name(name)

    def _volatile(self, path: str, broad: bool) -> bool:
        """Does this context source bring frequently edited files?"""
        name = path.rsplit("/", 1)[-1]
        if "$" in path or (not broad and (_rarely_edited_path(path) or name in _INSTALL_INPUTS)):
            return False
        if self.context is None or not (broad or self.context.exists(path) or "*" in path):
            return broad or _source_file(name) or self._is_dir(path)
        if any(ch in path for ch in "*?["):
            parent = path.rsplit("/", 1)[0] if "/" in path else ""
            import fnmatch

            entries = self.context.entries(parent) or []

            hits = [(n, d) for n, d in entries if fnmatch.fnmatchcase(n, name)]
            return any(
                (d and n not in _INSTALL_INPUTS) or (_source_file(n) and not _rarely_edited(n))
                for n, d in hits
            )
        if broad or self.context.is_dir(path):
            listing = self.context.entries(path)
            if listing is None or (broad and not listing):
                # The whole context, and it shows nothing (the ignore file leaves nothing of the
                # Dockerfile's folder): not the real context, trust the instruction.
                return True
            return any(
                (n not in _INSTALL_INPUTS) if is_dir else not _rarely_edited(n)
                for n, is_dir in listing
                if not n.startswith(".")
            )
        return _source_file(name)

    def _stage_volatile(self, stage: Stage, path: str) -> bool:
        """Does ``path`` of ``stage`` hold frequently edited files that a copy put there?"""
        if _DEPENDENCY_OUTPUTS.intersection(path.split("/")) or _rarely_edited_path(path):
            return False
        state = self.states.get(stage.index)
        for copy in _recent(state.copies if state else ()):
            if not copy.volatile:
                continue
            if path == copy.dest or copy.dest.startswith(path.rstrip("/") + "/") or path == "/":
                return True
            if path.startswith(copy.dest.rstrip("/") + "/"):
                # Under the sources: either sources themselves or what a RUN made of them.
                return True
        return False

    # --- who provided the manifest ------------------------------------------------------------

    def _provider(
        self, copies: Iterable[Copy], target: str, depth: int = 0
    ) -> tuple[Copy, Source, str] | None:
        """The copy that put ``target`` (an absolute file path) into the image, with the source
        and the context-relative path it came from; None when no copy did."""
        for copy in _recent(tuple(copies)):
            for source in copy.sources:
                rel = self._maps(copy, source, target)
                if rel is None:
                    continue
                if copy.from_stage is not None:
                    if depth > len(self.model.stages):
                        return None
                    state = self.states.get(copy.from_stage.index)
                    inner = self._provider(state.copies if state else (), rel, depth + 1)
                    if inner is not None:
                        return copy, source._replace(volatile=source.volatile and inner[1].volatile), inner[2]
                    return copy, source._replace(volatile=False), rel
                if self.context is None or self.context.exists(rel) or _names_file(source, rel):
                    return copy, source, rel
        return None

    def _maps(self, copy: Copy, source: Source, target: str) -> str | None:
        """Where in the source ``target`` would come from, if this copy can have put it there."""
        if "$" in source.path:
            return None
        name = target.rsplit("/", 1)[-1]
        if not copy.dest_is_dir:
            if target != copy.dest:
                return None
            return source.path
        prefix = copy.dest.rstrip("/") + "/"
        if not target.startswith(prefix):
            return None
        rel = target[len(prefix) :]
        src_name = source.path.rsplit("/", 1)[-1]
        if not source.broad:
            if any(ch in source.path for ch in "*?["):
                import fnmatch

                if "/" in rel or not fnmatch.fnmatchcase(name, src_name):
                    return None
                parent = source.path.rsplit("/", 1)[0] if "/" in source.path else ""
                return _join(parent, rel)
            if copy.from_stage is None and not self._is_dir(source.path):
                return source.path if rel == src_name else None
        return _join(source.path, rel)

    # --- judging one dependency operation -------------------------------------------------------

    def _judge(self, stage: Stage, state: _State, ins: Instruction, op: PackageOp) -> _State:
        operation = op.operation
        eco = operation.ecosystem
        self.before[id(operation.command)] = state.copies
        if op.after_fetch or ins.parent is not None or operation.kind == "tool":
            return state
        found = self._find_provider(state.copies, op)
        key = (eco.name, found[3] if found is not None else op.cwd)
        if _installed(state.done, eco.name, {op.cwd, key[1]}):
            return state
        done = state._replace(done=_remember(state.done, (key,)))
        if found is None:  # the manifests came from the base image, a bind mount or a RUN
            return done
        provider, source, manifest_rel, _ = found
        if operation.kind == "build" and self._build_needs_nothing(ins, op, found, state.copies):
            return state
        if provider.volatile and source.volatile:
            self._report("DF101", provider, source.token, eco, ins, op, self._manifests(provider, source, op))
            return done
        volatile = next((c for c in state.volatile if not self._holds_manifest(c, eco)), None)
        if volatile is not None and not operation.needs_source:
            source = next(s for s in volatile.sources if s.volatile)
            if operation.kind == "build" or self._find_provider((volatile,), op) is not None:
                # a build needs the sources: what is missing is a download step before them
                self._report(
                    "DF101", volatile, source.token, eco, ins, op, self._manifests(volatile, source, op)
                )
            else:
                names = (manifest_rel,) if manifest_rel else ()
                self._report("DF151", volatile, source.token, eco, ins, op, names)
            return done
        return done

    def _find_provider(self, copies: tuple[Copy, ...], op: PackageOp) -> _Found | None:
        """The copy that brought the manifest ``op`` reads. When the context does not have it, the
        Dockerfile's folder may not be the real context (``docker build -f sub/Dockerfile .``): the
        instructions are trusted instead."""
        found = self._provider_of(copies, op)
        if found is None and self.context is not None:
            context, self.context = self.context, None
            try:
                found = self._provider_of(copies, op)
            finally:
                self.context = context
        return found

    def _provider_of(self, copies: tuple[Copy, ...], op: PackageOp) -> _Found | None:
        eco = op.operation.ecosystem
        names = op.operation.files or tuple(m for m in (*eco.manifests, *eco.lockfiles) if "*" not in m)
        # go and cargo find their manifest in the working directory or above it
        upward = eco in (ecosystems.GO, ecosystems.CARGO) and not op.operation.files
        directories = [op.cwd]
        while upward and directories[-1] != "/":
            directories.append(posixpath.dirname(directories[-1]))
        for directory in directories:
            for name in names:
                found = self._provider(copies, join_path(directory, name))
                if found is not None:
                    return (*found, directory)
        if any("*" in m for m in eco.manifests):
            glob = self._glob_provider(copies, op.cwd, eco)
            return (*glob, op.cwd) if glob is not None else None
        return None

    def _holds_manifest(self, copy: Copy, eco: Ecosystem) -> bool:
        """A copied folder with a manifest of its own is a local package the install needs (a path
        dependency, a workspace member), not sources it could do without."""
        if self.context is None or copy.from_stage is not None:
            return False
        for source in copy.sources:
            if source.broad or not self.context.is_dir(source.path):
                continue
            if any(not d and eco.is_manifest(n) for n, d in self.context.entries(source.path) or []):
                return True
        return False

    def _glob_provider(
        self, copies: tuple[Copy, ...], cwd: str, eco: Ecosystem
    ) -> tuple[Copy, Source, str] | None:
        """For manifests named by pattern (``*.csproj``): the copy that brought one into ``cwd`` or below."""
        import fnmatch

        for copy in _recent(copies):
            for source in copy.sources:
                if not (copy.dest.rstrip("/") + "/").startswith(cwd.rstrip("/") + "/") and not cwd.startswith(
                    copy.dest
                ):
                    continue
                base = source.path
                if copy.from_stage is not None or self.context is None:
                    continue
                if not source.broad and not self.context.is_dir(base):
                    if any(fnmatch.fnmatchcase(base.rsplit("/", 1)[-1], m) for m in eco.manifests):
                        return copy, source, base
                    continue
                for name, is_dir in self.context.entries(base) or []:
                    candidates = (
                        [name]
                        if not is_dir
                        else [
                            f"{name}/{n}" for n, d in self.context.entries(_join(base, name)) or [] if not d
                        ]
                    )
                    for rel in candidates:
                        if any(fnmatch.fnmatchcase(rel.rsplit("/", 1)[-1], m) for m in eco.manifests):
                            return copy, source, _join(base, rel)
        return None

    def _build_needs_nothing(
        self, ins: Instruction, op: PackageOp, found: _Found, copies: tuple[Copy, ...]
    ) -> bool:
        """A build whose downloads are kept anyway: a cache mount on the tool's cache, or vendored Go modules."""
        eco = op.operation.ecosystem
        scope = self.model.facts(ins).scope
        caches = list(eco.cache_dirs)
        for entry in eco.cache_env:
            name, _, sub = entry.partition("/")
            value = op.script.value_at(name, op.operation.command) or scope.get(name)
            if value:
                caches.append(f"{value.rstrip('/')}/{sub}".rstrip("/"))
        for mount in self.model.mounts(ins):
            if mount.type != "cache":
                continue
            target = self.model.expand(mount.target, ins).rstrip("/")
            for cache in caches:
                tail = cache[2:] if cache.startswith("~/") else cache.lstrip("/")
                if target == cache or target.endswith("/" + tail) or cache.startswith(target + "/"):
                    return True
        return self._vendored(ins, op, found, copies)

    def _vendored(self, ins: Instruction, op: PackageOp, found: _Found, copies: tuple[Copy, ...]) -> bool:
        """Does Go build ``op`` from the module's vendored tree, downloading no module? Since Go 1.14
        the go command acts as with ``-mod=vendor`` when a ``vendor/`` folder sits beside a go.mod
        that says ``go 1.14`` or later (no ``go`` line: 1.16). Only a tree the build context holds
        (``vendor/modules.txt``, which ``go mod vendor`` writes) and a copy put beside the go.mod
        counts. ``-mod=mod`` or ``-mod=readonly`` (flag or ``GOFLAGS``), ``go mod ...`` and
        ``go install tool@version`` ignore it."""
        cmd = op.operation.command
        if op.operation.ecosystem is not ecosystems.GO or self.context is None:
            return False
        words = [w.text for w in operands(cmd)]
        if not words or words[0] == "mod" or any(_GO_VERSIONED.fullmatch(w) for w in words[1:]):
            return False
        given = next((a.text for a in cmd.assignments if a.text.startswith("GOFLAGS=")), "").partition("=")[2]
        goflags = given or op.script.value_at("GOFLAGS", cmd) or self.model.facts(ins).scope.get("GOFLAGS")
        modes = [f.split("=", 1)[1] for f in (goflags or "").split() if f.startswith(("-mod=", "--mod="))]
        if (cmd.flag_value("-mod") or next(reversed(modes), "vendor")) != "vendor":
            return False
        _, _, manifest_rel, module = found
        tree = self._provider(copies, join_path(module, "vendor/modules.txt"))
        if tree is None or tree[2].startswith("/") or not self.context.exists(tree[2]):
            return False
        text = self.context.head(manifest_rel) if not manifest_rel.startswith("/") else None
        version = _GO_DIRECTIVE.search(text or b"")
        return version is None or (int(version[1]), int(version[2])) >= (1, 14)

    def _manifests(self, copy: Copy, source: Source, op: PackageOp) -> tuple[str, ...]:
        """The files to copy first: those the install reads that the copy brings, as the context
        names them; where the context does not show them, the files the ecosystem reads by default."""
        eco = op.operation.ecosystem
        names = op.operation.files or (*eco.manifests, *eco.lockfiles, *eco.extras)
        present: list[str] = []
        default: list[str] = []
        for name in names:
            if "*" in name:
                continue
            rel = self._maps(copy, source, join_path(op.cwd, name))
            if rel is None:
                continue
            if self.context is not None and self.context.exists(rel) and not self.context.is_dir(rel):
                present.append(rel)
            elif name in eco.manifests or name in eco.lockfiles[:1] or op.operation.files:
                default.append(rel)
        if not present and self.context is not None:
            glob = self._glob_provider((copy,), op.cwd, eco)
            if glob is not None:
                present.append(glob[2])
        return tuple(dict.fromkeys(present or default))

    def _report(
        self,
        rule: str,
        copy: Copy,
        token: Token,
        eco: Ecosystem,
        ins: Instruction,
        op: PackageOp,
        manifests: tuple[str, ...],
    ) -> None:
        key = (id(copy.ins), eco.name)
        known = self.problems.get(key)
        if known is not None:
            self.problems[key] = known._replace(operations=(*known.operations, (ins, op)))
            return
        problem = Problem(rule, copy, token, eco, ((ins, op),), manifests, None)
        self.problems[key] = problem._replace(reorder=self._reorder(problem))

    # --- the fix --------------------------------------------------------------------------------

    def _reorder(self, problem: Problem) -> Reorder | None:
        ins, op = problem.operations[0]
        copy = problem.copy
        stage = self.model.facts(copy.ins).stage
        if stage is None or self.model.facts(ins).stage is not stage or op.operation.needs_source:
            return None
        if not self._movable(ins):
            return None
        instructions = stage.instructions
        try:
            start, end = instructions.index(copy.ins), instructions.index(ins)
        except ValueError:
            return None
        between = instructions[start + 1 : end]
        lines = self.model.dockerfile.lines
        if problem.rule == "DF101":
            if (
                not problem.manifests
                or copy.from_stage is not None
                or len(copy.sources) != 1
                or not copy.dest_is_dir
            ):
                return None
            if op.cwd.rstrip("/") != copy.dest.rstrip("/") or any(
                b.keyword not in MOVABLE_BETWEEN for b in between
            ):
                return None
            flags = [f.raw for f in copy.ins.flags if f.name in ("chown", "chmod", "link")]
            dest = copy.ins.args[-1].value
            dest = dest if dest.endswith("/") else dest + "/"
            keyword = "copy" if copy.ins.keyword_raw.islower() else "COPY"  # manifests are local files
            new_copy = " ".join([keyword, *flags, *problem.manifests, dest]) + "\n"
            block = tuple(_block(lines, ins))
            return Reorder(
                copy.ins.span.start_line, (new_copy, *block), ((ins.span.start_line, ins.span.end_line),)
            )
        # DF151: the source copy moves down, right after the install
        if any(b.keyword not in ("COPY", "ADD", *MOVABLE_BETWEEN) or b.flag("from") for b in between):
            return None
        after = ins.span.end_line + 1
        return Reorder(
            after, tuple(_block(lines, copy.ins)), ((copy.ins.span.start_line, copy.ins.span.end_line),)
        )

    def _movable(self, ins: Instruction) -> bool:
        """Does the RUN only install dependencies (so it can run before the sources are there)?"""
        if any(m.type == "bind" for m in self.model.mounts(ins)):
            return False
        ops = {id(op.operation.command) for op in self.sem.operations(ins)}
        for script in self.sem.scripts(ins):
            for cmd in script.commands:
                if (
                    id(cmd) not in ops
                    and cmd.name not in _NEUTRAL
                    and not (
                        cmd.name in ("npm", "pip", "pip3", "yarn", "pnpm") and cmd.subcommand == "config"
                    )
                ):
                    return False
        return True


#: How many of the latest copies a provenance question looks at. Real Dockerfiles have a few dozen
#: copies; the bound keeps a file of thousands of COPY and RUN lines linear.
RECENT_COPIES = 256


def _recent(copies: tuple[Copy, ...]) -> Iterable[Copy]:
    """The latest copies first."""
    return reversed(copies[-RECENT_COPIES:])


def _remember(
    done: tuple[tuple[str, str], ...], keys: Iterable[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """``done`` with ``keys`` added (each once), keeping the latest RECENT_COPIES: a set copied
    and searched whole for each install made a file of thousands of installs quadratic."""
    new = tuple(k for k in dict.fromkeys(keys) if k not in done)
    return (*done, *new)[-RECENT_COPIES:] if new else done


def _installed(done: tuple[tuple[str, str], ...], eco: str, directories: set[str]) -> bool:
    """Were ``eco``'s dependencies installed for one of ``directories``, a folder above or below it
    (a restore at the solution root serves the project folders, a workspace install its packages)?"""
    for name, where in done:
        if name != eco:
            continue
        prefix = where.rstrip("/") + "/"
        if any(
            d == where or d.startswith(prefix) or where.startswith(d.rstrip("/") + "/") for d in directories
        ):
            return True
    return False


def _block(lines: list[str], ins: Instruction) -> list[str]:
    return [
        line if line.endswith("\n") else line + "\n"
        for line in lines[ins.span.start_line - 1 : ins.span.end_line]
    ]


def _names_file(source: Source, rel: str) -> bool:
    """A COPY that names the file (``COPY yarn.lock ./``, ``COPY package*.json ./``) brings it,
    whatever the Dockerfile's folder shows: it may not be the real build context."""
    import fnmatch

    return not source.broad and fnmatch.fnmatchcase(rel, source.path)


def _file_name(name: str) -> bool:
    """Files that have no extension by convention: ``VERSION``, ``LICENSE``, ``Makefile``."""
    return name.isupper() or name.endswith("file")


def _source_file(name: str) -> bool:
    suffix = os.path.splitext(name)[1].lower()
    return suffix in SOURCE_SUFFIXES


def _context_path(raw: str) -> str:
    """A COPY source as a path relative to the context root ('' for the root itself)."""
    path = raw.strip().replace("\\", "/")
    path = posixpath.normpath("/" + path.lstrip("/")).lstrip("/")
    return "" if path in (".", "") else path


def _join(base: str, rel: str) -> str:
    if not base:
        return rel
    return f"{base.rstrip('/')}/{rel}" if rel else base


class Ordering:
    """The result of one walk: the problems, and what each dependency command found copied."""

    def __init__(self, analysis: _Analysis, problems: list[Problem]) -> None:
        self._analysis = analysis
        #: Every cache-ordering problem of the file, one per (copy, ecosystem), in file order.
        self.problems = problems

    def lockfile(self, op: PackageOp) -> tuple[str, Token] | None:
        """The lock file of ``op``'s ecosystem a copy put where ``op`` reads it, with the copy's
        source token; a copy that names the file counts, a broad copy when the context has it."""
        copies = self._analysis.before.get(id(op.operation.command), ())
        for name in op.operation.ecosystem.lockfiles:
            found = self._analysis._provider(copies, join_path(op.cwd, name))
            if found is not None:
                return name, found[1].token
        return None

    def vendored(self, ins: Instruction, op: PackageOp) -> bool:
        """Does ``op`` (a Go build in ``ins``) take its modules from a vendored tree that a copy
        brought from the build context beside its go.mod, so that it downloads none? False when
        the context is not known."""
        analysis = self._analysis
        copies = analysis.before.get(id(op.operation.command))
        if copies is None or analysis.context is None:
            return False
        found = analysis._find_provider(copies, op)
        return found is not None and analysis._vendored(ins, op, found, copies)


def analyse(sem: Semantics, context: BuildContext | None) -> Ordering:
    """Walk the file once: its cache-ordering problems and the provenance of what installs read."""
    files = ContextFiles(context) if context is not None else None
    return _Analysis(sem, files).run()


def context_of(root: Path | None) -> ContextFiles | None:
    """For callers holding only a directory (tests, benchmarks)."""
    if root is None:
        return None
    from dfcheck.build.context import load

    return ContextFiles(load(root))
