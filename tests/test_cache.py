"""The cache model on fixture trees: exact rebuilt lines per stage for each kind of change."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dfcheck.build.cache import CacheModel, Change, analyse_file
from dfcheck.cli.app import app
from dfcheck.dockerfile.parse import parse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cache"

# (fixture, dockerfile, changed files, changed args, target, expected rebuilt lines per stage or None
# for a stage that is not built)
CASES = [
    ("node-bad", "Dockerfile", ["src/server.js"], [], None, [[3, 4, 5, 6]]),
    ("node-bad", "Dockerfile", ["package.json"], [], None, [[3, 4, 5, 6]]),
    ("node-bad", "Dockerfile", ["node_modules/x/index.js"], [], None, [[]]),
    ("node-good", "Dockerfile", ["src/server.js"], [], None, [[5, 6, 7]]),
    ("node-good", "Dockerfile", ["package-lock.json"], [], None, [[3, 4, 5, 6, 7]]),
    ("node-good", "Dockerfile", ["Dockerfile"], [], None, [[5, 6, 7]]),
    ("node-good", "Dockerfile", ["node_modules"], [], None, [[]]),
    ("ignore", "Dockerfile", ["NOTES.md"], [], None, [[]]),
    ("ignore", "Dockerfile", ["README.md"], [], None, [[4, 5, 6]]),
    ("ignore", "Dockerfile", ["app/deep/trace.log"], [], None, [[]]),
    ("ignore", "Dockerfile", ["docs/drop.txt"], [], None, [[]]),
    ("ignore", "Dockerfile", ["docs/keep.txt"], [], None, [[4, 5, 6]]),
    ("ignore", "Dockerfile", ["requirements.txt"], [], None, [[2, 3, 4, 5, 6]]),
    ("ignore", "Dockerfile", ["node_modules/x/index.js", "app/deep/trace.log"], [], None, [[]]),
    ("specific", "app.Dockerfile", ["tests/test.c"], [], None, [[]]),
    ("specific", "app.Dockerfile", ["src/main.c"], [], None, [[2, 3]]),
    ("multistage", "Dockerfile", ["cmd/app/main.go"], [], None, [[6, 7], None, None, [17], [20, 21, 22]]),
    ("multistage", "Dockerfile", ["web/app.css"], [], None, [[6, 7], None, None, [16, 17], [20, 21, 22]]),
    ("multistage", "Dockerfile", ["go.sum"], [], None, [[4, 5, 6, 7], None, None, [17], [20, 21, 22]]),
    (
        "multistage",
        "Dockerfile",
        [],
        [("GO_VERSION", None)],
        None,
        [[2, 3, 4, 5, 6, 7], None, None, [17], [20, 21, 22]],
    ),
    ("multistage", "Dockerfile", ["cmd/app/main.go"], [], "test", [[6, 7], [9, 10], None, None, None]),
    ("multistage", "Dockerfile", ["web/app.css"], [], "docs", [None, None, [], None, None]),
    ("multistage", "Dockerfile", ["docs/index.md"], [], "docs", [None, None, [13], None, None]),
    ("args", "Dockerfile", [], [("BASE", None)], None, [[4, 5, 6, 7, 8, 9, 10, 11, 12], [19]]),
    ("args", "Dockerfile", [], [("SHARED", None)], None, [[7, 8, 9, 10, 11, 12], [19]]),
    ("args", "Dockerfile", [], [("UNUSED_GLOBAL", None)], None, [[], []]),
    ("args", "Dockerfile", [], [("VERSION", None)], None, [[10, 11, 12], [19]]),
    ("args", "Dockerfile", [], [("VERSION", "dev")], None, [[], []]),
    ("args", "Dockerfile", [], [("GIT_SHA", None)], None, [[], [17, 18, 19]]),
    ("args", "Dockerfile", ["app.sh"], [], None, [[9, 10, 11, 12], [16, 17, 18, 19]]),
    ("mounts", "Dockerfile", ["go.sum"], [], None, [[3, 7, 9]]),
    ("mounts", "Dockerfile", ["cmd/app/main.go"], [], None, [[7, 9]]),
    ("mounts", "Dockerfile", ["README.md"], [], None, [[]]),
    ("heredoc", "Dockerfile", [], [("GREETING", None)], None, [[4, 7, 10, 15]]),
    ("heredoc", "Dockerfile", ["conf/app.ini"], [], None, [[15]]),
    ("exclude", "Dockerfile", ["README.md"], [], None, [[]]),
    ("exclude", "Dockerfile", ["tests/a.test.js"], [], None, [[]]),
    ("exclude", "Dockerfile", ["src/lib/b.test.js"], [], None, [[]]),
    ("exclude", "Dockerfile", ["docs/guide.md"], [], None, [[4, 5, 6, 7]]),
    ("exclude", "Dockerfile", ["src/a.js"], [], None, [[6, 7]]),
    ("escape", "Dockerfile", ["src/app.py"], [], None, [[7, 8]]),
    ("escape", "Dockerfile", ["requirements.txt"], [], None, [[4, 5, 7, 8]]),
]


def rebuilt(record: dict[str, object]) -> list[list[int] | None]:
    stages = record["stages"]
    assert isinstance(stages, list)
    return [s["rebuilt_lines"] if s["needed"] else None for s in stages]


@pytest.mark.parametrize("fixture,name,files,args,target,expected", CASES)
def test_rebuilt_lines(
    fixture: str,
    name: str,
    files: list[str],
    args: list[tuple[str, str | None]],
    target: str | None,
    expected: list[list[int] | None],
) -> None:
    root = FIXTURES / fixture
    _, _, record = analyse_file(root / name, target=target, changed_files=files, changed_args=args)
    assert rebuilt(record) == expected
    for stage in record["stages"]:  # type: ignore[attr-defined]
        lines = stage["rebuilt_lines"]
        assert stage["first_miss_line"] == (lines[0] if lines else None)
        if not stage["needed"]:
            assert stage["reused_lines"] == [] and stage["first_miss_line"] is None


def model(text: str) -> CacheModel:
    return CacheModel(parse(text))


def lines_for(text: str, change: Change) -> list[list[int]]:
    return [s.rebuilt_lines for s in model(text).analyse(change).stages]


def test_quoted_heredoc_is_not_expanded() -> None:
    text = "FROM alpine\nARG G=1\nCOPY <<'EOF' /x\n$G\nEOF\nCOPY <<EOF /y\nfixed\nEOF\n"
    assert lines_for(text, Change(args=(("G", None),))) == [[]]
    text = "FROM alpine\nARG G=1\nCOPY <<EOF /x\n$G\nEOF\nCMD true\n"
    assert lines_for(text, Change(args=(("G", None),))) == [[3, 6]]


def test_arg_after_run_does_not_invalidate_it() -> None:
    text = "FROM alpine\nRUN apk add curl\nARG V\nRUN echo\n"
    assert lines_for(text, Change(args=(("V", None),))) == [[4]]


def test_env_shadowing_arg_hides_the_change() -> None:
    text = "FROM alpine\nARG V\nENV V=fixed\nRUN echo\n"
    assert lines_for(text, Change(args=(("V", None),))) == [[]]


def test_global_arg_needs_redeclaration_and_affects_from() -> None:
    text = (
        "ARG TAG=3.20\nFROM alpine:$TAG\nRUN echo $TAG\nFROM alpine\nARG TAG\nRUN echo\nCOPY --from=0 /x /x\n"
    )
    assert lines_for(text, Change(args=(("TAG", None),))) == [[2, 3], [6, 7]]
    text = "ARG TAG=3.20\nFROM alpine\nRUN echo $TAG\n"
    assert lines_for(text, Change(args=(("TAG", None),))) == [[]]


def test_stage_index_references_and_parent_chain() -> None:
    text = "FROM alpine\nCOPY a /a\nFROM 0\nRUN x\nFROM alpine\nCOPY --from=1 /a /b\n"
    assert lines_for(text, Change(files=frozenset({"a"}))) == [[2], [3, 4], [6]]


def test_lowercase_and_copy_from_image() -> None:
    text = "from alpine as a\ncopy --from=nginx:1 /etc/nginx /n\nrun echo\n"
    assert lines_for(text, Change(files=frozenset({"etc/nginx/x"}))) == [[]]


def test_remote_add_changes_only_when_asked() -> None:
    text = (
        "FROM alpine\nADD https://example.com/a.tgz /a\nADD --checksum=sha256:00 https://e.com/b /b\nRUN x\n"
    )
    assert lines_for(text, Change()) == [[]]
    assert lines_for(text, Change(remote=True)) == [[2, 3, 4]]
    pinned = "FROM alpine\nADD --checksum=sha256:00 https://e.com/b /b\nRUN x\n"
    assert lines_for(pinned, Change(remote=True)) == [[]]


def test_edited_instruction_forces_a_miss() -> None:
    text = "FROM alpine\nRUN a\nRUN b\nFROM 0\nRUN c\n"
    assert lines_for(text, Change(edited=frozenset({(0, 2)}))) == [[3], [4, 5]]


def test_cache_mount_from_stage_and_secret_mount() -> None:
    text = (
        "FROM alpine AS seed\nCOPY seed /seed\n"
        "FROM alpine\nRUN --mount=type=cache,target=/c,from=seed true\n"
        "RUN --mount=type=secret,id=x --mount=type=cache,target=/d true\n"
    )
    assert lines_for(text, Change(files=frozenset({"seed"}))) == [[2], [4, 5]]


def test_weights_and_steps() -> None:
    text = "FROM alpine\nLABEL a=b\nWORKDIR /app\nCOPY . .\nRUN apk add curl\nRUN make\nRUN echo\nCMD x\n"
    result = model(text).analyse(Change(files=frozenset({"x"}))).stages[0]
    assert result.rebuilt_lines == [4, 5, 6, 7, 8]
    assert (result.rebuilt_steps, result.total_steps, result.cost) == (4, 6, 1 + 10 + 8 + 3)


runner = CliRunner()


def test_cli_json_shape() -> None:
    root = FIXTURES / "multistage"
    result = runner.invoke(
        app,
        ["cache", str(root / "Dockerfile"), "--changed", str(root / "web"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["version"] == 1
    assert data["changed_files"] == ["web/app.css"]
    keys = {"index", "name", "needed", "first_miss_line", "rebuilt_lines", "reused_lines", "reason"}
    assert all(keys <= set(s) for s in data["stages"])
    assets = data["stages"][3]
    assert assets["first_miss_line"] == 16 and "web/app.css" in assets["reason"]
    assert data["stages"][1] == {
        "index": 1,
        "name": "test",
        "needed": False,
        "first_miss_line": None,
        "rebuilt_lines": [],
        "reused_lines": [],
        "reason": "not needed for the target",
        "rebuilt_steps": 0,
        "total_steps": 0,
        "cost": 0,
        "step_lines": [],
        "rerun_lines": [],
    }
    assert data["stages"][0]["reused_lines"] == [2, 3, 4, 5]
    assert data["stages"][3]["step_lines"] == [15, 16, 17]
    assert data["stages"][3]["rerun_lines"] == [16, 17]


def test_cli_text_html_and_errors(tmp_path: Path) -> None:
    root = FIXTURES / "node-bad"
    text = runner.invoke(app, ["cache", str(root / "Dockerfile"), "--changed", str(root / "src/server.js")])
    assert text.exit_code == 0
    assert "first miss at line 3" in text.output
    assert (
        "Suggestion (DF101, line 3)" in text.output
        and "+COPY package.json package-lock.json ./" in text.output
    )
    out = tmp_path / "cache.html"
    html = runner.invoke(app, ["cache", str(root / "Dockerfile"), "-f", "html", "-o", str(out)])
    assert html.exit_code == 0, html.output
    assert "Layer cache" in out.read_text()
    bad = runner.invoke(app, ["cache", str(root / "Dockerfile"), "--target", "nope"])
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["cache", str(tmp_path / "Dockerfile")])
    assert missing.exit_code == 2


def test_cli_changed_arg_and_build_arg() -> None:
    root = FIXTURES / "args"
    base = ["cache", str(root / "Dockerfile"), "-f", "json"]
    same = runner.invoke(app, [*base, "--build-arg", "VERSION=1", "--changed-arg", "VERSION=1"])
    assert [s["rebuilt_lines"] for s in json.loads(same.output)["stages"]] == [[], []]
    other = runner.invoke(app, [*base, "--build-arg", "VERSION=1", "--changed-arg", "VERSION=2"])
    assert [s["rebuilt_lines"] for s in json.loads(other.output)["stages"]] == [[10, 11, 12], [19]]


def test_suggestion_savings_for_explicit_change() -> None:
    root = FIXTURES / "node-bad"
    result = runner.invoke(
        app, ["cache", str(root / "Dockerfile"), "--changed", str(root / "src/server.js"), "-f", "json"]
    )
    suggestion = json.loads(result.output)["suggestions"][0]
    assert suggestion["rule"] == "DF101"
    assert (suggestion["saved_steps"], suggestion["saved_cost"]) == (1, 10)


def test_context_command(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "y.log").write_text("y")
    (tmp_path / ".dockerignore").write_text("*.log\nnever\n")
    result = runner.invoke(app, ["context", str(tmp_path), "--format", "json", "--list"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["included"] == [".dockerignore", "a/x.txt"]
    assert [p["dead"] for p in data["patterns"]] == [False, True]
    text = runner.invoke(app, ["context", str(tmp_path)])
    assert "excluded" in text.output
    assert runner.invoke(app, ["context", str(tmp_path / "nope")]).exit_code == 2


# --- the three renderings agree --------------------------------------------------------------------

AGREEMENT_CASES = [
    ("node-bad", ["--changed", "src/server.js"]),
    ("multistage", ["--changed", "go.sum"]),
    ("args", ["--changed-arg", "BASE"]),
    ("args", ["--changed", "app.sh"]),
    ("node-good", []),
]


def _text_view(text: str) -> dict[int, tuple[int, int, list[int], list[int]]]:
    """Stage -> (re-run steps, steps, listed lines, metadata lines) as the text shows them."""
    view: dict[int, tuple[int, int, list[int], list[int]]] = {}
    stage = None
    for line in text.splitlines():
        head = re.match(r"  stage (\d+)\b.*?(?:; (\d+) of (\d+) steps re-run|: fully cached)$", line)
        if head:
            stage = int(head.group(1))
            rerun, steps = (int(head.group(2)), int(head.group(3))) if head.group(2) else (0, -1)
            view[stage] = (rerun, steps, [], [])
        elif stage is not None and (listed := re.match(r" {6}\s*(\d+)  ", line)):
            view[stage][2].append(int(listed.group(1)))
        elif stage is not None and line.startswith("      metadata only, nothing runs: "):
            view[stage][3].extend(int(n) for n in re.findall(r"line (\d+)", line))
        elif not line.startswith("  "):
            stage = None
    return view


def _html_view(page: str) -> dict[int, tuple[int, int, list[int], list[int]]]:
    rows = re.findall(
        r'<tr class="stage-([a-z-]+)" data-rerun="(\d+)" data-steps="(\d+)"><td>stage (\d+)(.*?)</tr>', page
    )
    view = {}
    for state, rerun, steps, index, rest in rows:
        if state == "not-built":
            continue
        lines = [int(n) for n in re.findall(r'<a class="rerun" href="#f1-L(\d+)">', rest)]
        meta = [int(n) for n in re.findall(r'<a class="meta" href="#f1-L(\d+)">', rest)]
        view[int(index)] = (int(rerun), int(steps) if state == "rebuilt" else -1, lines, meta)
    return view


@pytest.mark.parametrize("fixture, args", AGREEMENT_CASES)
def test_text_json_and_html_show_the_same_numbers_and_lines(
    fixture: str, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES / fixture)
    outputs = {}
    for fmt in ("text", "json", "html"):
        result = runner.invoke(app, ["cache", "Dockerfile", "-f", fmt, *args])
        assert result.exit_code == 0, result.output
        outputs[fmt] = result.output
    record = json.loads(outputs["json"])
    expected = {
        s["index"]: (
            s["rebuilt_steps"],
            s["total_steps"] if s["first_miss_line"] is not None else -1,
            s["rerun_lines"],
            [n for n in s["rebuilt_lines"] if n not in s["rerun_lines"]],
        )
        for s in record["stages"]
        if s["needed"]
    }
    for stage in record["stages"]:
        assert stage["rebuilt_steps"] == len(stage["rerun_lines"])
        assert stage["total_steps"] == len(stage["step_lines"])
    assert _text_view(outputs["text"]) == expected
    assert _html_view(outputs["html"]) == expected
    total = (
        f"{record['rebuilt_steps']} of {record['total_steps']} steps re-run (weighted cost {record['cost']})"
    )
    assert f"Total: {total}" in outputs["text"]
    assert f'<b class="cache-total">{total}</b>' in outputs["html"]
    page = outputs["html"]
    for stage in record["stages"]:
        for n in stage["rerun_lines"]:
            assert 'class="line cache-rerun' in page.split(f'id="f1-L{n}"')[0].rsplit("<div", 1)[1]
        for n in stage["reused_lines"]:
            assert 'class="line cache-reused' in page.split(f'id="f1-L{n}"')[0].rsplit("<div", 1)[1]


def test_metadata_lines_are_not_listed_as_re_run_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "node-bad")
    text = runner.invoke(app, ["cache", "Dockerfile", "--changed", "src/server.js"]).output
    assert text.splitlines()[1:6] == [
        "  stage 0: first miss at line 3: COPY '.' reads changed file src/server.js; 3 of 5 steps re-run",
        "         3  COPY . .",
        "         4  RUN npm ci",
        "         5  RUN npm run build",
        '      metadata only, nothing runs: line 6 CMD ["node", "dist/server.js"]',
    ]


# --- the command line ------------------------------------------------------------------------------


def test_changed_paths_are_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from elsewhere, ``--changed src/index.js`` is ./src/index.js, outside the context:
    an error, not a silent "fully cached"."""
    monkeypatch.chdir(tmp_path)
    dockerfile = str(FIXTURES / "node-bad" / "Dockerfile")
    outside = runner.invoke(app, ["cache", dockerfile, "--changed", "src/server.js", "--changed", "/etc"])
    assert outside.exit_code == 2
    assert outside.stdout == ""
    assert outside.stderr.splitlines() == [
        f"dfcheck: error: --changed src/server.js: not inside the build context {FIXTURES / 'node-bad'}",
        f"dfcheck: error: --changed /etc: not inside the build context {FIXTURES / 'node-bad'}",
    ]
    inside = runner.invoke(
        app,
        ["cache", dockerfile, "-f", "json", "--changed", str(FIXTURES / "node-bad" / "src" / "server.js")],
    )
    assert inside.exit_code == 0 and inside.stderr == ""
    assert json.loads(inside.stdout)["changed_files"] == ["src/server.js"]


