"""The layer-cache model: what each instruction's cache key depends on, and what a change rebuilds.

BuildKit gives every step a cache key made of its parent step's key, the instruction after ARG/ENV
substitution and the content of what it reads. This module records those inputs once per
Dockerfile (:class:`CacheModel`) and then answers, for a :class:`Change` (files of the context,
build args, remote sources, edited instructions), which step misses first in each stage and which
steps re-execute (:meth:`CacheModel.analyse`). Nothing is built and no engine is contacted.

What a step depends on:

* ``FROM``: the base reference and ``--platform`` after global-ARG substitution; for ``FROM
  <stage>`` the other stage's result, and that stage's ``ONBUILD`` triggers.
* ``RUN``: its text (heredoc bodies included) and every ARG/ENV value in scope, because build
  args reach RUN as environment variables from their declaration on; bind mounts (the context, a
  source inside it, or another stage with ``from=``), and the stage a cache mount is seeded
  ``from=``; never the content of cache, secret, ssh or tmpfs mounts.
* ``COPY``/``ADD``: their text after substitution and the content of the context files they read
  after ``.dockerignore`` and ``--exclude``; ``--from=<stage>`` reads that stage's result (taken as
  changed when the stage rebuilt anything). Remote ``ADD`` sources change only when asked to.
* Other instructions: their text after substitution (``ENV``, ``LABEL``, ``WORKDIR``...), or their
  raw text where BuildKit does not substitute (``CMD``, ``ENTRYPOINT``, ``SHELL``...). ``ARG``
  lines are never the miss themselves: their value reaches later steps through the scope.

Once a step misses, every later step of the stage re-executes, and so does every stage built
``FROM`` it. Stages the target does not need are not built at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dfcheck.build.semantic import Semantics
from dfcheck.build.sources import REMOTE
from dfcheck.build.steps import WEIGHTS, copy_sources, remote_is_pinned, step_kind, variable_names
from dfcheck.dockerfile.model import PREDEFINED_ARGS, PROXY_ARGS, Model, Stage
from dfcheck.dockerfile.parse import Dockerfile, Instruction
from dfcheck.dockerfile.substitute import expand

if TYPE_CHECKING:
    from dfcheck.build.context import BuildContext
    from dfcheck.build.ignore import IgnoreMatcher

SCHEMA_VERSION = 1

#: Instructions whose arguments BuildKit substitutes ARG/ENV values into.
EXPANDED = frozenset({"ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"})
#: Instructions that execute something (BuildKit's step counter: ``[stage n/m]``).
EXECUTING = frozenset({"ADD", "COPY", "RUN", "WORKDIR"})
CHANGED = "\0changed"


# --- changes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What differs from the build whose cache is reused.

    ``files`` are context-relative '/'-separated paths; ``args`` maps a build arg to its new value
    (None: "some other value"); ``remote`` treats remote ADD sources as changed; ``edited`` holds
    (stage index, position) of instructions edited in the Dockerfile (position 0 is the FROM).
    """

    files: frozenset[str] = frozenset()
    args: tuple[tuple[str, str | None], ...] = ()
    remote: bool = False
    edited: frozenset[tuple[int, int]] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.files or self.args or self.remote or self.edited)


# --- the model -----------------------------------------------------------------------------------


@dataclass
class _Read:
    """Context content a step reads: a COPY/ADD source or a bind-mount source."""

    source: str
    root: tuple[str, re.Pattern[str] | None]
    excludes: IgnoreMatcher | None


@dataclass
class Step:
    ins: Instruction
    position: int
    kind: str
    weight: int
    reads: list[_Read] = field(default_factory=list)
    #: Stages this step reads the result of, with how (``COPY --from`` / ``RUN --mount from``).
    stage_reads: list[tuple[int, str]] = field(default_factory=list)
    remote: bool = False

    @property
    def line(self) -> int:
        return self.ins.line

    @property
    def executes(self) -> bool:
        return self.ins.keyword in EXECUTING


@dataclass
class StageResult:
    index: int
    name: str | None
    needed: bool
    first_miss_line: int | None
    rebuilt_lines: list[int]
    reused_lines: list[int]
    reason: str
    rebuilt_steps: int = 0
    total_steps: int = 0
    cost: int = 0

    def record(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "needed": self.needed,
            "first_miss_line": self.first_miss_line,
            "rebuilt_lines": self.rebuilt_lines,
            "reused_lines": self.reused_lines,
            "reason": self.reason,
            "rebuilt_steps": self.rebuilt_steps,
            "total_steps": self.total_steps,
            "cost": self.cost,
        }


