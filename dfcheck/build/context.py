"""The build context as BuildKit reads it: what a COPY/ADD can see, looked at only where it reads.

Loaded only when a rule or a command asks, so nothing here is imported at start-up.

``load(context_dir, dockerfile=None) -> BuildContext``
    Reads the ignore file BuildKit applies (raises :class:`~dfcheck.build.ignore.IgnoreFileError`
    when it exists but cannot be read) and touches nothing else.
``BuildContext``
    ``excluded(path)``: is the path left out of what is sent; ``exists(path)`` and
    ``resolve(path)``: the path on disk, symlinks followed inside the context only;
    ``names(source)``: what a COPY/ADD source names on disk before the ignore file applies;
    ``entries(directory)``: what is sent from one directory;
    ``files(source, excludes)``: the files it reads from what is sent; ``walk(directory)``: every
    file sent from below a directory, with what was left out; ``problems``/``error``: what could
    not be read on the way.
``files_below(root, directory)``: every file below a directory, whatever the ignore file says.
``clear_cache()``: forget what was listed (for long-running processes and tests).

Cost follows the Dockerfile, not the size of the context. Nothing is listed until a question
needs it, and then only where the source can read: ``COPY src/ ./src`` lists ``src/`` and below,
``COPY *.json ./`` the top level (and the subtrees of directories it matches), a Dockerfile
without COPY/ADD from the context nothing at all. Excluded directories that no ``!`` pattern can
reach into are never listed. Each directory is listed at most once per process and decided at most
once per ignore file, so the rules of one file, and the files of a monorepo that share a context,
pay once; questions about single paths (``exists``) cost a few ``lstat`` calls, remembered for the
``BuildContext`` of one Dockerfile only.

Symlinks are resolved as BuildKit's copy does (continuity's ``fs.RootPath``): inside the context
like a chroot, an absolute target starting again at the context root, ``..`` stopping there, at
most 255 links. Nothing outside the context is ever looked at, whatever a link points to; walks
never follow links at all.
"""

from __future__ import annotations

import os
import stat as stat_mod
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

from dfcheck.build.goregexp import glob, glob_components
from dfcheck.build.ignore import (
    IgnoreMatcher,
    IgnorePattern,
    clean,
    decide,
    find_ignore_file,
    forget_ignore_files,
    matcher_for,
    read_ignore_text,
)
from dfcheck.build.sources import split_source
from dfcheck.records import NamedTuple

#: The symlinks continuity's RootPath follows before it gives up.
MAX_LINKS = 255
_T = TypeVar("_T")


class Entry(NamedTuple):
    """One directory entry, never followed: ``mode`` and ``size`` are the entry's own (``lstat``);
    ``key`` (device, inode) identifies a directory, for loops through bind mounts."""

    name: str
    mode: int
    size: int
    key: tuple[int, int] | None


class _Listing(NamedTuple):
    entries: list[Entry]
    error: str | None
    #: Entries that could not be stat'ed, with why.
    failed: dict[str, str]


def _scan(path: str) -> _Listing:
    try:
        raw = list(os.scandir(path))
    except OSError as exc:
        return _Listing([], exc.strerror or str(exc), {})
    entries: list[Entry] = []
    failed: dict[str, str] = {}
    for item in raw:
        try:
            st = item.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        except OSError as exc:
            failed[item.name] = exc.strerror or str(exc)
            continue
        mode = st.st_mode
        key = (st.st_dev, st.st_ino) if stat_mod.S_ISDIR(mode) else None
        entries.append(Entry(item.name, mode, st.st_size, key))
    return _Listing(entries, None, failed)


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


class ContextFile(NamedTuple):
    """A file (or symlink, FIFO...) that is sent: its context path and its own size and mode."""

    path: str
    size: int
    mode: int


