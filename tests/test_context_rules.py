"""Context rules (DF401-DF405): exact positions on context trees, stdin, and one walk per context."""

from __future__ import annotations

from pathlib import Path

import pytest

from dfcheck.build import context
from dfcheck.lint.config import Settings
from dfcheck.lint.engine import Linter, lint_text
from tests.conftest import lint, positions

CONTEXT_RULES = ("DF401", "DF402", "DF403", "DF404", "DF405")


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


def test_context_walked_once_for_many_dockerfiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    real = context.walk_context

    def counting(root: Path, *args: object, **kwargs: object) -> context.ContextInventory:
        calls.append(root)
        return real(root, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(context, "walk_context", counting)
    context._SHARED.clear()
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
    assert len(calls) == 1
    assert positions(results[0].findings, "DF401") == [(2, 6, 2, 7)]


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
