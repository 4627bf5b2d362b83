"""History mode: a small git repository replayed through the cache model."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from markupsafe import escape
from typer.testing import CliRunner

from dfcheck.build.history import edited_positions, git_log
from dfcheck.cli.app import app
from dfcheck.dockerfile.parse import parse

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

BAD = """FROM node:20-alpine
WORKDIR /app
COPY . .
RUN npm ci
RUN npm run build
"""


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def commit(repo: Path, message: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    commit(
        tmp_path,
        "initial",
        {
            "Dockerfile": BAD,
            "package.json": "{}\n",
            "package-lock.json": "{}\n",
            "src/a.js": "1\n",
            ".dockerignore": "*.md\n",
        },
    )
    commit(tmp_path, "source 1", {"src/a.js": "2\n"})
    commit(tmp_path, "docs", {"README.md": "x\n"})
    commit(tmp_path, "deps", {"package.json": '{"a": 1}\n'})
    commit(tmp_path, "source 2", {"src/b.js": "1\n"})
    commit(tmp_path, "dockerfile", {"Dockerfile": BAD.replace("npm run build", "npm run build --prod")})
    return tmp_path


runner = CliRunner()


def run(repo: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(app, ["cache", str(repo / "Dockerfile"), "-f", "json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.output)
    return data


def test_git_log_is_oldest_first(repo: Path) -> None:
    top, commits = git_log(repo, limit=3)
    assert top.resolve() == repo.resolve()
    assert [c.subject for c in commits] == ["deps", "source 2", "dockerfile"]
    assert commits[-1].files == ["Dockerfile"]


def test_history_per_commit(repo: Path) -> None:
    data = run(repo, "--history", "5")
    history = data["history"]
    assert isinstance(history, dict)
    per_commit = [(c["subject"], c["rebuilt_steps"], c["total_steps"]) for c in history["commits"]]
    # Steps: FROM, WORKDIR, COPY, RUN, RUN. The Dockerfile edit at RUN line 5 (also a context file
    # that COPY . . reads) misses at the COPY.
    assert per_commit == [
        ("source 1", 3, 5),
        ("docs", 0, 5),
        ("deps", 3, 5),
        ("source 2", 3, 5),
        ("dockerfile", 3, 5),
    ]
    assert history["hit_rate"] == pytest.approx(1 - 12 / 25)
    top = history["expensive"][0]
    assert (top["line"], top["misses"], top["rebuilt_steps"]) == (3, 4, 12)
    assert history["commits"][4]["dockerfile_edited"] is True
    suggestion = data["suggestions"][0]
    assert suggestion["rule"] == "DF101"
    # Reordered, only the two source commits and the Dockerfile commit still re-run COPY . . and
    # the build (2 steps each instead of 3); the dependency commit re-runs one more (4 vs 3).
    assert suggestion["saved_steps"] == 1 + 1 + 1 - 1
    assert suggestion["saved_over"] == "over 5 commits"


def test_since_revision(repo: Path) -> None:
    data = run(repo, "--since", "HEAD~2")
    history = data["history"]
    assert isinstance(history, dict)
    assert [c["subject"] for c in history["commits"]] == ["source 2", "dockerfile"]


def test_history_errors(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    result = runner.invoke(app, ["cache", str(tmp_path / "Dockerfile"), "--history", "3"])
    assert result.exit_code == 2
    assert "history:" in result.output or "history:" in (result.stderr if result.stderr_bytes else "")


def test_edited_positions() -> None:
    old = parse("FROM a\nRUN x\nRUN y\nFROM b\nRUN z\n")
    new = parse("FROM a\nRUN x\nRUN y2\nFROM b\nRUN z\nFROM c\n")
    assert edited_positions(old, new) == {(0, 2), (2, 0)}
    assert edited_positions(None, new) == {(0, 0), (1, 0), (2, 0)}


@pytest.mark.parametrize("since", ["--output=pwned", "-o pwned", "--output=pwned..HEAD", "HEAD --output=x"])
def test_since_never_reaches_git_as_an_option(
    repo: Path, since: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--since=--output=pwned`` once made git write a file."""
    cwd = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(cwd)
    before = sorted(p.name for p in repo.iterdir())
    result = runner.invoke(app, ["cache", str(repo / "Dockerfile"), f"--since={since}"])
    assert result.exit_code == 2
    assert "history: unknown revision" in result.output
    assert sorted(p.name for p in repo.iterdir()) == before
    assert list(cwd.iterdir()) == []


