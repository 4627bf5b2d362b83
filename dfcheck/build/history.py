"""Replaying git history through the cache model, and reorderings that would have saved rebuilds.

``git log`` is read once (``--first-parent``, so a merge counts as the change it brought to the
branch); the Dockerfile's old and new text for the commits that edited it come from one
``git cat-file --batch`` process. Each commit then becomes a :class:`dfcheck.build.cache.Change`: the
context files it touched, and the instructions it edited (the first differing instruction of each
stage, mapped by stage and position onto the Dockerfile being analysed). No image is built.

Suggestions are found in the Dockerfile, applied to its text, and the reordered file is run
through the same model and the same changes, so the steps saved are measured, not estimated.
"""

from __future__ import annotations

import difflib
import os
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dfcheck.build.cache import Analysis, CacheModel, Change
from dfcheck.build.steps import volatile_arg_move
from dfcheck.dockerfile.model import Stage
from dfcheck.dockerfile.parse import Dockerfile, Instruction, parse


class HistoryError(Exception):
    """git is missing, the directory is not a repository, or the revision is unknown."""


@dataclass
class Commit:
    rev: str
    parent: str | None
    subject: str
    files: list[str]


def _git(cwd: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    except OSError as exc:
        raise HistoryError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def git_log(
    directory: Path, *, since: str | None = None, limit: int | None = None
) -> tuple[Path, list[Commit]]:
    """The repository root and the commits to replay, oldest first (paths repository-relative).

    ``since`` is resolved to a commit first (:func:`resolve_commit`), so no text from the command
    line reaches git as an option. The log is read with ``-z``: file names come as git stores
    them, not C-quoted (``core.quotePath``), and a name with a newline stays one name.
    """
    top = Path(os.fsdecode(_git(directory, "rev-parse", "--show-toplevel").rstrip(b"\n")))
    args = ["log", "-z", "--first-parent", "-m", "--no-renames", "--name-only", "--format=%x00%H%x00%P%x00%s"]
    if limit is not None:
        args.append(f"-n{limit}")
    revision = f"{resolve_commit(directory, since)}..HEAD" if since is not None else "HEAD"
    out = _git(directory, *args, "--end-of-options", revision, "--")
    return top, _parse_log(out.decode("utf-8", "surrogateescape"))


def resolve_commit(directory: Path, revision: str) -> str:
    """The commit ``revision`` names, as a hash; HistoryError when it names none."""
    try:
        out = _git(
            directory, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
        )
    except HistoryError:
        out = b""
    if not out.strip():
        raise HistoryError(f"unknown revision {revision!r}: it names no commit")
    return out.decode("ascii", "replace").strip()


def _parse_log(out: str) -> list[Commit]:
    """``git log -z`` with ``--format=%x00%H%x00%P%x00%s``: per commit an empty field, hash,
    parents (empty for a root commit) and subject, then its file names, the first after a newline.
    File names are never empty, so an empty field after them starts the next commit."""
    fields = out.split("\0")
    commits = []
    i = 0
    while i + 3 < len(fields):
        if fields[i]:
            i += 1
            continue
        rev, parents, subject = fields[i + 1 : i + 4]
        i += 4
        files: list[str] = []
        while i < len(fields) and fields[i]:
            name = fields[i]
            files.append(name[1:] if not files and name.startswith("\n") else name)
            i += 1
        first_parent = parents.split()[0] if parents.split() else None
        commits.append(Commit(rev, first_parent, subject, files))
    commits.reverse()
    return commits


def read_blobs(top: Path, specs: list[str]) -> dict[str, str | None]:
    """``rev:path`` -> text (None when missing), all through one ``git cat-file --batch``.

    Specs are NUL-separated (``-z``) only when a path holds a newline, so older gits still work.
    """
    if not specs:
        return {}
    raw = [os.fsencode(spec) for spec in specs]
    nul = any(b"\n" in r for r in raw)
    data = b"".join(r + (b"\0" if nul else b"\n") for r in raw)
    out = _git(top, "cat-file", "--batch", *(["-z"] if nul else []), data=data)
    found: dict[str, str | None] = {}
    pos = 0
    for spec, name in zip(specs, raw, strict=True):
        missing = next((t for t in (b" missing\n", b" ambiguous\n") if out.startswith(name + t, pos)), None)
        if missing is not None:
            found[spec] = None
            pos += len(name) + len(missing)
            continue
        end = out.index(b"\n", pos)
        size = int(out[pos:end].rsplit(b" ", 1)[1])
        pos = end + 1
        found[spec] = out[pos : pos + size].decode("utf-8", "replace")
        pos += size + 1
    return found


def _signature(ins: Instruction) -> str:
    return "\0".join([ins.original, *(d.content for d in ins.heredocs)])


def edited_positions(old: Dockerfile | None, new: Dockerfile) -> set[tuple[int, int]]:
    """(stage index, position) of the first instruction of each stage that differs between versions."""
    from dfcheck.dockerfile.model import Model

    new_stages = Model(new).stages
    old_stages = Model(old).stages if old is not None else []
    edited = set()
    for stage in new_stages:
        theirs = old_stages[stage.index] if stage.index < len(old_stages) else None
        mine = [_signature(stage.from_ins)] + [_signature(i) for i in stage.instructions]
        before = (
            [_signature(theirs.from_ins)] + [_signature(i) for i in theirs.instructions] if theirs else []
        )
        for position, text in enumerate(mine):
            if position >= len(before) or before[position] != text:
                edited.add((stage.index, position))
                break
    return edited


@dataclass
class Replay:
    """The changes of a git history as the cache model sees them."""

    commits: list[Commit]
    changes: list[Change]


def replay_changes(
    cache_model: CacheModel, context_dir: Path, dockerfile: Path, *, since: str | None, limit: int | None
) -> Replay:
    top, commits = git_log(context_dir, since=since, limit=limit)
    root = context_dir.resolve()
    prefix = "" if root == top.resolve() else root.relative_to(top.resolve()).as_posix() + "/"
    try:
        df_rel = dockerfile.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        df_rel = ""
    touching = [c for c in commits if df_rel and df_rel in c.files]
    specs = [f"{c.rev}:{df_rel}" for c in touching] + [f"{c.parent}:{df_rel}" for c in touching if c.parent]
    blobs = read_blobs(top, specs)
    parsed: dict[str, Dockerfile | None] = {}

    def version(spec: str | None) -> Dockerfile | None:
        if spec is None or blobs.get(spec) is None:
            return None
        if spec not in parsed:
            parsed[spec] = parse(blobs[spec] or "")
        return parsed[spec]

    sizes = [len(steps) for steps in cache_model.steps]
    changes = []
    for commit in commits:
        files = frozenset(f[len(prefix) :] for f in commit.files if f.startswith(prefix))
        edited: frozenset[tuple[int, int]] = frozenset()
        if commit in touching:
            new = version(f"{commit.rev}:{df_rel}")
            old = version(f"{commit.parent}:{df_rel}" if commit.parent else None)
            if new is not None:
                edited = frozenset(
                    (s, p) for s, p in edited_positions(old, new) if s < len(sizes) and p < sizes[s]
                )
        changes.append(Change(files=files, edited=edited))
    return Replay(commits, changes)


def history_record(cache_model: CacheModel, replay: Replay, analyses: list[Analysis]) -> dict[str, Any]:
    """Per commit and in total: steps re-run, hit rate, and the invalidations that cost most."""
    full_cost = sum(
        s.weight
        for stage in cache_model.model.stages
        if stage.index in cache_model.needed
        for s in cache_model.steps[stage.index]
        if cache_model.numbered(stage, s)
    )
    commits: list[dict[str, Any]] = []
    expensive: dict[tuple[int, int], dict[str, Any]] = {}
    line_rebuilds: Counter[int] = Counter()
    for commit, change, analysis in zip(replay.commits, replay.changes, analyses, strict=True):
        misses = []
        for stage in analysis.stages:
            line_rebuilds.update(stage.rebuilt_lines)
            if stage.first_miss_line is None:
                continue
            misses.append({"stage": stage.index, "line": stage.first_miss_line, "reason": stage.reason})
            step = cache_model.step_at(stage.first_miss_line)
            item = expensive.setdefault(
                (stage.index, stage.first_miss_line),
                {
                    "stage": stage.index,
                    "line": stage.first_miss_line,
                    "instruction": " ".join(step.ins.original.split()) if step else "",
                    "misses": 0,
                    "rebuilt_steps": 0,
                    "cost": 0,
                },
            )
            item["misses"] += 1
            item["rebuilt_steps"] += stage.rebuilt_steps
            item["cost"] += stage.cost
        commits.append(
            {
                "rev": commit.rev,
                "subject": commit.subject,
                "changed_files": len(change.files),
                "dockerfile_edited": bool(change.edited),
                "rebuilt_steps": analysis.rebuilt_steps,
                "total_steps": analysis.total_steps,
                "cost": analysis.cost,
                "first_misses": misses,
            }
        )
    rebuilt = sum(c["rebuilt_steps"] for c in commits)
    total = sum(c["total_steps"] for c in commits)
    cost = sum(c["cost"] for c in commits)
    return {
        "commits": commits,
        "rebuilt_steps": rebuilt,
        "total_steps": total,
        "cost": cost,
        "hit_rate": round(1 - rebuilt / total, 4) if total else 1.0,
        "weighted_hit_rate": round(1 - cost / (full_cost * len(commits)), 4)
        if full_cost and commits
        else 1.0,
        "line_rebuilds": {str(line): n for line, n in sorted(line_rebuilds.items())},
        "expensive": sorted(expensive.values(), key=lambda e: (-e["cost"], e["line"]))[:10],
    }


# --- reorderings ---------------------------------------------------------------------------------


@dataclass
class Reordering:
    rule: str
    line: int
    message: str
    text: str
    #: The ARG whose changes the reordering is about (None: file changes).
    arg: str | None = None


class _Text:
    """The Dockerfile as physical lines, for moving whole instructions."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"

    def block(self, ins: Instruction) -> list[str]:
        return self.lines[ins.span.start_line - 1 : ins.span.end_line]

    def rewrite(self, region: list[Instruction], new: list[str]) -> str:
        """Replace the lines of the consecutive instructions ``region`` with ``new``.

        Comments and blank lines between them stay, after the moved instructions.
        """
        start, end = region[0].span.start_line - 1, region[-1].span.end_line
        covered = {n for ins in region for n in range(ins.span.start_line - 1, ins.span.end_line)}
        kept = [line for n, line in enumerate(self.lines[start:end], start=start) if n not in covered]
        return "".join(self.lines[:start] + new + kept + self.lines[end:])


def reorderings(cache_model: CacheModel) -> list[Reordering]:
    """Concrete reorderings for the cache-ordering findings (DF101, DF150, DF151) of this file.

    DF101 and DF151 come from the same analysis as the rules (:func:`dfcheck.build.ordering.analyse`),
    so every such finding with a computable fix has a suggestion here and vice versa.
    """
    from dfcheck.build.ordering import analyse

    found: list[Reordering] = []
    for problem in analyse(cache_model.semantics, cache_model.context).problems:
        stage = cache_model.model.stage_of(problem.copy.ins)
        if problem.reorder is None or stage is None or stage.index not in cache_model.needed:
            continue
        text = problem.reorder.apply(cache_model.dockerfile.text)
        if problem.rule == "DF101":
            message = (
                f"copy {' '.join(problem.manifests)} and run `{problem.command}` before "
                f"'{' '.join(problem.copy.ins.original.split())}', so source changes no longer re-run the "
                f"{problem.work}"
            )
        else:
            message = (
                f"copy '{problem.token.value}' after `{problem.command}`: changes to it no longer re-run the "
                f"{problem.work}"
            )
        found.append(Reordering(problem.rule, problem.copy.ins.line, message, text))
    for stage in cache_model.model.stages:
        if stage.index in cache_model.needed:
            found += _volatile_arg_down(cache_model, stage)
    return sorted(found, key=lambda r: (r.line, r.rule))


def _volatile_arg_down(cm: CacheModel, stage: Stage) -> list[Reordering]:
    instrs = stage.instructions
    out: list[Reordering] = []
    for i, arg in enumerate(instrs):
        move = volatile_arg_move(cm.semantics, stage, i, cm.dockerfile.escape)
        if move is None:
            continue
        name, stop = move
        skipped = instrs[i + 1 : stop if stop is not None else len(instrs)]
        text = _Text(cm.dockerfile.text)
        new = [line for ins in skipped for line in text.block(ins)] + text.block(arg)
        where = f"just before line {instrs[stop].line}" if stop is not None else "to the end of the stage"
        message = (
            f"ARG {name} usually changes on every build, and every RUN after it re-runs: move it {where}, "
            "after the package installs that cannot use it"
        )
        out.append(Reordering("DF150", arg.line, message, text.rewrite([arg, *skipped], new), arg=name))
    return out


def suggestion_records(
    cache_model: CacheModel,
    changes: list[Change],
    *,
    history: bool,
    path: str,
) -> list[dict[str, Any]]:
    """Each reordering with its diff and the steps it saves over ``changes`` (None without changes)."""
    records = []
    for reordering in reorderings(cache_model):
        other = CacheModel(
            parse(reordering.text),
            build_args=cache_model.build_args,
            target=cache_model.target,
            context=cache_model.context,
        )
        times = 1
        if reordering.arg is not None:
            runs = [Change(args=((reordering.arg, None),))]
            times = max(len(changes), 1) if history else 1
            over = (
                f"over {len(changes)} commits if {reordering.arg} changes on every build"
                if history
                else f"each time {reordering.arg} changes"
            )
        else:
            runs = [Change(files=c.files) for c in changes if c.files]
            over = f"over {len(changes)} commits" if history else "for the given changes"
        saved_steps = saved_cost = None
        if runs:
            saved_steps = saved_cost = 0
            for change in runs:
                before, after = cache_model.analyse(change), other.analyse(change)
                saved_steps += (before.rebuilt_steps - after.rebuilt_steps) * times
                saved_cost += (before.cost - after.cost) * times
        diff = "".join(
            difflib.unified_diff(
                cache_model.dockerfile.text.splitlines(keepends=True),
                reordering.text.splitlines(keepends=True),
                fromfile=path,
                tofile=path + " (reordered)",
            )
        )
        records.append(
            {
                "rule": reordering.rule,
                "line": reordering.line,
                "message": reordering.message,
                "diff": diff,
                "saved_steps": saved_steps,
                "saved_cost": saved_cost,
                "saved_over": over if runs else None,
            }
        )
    return records
