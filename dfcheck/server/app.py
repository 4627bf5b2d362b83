"""The pygls server: document sync, scheduling lints off the event loop, and the LSP features.

Scheduling: each open document has at most one lint running and at most one waiting. An edit
restarts the document's debounce timer; when it fires, the text of that moment is linted in a
worker thread, and the result is published only if the document is still at that version. Lints
of different documents run in parallel threads, so a slow file delays only its own diagnostics,
and the event loop stays free to answer requests (hovers, code actions, shutdown) meanwhile.

Documents are synchronised in full (the client sends the whole text on each change): a Dockerfile
is small, and it spares the server pygls's incremental line splitting, which counts characters
such as U+2028 or a form feed as line breaks where the client does not.
"""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer

import dfcheck.server.actions as actions
import dfcheck.server.documents as documents
from dfcheck import __version__
from dfcheck.server.documents import DOCKERFILE, Linted, kind_of
from dfcheck.server.hover import cache_hover, finding_hover
from dfcheck.server.positions import UTF8, UTF16, UTF32

if TYPE_CHECKING:
    from dfcheck.lint.engine import Linter

#: Milliseconds between the last keystroke and the lint (``initializationOptions.debounce``).
DEBOUNCE_MS = 100
#: Lint threads: documents lint in parallel (taking turns at the interpreter), so a slow one holds
#: one thread and the others go on.
WORKERS = 4
#: Seconds between two checks that the client process is still alive.
CLIENT_CHECK_SECONDS = 5
#: Files whose change can alter any document's findings: configuration and ignore files.
WATCHED = [
    "pyproject.toml",
    ".dfcheck.toml",
    ".hadolint.yaml",
    ".hadolint.yml",
    ".dockerignore",
    "*.dockerignore",
]


class _Job:
    """Scheduling state of one document: its debounce timer and the lint in progress."""

    __slots__ = ("again", "fresh", "running", "timer")

    def __init__(self) -> None:
        self.timer: asyncio.TimerHandle | None = None
        self.running = False
        #: An edit arrived while a lint was running: lint again when it ends.
        self.again = False
        #: The next lint is a full one (after an open, a save or a change of configuration):
        #: ShellCheck runs, and the build context is read from the disk again.
        self.fresh = False


