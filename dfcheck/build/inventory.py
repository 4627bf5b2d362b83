"""What a build context holds: totals, heavy entries, files that look like secrets, the context report.

Built on :mod:`dfcheck.build.context`; the whole context is walked only for questions about the whole
context (``dfcheck context``, DF401 after ``COPY .``). Secret checks read at most the first bytes
of a file, once per file and process.

``inventory(build, *, measure_excluded=False, top=10) -> ContextInventory`` and
``shared_inventory(build)``, the same computed once per context directory and ignore file;
``heavy_entries(inventory)``; ``secret_like_files(build, files)``; ``secret_copies(build, reads)``;
``context_report(root, dockerfile=None, list_files=False) -> dict`` (``version`` 1).
"""

from __future__ import annotations

import heapq
import os
import stat as stat_mod
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dfcheck.build.context import BuildContext, ContextFile, load
from dfcheck.build.sources import ContextRead
from dfcheck.records import NamedTuple

LARGE_FILE_BYTES = 10 * 1024 * 1024


class ContextInventory:
    """What a walk of the build context found; sizes are bytes, paths '/'-separated and relative.

    ``excluded_count``/``excluded_bytes`` cover directories skipped whole (``pruned_dirs``) only
    when the walk measured them. ``dir_bytes``/``dir_files`` hold included totals per directory,
    subdirectories counted in. ``pattern_hits`` counts the paths each pattern matched when Docker
    tried it; Docker skips a pattern that cannot change the outcome, so a pattern made redundant by
    earlier ones (or a ``!`` before anything is excluded) counts 0 like one that matches nothing.
    """

    def __init__(
        self,
        root: Path,
        included: list[ContextFile],
        excluded_count: int,
        excluded_bytes: int,
        pattern_hits: dict[int, int],
        errors: list[str],
        pruned_dirs: list[str],
        top: int = 10,
    ) -> None:
        self.root = root
        self.included = included
        self.included_count = len(included)
        self.included_bytes = sum(f.size for f in included)
        self.excluded_count = excluded_count
        self.excluded_bytes = excluded_bytes
        self.pattern_hits = pattern_hits
        self.errors = errors
        self.pruned_dirs = pruned_dirs
        own_bytes: dict[str, int] = {}
        own_files: dict[str, int] = {}
        for f in included:
            directory = f.path.rpartition("/")[0]
            own_bytes[directory] = own_bytes.get(directory, 0) + f.size
            own_files[directory] = own_files.get(directory, 0) + 1
        self.dir_bytes = _roll_up(own_bytes)
        self.dir_files = _roll_up(own_files)
        self.largest_files = _largest([(f.path, f.size) for f in included], top)
        self.largest_dirs = _largest(list(self.dir_bytes.items()), top)
        self.large_files = [(f.path, f.size) for f in included if f.size > LARGE_FILE_BYTES]
        self.venv_dirs = [f.path[: -len("/pyvenv.cfg")] for f in included if f.path.endswith("/pyvenv.cfg")]

    @property
    def included_paths(self) -> list[str]:
        return [f.path for f in self.included]


def _roll_up(own: dict[str, int]) -> dict[str, int]:
    """Per-directory totals with subdirectories counted in; the root ("") left out."""
    totals: dict[str, int] = {}
    for directory, value in own.items():
        current = directory
        while current:
            totals[current] = totals.get(current, 0) + value
            current = current.rpartition("/")[0]
    return totals


def _largest(items: list[tuple[str, int]], top: int) -> list[tuple[str, int]]:
    return heapq.nsmallest(top, items, key=lambda item: (-item[1], item[0]))


def inventory(build: BuildContext, *, measure_excluded: bool = False, top: int = 10) -> ContextInventory:
    """Walk the whole context as BuildKit's file sender would, without following symlinks.

    Excluded directories that no ``!`` pattern can reach into are not descended (like fsutil);
    ``measure_excluded`` still counts their files for the totals. Unreadable entries are recorded
    in ``errors`` when they would be sent (Docker fails the build on those) and ignored when
    excluded (Docker ignores them too).
    """
    walk = build.walk()
    excluded_count = len(walk.dropped)
    excluded_bytes = sum(f.size for f in walk.dropped)
    if measure_excluded:
        for directory in walk.pruned:
            count, size = _measure(os.path.join(build.root, directory))
            excluded_count += count
            excluded_bytes += size
    hits = {index: walk.hits.get(index, 0) for index in range(len(build.patterns))}
    return ContextInventory(
        build.root, walk.files, excluded_count, excluded_bytes, hits, walk.errors, walk.pruned, top
    )