class _Node(NamedTuple):
    """One directory decided under one ignore matcher."""

    #: Entries that are sent and are not directories (symlinks included, as they are sent).
    files: list[ContextFile]
    #: Subdirectories to walk into: sent, or excluded with a ``!`` pattern that may reach inside.
    dirs: list[Entry]
    #: Excluded subdirectories nothing can bring back (never listed), as context paths.
    pruned: list[str]
    #: Excluded entries that are not directories.
    dropped: list[ContextFile]
    hits: dict[int, int]
    #: What could not be read among the entries that would be sent (Docker fails on those).
    errors: list[str]


class _View:
    """What is sent from one context directory under one ignore matcher, a directory at a time."""

    def __init__(self, root: str, listings: dict[str, _Listing], matcher: IgnoreMatcher) -> None:
        self.root = root
        self.listings = listings
        self.matcher = matcher
        self.nodes: dict[str, _Node] = {}
        self.walks: dict[str, Walk] = {}
        self.states: dict[str, tuple[bool, int]] = {"": (False, 0)}
        #: Values derived from what is sent (see :meth:`BuildContext.shared`).
        self.memo: dict[str, object] = {}

    def listing(self, directory: str) -> _Listing:
        found = self.listings.get(directory)
        if found is None:
            found = self.listings[directory] = _scan(
                os.path.join(self.root, directory) if directory else self.root
            )
        return found

    def state(self, directory: str) -> tuple[bool, int]:
        found = self.states.get(directory)
        if found is None:
            found = self.states[directory] = self.matcher.dir_state(directory)
        return found

    def walkable(self, directory: str) -> bool:
        """Is anything below ``directory`` sent (or could it be, through a ``!`` pattern)?"""
        return not self.state(directory)[0] or self.matcher.might_reinclude_under(directory)

    def node(self, directory: str) -> _Node:
        found = self.nodes.get(directory)
        if found is None:
            found = self.nodes[directory] = self._decide(directory)
        return found

    def _decide(self, directory: str) -> _Node:
        listing = self.listing(directory)
        excluded_dir, bits = self.state(directory)
        steps = self.matcher.steps(directory, bits)
        node = _Node([], [], [], [], {}, [])
        if listing.error is not None and not excluded_dir:
            node.errors.append(f"{directory or '.'}: {listing.error}")
        prefix = directory + "/" if directory else ""
        for name, why in listing.failed.items():
            if not decide(prefix + name, steps, None)[0]:
                node.errors.append(f"{prefix}{name}: {why}")
        for entry in listing.entries:
            path = prefix + entry.name
            excluded, child_bits = decide(path, steps, node.hits)
            mode = entry.mode
            if stat_mod.S_ISDIR(mode):
                if excluded and not self.matcher.might_reinclude_under(path):
                    node.pruned.append(path)
                else:
                    self.states[path] = (excluded, child_bits)
                    node.dirs.append(entry)
            elif excluded:
                node.dropped.append(ContextFile(path, entry.size, mode))
            else:
                node.files.append(ContextFile(path, entry.size, mode))
                if (
                    stat_mod.S_ISREG(mode)
                    and not mode & 0o004
                    and not os.access(os.path.join(self.root, path), os.R_OK)
                ):
                    node.errors.append(f"{path}: Permission denied")
        return node


_LISTINGS: dict[str, dict[str, _Listing]] = {}
_VIEWS: dict[tuple[str, int], _View] = {}


def clear_cache() -> None:
    """Forget every listing, decision and parsed ignore file: the next question reads the disk again."""
    _LISTINGS.clear()
    _VIEWS.clear()
    forget_ignore_files()


class Resolved(NamedTuple):
    """A context path after following symlinks inside the context.

    ``path`` has no symlink in it ("" is the context root); ``mode`` and ``size`` are its own;
    ``links`` are the symlinks followed to get there, as context paths.
    """

    path: str
    mode: int
    size: int
    links: tuple[str, ...]


class Walk(NamedTuple):
    """Everything below a directory of the context, decided: ``files`` are sent (sorted),
    ``dropped`` are excluded, ``pruned`` directories were excluded whole and never listed;
    ``hits`` counts, per pattern index, the paths it matched when tried."""

    files: list[ContextFile]
    dropped: list[ContextFile]
    pruned: list[str]
    hits: dict[int, int]
    errors: list[str]