class DfcheckServer(LanguageServer):
    """The server's state: open documents' scheduling and last results, the linter with the
    configuration it has read, and how configuration changes reach it."""

    def __init__(self, workers: int | None = None) -> None:
        super().__init__("dfcheck", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.debounce = DEBOUNCE_MS / 1000
        self.pool = ThreadPoolExecutor(workers or WORKERS, thread_name_prefix="dfcheck-lint")
        self.jobs: dict[str, _Job] = {}
        self.results: dict[str, Linted] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.linter = _new_linter()
        self.shut_down = False
        #: The client tells us when configuration or ignore files change (didChangeWatchedFiles);
        #: without that, each lint compares their modification times with the last lint's.
        self.watching = False
        self.stamps: dict[Path, list[tuple[str, int]]] = {}
        #: The task that checks the client process is alive (held here: the loop keeps tasks
        #: only weakly).
        self.watchdog: asyncio.Task[None] | None = None

    # --- documents -------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        chosen = str(getattr(self.workspace.position_encoding, "value", self.workspace.position_encoding))
        return chosen if chosen in (UTF8, UTF32) else UTF16

    def text_of(self, uri: str) -> tuple[str, int | None, str] | None:
        """(text, version, kind) of an open Dockerfile or ignore file, None for anything else."""
        doc = self.workspace.text_documents.get(unquote(uri))
        kind = kind_of(uri, doc.language_id) if doc is not None else None
        if doc is None or kind is None:
            return None
        return doc.source, doc.version, kind

    def schedule(self, uri: str, delay: float, *, fresh: bool = False) -> None:
        job = self.jobs.setdefault(uri, _Job())
        job.fresh = job.fresh or fresh
        if job.timer is not None:
            job.timer.cancel()
        job.timer = asyncio.get_running_loop().call_later(delay, self._start, uri)

    def _start(self, uri: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(uri))
        self.tasks.add(task)  # the loop keeps tasks only weakly
        task.add_done_callback(self.tasks.discard)

    async def _run(self, uri: str) -> None:
        job = self.jobs.get(uri)
        if job is None:
            return
        job.timer = None
        if job.running:
            job.again = True
            return
        current = self.text_of(uri)
        if current is None:
            return
        text, version, kind = current
        if not self.watching and self.changed_on_disk(uri):
            self.reload()
            return
        fresh, job.fresh = job.fresh, False
        job.running = True
        try:
            linted = await self.lint(uri, version, text, kind, fresh=fresh)
        finally:
            job.running = False
        now = self.text_of(uri)
        if now is not None and now[1] == version and now[0] == text:
            self.results[uri] = linted
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri, linted.diagnostics, version=version)
            )
        else:
            job.fresh = job.fresh or fresh  # outdated before it was published: the next lint does it
        if job.again and self.jobs.get(uri) is job:
            job.again = False
            self.schedule(uri, 0)

    async def lint(self, uri: str, version: int | None, text: str, kind: str, *, fresh: bool) -> Linted:
        loop = asyncio.get_running_loop()
        args = (uri, version, text, kind, self.encoding, fresh)
        return await loop.run_in_executor(self.pool, self.lint_now, *args)

    def lint_now(
        self, uri: str, version: int | None, text: str, kind: str, encoding: str, fresh: bool
    ) -> Linted:
        """Runs in a worker thread; whatever the text, it returns diagnostics (a bug in dfcheck
        becomes one error diagnostic and a traceback on stderr, never a dead server).

        The build context remembers what it listed for the life of the process; a full lint, and
        every lint of an ignore file (which checks its patterns against the disk), forget it first,
        so files created or deleted since are seen."""
        try:
            if fresh or kind != DOCKERFILE:
                from dfcheck.build.context import clear_cache

                clear_cache()
            if kind == DOCKERFILE:
                return documents.lint_dockerfile(self.linter, uri, version, text, encoding, shellcheck=fresh)
            return documents.lint_ignore_file(uri, version, text, encoding)
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            message = f"dfcheck failed on this document: {exc!r} (please report it)"
            return documents.problem(uri, version, text, kind, encoding, message, "internal-error")

    async def current(self, uri: str) -> Linted | None:
        """The findings of the document as it is now: the published ones, or a fresh lint when
        an edit has not been linted yet."""
        now = self.text_of(uri)
        if now is None:
            return None
        text, version, kind = now
        linted = self.results.get(uri)
        if linted is not None and linted.version == version and linted.text == text:
            return linted
        return await self.lint(uri, version, text, kind, fresh=False)

    def changed_on_disk(self, uri: str) -> bool:
        """Did a configuration or ignore file that applies to ``uri`` change since its last lint?"""
        path = documents.uri_path(uri)
        if path is None:
            return False
        stamp = _stamp(path)
        known = self.stamps.get(path)
        self.stamps[path] = stamp
        return known is not None and known != stamp

    def reload(self) -> None:
        """Configuration or an ignore file changed: forget what was read and lint every open
        document again (a Dockerfile's findings depend on both)."""
        self.linter = _new_linter()
        self.stamps.clear()
        for uri in list(self.jobs):
            if self.text_of(uri) is not None:
                self.schedule(uri, 0, fresh=True)

    def close(self, uri: str) -> None:
        job = self.jobs.pop(uri, None)
        if job is not None and job.timer is not None:
            job.timer.cancel()
        self.results.pop(uri, None)

    def stop(self) -> None:
        for uri in list(self.jobs):
            self.close(uri)
        self.pool.shutdown(wait=False, cancel_futures=True)


def _stamp(path: Path) -> list[tuple[str, int]]:
    """Modification times of the files whose change alters ``path``'s findings: configuration files
    up to the repository root (where configuration discovery stops) and the ignore files beside it."""
    found = []
    names = [*documents.CONFIG_FILES, ".dockerignore", path.name + ".dockerignore"]
    for folder in [path.parent, *path.parent.parents]:
        for name in names:
            try:
                found.append((str(folder / name), os.stat(folder / name).st_mtime_ns))
            except OSError:
                continue
        if (folder / ".git").exists():
            break
        names = list(documents.CONFIG_FILES)
    return found


def _new_linter() -> Linter:
    from dfcheck.lint.engine import Linter

    return Linter()


server = DfcheckServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: DfcheckServer, params: lsp.InitializeParams) -> None:
    from dfcheck.lint.registry import load_rules

    options = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("debounce"), (int, float)):
        ls.debounce = max(0.0, options["debounce"] / 1000)
    load_rules()  # once, before any worker thread imports rule modules