@dataclass
class Analysis:
    stages: list[StageResult]

    @property
    def rebuilt_steps(self) -> int:
        return sum(s.rebuilt_steps for s in self.stages)

    @property
    def total_steps(self) -> int:
        return sum(s.total_steps for s in self.stages)

    @property
    def cost(self) -> int:
        return sum(s.cost for s in self.stages)


class CacheModel:
    """The cache inputs of every step of a Dockerfile, ready to evaluate many changes quickly."""

    def __init__(
        self,
        dockerfile: Dockerfile,
        *,
        build_args: dict[str, str] | None = None,
        target: str | None = None,
        context: BuildContext | None = None,
    ) -> None:
        self.dockerfile = dockerfile
        self.build_args = dict(build_args or {})
        self.target = target
        self.context = context
        self.model = Model(dockerfile, self.build_args, target)
        self.semantics = Semantics(self.model)
        self.needed = self.model.needed_stages(target) if self.model.target_stage(target) else set()
        self.steps: list[list[Step]] = [self._stage_steps(stage) for stage in self.model.stages]
        self._keys_cache: dict[tuple[tuple[str, str | None], ...], dict[int, str]] = {}
        self._ignored: dict[str, bool] = {}

    @cached_property
    def matcher(self) -> IgnoreMatcher | None:
        return self.context.matcher if self.context is not None else None

    # -- building the inputs

    def _stage_steps(self, stage: Stage) -> list[Step]:
        out = [Step(stage.from_ins, 0, "base", WEIGHTS["base"])]
        for position, ins in enumerate(stage.instructions, start=1):
            kind = step_kind(self.semantics, ins)
            step = Step(ins, position, kind, WEIGHTS[kind])
            if ins.keyword in ("COPY", "ADD"):
                self._copy_inputs(step, stage)
            elif ins.keyword == "RUN":
                self._mount_inputs(step, stage)
            out.append(step)
        return out

    def _path(self, source: str) -> str:
        """With ``escape=`` ` `` the file targets Windows, where ``\\`` separates path components."""
        return source.replace("\\", "/") if self.dockerfile.escape == "`" else source

    def _stage_ref(self, ref: str, stage: Stage) -> int | None:
        other = self.model.stage_named(ref)
        if other is None or other.index == stage.index:
            return None
        return other.index

    def _copy_inputs(self, step: Step, stage: Stage) -> None:
        from dfcheck.build.ignore import IgnoreMatcher
        from dfcheck.build.sources import source_root

        ins = step.ins
        source_from = ins.flag("from")
        if source_from is not None:
            ref = self._stage_ref(self.model.expand(source_from.value or "", ins), stage)
            if ref is not None:
                step.stage_reads.append((ref, f"COPY --from={source_from.value}"))
            return
        excludes = [self.model.expand(p, ins) for p in ins.flag_values("exclude")]
        matcher = IgnoreMatcher(excludes) if excludes else None
        for raw in copy_sources(ins):
            if REMOTE.match(raw) and ins.keyword == "ADD":
                step.remote = step.remote or not remote_is_pinned(ins, raw)
                continue
            source = self._path(self.model.expand(raw, ins))
            step.reads.append(_Read(source, source_root(source), matcher))

    def _mount_inputs(self, step: Step, stage: Stage) -> None:
        from dfcheck.build.sources import source_root

        ins = step.ins
        for mount in self.model.mounts(ins):
            if mount.from_ and mount.type in ("bind", "cache"):
                ref = self._stage_ref(self.model.expand(mount.from_, ins), stage)
                if ref is not None:
                    step.stage_reads.append((ref, f"RUN --mount=type={mount.type},from={mount.from_}"))
            elif mount.type == "bind":
                source = self._path(self.model.expand(mount.source, ins))
                step.reads.append(_Read(source or ".", source_root(source), None))

    # -- instruction keys

    def _keys(self, args: tuple[tuple[str, str | None], ...]) -> dict[int, str]:
        """Each step's own key text for the build args ``args`` on top of the configured ones."""
        cached = self._keys_cache.get(args)
        if cached is not None:
            return cached
        model = self.model
        if args:
            values = dict(self.build_args)
            for name, value in args:
                values[name] = CHANGED + name if value is None else value
            model = Model(self.dockerfile, values)
        keys: dict[int, str] = {}
        escape = self.dockerfile.escape
        for stage, own, steps in zip(model.stages, self.model.stages, self.steps, strict=True):
            # keyed by this model's FROM: a stage before any FROM gets a new synthetic one per model
            keys[id(own.from_ins)] = self._from_key(model, stage)
            for step in steps[1:]:
                keys[id(step.ins)] = _instruction_key(model, step.ins, escape)
        self._keys_cache[args] = keys
        return keys

    def _from_key(self, model: Model, stage: Stage) -> str:
        scope = dict(model.global_scope)
        for name in PREDEFINED_ARGS:
            scope.setdefault(name, model.build_args.get(name, ""))
        escape = self.dockerfile.escape
        base = expand(stage.base_raw, scope, escape).value
        platform = expand(stage.platform or "", scope, escape).value
        return f"{base}\0{platform}"

    # -- evaluating a change

    def ignored(self, path: str) -> bool:
        """Is ``path`` left out of the context by the ignore file (so no step can read it)?"""
        found = self._ignored.get(path)
        if found is None:
            found = self._ignored[path] = self.matcher is not None and self.matcher.excluded(path)
        return found

    def _read_hits(self, read: _Read, files: Iterable[str]) -> list[str]:
        from dfcheck.build.sources import source_reads

        hits = []
        for path in files:
            rel = source_reads(read.root, path)
            if rel is None or self.ignored(path):
                continue
            if rel and read.excludes is not None and read.excludes.excluded(rel):
                continue
            hits.append(path)
        return hits

    def analyse(self, change: Change | None = None) -> Analysis:
        change = change or Change()
        base_keys = self._keys(())
        new_keys = self._keys(change.args) if change.args else base_keys
        changed_args = {name for name, _ in change.args}
        files = sorted(change.files)
        results: list[StageResult] = []
        rebuilt: dict[int, int] = {}
        for stage, steps in zip(self.model.stages, self.steps, strict=True):
            result = self._stage(stage, steps, change, files, base_keys, new_keys, changed_args, rebuilt)
            if result.first_miss_line is not None:
                rebuilt[stage.index] = result.first_miss_line
            results.append(result)
        return Analysis(results)

    def _stage(
        self,
        stage: Stage,
        steps: list[Step],
        change: Change,
        files: list[str],
        base_keys: dict[int, str],
        new_keys: dict[int, str],
        changed_args: set[str],
        rebuilt: dict[int, int],
    ) -> StageResult:
        total = sum(1 for s in steps if self.numbered(stage, s))
        if stage.index not in self.needed:
            return StageResult(stage.index, stage.name, False, None, [], [], "not needed for the target")
        miss, reason = None, ""
        for step in steps:
            reason = self._cause(stage, step, change, files, base_keys, new_keys, changed_args, rebuilt)
            if reason:
                miss = step.position
                break
        lines = [s.line for s in steps]
        if miss is None:
            return StageResult(stage.index, stage.name, True, None, [], lines, "", 0, total, 0)
        redo = steps[miss:]
        executed = [s for s in redo if self.numbered(stage, s)]
        return StageResult(
            stage.index,
            stage.name,
            True,
            steps[miss].line,
            [s.line for s in redo],
            lines[:miss],
            reason,
            len(executed),
            total,
            sum(s.weight for s in executed),
        )

    def _cause(
        self,
        stage: Stage,
        step: Step,
        change: Change,
        files: list[str],
        base_keys: dict[int, str],
        new_keys: dict[int, str],
        changed_args: set[str],
        rebuilt: dict[int, int],
    ) -> str:
        """Why ``step`` misses (its first reason), or '' when its key is unchanged."""
        ins = step.ins
        if (stage.index, step.position) in change.edited:
            return f"{ins.keyword_raw} at line {ins.line} was edited in the Dockerfile"
        if step.position == 0:
            return self._base_cause(stage, change, files, base_keys, new_keys, changed_args, rebuilt)
        if ins.keyword != "ARG" and base_keys[id(ins)] != new_keys[id(ins)]:
            return self._key_reason(ins, changed_args)
        for ref, how in step.stage_reads:
            if ref in rebuilt:
                label = self.model.stages[ref].label
                return f"{how}: stage '{label}' rebuilt from line {rebuilt[ref]}"
        for read in step.reads:
            hits = self._read_hits(read, files)
            if hits:
                verb = "bind-mounts" if ins.keyword == "RUN" else f"{ins.keyword_raw} {read.source!r} reads"
                more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
                return f"{verb} changed file {hits[0]}{more}"
        if step.remote and change.remote:
            return f"{ins.keyword_raw} of a remote source, treated as changed"
        return ""

    def _base_cause(
        self,
        stage: Stage,
        change: Change,
        files: list[str],
        base_keys: dict[int, str],
        new_keys: dict[int, str],
        changed_args: set[str],
        rebuilt: dict[int, int],
    ) -> str:
        ins = stage.from_ins
        if base_keys[id(ins)] != new_keys[id(ins)]:
            used = sorted(variable_names(ins.rest, self.dockerfile.escape) & changed_args)
            shown = ", ".join(used) or "a build arg"
            return f"FROM changes with build arg {shown}: the whole stage rebuilds"
        parent = stage.parent
        if parent is not None:
            if parent.index in rebuilt:
                return f"built FROM stage '{parent.label}', which rebuilt from line {rebuilt[parent.index]}"
            for trigger in self.steps[parent.index]:
                if trigger.ins.keyword != "ONBUILD" or trigger.ins.trigger is None:
                    continue
                sub = Step(trigger.ins.trigger, trigger.position, "copy", 1)
                if sub.ins.keyword in ("COPY", "ADD"):
                    self._copy_inputs(sub, stage)
                elif sub.ins.keyword == "RUN":
                    self._mount_inputs(sub, stage)
                for read in sub.reads:
                    hits = self._read_hits(read, files)
                    if hits:
                        return f"ONBUILD trigger at line {trigger.line} reads changed file {hits[0]}"
        return ""

    def _key_reason(self, ins: Instruction, changed_args: set[str]) -> str:
        escape = self.dockerfile.escape
        if ins.keyword == "RUN":
            names = sorted(n for n in changed_args if n in self.model.scope_at(ins) and n not in PROXY_ARGS)
            if names:
                return f"build arg {', '.join(names)} changed: RUN sees it in its environment"
            return "an ENV value this RUN sees changed with a build arg"
        used = variable_names(ins.original, escape) | {
            n for doc in ins.heredocs if doc.expand for n in variable_names(doc.content, escape)
        }
        direct = sorted(used & changed_args)
        if direct:
            return f"{ins.keyword_raw} uses build arg {', '.join(direct)}, which changed"
        return (
            f"{ins.keyword_raw} uses {', '.join(sorted(used)) or 'a value'} derived from a changed build arg"
        )

    # -- summaries

    def numbered(self, stage: Stage, step: Step) -> bool:
        """Is ``step`` one BuildKit numbers (``[stage 3/7]``): RUN, COPY, ADD, WORKDIR, and the FROM
        of an image (not of scratch or of another stage)? Only these re-run; the rest is metadata."""
        if step.position == 0:
            return stage.parent is None and not stage.base.is_scratch
        return step.executes

    def step_lines(self, stage: Stage) -> list[int]:
        """The lines of the numbered steps of ``stage`` (none when the target does not need it)."""
        if stage.index not in self.needed:
            return []
        return [s.line for s in self.steps[stage.index] if self.numbered(stage, s)]

    def lines(self, stage_index: int) -> list[int]:
        return [s.line for s in self.steps[stage_index]]

    def step_at(self, line: int) -> Step | None:
        for steps in self.steps:
            for step in steps:
                if step.line == line:
                    return step
        return None


