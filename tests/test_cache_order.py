"""The cache-ordering analysis: its rules and ``dfcheck cache`` agree, and it meets its targets on
the hand-labelled application Dockerfiles (skipped when ``../shared`` is absent)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from dfcheck.build.cache import CacheModel
from dfcheck.build.context import load
from dfcheck.build.history import reorderings
from dfcheck.dockerfile.parse import parse
from dfcheck.dockerfile.source import decode
from dfcheck.lint.config import Settings
from dfcheck.lint.engine import lint_text
from dfcheck.lint.finding import UNSAFE
from dfcheck.lint.fixes import apply_fixes
from tests.conftest import REPO, lint

APPS = REPO.parent / "shared" / "corpus-apps"
sys.path.insert(0, str(REPO / "bench"))


def _apps() -> Path:
    if not APPS.is_dir():
        pytest.skip("shared application corpus not present")
    return APPS


def test_suggestions_and_findings_agree_on_every_application_dockerfile() -> None:
    """A DF101/DF151 finding with a fix has the same reordering in ``dfcheck cache`` and vice versa;
    findings without a fix are the cases the rule pages' "Fix safety" sections describe."""
    import cache_order_labels

    settings = Settings().replace(select=("DF101", "DF151"), shellcheck=False)
    checked = with_fix = 0
    for path in sorted(
        p
        for p in _apps().rglob("*")
        if p.is_file() and not p.name.endswith((".dockerignore", ".md", ".tsv", ".context.txt"))
    ):
        text, _ = decode(path.read_bytes())
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            cache_order_labels.materialise(path, root)
            result = lint_text(text, path.name, settings, root / "Dockerfile.linted", root)
            model = CacheModel(parse(text), context=load(root))
            suggested = {(r.rule, r.line) for r in reorderings(model) if r.rule in ("DF101", "DF151")}
        fixed = {
            (f.code, f.span.start_line)
            for f in result.findings
            if f.fix is not None and _in_needed_stage(model, f.span.start_line)
        }
        assert fixed == suggested, path
        checked += 1
        with_fix += len(fixed)
    assert checked > 400 and with_fix > 10


def _in_needed_stage(model: CacheModel, line: int) -> bool:
    """``dfcheck cache`` analyses the stages the target needs; the rules judge every stage."""
    ins = next(i for i in model.dockerfile.walk() if i.span.start_line <= line <= i.span.end_line)
    stage = model.model.stage_of(ins)
    return stage is not None and stage.index in model.needed


def test_labelled_precision_and_recall() -> None:
    """The targets of the cache-ordering issue, on our own labels (bench/labels/cache-order.md)."""
    import cache_order_labels

    _apps()
    labels = cache_order_labels.load_labels()
    tp = fp = fn = 0
    for key, label in labels.items():
        expected = {int(f["line"]) for f in label["flag"]}  # type: ignore[index, union-attr]
        got = set(cache_order_labels.predict(APPS / key))
        tp += len(expected & got)
        fp += len(got - expected)
        fn += len(expected - got)
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.90, (tp, fp, fn)


def test_fix_moves_the_install_above_the_broad_copy(tmp_path: Path) -> None:
    text = 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nENV NODE_ENV=production\nRUN npm ci\nCMD ["node", "s.js"]\n'
    files = {"package.json": "{}", "package-lock.json": "{}", "s.js": ""}
    (finding,) = lint(text, ("DF101",), files=files, tmp=tmp_path)
    assert finding.fix is not None and finding.fix.applicability == UNSAFE
    text = apply_fixes(text, [finding.fix])
    assert text == (
        "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n"
        'COPY . .\nENV NODE_ENV=production\nCMD ["node", "s.js"]\n'
    )
    assert not lint(text, ("DF101",), files=files, tmp=tmp_path)


def test_message_names_the_ecosystem_and_its_files(tmp_path: Path) -> None:
    text = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install --frozen-lockfile\n"
    (finding,) = lint(text, ("DF101",), files={"package.json": "", "yarn.lock": "", "a.js": ""}, tmp=tmp_path)
    assert "yarn install" in finding.message and "package.json yarn.lock" in finding.message
    assert "npm" not in finding.message and "package-lock" not in finding.message
    assert [r.span for r in finding.related] == [(4, 5, 4, 35)]


@pytest.mark.parametrize(
    "files",
    [{}, {"Dockerfile.dockerignore": "*\n!src\n!package.json\n"}],
    ids=["empty folder", "ignore file leaves nothing"],
)
def test_a_context_that_shows_nothing_is_not_the_real_one(tmp_path: Path, files: dict[str, str]) -> None:
    """The Dockerfile's folder shows nothing to a whole-context copy (empty, or the ignore file
    is an allowlist of what the folder lacks): the install's manifest is not there either, so the
    instructions are trusted, as for a folder that only lacks the manifest (Unleash in the issue 8
    corpus diff)."""
    text = "FROM node:22-alpine\nWORKDIR /app\nCOPY . /app\nRUN pnpm install --frozen-lockfile\n"
    (finding,) = lint(text, ("DF101",), files=files, tmp=tmp_path)
    assert finding.span.start_line == 3 and "pnpm install" in finding.message