@server.feature(lsp.INITIALIZED)
async def initialized(ls: DfcheckServer, params: lsp.InitializedParams) -> None:
    if ls.process_id is not None and sys.platform != "win32":
        ls.watchdog = asyncio.get_running_loop().create_task(_watch_client(ls.process_id))
    if not get_capability(
        ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False
    ):
        return
    watchers = [lsp.FileSystemWatcher(glob_pattern=f"**/{name}") for name in WATCHED]
    registration = lsp.Registration(
        id="dfcheck-watched-files",
        method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    await ls.client_register_capability_async(lsp.RegistrationParams([registration]))
    ls.watching = True


async def _watch_client(pid: int) -> None:
    """The protocol asks a server to exit when the process that started it is gone (an editor
    that crashed never sends ``exit``): check every few seconds, and exit with 1 as for an
    ``exit`` without ``shutdown``."""
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print(f"dfcheck server: the client process {pid} is gone; exiting", file=sys.stderr)
            _exit_now(1)
        except OSError:
            pass  # alive, owned by another user
        await asyncio.sleep(CLIENT_CHECK_SECONDS)


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: DfcheckServer, params: lsp.DidOpenTextDocumentParams) -> None:
    if kind_of(params.text_document.uri, params.text_document.language_id) is not None:
        ls.schedule(params.text_document.uri, 0, fresh=True)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: DfcheckServer, params: lsp.DidChangeTextDocumentParams) -> None:
    if params.text_document.uri in ls.jobs:
        ls.schedule(params.text_document.uri, ls.debounce)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: DfcheckServer, params: lsp.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if _affects_others(uri):
        ls.reload()
    elif uri in ls.jobs:
        ls.schedule(uri, 0, fresh=True)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: DfcheckServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri in ls.jobs:
        ls.close(uri)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: DfcheckServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    if any(_affects_others(change.uri) for change in params.changes):
        ls.reload()


def _affects_others(uri: str) -> bool:
    return documents.file_name(uri) in documents.CONFIG_FILES or kind_of(uri) == documents.DOCKERIGNORE


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=actions.KINDS, resolve_provider=False),
)
async def code_action(ls: DfcheckServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    linted = await ls.current(params.text_document.uri)
    if linted is None:
        return None
    lines, encoding = linted.lines, linted.encoding
    start = lines.from_position(params.range.start.line, params.range.start.character, encoding)
    end = lines.from_position(params.range.end.line, params.range.end.character, encoding)
    versioned = bool(
        get_capability(ls.client_capabilities, "workspace.workspace_edit.document_changes", False)
    )
    only = [str(getattr(k, "value", k)) for k in params.context.only] if params.context.only else None
    return actions.code_actions(linted, start, end, only, versioned) or None


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
async def hover(ls: DfcheckServer, params: lsp.HoverParams) -> lsp.Hover | None:
    linted = await ls.current(params.text_document.uri)
    if linted is None:
        return None
    at = linted.lines.from_position(params.position.line, params.position.character, linted.encoding)
    parts = [finding_hover(linted.findings[i], linted.fixes[i]) for i in linted.at(at, at, hover=True)]
    if linted.kind == DOCKERFILE:
        loop = asyncio.get_running_loop()
        cache = await loop.run_in_executor(ls.pool, _cache_hover, linted, at)
        if cache:
            parts.append(cache)
    if not parts:
        return None
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, "\n\n---\n\n".join(parts)))


def _cache_hover(linted: Linted, at: int) -> str | None:
    """The cache hover when ``at`` is on the keyword of a COPY, ADD or RUN (worker thread)."""
    for ins in linted.dockerfile.instructions:
        start, end = linted.lines.offsets(ins.keyword_span)
        if start <= at < end:
            if ins.keyword not in ("COPY", "ADD", "RUN"):
                return None
            model, ordering = linted.cache
            return cache_hover(model, ordering, ins)
    return None


@server.feature(lsp.SHUTDOWN)
def shutdown(ls: DfcheckServer, params: None) -> None:
    ls.shut_down = True
    ls.stop()


@server.feature(lsp.EXIT)
def exit_(ls: DfcheckServer, params: None) -> None:
    _exit_now(0 if ls.shut_down else 1)


def _exit_now(code: int) -> None:
    """End the process now. A clean interpreter exit would first join pygls's reader thread,
    which blocks on stdin until the client closes it; after ``exit`` (or without a client) no
    one waits for anything more, and lints still running are abandoned."""
    sys.stderr.flush()
    os._exit(code)


def serve() -> int:
    """Serve on stdin/stdout until ``exit`` or the end of input; 0 when ``shutdown`` came first,
    1 otherwise, as the protocol asks. Anything else writing to stdout would corrupt the
    protocol, so ``sys.stdout`` points at stderr while the server runs."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    server.start_io(stdin, stdout)
    return 0 if server.shut_down else 1