def shared_inventory(build: BuildContext) -> ContextInventory:
    """:func:`inventory`, computed once per context directory and ignore file in a process.

    Linting many Dockerfiles that share a context (a monorepo run) must not redo it per file.
    """
    found = build.shared("inventory", lambda: inventory(build))
    build.problems += found.errors
    return found


def _measure(path: str) -> tuple[int, int]:
    """Files and bytes below an excluded directory; errors are ignored, as Docker ignores them."""
    count = size = 0
    seen: set[tuple[int, int]] = set()
    stack = [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat_mod.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key not in seen:
                    seen.add(key)
                    stack.append(entry.path)
            else:
                count += 1
                size += st.st_size
    return count, size


# --- secrets ----------------------------------------------------------------------------------

_ENV_TEMPLATES = {".env.example", ".env.sample", ".env.template"}
_KEY_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}
_ALWAYS_SECRET_NAMES = {".git-credentials", ".netrc", "_netrc"}
_ALWAYS_SECRET_SUFFIXES = (".key", ".p12", ".pfx", ".kubeconfig")
_SERVICE_ACCOUNT_MAX = 16 * 1024


#: Every name a check below looks at ends with one of these or is one of these: the rest is cleared
#: at once (a context holds tens of thousands of source files).
_CANDIDATE_SUFFIXES = (*_ALWAYS_SECRET_SUFFIXES, ".pem", ".json")
_CANDIDATE_NAMES = {*_KEY_NAMES, *_ALWAYS_SECRET_NAMES, "credentials", "config", ".npmrc", ".pypirc"}


def _secret_check(path: str, size: int) -> str:
    """'' when the name cannot hold a secret; 'name' when the name says it does; else what to read."""
    name = path.rpartition("/")[2]
    if not (name.startswith(".env") or name in _CANDIDATE_NAMES or name.endswith(_CANDIDATE_SUFFIXES)):
        return ""
    if name.startswith(".env"):
        return "" if name in _ENV_TEMPLATES else "name"
    if name in _KEY_NAMES or name in _ALWAYS_SECRET_NAMES or name.endswith(_ALWAYS_SECRET_SUFFIXES):
        return "name"
    if path == ".aws/credentials" or path.endswith("/.aws/credentials"):
        return "name"
    if path == ".kube/config" or path.endswith("/.kube/config"):
        return "name"
    if name.endswith(".pem"):
        return "pem"
    if name in (".npmrc", ".pypirc"):
        return "token"
    if (
        name.endswith(".json")
        and name != "package.json"
        and 0 < size <= _SERVICE_ACCOUNT_MAX
        and "node_modules/" not in path
    ):
        return "service-account"
    return ""


_CONTENT_CHECKS: dict[str, tuple[int, Callable[[bytes], bool]]] = {
    "pem": (1024 * 1024, lambda data: b"PRIVATE KEY" in data),
    "token": (64 * 1024, lambda data: b"_auth" in data or b"password" in data.lower()),
    "service-account": (_SERVICE_ACCOUNT_MAX, lambda data: b'"private_key"' in data),
}


def secret_like_files(build: BuildContext, files: Iterable[ContextFile]) -> list[str]:
    """The ``files`` (sent files of ``build``) that look like credentials, sorted.

    Names decide for ``.env*`` (not the example/sample/template ones), SSH private keys, ``*.key``,
    ``*.p12``, ``*.pfx``, ``.aws/credentials``, ``.git-credentials``, ``.netrc`` and kubeconfigs.
    Content decides where the name alone would cry wolf: a ``.pem`` must hold a private key (CA
    bundles are fine), ``.npmrc``/``.pypirc`` a token or password, a small JSON file a
    ``"private_key"`` (a cloud service-account key). Only regular files are read (a link's target
    is not sent; a FIFO would block), each once per process.
    """
    verdicts: dict[str, bool] = build.shared("secrets", dict)
    found: list[str] = []
    for f in files:
        verdict = verdicts.get(f.path)
        if verdict is None:
            check = _secret_check(f.path, f.size)
            verdict = check == "name" or (
                bool(check) and _content_is_secret(build.root / f.path, f.mode, check)
            )
            verdicts[f.path] = verdict
        if verdict:
            found.append(f.path)
    return sorted(found)


def _content_is_secret(path: Path, mode: int, check: str) -> bool:
    if not stat_mod.S_ISREG(mode):
        return False
    limit, looks_secret = _CONTENT_CHECKS[check]
    try:
        with open(path, "rb") as handle:
            return looks_secret(handle.read(limit))
    except OSError:
        return False


class SecretCopy(NamedTuple):
    """A COPY/ADD source and the credential-like files of the context it copies."""

    read: ContextRead
    secrets: list[str]