def _instruction_key(model: Model, ins: Instruction, escape: str) -> str:
    bodies = [doc.content for doc in ins.heredocs]
    if ins.keyword == "RUN":
        scope = model.scope_at(ins)
        digest = scope.digest()
        for name in PROXY_ARGS:  # a proxy setting never changes the cache key (as in BuildKit)
            value = scope.get(name)
            if value is not None:
                digest ^= hash((name, value))
        env = str(digest)
        mounts = "\0".join(model.expand(v, ins) for v in ins.flag_values("mount"))
        return "\0".join([ins.original, *bodies, mounts, env])
    if ins.keyword in EXPANDED:
        scope = model.scope_at(ins)
        texts = [expand(ins.original, scope, escape).value]
        texts += [
            expand(doc.content, scope, escape).value if doc.expand else doc.content for doc in ins.heredocs
        ]
        return "\0".join(texts)
    return "\0".join([ins.original, *bodies])


def analyse_file(
    dockerfile: Path | None,
    *,
    text: str | None = None,
    context: Path | None = None,
    target: str | None = None,
    build_args: dict[str, str] | None = None,
    changed_files: Iterable[str] = (),
    changed_args: Sequence[tuple[str, str | None]] = (),
    remote: bool = False,
) -> tuple[CacheModel, Change, dict[str, Any]]:
    """Model and analyse one Dockerfile: the model, the change and the JSON record.

    ``text`` is the Dockerfile when it is not read from ``dockerfile`` (stdin: ``dockerfile`` is
    None and the context defaults to the current directory). ``changed_files`` are
    context-relative (see :func:`context_relative`).
    """
    from dfcheck.build.context import load
    from dfcheck.dockerfile.parse import parse
    from dfcheck.dockerfile.source import read_dockerfile

    if text is None:
        if dockerfile is None:
            raise ValueError("analyse_file needs a Dockerfile path or its text")
        text, problem = read_dockerfile(str(dockerfile))
        if text is None:
            raise ValueError(problem)
    context_dir = context if context is not None else (dockerfile.parent if dockerfile else Path("."))
    cache_model = CacheModel(
        parse(text), build_args=build_args, target=target, context=load(context_dir, dockerfile)
    )
    change = Change(files=frozenset(changed_files), args=tuple(changed_args), remote=remote)
    record = analysis_record(
        cache_model,
        cache_model.analyse(change),
        dockerfile=str(dockerfile) if dockerfile is not None else "-",
        context=str(context_dir),
        change=change,
    )
    return cache_model, change, record