class BuildContext:
    """A context directory with the ignore file BuildKit would apply; the disk is read on demand."""

    def __init__(
        self,
        root: Path,
        ignore_file: Path | None,
        matcher: IgnoreMatcher | None = None,
        *,
        ignore_text: str = "",
    ) -> None:
        self.root = root
        self.ignore_file = ignore_file
        self._matcher = matcher
        self._ignore_text = ignore_text
        #: What could not be read while answering, as ``path: reason`` (Docker fails the build).
        self.problems: list[str] = []
        self._resolved: dict[str, Resolved | None] = {}
        self._files: dict[tuple[str, tuple[str, ...]], list[ContextFile]] = {}
        self._cached_view: _View | None = None

    @property
    def matcher(self) -> IgnoreMatcher:
        """The ignore file's patterns, parsed on first use."""
        if self._matcher is None:
            self._matcher = matcher_for(self._ignore_text)
        return self._matcher

    @property
    def patterns(self) -> list[IgnorePattern]:
        return self.matcher.patterns

    @property
    def error(self) -> str | None:
        """The first problem met, as one line, or None."""
        if not self.problems:
            return None
        unique = sorted(set(self.problems))
        more = f" (and {len(unique) - 1} more)" if len(unique) > 1 else ""
        return f"cannot read {unique[0]}{more}"

    def _view(self) -> _View:
        """What is sent, shared with every BuildContext on this directory and ignore file."""
        if self._cached_view is None:
            root = os.path.realpath(self.root)
            key = (root, id(self.matcher))
            view = _VIEWS.get(key)
            if view is None:
                view = _VIEWS[key] = _View(root, _LISTINGS.setdefault(root, {}), self.matcher)
            self._cached_view = view
        return self._cached_view

    def shared(self, key: str, make: Callable[[], _T]) -> _T:
        """``make()``, computed once for every BuildContext on this directory and ignore file.

        For values derived from what is sent, such as the whole-context inventory.
        """
        memo = self._view().memo
        if key not in memo:
            memo[key] = make()
        return cast(_T, memo[key])

    # --- single paths ---------------------------------------------------------------------------

    def excluded(self, path: str) -> bool:
        """Does the ignore file leave ``path`` out of what is sent?"""
        return self.matcher.excluded(path)

    def exists(self, path: str) -> bool:
        return self.resolve(path) is not None

    def resolve(self, path: str) -> Resolved | None:
        """``path`` (context-relative; ``/x`` and ``../x`` mean ``x``) on disk, or None when it is not
        there: a component missing, a file used as a directory, more than 255 links; or when it
        cannot be looked at, which is recorded in ``problems``."""
        key = clean("/" + path).lstrip("/")
        if key not in self._resolved:
            self._resolved[key] = self._resolve(key)
        return self._resolved[key]

    def _resolve(self, path: str) -> Resolved | None:
        root = os.fspath(self.root)
        todo = path.split("/")[::-1] if path else []
        done: list[str] = []
        links: list[str] = []
        mode, size = stat_mod.S_IFDIR, 0
        while todo:
            name = todo.pop()
            here = _join("/".join(done), name)
            full = os.path.join(root, here)
            try:
                st = os.lstat(full)
                target = os.readlink(full) if stat_mod.S_ISLNK(st.st_mode) else None
            except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL byte in the name
                return None
            except OSError as exc:  # a directory on the way cannot be searched: Docker fails too
                self.problems.append(f"{here}: {exc.strerror or exc}")
                return None
            if target is None:
                if todo and not stat_mod.S_ISDIR(st.st_mode):
                    return None
                done.append(name)
                mode, size = st.st_mode, st.st_size
                continue
            links.append(here)
            if len(links) > MAX_LINKS:
                return None
            if not target.startswith("/"):
                target = "/".join(done) + "/" + target
            joined = clean("/" + target).lstrip("/")
            todo += joined.split("/")[::-1] if joined else []
            done = []
            mode, size = stat_mod.S_IFDIR, 0
        return Resolved("/".join(done), mode, size, tuple(links))

    def entries(self, directory: str) -> list[tuple[str, bool]] | None:
        """(name, is a directory) of what is sent from ``directory``, sorted: one listing, shared with
        the other questions. None when it is not a directory that is sent (links followed inside
        the context)."""
        found = self.resolve(directory)
        view = self._view()
        if (
            found is None
            or not stat_mod.S_ISDIR(found.mode)
            or self._unsent_link(found)
            or not view.walkable(found.path)
        ):
            return None
        node = view.node(found.path)
        self.problems += node.errors
        names = [(f.path.rpartition("/")[2], False) for f in node.files]
        return sorted(names + [(e.name, True) for e in node.dirs])

    # --- sources --------------------------------------------------------------------------------

    def names(self, source: str) -> list[str]:
        """The context paths a COPY/ADD source names on disk, before the ignore file applies, and the
        symlinks followed to reach them; empty when BuildKit would fail with "not found" anyway."""
        base, pattern = split_source(source)
        found = self.resolve(base)
        if found is None:
            return []
        if not pattern:
            return [*found.links, found.path]
        if not stat_mod.S_ISDIR(found.mode):
            return []
        matches = self._glob_on_disk(found.path, pattern)
        return [*found.links, *matches] if matches else []

    def files(self, source: str, excludes: IgnoreMatcher | None = None) -> list[ContextFile]:
        """The files a COPY/ADD ``source`` reads from what is sent, sorted; none when it reads nothing.

        Without wildcards the source names a file or a directory (everything sent below it); with
        them BuildKit walks from the last wildcard-free directory and matches the rest with
        ``filepath.Match`` semantics, a matching directory bringing its whole subtree. Links are
        followed as the copy follows them, provided the link itself was sent. ``excludes``
        (``COPY --exclude``) is matched below each copied root. The list may be shared with other
        callers: do not modify it.
        """
        key = (source, tuple(p.text for p in excludes.patterns) if excludes is not None else ())
        if key not in self._files:
            self._files[key] = self._source_files(source, excludes)
        return self._files[key]

    def _source_files(self, source: str, excludes: IgnoreMatcher | None) -> list[ContextFile]:
        base, pattern = split_source(source)
        found = self.resolve(base)
        if found is None or self._unsent_link(found):
            return []
        if not pattern:
            return self._copied(found, excludes)
        if not stat_mod.S_ISDIR(found.mode) or not self._view().walkable(found.path):
            return []
        out: list[ContextFile] = []
        for path, entry in self._glob_sent(found.path, pattern):
            target = (
                self.resolve(path)
                if stat_mod.S_ISLNK(entry.mode)
                else Resolved(path, entry.mode, entry.size, ())
            )
            if target is not None and not self._unsent_link(target):
                out += self._copied(target, excludes)
        return sorted(set(out))

    def _unsent_link(self, found: Resolved) -> bool:
        """Was a link on the way left out of the context (so the copy cannot follow it)?"""
        return any(self.excluded(link) for link in found.links)

    def _copied(self, found: Resolved, excludes: IgnoreMatcher | None) -> list[ContextFile]:
        if not stat_mod.S_ISDIR(found.mode):
            return [] if self.excluded(found.path) else [ContextFile(found.path, found.size, found.mode)]
        if not self._view().walkable(found.path):
            return []
        files = self.walk(found.path).files
        if excludes is None:
            return files
        cut = len(found.path) + 1 if found.path else 0
        return [f for f in files if not excludes.excluded(f.path[cut:])]

    def _glob_on_disk(self, base: str, pattern: str) -> list[str]:
        view = self._view()
        return sorted(path for path, _ in _glob(base, pattern, lambda d: view.listing(d).entries))

    def _glob_sent(self, base: str, pattern: str) -> list[tuple[str, Entry]]:
        view = self._view()

        def entries(directory: str) -> list[Entry]:
            node = view.node(directory)
            self.problems += node.errors
            return [Entry(f.path.rpartition("/")[2], f.mode, f.size, None) for f in node.files] + node.dirs

        return _glob(base, pattern, entries)

    # --- walking --------------------------------------------------------------------------------

    def walk(self, directory: str = "") -> Walk:
        """Everything below ``directory`` (a walkable context directory), decided and sorted.

        Remembered per directory for every BuildContext on the same directory and ignore file.
        """
        view = self._view()
        found = view.walks.get(directory)
        if found is None:
            found = view.walks[directory] = self._walk(view, directory)
        self.problems += found.errors
        return found

    def _walk(self, view: _View, directory: str) -> Walk:
        files: list[ContextFile] = []
        dropped: list[ContextFile] = []
        pruned: list[str] = []
        hits: dict[int, int] = {}
        errors: list[str] = []
        seen: set[tuple[int, int] | None] = set()
        stack = [directory]
        while stack:
            current = stack.pop()
            node = view.node(current)
            errors += node.errors
            for index, count in node.hits.items():
                hits[index] = hits.get(index, 0) + count
            files += node.files
            dropped += node.dropped
            pruned += node.pruned
            for entry in node.dirs:
                path = _join(current, entry.name)
                if entry.key in seen:
                    errors.append(f"{path}: directory loop, already walked")
                else:
                    seen.add(entry.key)
                    stack.append(path)
        files.sort()
        pruned.sort()
        errors.sort()
        return Walk(files, dropped, pruned, hits, errors)


