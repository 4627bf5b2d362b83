"""``dfcheck server`` driven over stdio by a real LSP client (pytest-lsp), as an editor drives it.

Each test starts the server as a subprocess (``python -m dfcheck server``), initializes it with the
capabilities of a real client, and checks exact ranges, edits and texts.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

pytestmark = pytest.mark.asyncio(loop_scope="module")

EMOJI = 'FROM node:22\nRUN echo "é😀" && apt-get install curl\n'
DOCKERFILE = "FROM node:latest\nMAINTAINER me\nWORKDIR /app\nCOPY . .\nRUN npm install\n"


def _client() -> LanguageClient:
    """A client that records every publishDiagnostics with its version, and accepts registrations."""
    client = LanguageClient()
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: lsp.PublishDiagnosticsParams) -> None:
        client.published.append(params)  # type: ignore[attr-defined]
        client.diagnostics[params.uri] = params.diagnostics

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(params: lsp.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @client.feature(lsp.WINDOW_LOG_MESSAGE)
    def log(params: lsp.LogMessageParams) -> None:
        client.log_messages.append(params)

    return client


_ENV = {k: v for k, v in os.environ.items() if not k.startswith("DFCHECK_")}
SERVER = ClientServerConfig(
    [sys.executable, "-m", "dfcheck", "server"], client_factory=_client, server_env=_ENV
)


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient) -> Any:
    """One server, initialized as VS Code initializes it, shared by the tests of this module
    (each test works on documents of its own project directory)."""
    lsp_client.initialized_with = await start(lsp_client)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()
    assert lsp_client._server is not None and lsp_client._server.returncode == 0  # shutdown, then exit: 0


@pytest_lsp.fixture(config=SERVER, loop_scope="module")
async def fresh(lsp_client: LanguageClient) -> Any:
    """A server of its own, not initialized yet, for the tests of negotiation and of the lifecycle."""
    yield
    process = lsp_client._server
    if process is not None and process.returncode is None:
        process.kill()


#: The rules these tests look at, so that new rules in the rulebook leave them alone.
RULES = [
    "DF101",
    "DF118",
    "DF404",
    "DF405",
    "DF406",
    "DF504",
    "DF505",
    "DF506",
    "DF702",
    "DF720",
    "DF801",
    "DF802",
    "DF805",
    "DF807",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A build context: a Node project whose Dockerfile the tests open, configured to select
    :data:`RULES`. ``.git`` stops the configuration search here."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(f"[tool.dfcheck]\nselect = {json.dumps(RULES)}\n")
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "app.js").write_text("")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    return tmp_path


async def start(
    client: LanguageClient, spec: str = "visual-studio-code", **options: Any
) -> lsp.InitializeResult:
    capabilities = client_capabilities(spec)
    return await client.initialize_session(
        lsp.InitializeParams(capabilities=capabilities, initialization_options={"debounce": 0, **options})
    )


#: Seconds a test waits for a notification before it fails (instead of hanging).
PATIENCE = 60


async def published(client: LanguageClient, uri: str, version: int | None) -> list[lsp.Diagnostic]:
    """The diagnostics last published for ``uri`` at ``version`` (waiting for them)."""
    return await settled(client, uri, version, None)


async def settled(
    client: LanguageClient, uri: str, version: int | None, codes: list[str] | None
) -> list[lsp.Diagnostic]:
    """The diagnostics of ``uri`` at ``version`` once they have the ``codes`` (any codes: None):
    a change of configuration re-publishes the same version."""

    async def wait() -> list[lsp.Diagnostic]:
        while True:
            last = next((p for p in reversed(client.published) if p.uri == uri), None)  # type: ignore[attr-defined]
            if (
                last is not None
                and last.version == version
                and codes in (None, [d.code for d in last.diagnostics])
            ):
                return list(last.diagnostics)
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), PATIENCE)


def open_doc(
    client: LanguageClient, uri: str, text: str, language: str = "dockerfile", version: int = 1
) -> None:
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, language, version, text))
    )


def change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [lsp.TextDocumentContentChangeWholeDocument(text)],
        )
    )


def spans(diagnostics: list[lsp.Diagnostic]) -> list[tuple[Any, ...]]:
    return [
        (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in diagnostics
    ]


def apply_edit(text: str, action: lsp.CodeAction, uri: str) -> str:
    """Apply a code action's workspace edit as a UTF-16 client does (the tests' texts are ASCII)."""
    edit = action.edit
    assert edit is not None
    if edit.document_changes:
        (change,) = edit.document_changes
        assert isinstance(change, lsp.TextDocumentEdit) and change.text_document.uri == uri
        edits = list(change.edits)
    else:
        assert edit.changes is not None
        edits = list(edit.changes[uri])
    lines = [*text.splitlines(keepends=True), ""]

    def offset(p: lsp.Position) -> int:
        return sum(len(line) for line in lines[: p.line]) + p.character

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        assert isinstance(e, lsp.TextEdit)
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    return text


async def actions_at(
    client: LanguageClient, uri: str, line: int, character: int, only: list[str] | None = None
) -> dict[str, lsp.CodeAction]:
    position = lsp.Position(line, character)
    found = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri),
            lsp.Range(position, position),
            lsp.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return {a.title: a for a in found or [] if isinstance(a, lsp.CodeAction)}


async def test_diagnostics_follow_open_change_save_and_close(client: LanguageClient, project: Path) -> None:
    result: lsp.InitializeResult = client.initialized_with  # type: ignore[attr-defined]
    assert result.capabilities.position_encoding == lsp.PositionEncodingKind.Utf16
    assert result.capabilities.text_document_sync == lsp.TextDocumentSyncOptions(
        open_close=True,
        change=lsp.TextDocumentSyncKind.Full,
        will_save=False,
        will_save_wait_until=False,
        save=True,
    )
    uri = (project / "Dockerfile").as_uri()
    open_doc(client, uri, DOCKERFILE)
    first = await published(client, uri, 1)
    assert spans(first) == [
        ("DF702", 0, 10, 0, 16),
        ("DF801", 1, 0, 1, 10),
        ("DF101", 3, 5, 3, 6),
        ("DF118", 4, 8, 4, 15),
    ]
    maintainer, copy = first[1], first[2]
    assert list(maintainer.tags or ()) == [lsp.DiagnosticTag.Deprecated]
    assert maintainer.severity == lsp.DiagnosticSeverity.Warning and maintainer.source == "dfcheck"
    assert maintainer.code_description is not None
    assert maintainer.code_description.href.endswith("/rules/style/DF801_maintainer_deprecated.md")
    assert copy.related_information is not None
    (related,) = copy.related_information
    assert related.location.uri == uri and related.message == "npm install that re-runs"
    assert (related.location.range.start.line, related.location.range.start.character) == (4, 4)

    change(client, uri, DOCKERFILE.replace("node:latest", "node:22"), 2)
    assert [d.code for d in await published(client, uri, 2)] == ["DF801", "DF101", "DF118"]
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    change(client, uri, "FROM node:22\nRUN apt-get install curl\n", 3)
    assert spans(await published(client, uri, 3)) == [
        ("DF504", 1, 12, 1, 19),
        ("DF505", 1, 12, 1, 19),
        ("DF720", 1, 20, 1, 24),
    ]
    change(client, uri, EMOJI, 4)
    assert spans(await published(client, uri, 4))[0] == ("DF504", 1, 26, 1, 33)  # UTF-16 columns
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    assert await published(client, uri, None) == []


async def test_quick_fixes_and_ignore_comments_apply(client: LanguageClient, project: Path) -> None:
    uri = (project / "Dockerfile").as_uri()
    text = "# syntax=docker/dockerfile:1\nFROM node:22 AS build\nRUN apt install -y curl\nFROM node:latest\n"
    open_doc(client, uri, text)
    assert [d.code for d in await published(client, uri, 1)] == ["DF506", "DF505", "DF720", "DF702"]

    found = await actions_at(client, uri, 2, 5)
    assert sorted(found) == [
        "Fix all safe dfcheck problems",
        "Ignore DF506 for this file",
        "Ignore DF506 for this instruction",
        "Ignore DF506 for this stage",
        "Use apt-get (DF506)",
    ]
    fix = found["Use apt-get (DF506)"]
    assert fix.kind == lsp.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics is not None and fix.diagnostics[0].code == "DF506"
    fixed = apply_edit(text, fix, uri)
    assert fixed == text.replace("RUN apt install", "RUN apt-get install")

    assert apply_edit(text, found["Ignore DF506 for this instruction"], uri) == text.replace(
        "RUN apt", "# dfcheck ignore=DF506\nRUN apt"
    )
    assert apply_edit(text, found["Ignore DF506 for this stage"], uri) == text.replace(
        "AS build\n", "AS build\n# dfcheck stage ignore=DF506\n"
    )
    ignored = apply_edit(text, found["Ignore DF506 for this file"], uri)
    assert ignored == text.replace("dockerfile:1\n", "dockerfile:1\n# dfcheck global ignore=DF506\n")

    change(client, uri, ignored, 2)
    assert [d.code for d in await published(client, uri, 2)] == ["DF505", "DF720", "DF702"]
    again = await actions_at(client, uri, 3, 20)
    extended = apply_edit(ignored, again["Ignore DF720 for this file"], uri)
    assert "# dfcheck global ignore=DF506,DF720\n" in extended
    change(client, uri, extended, 3)
    assert [d.code for d in await published(client, uri, 3)] == ["DF505", "DF702"]


async def test_unsafe_fixes_say_so_and_fix_all_applies_only_safe_ones(
    client: LanguageClient, project: Path
) -> None:
    uri = (project / "Dockerfile").as_uri()
    text = "from node:22 as build\nMAINTAINER me\nADD app.js /app/\nrun echo hi\n"
    open_doc(client, uri, text)
    assert [d.code for d in await published(client, uri, 1)] == ["DF807", "DF801", "DF802", "DF807"]
    unsafe = await actions_at(client, uri, 1, 2)
    assert "Replace with an org.opencontainers.image.authors label (DF801, unsafe fix)" in unsafe
    assert not unsafe[
        "Replace with an org.opencontainers.image.authors label (DF801, unsafe fix)"
    ].is_preferred

    (fix_all,) = (await actions_at(client, uri, 0, 0, only=[lsp.CodeActionKind.SourceFixAll])).values()
    assert fix_all.kind == "source.fixAll.dfcheck"
    fixed = apply_edit(text, fix_all, uri)
    assert fixed == "FROM node:22 as build\nMAINTAINER me\nCOPY app.js /app/\nRUN echo hi\n"
    change(client, uri, fixed, 2)
    # Uppercasing FROM makes the lowercase `as` inconsistent: fixing all again settles it.
    assert [d.code for d in await published(client, uri, 2)] == ["DF805", "DF801"]
    (fix_all,) = (await actions_at(client, uri, 0, 0, only=["source"])).values()
    fixed = apply_edit(fixed, fix_all, uri)
    assert fixed.startswith("FROM node:22 AS build\n")
    change(client, uri, fixed, 3)
    assert [d.code for d in await published(client, uri, 3)] == ["DF801"]
    assert not await actions_at(client, uri, 0, 0, only=[lsp.CodeActionKind.SourceFixAll])


async def test_hover_explains_findings_and_cache_keys(client: LanguageClient, project: Path) -> None:
    uri = (project / "Dockerfile").as_uri()
    open_doc(client, uri, DOCKERFILE)
    await published(client, uri, 1)

    async def hover(line: int, character: int) -> str | None:
        found = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, character))
        )
        if found is None:
            return None
        assert (
            isinstance(found.contents, lsp.MarkupContent) and found.contents.kind == lsp.MarkupKind.Markdown
        )
        return found.contents.value

    tag = await hover(0, 12)
    assert tag is not None and tag.startswith(
        "**DF702** `latest-tag` (warning): A base image uses the 'latest' tag\n"
    )
    assert "**Use instead**\n\n```dockerfile\nFROM node:22.11-alpine" in tag
    assert tag.endswith("/rules/reproducibility/DF702_latest_tag.md)")
    maintainer = await hover(1, 2)
    assert maintainer is not None
    assert "**Fix** (unsafe): Replace with an org.opencontainers.image.authors label" in maintainer
    assert await hover(2, 1) is None  # WORKDIR: no finding, no cache hint

    run = await hover(4, 1)
    assert run == "\n".join(
        [
            "**Layer cache** of this `RUN` (stage-0)",
            "",
            "Its cache key is the previous step's key plus:",
            "- its text (heredoc bodies included; the shell expands variables, not BuildKit)",
            "",
            "It re-runs when an earlier step misses. Earlier steps whose inputs change without an edit here:",
            "- line 4 `COPY . .`: any file of the context",
            "- line 1 `FROM node:latest`: a new image for the base reference (when it is pulled again)",
            "",
            "**DF101**: `COPY . .` (line 4) copies sources before this npm install, so every source edit "
            "re-runs it; copy package.json first.",
        ]
    )
    copy = await hover(3, 0)
    assert copy is not None and "- the content of the whole build context: 4 files now\n" in copy


async def test_configuration_and_ignore_files_are_reread(client: LanguageClient, project: Path) -> None:
    uri = (project / "Dockerfile").as_uri()
    text = "FROM node:latest\nCOPY app.js /app/\n"
    open_doc(client, uri, text)
    assert [d.code for d in await published(client, uri, 1)] == ["DF702"]
    (registration,) = client.registrations  # type: ignore[attr-defined]
    assert registration.method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES

    ignore = project / ".dockerignore"
    ignore.write_text("*.js\nmissing-dir\n[z-\n")
    (project / "pyproject.toml").write_text(
        f'[tool.dfcheck]\nselect = {json.dumps(RULES)}\nignore = ["DF702"]\n'
    )
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [
                lsp.FileEvent(ignore.as_uri(), lsp.FileChangeType.Created),
                lsp.FileEvent((project / "pyproject.toml").as_uri(), lsp.FileChangeType.Created),
            ]
        )
    )
    # The ignore file now excludes app.js (DF404), and Docker rejects its third line (DF406): the
    # build fails, so the Dockerfile says so on its first line, pointing at the pattern.
    _, invalid = await settled(client, uri, 1, ["DF404", "DF406"])
    assert spans([invalid]) == [("DF406", 0, 0, 0, 16)]
    assert invalid.severity == lsp.DiagnosticSeverity.Error
    assert invalid.message.startswith(".dockerignore:3: '[z-' is not a valid pattern")
    (where,) = invalid.related_information or ()
    assert where.location.uri == ignore.as_uri()
    assert (where.location.range.start.line, where.location.range.end.character) == (2, 3)

    ignore_uri = ignore.as_uri()
    open_doc(client, ignore_uri, "*.js\nmissing-dir\n[z-\n", language="ignore")
    diagnostics = await published(client, ignore_uri, 1)
    assert spans(diagnostics) == [("dead-pattern", 1, 0, 1, 11), ("DF406", 2, 0, 2, 3)]
    assert list(diagnostics[0].tags or ()) == [lsp.DiagnosticTag.Unnecessary]
    assert diagnostics[1].severity == lsp.DiagnosticSeverity.Error
    assert diagnostics[1].code_description is not None
    assert diagnostics[1].code_description.href.endswith("/rules/context/DF406_invalid_ignore_pattern.md")

    # Editing the ignore file checks the buffer against the disk: `*.js` matches app.js.
    change(client, ignore_uri, "*.py\n", 2)
    assert spans(await published(client, ignore_uri, 2)) == [("dead-pattern", 0, 0, 0, 4)]


async def test_saves_and_ignore_file_edits_read_the_build_context_again(
    client: LanguageClient, project: Path
) -> None:
    uri = (project / "Dockerfile").as_uri()
    text = "FROM node:22\nCOPY package.json requirements.txt /app/\n"
    open_doc(client, uri, text)
    assert [d.code for d in await published(client, uri, 1)] == ["DF405"]
    (project / "requirements.txt").write_text("flask\n")
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    await settled(client, uri, 1, [])

    # An ignore file's patterns are checked against the directory as it is at each edit.
    ignore = (project / ".dockerignore").as_uri()
    open_doc(client, ignore, "*.py\n", language="ignore")
    assert spans(await published(client, ignore, 1)) == [("dead-pattern", 0, 0, 0, 4)]
    (project / "tool.py").write_text("")
    change(client, ignore, "*.py\n", 2)
    assert await published(client, ignore, 2) == []


async def test_configuration_errors_and_broken_documents_keep_the_server_alive(
    client: LanguageClient, project: Path
) -> None:
    (project / ".dfcheck.toml").write_text("select = 3\n")
    uri = (project / "Dockerfile").as_uri()
    open_doc(client, uri, DOCKERFILE)
    (problem,) = await published(client, uri, 1)
    assert problem.code == "config" and problem.severity == lsp.DiagnosticSeverity.Error
    assert problem.message.startswith("configuration: ") and "'select'" in problem.message
    assert spans([problem]) == [("config", 0, 0, 0, 16)]
    (project / ".dfcheck.toml").unlink()

    broken = project / "Broken.Dockerfile"
    texts = [
        "RUN <<EOF\nunterminated heredoc\n",
        "\x00\x01\x02 FROM \ud800 \\\n",
        "FROM a\nRUN " + "(" * 5000 + "\n",
        "\r\r\rFROM x\rRUN y\r",
        "ONBUILD ONBUILD ONBUILD RUN x\n" * 50,
    ]
    open_doc(client, broken.as_uri(), texts[0])
    assert await published(client, broken.as_uri(), 1)
    for version, text in enumerate(texts[1:], start=2):
        change(client, broken.as_uri(), text, version)
        await published(client, broken.as_uri(), version)
    change(client, uri, DOCKERFILE, 2)
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent((project / ".dfcheck.toml").as_uri(), lsp.FileChangeType.Deleted)]
        )
    )
    await settled(client, uri, 2, ["DF702", "DF801", "DF101", "DF118"])


async def test_utf8_positions_other_files_and_exit_without_shutdown(
    fresh: LanguageClient, project: Path
) -> None:
    client = fresh
    result = await start(client, "neovim@v0.11.0")
    assert result.capabilities.position_encoding == lsp.PositionEncodingKind.Utf8
    uri = (project / "Dockerfile").as_uri()
    open_doc(client, uri, EMOJI)
    # "é" is 2 bytes and "😀" 4 in UTF-8 (1 and 2 in UTF-16): `install` starts at byte 29.
    assert spans(await published(client, uri, 1))[0] == ("DF504", 1, 29, 1, 36)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 40))
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.value.startswith("**DF720** `apt-unpinned`")

    readme = (project / "README.md").as_uri()
    open_doc(client, readme, "FROM node:latest\n", language="markdown")
    change(client, uri, DOCKERFILE, 2)
    await published(client, uri, 2)
    assert readme not in client.diagnostics
    assert (
        await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(readme), lsp.Position(0, 1))
        )
        is None
    )

    client.exit(None)
    assert client._server is not None and await client._server.wait() == 1


async def test_the_server_exits_when_its_client_process_is_gone(fresh: LanguageClient) -> None:
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "")
    await gone.wait()
    await fresh.initialize_session(
        lsp.InitializeParams(capabilities=client_capabilities("neovim"), process_id=gone.pid)
    )
    assert fresh._server is not None
    assert await asyncio.wait_for(fresh._server.wait(), PATIENCE) == 1


async def test_a_slow_document_does_not_hold_up_the_others(client: LanguageClient, project: Path) -> None:
    slow = (project / "Slow.Dockerfile").as_uri()
    fast = (project / "Dockerfile").as_uri()
    install = "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    open_doc(client, slow, "FROM debian:12\n" + install * 3000)
    open_doc(client, fast, "FROM node:latest\n")
    assert [d.code for d in await published(client, fast, 1)] == ["DF702"]
    assert slow not in client.diagnostics  # still being linted, in a thread of its own
    assert len(await published(client, slow, 1)) == 6000  # DF505 and DF720 on each install