# --- reports -------------------------------------------------------------------------------------


def analysis_record(
    cache_model: CacheModel,
    analysis: Analysis,
    *,
    dockerfile: str,
    context: str | None,
    change: Change,
) -> dict[str, Any]:
    """The versioned JSON document ``dfcheck cache --format json`` prints (see docs/cache.md)."""
    target = cache_model.model.target_stage(cache_model.target)
    stages = []
    for stage, result in zip(cache_model.model.stages, analysis.stages, strict=True):
        steps = cache_model.step_lines(stage)
        rerun = set(result.rebuilt_lines)
        stages.append(
            {**result.record(), "step_lines": steps, "rerun_lines": [n for n in steps if n in rerun]}
        )
    return {
        "version": SCHEMA_VERSION,
        "dockerfile": dockerfile,
        "context": context,
        "target": target.label if target is not None else None,
        "changed_files": sorted(change.files),
        "changed_args": [name for name, _ in change.args],
        "remote_changed": change.remote,
        "stages": stages,
        "rebuilt_steps": analysis.rebuilt_steps,
        "total_steps": analysis.total_steps,
        "cost": analysis.cost,
    }


@dataclass
class ChangedPaths:
    """``--changed`` values as the model needs them, and the ones it cannot use."""

    #: Context-relative '/'-separated files (a directory stands for every file below it).
    files: set[str] = field(default_factory=set)
    #: Values that name no path inside the context.
    outside: list[str] = field(default_factory=list)
    #: Values that name nothing on disk: taken as deleted files.
    missing: list[str] = field(default_factory=list)


def context_relative(paths: Sequence[str], context_dir: Path, cwd: Path | None = None) -> ChangedPaths:
    """``--changed`` values, relative to ``cwd`` (default: the current directory, as a shell
    completes them) or absolute, as context-relative files.

    The named path itself is not followed: a changed symlink is a changed file of the context.
    Raises ``OSError`` naming a directory below a changed one that cannot be listed.
    """
    from dfcheck.build.context import files_below

    base = (cwd or Path.cwd()).resolve()
    root = context_dir.resolve()
    out = ChangedPaths()
    for raw in paths:
        named = Path(os.path.abspath(base / raw))
        try:
            full = named.parent.resolve() / named.name if named.name else named
            rel = full.relative_to(root).as_posix()
        except (OSError, RuntimeError, ValueError):  # outside the context, or a symlink loop on the way
            out.outside.append(raw)
            continue
        if full.is_dir() and not full.is_symlink():
            out.files.update(files_below(root, "" if rel == "." else rel))
            continue
        if not os.path.lexists(full):
            out.missing.append(raw)
        if rel != ".":
            out.files.add(rel)
    return out