def test_missing_changed_file_and_undeclared_arg_warn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "args")
    args = ["--changed", "gone.sh", "--changed-arg", "VERSIN", "--changed-arg", "HTTP_PROXY"]
    result = runner.invoke(app, ["cache", "Dockerfile", "-f", "json", *args, "--changed-arg", "GIT_SHA=1"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "dfcheck: warning: --changed gone.sh: no such file or directory; counted as a deleted file",
        "dfcheck: warning: --changed-arg VERSIN: no ARG VERSIN in the Dockerfile; it changes nothing",
    ]
    record = json.loads(result.stdout)
    assert record["changed_files"] == ["gone.sh"]
    assert record["changed_args"] == ["VERSIN", "HTTP_PROXY", "GIT_SHA"]


def test_dockerfile_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "node-bad")
    text = (FIXTURES / "node-bad" / "Dockerfile").read_text()
    result = runner.invoke(app, ["cache", "-", "--changed", "src/server.js", "-f", "json"], input=text)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert (record["dockerfile"], record["context"]) == ("-", ".")
    assert [s["rerun_lines"] for s in record["stages"]] == [[3, 4, 5]]
    assert record["suggestions"][0]["rule"] == "DF101"
    page = runner.invoke(app, ["cache", "-", "--changed", "src/server.js", "-f", "html"], input=text)
    assert page.exit_code == 0 and 'data-rerun="3" data-steps="5"' in page.stdout


