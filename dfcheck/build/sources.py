"""COPY/ADD sources as text: which words are sources, what they name in the context, which read it.

No file system here: the cache model, the cache-order checks (:mod:`dfcheck.build.steps`) and the
build context (:mod:`dfcheck.build.context`) all resolve a source the same way through these.
``dfcheck check`` loads this module at start-up (through the rules that use ``source_tokens``), so
the pattern machinery of :mod:`dfcheck.build.ignore` is imported only when a source is resolved.

* ``source_root(source)`` splits a source as BuildKit does: the wildcard-free base and the
  ``filepath.Match`` glob after it.
* ``source_reads(source, path)`` says whether a source reads a context path, and what the path is
  below the copied root (what ``COPY --exclude`` is matched against).
* ``context_reads(model, target)`` lists the sources that read the build context in the stages a
  build of ``target`` executes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dfcheck.dockerfile.model import Model, Stage
from dfcheck.dockerfile.parse import Instruction, Token
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy

if TYPE_CHECKING:
    from dfcheck.build.ignore import IgnoreMatcher

REMOTE = lazy(r"^(?:https?://|git@|git://|ssh://)", re.I)
_NEVER = lazy(r"(?!)")

#: A source split by :func:`source_root`: (base, glob or None).
SourceRoot = tuple[str, re.Pattern[str] | None]


def source_tokens(ins: Instruction) -> list[Token]:
    """The source tokens of a COPY/ADD (heredoc markers and the destination left out)."""
    if ins.keyword not in ("COPY", "ADD") or len(ins.args) < 2:
        return []
    markers = {f"<<{d.name}" for d in ins.heredocs} | {f"<<-{d.name}" for d in ins.heredocs}
    return [t for t in ins.args[:-1] if not (ins.heredocs and t.value.lstrip("0123456789") in markers)]


def has_wildcards(component: str) -> bool:
    """BuildKit's containsWildcards: an unescaped ``*``, ``?`` or ``[``."""
    i = 0
    while i < len(component):
        if component[i] == "\\":
            i += 1
        elif component[i] in "*?[":
            return True
        i += 1
    return False


def split_source(source: str) -> tuple[str, str]:
    """(wildcard-free base, glob after it or ""), context-relative, '/'-separated, cleaned.

    ``/x``, ``./x`` and ``../x`` all mean ``x``: a source never leaves the context.
    """
    from dfcheck.build.ignore import clean

    parts = clean("/" + source).lstrip("/").split("/")
    if parts == [""]:
        return "", ""
    split = next((k for k, part in enumerate(parts) if has_wildcards(part)), len(parts))
    return "/".join(parts[:split]), "/".join(parts[split:])


def source_root(source: str) -> SourceRoot:
    """A COPY/ADD source split as BuildKit resolves it: the wildcard-free base and the glob after it.

    The base is context-relative without leading '/' ("" is the whole context); the glob is None
    when the source has no wildcard, and never matches when it is not a valid pattern.
    """
    from dfcheck.build.goregexp import glob

    base, pattern = split_source(source)
    if not pattern:
        return base, None
    return base, glob(pattern) or _NEVER


def source_reads(source: str | SourceRoot, path: str) -> str | None:
    """Does a COPY/ADD ``source`` read context file ``path``? Its path below the copied root, or None.

    The returned part is what ``COPY --exclude`` patterns are matched against: BuildKit matches
    them relative to each copied root (the source directory, or each directory a wildcard
    matched), so a file named directly, or matched by the wildcard itself, is never excluded ("").
    Ignore-file filtering and symlinks are not considered here.
    """
    base, regex = source_root(source) if isinstance(source, str) else source
    if base:
        if path == base:
            return "" if regex is None else None
        if not path.startswith(base + "/"):
            return None
        rel = path[len(base) + 1 :]
    else:
        rel = path
    if regex is None:
        return rel
    cut = -1
    while True:
        cut = rel.find("/", cut + 1)
        head = rel if cut < 0 else rel[:cut]
        if regex.match(head):
            return "" if cut < 0 else rel[cut + 1 :]
        if cut < 0:
            return None


class ContextRead(NamedTuple):
    """One source of a COPY/ADD that reads the build context (not ``--from``, not a URL).

    ``source`` is expanded with the ARG/ENV values in scope and written with '/' separators;
    ``excludes`` holds the instruction's ``--exclude`` patterns.
    """

    stage: Stage
    ins: Instruction
    token: Token
    source: str
    excludes: IgnoreMatcher | None


def context_reads(model: Model, target: str | None) -> list[ContextRead]:
    """COPY/ADD sources from the context in the stages a build of ``target`` executes, in file order."""
    needed = model.needed_stages(target)
    return [
        read
        for stage in model.stages
        if stage.index in needed
        for ins in stage.instructions
        for item in (ins, ins.trigger)
        if item is not None
        for read in instruction_reads(model, item)
    ]


def instruction_reads(model: Model, ins: Instruction) -> list[ContextRead]:
    """The context sources one COPY/ADD reads (none for ``--from``, heredocs' markers, URLs)."""
    stage = model.stage_of(ins)
    if stage is None or ins.keyword not in ("COPY", "ADD") or ins.flag("from"):
        return []
    windows = model.dockerfile.escape == "`"
    patterns = [model.expand(p, ins) for p in ins.flag_values("exclude")]
    excludes = None
    if patterns:
        from dfcheck.build.ignore import IgnoreMatcher

        excludes = IgnoreMatcher(patterns)
    reads = []
    for token in source_tokens(ins):
        if ins.keyword == "ADD" and REMOTE.match(token.value):
            continue
        source = model.expand(token.value, ins)
        reads.append(
            ContextRead(stage, ins, token, source.replace("\\", "/") if windows else source, excludes)
        )
    return reads
