"""Conformance with BuildKit's own parser test cases, read from the shared corpus when present.

BuildKit's ``frontend/dockerfile/parser/testfiles/<name>/Dockerfile`` files sit in the corpus as
``moby__buildkit/frontend__dockerfile__parser__testfiles__<name>__Dockerfile``; the dumps BuildKit
expects for them are data in ``buildkit_results.json`` (the test files themselves are not copied
into this repository).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dfcheck.cli.app import app
from dfcheck.dockerfile.parse import dump_buildkit, parse

HERE = Path(__file__).resolve().parent
BUILDKIT = HERE.parent.parent / "shared" / "corpus" / "moby__buildkit"
PREFIX = "frontend__dockerfile__parser__"
DATA = json.loads((HERE / "buildkit_results.json").read_text(encoding="utf-8"))
RESULTS: dict[str, str] = DATA["results"]
NEGATIVE: list[str] = DATA["negative"]

needs_corpus = pytest.mark.skipif(not BUILDKIT.is_dir(), reason="shared corpus not present")


def _testfile(name: str, negative: bool = False) -> Path:
    folder = "testfiles-negative" if negative else "testfiles"
    return BUILDKIT / f"{PREFIX}{folder}__{name}__Dockerfile"


def _read(path: Path) -> str:
    """The bytes as BuildKit reads them (parse drops one BOM; nothing else is touched)."""
    return path.read_bytes().decode("utf-8", "surrogateescape")


@needs_corpus
def test_every_testfile_has_an_expected_result() -> None:
    present = {
        p.name[len(PREFIX + "testfiles__") : -len("__Dockerfile")]
        for p in BUILDKIT.glob(f"{PREFIX}testfiles__*")
    }
    negative = {
        p.name[len(PREFIX + "testfiles-negative__") : -len("__Dockerfile")]
        for p in BUILDKIT.glob(f"{PREFIX}testfiles-negative__*")
    }
    assert present == set(RESULTS)
    assert negative == set(NEGATIVE)


@needs_corpus
@pytest.mark.parametrize("name", sorted(RESULTS))
def test_dump_matches_buildkit(name: str) -> None:
    dockerfile = parse(_read(_testfile(name)))
    assert not [e for e in dockerfile.errors if e.kind == "syntax"]
    assert dump_buildkit(dockerfile) == RESULTS[name]


@needs_corpus
@pytest.mark.parametrize("name", sorted(RESULTS))
def test_cli_prints_the_buildkit_dump(name: str) -> None:
    result = CliRunner().invoke(app, ["parse", "--format", "buildkit", str(_testfile(name))])
    assert result.stdout == RESULTS[name]


@needs_corpus
@pytest.mark.parametrize("name", NEGATIVE)
def test_negative_testfiles_exit_1(name: str) -> None:
    result = CliRunner().invoke(app, ["parse", "--format", "buildkit", str(_testfile(name, negative=True))])
    assert result.exit_code == 1
    assert "DF001" in result.stderr


@needs_corpus
def test_instruction_lines_of_testfile_line() -> None:
    """BuildKit's TestParseIncludesLineNumbers: blank lines and comments inside continuations."""
    dockerfile = parse(_read(BUILDKIT / f"{PREFIX}testfile-line__Dockerfile"))
    assert [(i.span.start_line, i.span.end_line) for i in dockerfile.instructions] == [
        (5, 5),
        (11, 12),
        (17, 31),
    ]
    assert dockerfile.instructions[2].empty_continuation_lines == [19, 20, 24, 27]
    assert dockerfile.directives["escape"].value == "\\"
