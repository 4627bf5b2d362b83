"""Context rules (DF401-DF406): exact positions on context trees, stdin, what is listed and when."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dfcheck.build import context
from dfcheck.lint.config import Settings
from dfcheck.lint.engine import Linter, lint_text
from tests.conftest import lint, positions, refusing_read_bytes

CONTEXT_RULES = ("DF401", "DF402", "DF403", "DF404", "DF405", "DF406")


def found(text: str, files: dict[str, str], tmp: Path, **settings: object) -> list[tuple[str, int, int]]:
    findings = lint(text, CONTEXT_RULES, files=files, tmp=tmp, **settings)
    return sorted((f.code, f.span.start_line, f.span.start_col) for f in findings)


def test_stdin_has_no_context() -> None:
    text = "FROM alpine\nCOPY missing.txt /x\nCOPY . /app\n"
    assert lint_text(text, "-", Settings(select=CONTEXT_RULES)).findings == []


def test_secret_in_shipped_and_build_stages(tmp_path: Path) -> None:
    text = (
        "FROM alpine AS build\nCOPY . /src\n"
        "FROM alpine AS unused\nCOPY .env /x\n"
        "FROM alpine\nCOPY --from=build /src/out /out\nCOPY deploy/ /deploy/\n"
    )
    files = {".env": "A=1\n", "deploy/id_ed25519": "key\n", "out": "x\n", ".dockerignore": "*.md\n"}
    # The unused stage is never built; the build stage copies both secrets, the final one the key.
    assert found(text, files, tmp_path) == [("DF402", 7, 6), ("DF403", 2, 6)]


def test_secret_content_checks(tmp_path: Path) -> None:
    files = {
        "ca.pem": "-----BEGIN CERTIFICATE-----\n",
        "key.pem": "-----BEGIN PRIVATE KEY-----\n",
        ".npmrc": "registry=https://r.example.com\n",
        "sub/.npmrc": "//r.example.com/:_authToken=abc\n",
        ".dockerignore": "nothing\n",
    }
    text = "FROM alpine\nCOPY ca.pem /a\nCOPY key.pem /b\nCOPY .npmrc /c\nCOPY sub /d\n"
    assert found(text, files, tmp_path) == [("DF402", 3, 6), ("DF402", 5, 6)]


def test_no_dockerignore_with_venv_and_build_output(tmp_path: Path) -> None:
    files = {"venv/pyvenv.cfg": "home = /usr\n", "venv/lib/x.py": "x\n", "app.py": "x\n"}
    assert found("FROM python\nCOPY ./ /app\n", files, tmp_path) == [("DF401", 2, 6)]
    (tmp_path / ".dockerignore").write_text("venv\n")
    assert found("FROM python\nCOPY ./ /app\n", {}, tmp_path) == []


def test_dockerfile_specific_ignore_file(tmp_path: Path) -> None:
    files = {"notes.md": "x\n", "app.Dockerfile.dockerignore": "*.txt\n", ".dockerignore": "*.md\n"}
    text = "FROM alpine\nCOPY notes.md /n\n"
    assert found(text, files, tmp_path, dockerfile_name="app.Dockerfile") == []
    assert found(text, files, tmp_path) == [("DF404", 2, 6)]


def test_ignored_with_exceptions_and_wildcards(tmp_path: Path) -> None:
    files = {
        "docs/a.md": "x\n",
        "docs/keep/b.md": "x\n",
        "logs/x.log": "x\n",
        "conf/app.conf": "x\n",
        ".dockerignore": "docs\n!docs/keep\n**/*.log\n",
    }
    text = (
        "FROM alpine\nCOPY docs /docs\nCOPY docs/a.md /a\nCOPY logs/*.log /logs/\n"
        "COPY conf/*.conf /etc/\nCOPY docs/keep/b.md /b\n"
    )
    assert found(text, files, tmp_path) == [("DF404", 3, 6), ("DF404", 4, 6)]


def test_not_found(tmp_path: Path) -> None:
    files = {"bin/app": "x\n", ".dockerignore": "x\n"}
    text = (
        "FROM alpine\nARG NAME=app\nCOPY bin/$NAME /usr/bin/\nCOPY bin/other /usr/bin/\n"
        "COPY --from=alpine /etc/hosts /h\nADD https://example.com/x /x\nCOPY <<EOF /y\nhi\nEOF\n"
    )
    assert found(text, files, tmp_path) == [("DF405", 4, 6)]
    other = "FROM alpine\nARG NAME=app\nCOPY bin/$NAME /usr/bin/\n"
    assert found(other, files, tmp_path, build_args={"NAME": "nope"}) == [("DF405", 3, 6)]


def test_target_limits_stages(tmp_path: Path) -> None:
    files = {"a": "x\n", ".dockerignore": "x\n"}
    text = "FROM alpine AS one\nCOPY a /a\nFROM alpine AS two\nCOPY missing /m\n"
    assert found(text, files, tmp_path, target="one") == []
    assert found(text, files, tmp_path) == [("DF405", 4, 6)]


def test_copy_source_not_found_needs_evidence_of_the_context(tmp_path: Path) -> None:
    """With the context only assumed (the Dockerfile's folder), misses count once a source is found there."""
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    dockerfile = service / "Dockerfile"
    text = "FROM alpine:3.20\nCOPY services/api/app.py /app/\nCOPY requirements.txt /app/\n"
    dockerfile.write_text(text)
    settings = Settings().replace(select=("DF405",))
    assert lint_text(text, "Dockerfile", settings, dockerfile).findings == []
    (service / "requirements.txt").write_text("flask\n")
    found = lint_text(text, "Dockerfile", settings, dockerfile).findings
    assert [(f.span.start_line, f.span.start_col) for f in found] == [(2, 6)]
    (service / "app.py").write_text("print()\n")
    root_context = lint_text(text, "Dockerfile", settings, dockerfile, tmp_path).findings
    assert [(f.span.start_line, f.span.start_col) for f in root_context] == [(3, 6)]


class _Entries:
    """A listing read in advance, usable as ``os.scandir``'s iterator is (also in ``with``)."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self._entries = iter(entries)

    def __iter__(self) -> _Entries:
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self._entries)

    def __enter__(self) -> _Entries:
        return self

    def __exit__(self, *_: object) -> None:
        return None


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every directory entry the context code lists (by wrapping ``os.scandir``), caches cleared."""
    seen: list[str] = []
    real = os.scandir

    def scandir(path: str) -> _Entries:
        entries = list(real(path))
        seen.extend(entry.path for entry in entries)
        return _Entries(entries)

    context.clear_cache()
    monkeypatch.setattr(context.os, "scandir", scandir)
    yield seen
    context.clear_cache()


def _project(root: Path) -> None:
    for folder in ("src/app", "docs", "node_modules/pkg", ".git"):
        (root / folder).mkdir(parents=True)
        for i in range(5):
            (root / folder / f"f{i}.txt").write_text("x\n")
    (root / "src" / ".env").write_text("TOKEN=1\n")


def test_no_context_read_lists_nothing(tmp_path: Path, listed: list[str]) -> None:
    _project(tmp_path)
    text = "FROM alpine:3.20\nRUN echo hello\nCOPY --from=alpine:3.20 /etc/hosts /hosts\n"
    (tmp_path / "Dockerfile").write_text(text)
    result = Linter(None, Settings(extend_select=("DF",))).lint_file(tmp_path / "Dockerfile", "Dockerfile")
    assert result.error is None
    assert [p for p in listed if p.startswith(str(tmp_path))] == []


def test_copy_of_a_directory_lists_only_that_directory(tmp_path: Path, listed: list[str]) -> None:
    _project(tmp_path)
    (tmp_path / ".dockerignore").write_text("docs\n")
    text = "FROM alpine:3.20\nCOPY src ./src\n"
    (tmp_path / "Dockerfile").write_text(text)
    result = Linter(None, Settings(extend_select=("DF",))).lint_file(tmp_path / "Dockerfile", "Dockerfile")
    assert [(f.code, f.span.start_line) for f in result.findings if f.code.startswith("DF4")] == [
        ("DF402", 2)
    ]
    shown = sorted(os.path.relpath(p, tmp_path) for p in listed if p.startswith(str(tmp_path)))
    assert shown == ["src/.env", "src/app", *(f"src/app/f{i}.txt" for i in range(5))]


def test_wildcard_at_the_top_lists_the_top_level_and_what_it_matches(
    tmp_path: Path, listed: list[str]
) -> None:
    _project(tmp_path)
    (tmp_path / "package.json").write_text("{}\n")
    (tmp_path / "conf.json").mkdir()
    (tmp_path / "conf.json" / "a").write_text("x\n")
    build = context.load(tmp_path)
    assert [f.path for f in build.files("*.json")] == ["conf.json/a", "package.json"]
    below = {os.path.relpath(p, tmp_path) for p in listed if p.startswith(str(tmp_path))}
    assert below == {"src", "docs", "node_modules", ".git", "package.json", "conf.json", "conf.json/a"}


def test_a_shared_context_is_listed_once_for_many_dockerfiles(tmp_path: Path, listed: list[str]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("x\n")
    paths = []
    for name in ("one.Dockerfile", "two.Dockerfile", "three.Dockerfile"):
        path = tmp_path / name
        path.write_text("FROM python\nCOPY . /app\nCOPY .env /x\n")
        paths.append(path)
    linter = Linter(None, Settings(select=CONTEXT_RULES))
    results = [linter.lint_file(p, p.name, tmp_path) for p in paths]
    assert [[(f.code, f.span.start_line) for f in r.findings] for r in results] == [
        [("DF401", 2), ("DF405", 3)]
    ] * 3
    assert positions(results[0].findings, "DF401") == [(2, 6, 2, 7)]
    assert sorted(os.path.relpath(p, tmp_path) for p in listed) == sorted(
        [".git", ".git/HEAD", "src", "src/a.py", *(p.name for p in paths)]
    )


def _deep(root: Path, levels: int) -> Path:
    """``root/d/d/.../d`` (``levels`` deep), made without recursion, with a file at the bottom."""
    path = root
    for _ in range(levels):
        path = path / "d"
        path.mkdir()
    (path / "f.txt").write_text("x\n")
    return path


@pytest.fixture
def deep_tree(tmp_path: Path) -> Iterator[Path]:
    """1,100 levels below ``tmp_path``, removed bottom-up afterwards (rmtree recurses, and pytest's too)."""
    bottom = _deep(tmp_path, 1100)
    yield bottom
    (bottom / "f.txt").unlink()
    while bottom != tmp_path:
        bottom.rmdir()
        bottom = bottom.parent


def test_a_very_deep_tree_is_walked_without_recursion(tmp_path: Path, deep_tree: Path) -> None:
    bottom = deep_tree
    deepest = os.path.relpath(bottom / "f.txt", tmp_path).replace(os.sep, "/")
    (tmp_path / ".dockerignore").write_text("**/f.txt\n!d/d\n")
    build = context.load(tmp_path)
    assert build.excluded(deepest)
    assert [f.path for f in build.files("d")] == []
    assert build.exists(deepest)
    assert context.files_below(tmp_path, "d") == [deepest]
    text = "FROM alpine:3.20\nCOPY . /app\n"
    (tmp_path / "Dockerfile").write_text(text)
    assert (
        lint_text(text, "Dockerfile", Settings(select=CONTEXT_RULES), tmp_path / "Dockerfile").error is None
    )


def test_symlink_loops_and_links_out_of_the_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ctx"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "app.conf").write_text("x\n")
    (root / "loop").symlink_to("loop")
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("a")
    (root / "up").symlink_to("../..")
    (root / "link").symlink_to("/")
    probed: list[str] = []
    real_lstat = os.lstat

    def lstat(path: str) -> os.stat_result:
        probed.append(os.fspath(path))
        return real_lstat(path)

    monkeypatch.setattr(context.os, "lstat", lstat)
    build = context.load(root)
    assert build.resolve("loop") is None and build.resolve("a/x") is None
    through_root, through_parents = build.resolve("link/etc/app.conf"), build.resolve("up/up/etc/app.conf")
    assert (
        through_root is not None and through_root.path == "etc/app.conf" and through_root.links == ("link",)
    )
    assert through_parents is not None and through_parents.path == "etc/app.conf"
    assert not build.exists("link/root/.bashrc") and not build.exists("up/etc/passwd")
    assert [f.path for f in build.files("link/etc")] == ["etc/app.conf"]
    outside = [p for p in probed if not p.startswith(str(root) + os.sep) and not str(root).startswith(p)]
    assert outside == []
    text = "FROM alpine:3.20\nCOPY link/etc/app.conf /etc/\nCOPY link/root/.bashrc /x\nCOPY loop /y\n"
    assert found(text, {}, root) == [("DF405", 3, 6), ("DF405", 4, 6)]


def test_links_are_followed_only_when_sent(tmp_path: Path) -> None:
    files = {"real/.env": "A=1\n", ".dockerignore": "alias\n"}
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    (tmp_path / "alias").symlink_to("real")
    (tmp_path / "other").symlink_to("real")
    build = context.load(tmp_path)
    assert build.files("alias") == [] and [f.path for f in build.files("other")] == ["real/.env"]
    text = "FROM alpine:3.20\nCOPY alias /a\nCOPY other /b\n"
    assert found(text, {}, tmp_path) == [("DF402", 3, 6), ("DF404", 2, 6)]


def test_unreadable_ignore_file_is_one_file_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Path, "read_bytes", refusing_read_bytes(".dockerignore"))
    (tmp_path / ".dockerignore").write_text("*.md\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine\nCOPY . /app\n")
    result = Linter(None, Settings(extend_select=("DF",))).lint_file(tmp_path / "Dockerfile", "Dockerfile")
    assert result.error == f"Dockerfile:1:1: cannot read {tmp_path / '.dockerignore'}: Permission denied"
    assert result.findings == [] and result.text == ""


def test_unreadable_directory_in_what_is_copied_is_a_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("src/locked/a.py", "src/ok.py", "other/locked/b.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    real = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    context.clear_cache()
    monkeypatch.setattr(context.os, "scandir", scandir)
    settings = Settings(select=CONTEXT_RULES)
    text = "FROM alpine:3.20\nCOPY other/ok.py* /x\nCOPY src /src\n"
    result = lint_text(text, "Dockerfile", settings, tmp_path / "Dockerfile", tmp_path)
    assert result.error == "Dockerfile:1:1: cannot read src/locked: Permission denied"
    fine = lint_text("FROM alpine:3.20\nCOPY src/ok.py /x\n", "Dockerfile", settings, None, tmp_path)
    assert fine.error is None
    context.clear_cache()


def test_invalid_ignore_pattern_points_into_the_ignore_file(tmp_path: Path) -> None:
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    (service / ".dockerignore").write_text("# build output\nbuild\\output\n  [\n")
    (service / "app.py").write_text("x\n")
    text = "FROM python:3.12-slim\nCOPY app.py /app/\n"
    (service / "Dockerfile").write_text(text)
    result = Linter(None, Settings(select=CONTEXT_RULES)).lint_file(
        service / "Dockerfile", "services/api/Dockerfile"
    )
    shown = [(f.code, f.path, *f.span) for f in result.findings]
    ignore_file = os.path.join("services", "api", ".dockerignore")
    assert shown == [("DF406", ignore_file, 2, 1, 2, 13), ("DF406", ignore_file, 3, 3, 3, 4)]
    assert result.findings[0].source_line == "build\\output"


def test_context_report_lists_every_directory_once(tmp_path: Path, listed: list[str]) -> None:
    from dfcheck.build.inventory import context_report

    _project(tmp_path)
    (tmp_path / ".dockerignore").write_text("node_modules\n.git\n")
    every = sorted(os.path.join(d, n) for d, dirs, files in os.walk(tmp_path) for n in dirs + files)
    listed.clear()
    report = context_report(tmp_path)
    assert (report["included_files"], report["excluded_files"]) == (12, 10)
    assert sorted(listed) == every


def test_a_directory_that_cannot_be_searched_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "private" / "app").mkdir(parents=True)
    real = os.lstat

    def lstat(path: str) -> os.stat_result:
        if os.path.dirname(path).endswith("private"):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(context.os, "lstat", lstat)
    text = "FROM alpine:3.20\nCOPY private/app /app\n"
    result = lint_text(text, "Dockerfile", Settings(select=CONTEXT_RULES), None, tmp_path)
    assert result.error == "Dockerfile:1:1: cannot read private/app: Permission denied"


def test_no_rule_lists_outside_the_context_through_a_link(tmp_path: Path, listed: list[str]) -> None:
    root = tmp_path / "ctx"
    (root / "app").mkdir(parents=True)
    (root / "app" / "package.json").write_text("{}\n")
    (root / "link").symlink_to("/")
    text = "FROM node:20\nWORKDIR /app\nCOPY link/ ./\nCOPY link/etc/*.conf ./\nRUN npm ci\n"
    (root / "Dockerfile").write_text(text)
    every_rule_but_shellcheck = Linter(None, Settings(extend_select=("DF",), ignore=("DF500",)))
    result = every_rule_but_shellcheck.lint_file(root / "Dockerfile", "Dockerfile", root)
    assert result.error is None
    assert [p for p in listed if not p.startswith(str(root) + os.sep)] == []
    assert sorted({os.path.dirname(os.path.relpath(p, root)) for p in listed}) == ["", "app"]