_VENDORED = {
    "backend/go.mod": "module example.com/app\n\ngo 1.22\n",
    "backend/go.sum": "",
    "backend/vendor/modules.txt": "# example.com/dep v1.0.0\n",
    "backend/app/main.go": "package main\n",
}
_GO_BUILD = (
    "FROM golang:1.23 AS build\n"
    "ADD backend /build/backend\n"
    "WORKDIR /build/backend\n"
    "RUN cd app && go test ./...\n"
    "RUN go build -o /out/app ./app\n"
)


def test_vendored_go_modules_download_nothing(tmp_path: Path) -> None:
    """Go 1.14+ builds from ``vendor/`` beside go.mod by itself (as with ``-mod=vendor``): with the
    vendored tree copied from the build context, neither DF101 nor DF118 asks for the module
    download to be kept (umputun/remark42's layout, reported by DF118 in the issue 8 corpus diff)."""
    assert lint(_GO_BUILD, ("DF101", "DF118"), files=_VENDORED, tmp=tmp_path) == []


_BOTH = [("DF101", 2, 5, 2, 12), ("DF118", 4, 18, 4, 22), ("DF118", 5, 8, 5, 13)]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"drop": "backend/vendor/modules.txt"}, _BOTH),
        ({"go.mod": "module example.com/app\n\ngo 1.13\n"}, _BOTH),
        ({"dockerignore": "backend/vendor\n"}, _BOTH),
        ({"replace": ("go build", "go build -mod=mod")}, [("DF101", 2, 5, 2, 12), ("DF118", 5, 8, 5, 13)]),
        (
            {"replace": ("RUN cd", "ENV GOFLAGS=-mod=readonly\nRUN cd")},
            [("DF101", 2, 5, 2, 12), ("DF118", 5, 18, 5, 22), ("DF118", 6, 8, 6, 13)],
        ),
        (
            {"replace": ("go build", "GOFLAGS=-mod=mod go build")},
            [("DF101", 2, 5, 2, 12), ("DF118", 5, 25, 5, 30)],
        ),
        (
            {"replace": ("./app\n", "./app && go mod tidy\n")},
            [("DF101", 2, 5, 2, 12), ("DF118", 5, 42, 5, 46)],
        ),
        (
            {"replace": ("./app\n", "./app && go install golang.org/x/tools/cmd/goimports@v0.24.0\n")},
            [("DF101", 2, 5, 2, 12), ("DF118", 5, 38, 5, 45)],
        ),
        (
            {"replace": ("ADD backend /build/backend", "ADD backend/go.mod backend/app /build/backend/")},
            [("DF101", 2, 20, 2, 31), ("DF118", 4, 18, 4, 22), ("DF118", 5, 8, 5, 13)],
        ),
        ({"no context": True}, _BOTH),
    ],
    ids=[
        "not vendored",
        "go 1.13",
        "vendor ignored",
        "-mod=mod",
        "GOFLAGS",
        "GOFLAGS of the command",
        "go mod tidy",
        "go install at a version",
        "vendor not copied",
        "context unknown",
    ],
)
def test_go_modules_are_downloaded_unless_the_vendored_tree_is_used(
    tmp_path: Path, change: dict[str, object], expected: list[tuple[str, int, int, int, int]]
) -> None:
    """The module download is reported (DF101 at the copy, DF118 at the verb) when Go does not use
    a vendored tree: none in the image, go.mod older than 1.14, ``-mod=mod`` or ``-mod=readonly``,
    commands that ignore ``vendor/`` (``go mod tidy``, ``go install tool@version``), or no build
    context to look in."""
    files = dict(_VENDORED)
    text = _GO_BUILD
    files.pop(str(change.get("drop", "")), None)
    if "go.mod" in change:
        files["backend/go.mod"] = str(change["go.mod"])
    if "dockerignore" in change:
        files[".dockerignore"] = str(change["dockerignore"])
    if "replace" in change:
        old, new = change["replace"]  # type: ignore[misc]
        text = text.replace(old, new)
    context = {} if change.get("no context") else {"files": files, "tmp": tmp_path}
    findings = lint(text, ("DF101", "DF118"), **context)  # type: ignore[arg-type]
    assert sorted((f.code, *f.span) for f in findings) == expected, [f.message for f in findings]


def test_read_by_any_is_some_ecosystem_reading_the_file() -> None:
    """The one-lookup index of every ecosystem's file names answers as matching each of their
    patterns does."""
    import fnmatch

    from dfcheck.build import ecosystems

    names = {p for eco in ecosystems.ALL for p in (*eco.manifests, *eco.lockfiles, *eco.extras)}
    names |= {p.replace("*", "x") for p in names} | {p.replace("*", "") for p in names}
    names |= {"README.md", "src", "package.json.bak", "requirements", "a.csproj.user", "[", "Dockerfile"}
    for name in sorted(names):
        asked = any(
            fnmatch.fnmatchcase(name, p)
            for eco in ecosystems.ALL
            for p in (*eco.manifests, *eco.lockfiles, *eco.extras)
        )
        assert ecosystems.read_by_any(name) == asked, name