def test_cache_text_shows_control_characters_escaped(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine\nCOPY . .\nRUN printf '\x1b]0;pwned\x07'\nCMD [\"\x1b[2J\"]\n"
    )
    name = "we\x1bird\nname.txt"
    (tmp_path / name).write_text("x")
    result = runner.invoke(app, ["cache", str(tmp_path / "Dockerfile"), "--changed", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "reads changed file we\u241bird\u240aname.txt;" in result.stdout
    assert "         3  RUN printf '\u241b]0;pwned\u2407'" in result.stdout.splitlines()


def test_context_with_an_invalid_ignore_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("ok\n[\n")
    (tmp_path / "we\x1bird").write_text("x")
    for fmt in ("text", "json"):
        result = runner.invoke(app, ["context", str(tmp_path), "-f", fmt, "--list"])
        assert result.exit_code == 2
        assert "syntax error in pattern" in result.stdout
    assert "we\u241bird" in result.stdout if fmt == "text" else True
    text = runner.invoke(app, ["context", str(tmp_path), "--list"])
    assert "\x1b" not in text.stdout and "  we\u241bird" in text.stdout.splitlines()
    (tmp_path / ".dockerignore").write_text("ok\n")
    assert runner.invoke(app, ["context", str(tmp_path)]).exit_code == 0


@pytest.mark.parametrize("command", ["cache", "context"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_reader_that_stops_early_ends_the_output_quietly(tmp_path: Path, command: str, fmt: str) -> None:
    """``dfcheck cache ... | head -1``: no traceback and no BrokenPipeError message. The reader is
    gone before the first write, so the test does not depend on the size of a pipe's buffer."""
    import os
    import subprocess
    import sys

    (tmp_path / "Dockerfile").write_text("FROM alpine\nCOPY . .\nRUN make\n")
    (tmp_path / "a.txt").write_text("x")
    args = ["cache", "Dockerfile", "--changed", "a.txt"] if command == "cache" else ["context", "."]
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "dfcheck", *args, "-f", fmt],
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, b"")


def test_context_and_cache_json_are_utf8_for_names_that_are_not(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xffname.txt")
    (tmp_path / name).write_text("x")
    (tmp_path / "Dockerfile").write_text("FROM alpine\nCOPY . .\n")
    context = runner.invoke(app, ["context", str(tmp_path), "-f", "json", "--list"])
    assert context.exit_code == 0, context.output
    assert name in json.loads(context.stdout_bytes.decode("utf-8"))["included"]
    text = runner.invoke(app, ["context", str(tmp_path), "--list"])
    assert "  bad\\xffname.txt" in text.stdout.splitlines()
    cache = runner.invoke(
        app, ["cache", str(tmp_path / "Dockerfile"), "-f", "json", "--changed", str(tmp_path / name)]
    )
    assert cache.exit_code == 0, cache.output
    assert json.loads(cache.stdout_bytes.decode("utf-8"))["changed_files"] == [name]
