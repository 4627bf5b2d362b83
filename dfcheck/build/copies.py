"""Where COPY and ADD put files, for rules about later RUNs that change or delete them.

A layer keeps what an earlier layer added: a later ``rm`` only hides it, and a later ``chown -R``
or ``chmod -R`` stores every file again. Those rules need the paths a COPY/ADD is known to create.
"""

from __future__ import annotations

import posixpath
import re

from dfcheck.dockerfile.model import ARCHIVE_SUFFIXES, Model, join_path, path_basename
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import Span
from dfcheck.records import NamedTuple


class Added(NamedTuple):
    """A path a COPY/ADD creates, and the token that names it (for related locations)."""

    path: str
    ins: Instruction
    span: Span


def added_paths(model: Model, ins: Instruction) -> list[Added]:
    """Absolute paths ``ins`` (COPY or ADD) creates: the destination of a single source
    (``COPY app.jar /app.jar``, ``COPY src /build/src``), ``<dest>/<name>`` for each file copied
    into a directory (``COPY setup.sh /tmp/``), and the destination directory when a directory's
    contents go there (``COPY . /app/``): what lands under it is only known to come from the
    instruction as a whole."""
    if ins.keyword not in ("COPY", "ADD") or (len(ins.args) < 2 and not ins.heredocs):
        return []
    facts = model.facts(ins)
    dest_token = ins.args[-1]
    dest = model.expand(dest_token.value, ins)
    if "$" in dest or not dest:
        return []
    into_dir = dest.endswith("/") or dest in (".", "./")
    target = join_path(facts.workdir or "/", dest).rstrip("/") or "/"
    sources = [model.expand(t.value, ins) for t in ins.args[:-1] if not t.value.startswith("<<")]
    names = [path_basename(s.split("?", 1)[0].rstrip("/")) for s in sources]
    files = [n for s, n in zip(sources, names, strict=True) if _is_file(ins, s, n)]
    count = len(sources) + len(ins.heredocs)
    if into_dir or count > 1:
        files += [doc.name for doc in ins.heredocs]
        whole = [] if len(files) == count or target == "/" else [Added(target, ins, dest_token.span)]
        return whole + [Added(posixpath.join(target, name), ins, dest_token.span) for name in files]
    return [] if target == "/" else [Added(target, ins, dest_token.span)]


def _is_file(ins: Instruction, source: str, name: str) -> bool:
    """A source that is one file: has an extension, no glob, not ``.``; ADD unpacks local archives."""
    if not name or name in (".", "..") or re.search(r"[*?\[]", source) or source.endswith("/"):
        return False
    if ins.keyword == "ADD" and "://" not in source and name.endswith(ARCHIVE_SUFFIXES):
        return False
    return "." in name.lstrip(".")