def test_commit_subjects_and_names_are_read_exactly(tmp_path: Path) -> None:
    """Non-ASCII and newline file names (git C-quotes them without -z), a subject with the old
    record separator, an empty commit and a merge."""
    git(tmp_path, "init", "-q", "-b", "main")
    dockerfile = "FROM alpine\nCOPY café/ /c/\nCOPY odd/ /o/\nRUN true\n"
    commit(tmp_path, "initial", {"Dockerfile": dockerfile, "café/a": "1", "odd/x": "1"})
    commit(tmp_path, "accent \x1e\x1f sep", {"café/a": "2"})
    commit(tmp_path, "newline name", {"odd/new\nline": "1"})
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "empty")
    top, commits = git_log(tmp_path)
    assert top.resolve() == tmp_path.resolve()
    assert [(c.subject, c.files) for c in commits] == [
        ("initial", ["Dockerfile", "café/a", "odd/x"]),
        ("accent \x1e\x1f sep", ["café/a"]),
        ("newline name", ["odd/new\nline"]),
        ("empty", []),
    ]
    assert commits[0].parent is None and commits[1].parent == commits[0].rev
    data = run(tmp_path, "--history", "3")
    history = data["history"]
    assert isinstance(history, dict)
    assert [(c["changed_files"], c["rebuilt_steps"]) for c in history["commits"]] == [(1, 3), (1, 2), (0, 0)]


def test_edits_to_a_dockerfile_with_a_non_ascii_name(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "initial", {"app\nö.Dockerfile": "FROM alpine\nRUN a\nRUN b\n"})
    commit(tmp_path, "edit", {"app\nö.Dockerfile": "FROM alpine\nRUN a\nRUN b2\n"})
    result = runner.invoke(
        app, ["cache", str(tmp_path / "app\nö.Dockerfile"), "-f", "json", "--history", "1"]
    )
    assert result.exit_code == 0, result.output
    (edit,) = json.loads(result.output)["history"]["commits"]
    assert edit["dockerfile_edited"] is True
    assert edit["first_misses"] == [
        {"stage": 0, "line": 3, "reason": "RUN at line 3 was edited in the Dockerfile"}
    ]


def test_history_in_every_format(repo: Path) -> None:
    """Text, JSON and HTML of one history: the same per-commit numbers and reasons, line colours
    by how often a line re-ran, and the suggestion with its diff."""
    outputs = {}
    for fmt in ("text", "json", "html"):
        result = runner.invoke(app, ["cache", str(repo / "Dockerfile"), "-f", fmt, "--history", "5"])
        assert result.exit_code == 0, result.output
        outputs[fmt] = result.stdout
    history = json.loads(outputs["json"])["history"]
    page, text = outputs["html"], outputs["text"]
    for commit in history["commits"]:
        numbers = f"{commit['rebuilt_steps']}/{commit['total_steps']}"
        assert f'<td class="n">{numbers}</td>' in page
        assert re.search(rf"  {commit['rev'][:10]}\s+{numbers}\s+{re.escape(commit['subject'])}", text)
        for miss in commit["first_misses"]:
            assert f"line {miss['line']}</a>: {escape(miss['reason'])}</div>" in page
            assert f"line {miss['line']}: {miss['reason']}" in text
    # COPY . . (line 3) and both RUNs re-ran in 4 of 5 commits; FROM and WORKDIR in none.
    assert history["line_rebuilds"] == {"3": 4, "4": 4, "5": 4}
    found = re.findall(r'<div class="line cache-(\w+)[^"]*" id="f1-L(\d+)"', page)
    assert {int(line): status for status, line in found} == {
        1: "reused",
        2: "reused",
        3: "heat4",
        4: "heat4",
        5: "heat4",
    }
    assert 'title="stage 0: re-run in 4 of 5 commits"' in page
    assert (
        "History: 5 commits, 12 of 25 steps re-run" in page
        and "History: 5 commits, 12 of 25 steps re-run" in text
    )
    assert (
        "Suggestions" in page and '<span class="d-add">+COPY package.json package-lock.json ./</span>' in page
    )
    assert "Would save 2 step runs" in page and "would save 2 step runs" in text


def test_history_subjects_are_shown_escaped(repo: Path) -> None:
    commit(repo, "evil \x1b]0;title\x07 subject", {"src/c.js": "1\n"})
    result = runner.invoke(app, ["cache", str(repo / "Dockerfile"), "--history", "1"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "evil \u241b]0;title\u2407 subject" in result.stdout