def _glob(base: str, pattern: str, entries: Callable[[str], list[Entry]]) -> list[tuple[str, Entry]]:
    """What BuildKit's resolveWildcards finds below ``base``: entries whose path below it matches
    ``pattern``, a match ending the descent; ``entries(directory)`` lists one directory (on disk,
    or what is sent). Component by component when that is exact, so only directories a prefix of
    the pattern matches are listed."""
    found: list[tuple[str, Entry]] = []
    components = glob_components(pattern)
    if components is not None:
        level = [base]
        for depth, component in enumerate(components, start=1):
            deeper: list[str] = []
            for directory in level:
                for entry in entries(directory):
                    if component.match(entry.name):
                        path = _join(directory, entry.name)
                        if depth == len(components):
                            found.append((path, entry))
                        elif stat_mod.S_ISDIR(entry.mode):
                            deeper.append(path)
            level = deeper
        return found
    whole = glob(pattern)
    if whole is None:
        return found
    cut = len(base) + 1 if base else 0
    seen: set[tuple[int, int] | None] = set()
    stack = [base]
    while stack:
        directory = stack.pop()
        for entry in entries(directory):
            path = _join(directory, entry.name)
            if whole.match(path[cut:]):
                found.append((path, entry))
            elif stat_mod.S_ISDIR(entry.mode) and entry.key not in seen:
                seen.add(entry.key)
                stack.append(path)
    return found


def load(context_dir: Path, dockerfile: Path | None = None) -> BuildContext:
    """The context at ``context_dir`` with the ignore file BuildKit applies for ``dockerfile``.

    The ignore file is read now (so that an unreadable one is reported at once) and parsed when a
    question needs its patterns.
    """
    ignore_file = find_ignore_file(context_dir, dockerfile)
    text = read_ignore_text(ignore_file) if ignore_file is not None else ""
    return BuildContext(context_dir, ignore_file, ignore_text=text)


def files_below(root: Path, directory: str) -> list[str]:
    """Every entry that is not a directory below ``directory`` of the context, as context paths,
    whatever the ignore file says (``cache --changed DIR``). Iterative, links not followed;
    raises ``OSError`` naming the first directory that cannot be listed."""
    found: list[str] = []
    stack = [clean("/" + directory).lstrip("/")]
    while stack:
        current = stack.pop()
        listing = _scan(os.path.join(root, current) if current else os.fspath(root))
        if listing.error is not None:
            raise OSError(f"cannot read {current or '.'}: {listing.error}")
        for entry in listing.entries:
            path = _join(current, entry.name)
            (stack if stat_mod.S_ISDIR(entry.mode) else found).append(path)
    return sorted(found)
