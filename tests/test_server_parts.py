"""The language server's parts in process: positions, fix selection, ignore comments, failure paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dfcheck.dockerfile.source import Span
from dfcheck.lint.config import Settings
from dfcheck.lint.engine import lint_text
from dfcheck.server import documents
from dfcheck.server.actions import _ignore_edits
from dfcheck.server.documents import DOCKERFILE, DOCKERIGNORE, Linted, kind_of
from dfcheck.server.fixes import TextEdit, compatible
from dfcheck.server.positions import UTF8, UTF16, UTF32, Lines

REPO = Path(__file__).resolve().parent.parent


def apply(text: str, edits: list[TextEdit]) -> str:
    for edit in sorted(edits, reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text


def test_columns_in_each_encoding() -> None:
    lines = Lines("a😀é b\nc")
    b = 4  # code points: a, 😀, é, space
    assert lines.position(b, UTF16) == (0, 5)
    assert lines.position(b, UTF8) == (0, 8)
    assert lines.position(b, UTF32) == (0, 4)
    assert lines.from_position(0, 5, UTF16) == b
    assert lines.from_position(0, 8, UTF8) == b
    assert lines.from_position(0, 2, UTF16) == 1  # inside the surrogate pair: the emoji itself
    assert lines.from_position(0, 99, UTF16) == 5  # past the end of the line: its end
    assert lines.from_position(7, 0, UTF16) == len(lines.text)
    assert lines.position(len(lines.text), UTF16) == (1, 1)


def test_spans_follow_the_parser_and_positions_the_client_on_a_lone_cr() -> None:
    # The parser splits lines at \n only; LSP also at \r and \r\n.
    lines = Lines("a\rb\r\nc\nd")
    assert lines.offsets(Span(1, 3, 2, 1)) == (2, 5)  # "b" is on our line 1, "c" starts our line 2
    assert lines.position(2, UTF16) == (1, 0)
    assert lines.position(5, UTF16) == (2, 0)
    assert lines.position(7, UTF16) == (3, 0)
    assert lines.from_position(1, 5, UTF16) == 3  # the end of "b", before \r\n
    assert lines.offsets(Span(1, 1, 2, 1)) == (0, 5)  # a whole-line span ends past its newline
    assert lines.offset(9, 1) == len(lines.text)


def test_fixes_applied_together_never_touch_each_other() -> None:
    def fix(*edits: tuple[int, int, str]) -> object:
        from dfcheck.server.fixes import QuickFix

        return QuickFix("t", "safe", tuple(TextEdit(*e) for e in edits))

    fixes = [
        fix((10, 12, "x")),
        fix((0, 4, "FROM")),
        fix((3, 6, "y")),  # overlaps the second
        fix((12, 12, "!")),  # inserts where the first ends
        fix((20, 20, "a"), (30, 31, "")),
        fix((20, 20, "b")),  # a second insertion at one offset
    ]
    assert compatible(fixes) == [  # type: ignore[arg-type]
        TextEdit(0, 4, "FROM"),
        TextEdit(10, 12, "x"),
        TextEdit(20, 20, "a"),
        TextEdit(30, 31, ""),
    ]


def _linted(text: str) -> Linted:
    result = lint_text(text, "Dockerfile", Settings().replace(shellcheck=False))
    return Linted("file:///w/Dockerfile", 1, text, DOCKERFILE, UTF16, result.findings)


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (
            "FROM node:latest",
            1,
            {
                "instruction": "# dfcheck ignore=DF702\nFROM node:latest",
                "stage": "FROM node:latest\n# dfcheck stage ignore=DF702",
                "file": "# dfcheck global ignore=DF702\nFROM node:latest",
            },
        ),
        (
            "#!/usr/bin/env docker\nFROM a AS b\n  # why\n  # dfcheck ignore=DF801  # reviewed\n  RUN x\n",
            5,
            {
                "instruction": "#!/usr/bin/env docker\nFROM a AS b\n  # why\n  # dfcheck ignore=DF801,DF702  # reviewed\n  RUN x\n",
                "stage": "#!/usr/bin/env docker\nFROM a AS b\n# dfcheck stage ignore=DF702\n  # why\n  # dfcheck ignore=DF801  # reviewed\n  RUN x\n",
                "file": "#!/usr/bin/env docker\n# dfcheck global ignore=DF702\nFROM a AS b\n  # why\n  # dfcheck ignore=DF801  # reviewed\n  RUN x\n",
            },
        ),
        (
            "# escape=`\n# dfcheck global ignore=DF1\nFROM a\n# dfcheck stage ignore=\nRUN x\nFROM b\n",
            5,
            {
                "instruction": "# escape=`\n# dfcheck global ignore=DF1\nFROM a\n# dfcheck stage ignore=\n# dfcheck ignore=DF702\nRUN x\nFROM b\n",
                "stage": "# escape=`\n# dfcheck global ignore=DF1\nFROM a\n# dfcheck stage ignore=DF702\nRUN x\nFROM b\n",
                "file": "# escape=`\n# dfcheck global ignore=DF1,DF702\nFROM a\n# dfcheck stage ignore=\nRUN x\nFROM b\n",
            },
        ),
    ],
)
def test_ignore_comments_go_where_they_take_effect(text: str, line: int, expected: dict[str, str]) -> None:
    edits = dict(_ignore_edits(_linted(text), "DF702", line))
    assert {scope: apply(text, [edit]) for scope, edit in edits.items()} == expected


def test_an_ignore_comment_it_inserts_silences_the_finding() -> None:
    text = "FROM a\nRUN apt install -y x\nFROM b AS c\nRUN sudo make\n"
    linted = _linted(text)
    (sudo,) = [f for f in linted.findings if f.code == "DF503"]
    for _, edit in _ignore_edits(linted, "DF503", sudo.span.start_line):
        after = lint_text(apply(text, [edit]), "Dockerfile", Settings().replace(shellcheck=False))
        assert "DF503" not in {f.code for f in after.findings}
        assert "DF002" not in {f.code for f in after.findings}


def test_a_failing_lint_becomes_one_diagnostic(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dfcheck.server.app import DfcheckServer

    def broken(*args: object, **kwargs: object) -> Linted:
        raise RecursionError("too deep")

    monkeypatch.setattr(documents, "lint_dockerfile", broken)
    server = DfcheckServer(workers=1)
    linted = server.lint_now("file:///w/Dockerfile", 3, "FROM a\n", DOCKERFILE, UTF16, False)
    server.stop()
    (diagnostic,) = linted.diagnostics
    assert diagnostic.code == "internal-error" and linted.version == 3
    assert (
        diagnostic.message == "dfcheck failed on this document: RecursionError('too deep') (please report it)"
    )
    assert (diagnostic.range.start.line, diagnostic.range.end.character) == (0, 6)
    assert "RecursionError: too deep" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("uri", "language", "kind"),
    [
        ("file:///w/Dockerfile", None, DOCKERFILE),
        ("file:///w/api.Dockerfile", None, DOCKERFILE),
        ("file:///w/Dockerfile.prod", None, DOCKERFILE),
        ("file:///w/Containerfile", None, DOCKERFILE),
        ("untitled:Untitled-1", "dockerfile", DOCKERFILE),
        ("file:///w/.dockerignore", "ignore", DOCKERIGNORE),
        ("file:///w/api.Dockerfile.dockerignore", None, DOCKERIGNORE),
        ("file:///w/Dockerfile.md", "markdown", None),
        ("file:///w/Dockerfile.prod", "plaintext", DOCKERFILE),
        ("file:///w/notes.txt", "plaintext", None),
        ("file:///w/my%20dir/Dockerfile", None, DOCKERFILE),
    ],
)
def test_which_documents_are_served(uri: str, language: str | None, kind: str | None) -> None:
    assert kind_of(uri, language) == kind


def test_without_the_lsp_extra_the_command_says_what_to_install() -> None:
    blocked = "import sys; sys.modules['pygls'] = None; sys.argv = ['dfcheck', 'server']; from dfcheck.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", blocked], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr == "dfcheck: error: the language server needs the lsp extra: pip install 'dfcheck[lsp]'\n"
    )