def secret_copies(build: BuildContext, reads: Iterable[ContextRead]) -> list[SecretCopy]:
    """The reads that copy credential-like files; only what each source reads is looked at."""
    found = []
    for read in reads:
        secrets = secret_like_files(build, build.files(read.source, read.excludes))
        if secrets:
            found.append(SecretCopy(read, secrets))
    return found


# --- heavy entries ----------------------------------------------------------------------------


class HeavyEntry(NamedTuple):
    """Something that usually should not be sent: ``kind`` is vcs, dependencies, virtualenv,
    build-output, cache or large-file; sizes count included content only."""

    path: str
    kind: str
    bytes: int
    files: int


_HEAVY_DIRS = {
    ".git": "vcs",
    "node_modules": "dependencies",
    "dist": "build-output",
    "build": "build-output",
    "target": "build-output",
    "__pycache__": "cache",
}


def heavy_entries(inventory: ContextInventory) -> list[HeavyEntry]:
    """Included VCS data, dependencies, virtualenvs, build outputs and files over 10 MiB, biggest first.

    Only the outermost of nested entries is listed, and ``__pycache__`` directories, which come
    one per package, are summed into a single ``**/__pycache__`` entry.
    """
    venvs = set(inventory.venv_dirs)
    chosen: dict[str, str] = {}
    for directory in sorted(inventory.dir_bytes, key=lambda d: (d.count("/"), d)):
        name = directory.rpartition("/")[2]
        kind = "virtualenv" if directory in venvs else _HEAVY_DIRS.get(name)
        if kind and not _inside(directory, chosen):
            chosen[directory] = kind
    entries: list[HeavyEntry] = []
    caches = [d for d, kind in chosen.items() if kind == "cache"]
    for directory, kind in chosen.items():
        if kind != "cache" or len(caches) == 1:
            entries.append(
                HeavyEntry(directory, kind, inventory.dir_bytes[directory], inventory.dir_files[directory])
            )
    if len(caches) > 1:
        total = sum(inventory.dir_bytes[d] for d in caches)
        count = sum(inventory.dir_files[d] for d in caches)
        entries.append(HeavyEntry("**/__pycache__", "cache", total, count))
    for path, size in inventory.large_files:
        if not _inside(path, chosen):
            entries.append(HeavyEntry(path, "large-file", size, 1))
    return sorted(entries, key=lambda e: (-e.bytes, e.path))


def _inside(path: str, directories: dict[str, str]) -> bool:
    head = path.rpartition("/")[0]
    while head:
        if head in directories:
            return True
        head = head.rpartition("/")[0]
    return False


# --- report -----------------------------------------------------------------------------------


def context_report(
    root: Path | str,
    dockerfile: Path | str | None = None,
    list_files: bool = False,
    *,
    top: int = 10,
) -> dict[str, Any]:
    """A JSON-ready summary of the build context (``version`` 1); excluded totals are measured.

    ``dockerfile`` defaults to ``<root>/Dockerfile``, as for ``docker build``, so a
    ``Dockerfile.dockerignore`` there is honoured. Raises ``OSError`` (the ignore file cannot be
    read) with a one-line ``strerror``.
    """
    root_path = Path(root)
    try:
        build = load(root_path, Path(dockerfile) if dockerfile is not None else root_path / "Dockerfile")
    except OSError as exc:
        raise OSError(exc.errno, str(exc)) from None
    found = inventory(build, measure_excluded=True, top=top)
    ignore_name = None
    if build.ignore_file is not None:
        try:
            ignore_name = build.ignore_file.relative_to(root_path).as_posix()
        except ValueError:
            ignore_name = str(build.ignore_file)
    pattern_errors = [f"{ignore_name}:{p.line}: {p.error}" for p in build.patterns if p.error]
    report: dict[str, Any] = {
        "version": 1,
        "context": str(root),
        "ignore_file": ignore_name,
        "included_files": found.included_count,
        "included_bytes": found.included_bytes,
        "excluded_files": found.excluded_count,
        "excluded_bytes": found.excluded_bytes,
        "largest_files": [{"path": p, "bytes": b} for p, b in found.largest_files],
        "largest_dirs": [{"path": p, "bytes": b, "files": found.dir_files[p]} for p, b in found.largest_dirs],
        "patterns": [
            {
                "line": p.line,
                "pattern": p.pattern,
                "exclusion": p.exclusion,
                "matched": found.pattern_hits[i],
                "dead": p.error is None and found.pattern_hits[i] == 0,
                "error": p.error,
            }
            for i, p in enumerate(build.patterns)
        ],
        "heavy": [
            {"path": e.path, "kind": e.kind, "bytes": e.bytes, "files": e.files} for e in heavy_entries(found)
        ],
        "secrets": secret_like_files(build, found.included),
        "errors": pattern_errors + found.errors,
    }
    if list_files:
        report["included"] = found.included_paths
    return report
