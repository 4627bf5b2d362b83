"""Every entry point reads only regular files of bounded size, walks deep trees without recursion,
shows control characters on stderr escaped, and formats many findings in linear time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dfcheck.cli.app import app
from dfcheck.dockerfile.source import MAX_BYTES, Span
from dfcheck.lint.config import find_config, resolved
from dfcheck.lint.finding import FileResult, Finding, Report, Severity
from tests.conftest import deep_tree, refusing_scandir

FORMATS = ("text", "json", "sarif", "html", "github", "checkstyle", "gitlab", "junit", "sonarqube", "rdjson")


def run(args: list[str], cwd: Path, stdin: bytes | None = None) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, args, input=stdin, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def run_process(args: list[str], cwd: Path) -> tuple[int, str]:
    """In a child process with a timeout, so that a regression that opens a FIFO fails, not hangs."""
    done = subprocess.run(
        [sys.executable, "-m", "dfcheck", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
@pytest.mark.parametrize(
    "args, error",
    [
        (["check", "."], "x.Dockerfile:1:1: not a regular file\n"),
        (["check", "x.Dockerfile"], "x.Dockerfile:1:1: not a regular file\n"),
        (["parse", "x.Dockerfile"], "dfcheck: error: x.Dockerfile:1:1: not a regular file\n"),
        (["cache", "x.Dockerfile"], "dfcheck: error: x.Dockerfile:1:1: not a regular file\n"),
        (
            ["check", "--baseline", "pipe.json", "Dockerfile"],
            "dfcheck: error: pipe.json: cannot read baseline: not a regular file\n",
        ),
        (
            ["check", "--config", "pipe.toml", "Dockerfile"],
            "dfcheck: config error: pipe.toml: cannot read: not a regular file\n",
        ),
    ],
)
def test_no_entry_point_opens_a_fifo(tmp_path: Path, args: list[str], error: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.20\nUSER nobody\nCMD ["true"]\n')
    for name in ("x.Dockerfile", "pipe.json", "pipe.toml"):
        os.mkfifo(tmp_path / name)
    code, err = run_process(args, tmp_path)
    assert code == 2
    assert err == error


@pytest.mark.parametrize("command", ["parse", "cache"])
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_parse_and_cache_have_the_size_limit_of_check(tmp_path: Path, command: str, source: str) -> None:
    data = b"FROM alpine:3.20\n" + b"RUN true\n" * (MAX_BYTES // 9 + 1)
    (tmp_path / "big").write_bytes(data)
    if source == "file":
        code, out, err = run([command, "big"], tmp_path)
        shown = "big"
    else:
        code, out, err = run([command, "-"], tmp_path, stdin=data)
        shown = "-"
    assert (code, out, err) == (2, "", f"dfcheck: error: {shown}:1:1: file is larger than 5 MB\n")


def test_cache_warns_about_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"FROM alpine:3.20\nRUN echo \xff\n")
    code, _, err = run(["cache", "Dockerfile"], tmp_path)
    assert code == 0
    assert err == "dfcheck: warning: Dockerfile:2:10: invalid UTF-8 at byte 26 (replaced, linted anyway)\n"


@pytest.fixture
def deep(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path/d/.../d`` 1,100 levels deep (past Python's recursion limit) with a Dockerfile at
    the bottom and a ``.dfcheck.toml`` at the top; removed bottom-up (rmtree recurses)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".dfcheck.toml").write_text('ignore = ["DF609"]\n')
    with deep_tree(tmp_path) as bottom:
        (bottom / "x.Dockerfile").write_text("FROM alpine:3.20\nUSER root\n")
        yield bottom


def test_check_finds_files_in_a_very_deep_tree(tmp_path: Path, deep: Path) -> None:
    code, out, err = run(["check", ".", "--format", "text", "--select", "DF601,DF609"], tmp_path)
    assert (code, err) == (1, "")
    assert out.startswith("d/" * 1100 + "x.Dockerfile:2:6: DF601 ")


def test_config_is_found_from_a_very_deep_directory(tmp_path: Path, deep: Path) -> None:
    assert find_config(deep) == (tmp_path / ".dfcheck.toml", "dfcheck")
    memo: dict[Path, Path] = {}
    assert resolved(deep / "x.Dockerfile", memo) == (deep / "x.Dockerfile").resolve()
    assert len(memo) >= 1100


def test_resolved_follows_links_and_parent_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to("real")
    (tmp_path / "loop").symlink_to("loop")
    monkeypatch.chdir(tmp_path)
    memo: dict[Path, Path] = {}
    for path in (
        "link/sub/f",
        "real/sub/../sub/f",
        "loop",
        "missing/f",
        "Dockerfile",
        str(tmp_path / "link"),
    ):
        assert resolved(Path(path), memo) == Path(os.path.realpath(path)), path


def test_an_unreadable_directory_is_an_error_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dfcheck.cli import discover

    (tmp_path / ".git").mkdir()
    (tmp_path / "locked").mkdir()
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.20\nUSER nobody\nCMD ["true"]\n')
    monkeypatch.setattr(discover.os, "scandir", refusing_scandir("locked"))
    code, out, err = run(["check", ".", "--format", "text", "--select", "DF601"], tmp_path)
    assert code == 2
    assert err == "locked:1:1: cannot read directory: Permission denied\n"
    assert out == "No problems found, but 1 of 2 files could not be checked.\n"


def test_stderr_lines_show_control_characters(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    name = "a\nb\x1b[2J"
    code, _, err = run(["check", name], tmp_path)
    assert (code, err) == (2, "a\u240ab\u241b[2J:1:1: cannot read: no such file or directory\n")
    code, _, err = run(["check", "--config", name, "."], tmp_path)
    assert (code, err) == (
        2,
        "dfcheck: config error: a\u240ab\u241b[2J: cannot read: No such file or directory\n",
    )
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN\x1b]0;title\x07 x\n")
    code, _, err = run(["parse", "Dockerfile"], tmp_path)
    assert (code, err) == (1, "Dockerfile:2:1: DF001 unknown instruction: RUN\u241b]0;title\u2407 [error]\n")


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_inside_a_git_work_tree(tmp_path: Path) -> None:
    """Asking git which files it ignores encoded the names as strict UTF-8: the whole run ended
    with "'utf-8' codec can't encode characters" (found by bench/fuzz.py)."""
    if subprocess.run(["git", "init", "-q", str(tmp_path)], check=False).returncode:
        pytest.skip("git is not installed")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    (tmp_path / os.fsdecode(b"bad-\xff.Dockerfile")).write_text("FROM alpine:3.20\n")
    (tmp_path / ".gitignore").write_text("ignored*\n")
    (tmp_path / os.fsdecode(b"ignored-\xff.Dockerfile")).write_text("FROM alpine:3.20\n")
    code, out, err = run(["check", ".", "--select", "DF601", "--format", "json"], tmp_path)
    assert (code, err) == (0, "")
    assert [f["path"] for f in json.loads(out)["files"]] == [
        "Dockerfile",
        os.fsdecode(b"bad-\xff.Dockerfile"),
    ]


def _many_findings(count: int) -> Report:
    text = "FROM alpine:3.20\n" + "RUN true\n" * count
    findings = [
        Finding("DF840", "mergeable-runs", Severity.STYLE, "m", "Dockerfile", Span(line, 1, line, 4))
        for line in range(2, count + 2)
    ]
    findings.append(Finding("DF999", "whole", Severity.INFO, "w", "Dockerfile", Span(1, 1, count + 1, 9)))
    return Report([FileResult("Dockerfile", text, findings)])


@pytest.mark.parametrize("fmt", FORMATS)
def test_formats_split_a_file_into_lines_once(fmt: str) -> None:
    """Splitting the whole file once per finding made baseline, gitlab, sonarqube and rdjson
    quadratic in the number of findings (10,000 findings of one file took 10 to 20 s each)."""
    from dfcheck.report import RenderOptions
    from dfcheck.report.output import render_report
    from dfcheck.report.plain import source_lines

    report = _many_findings(300)
    source_lines.cache_clear()
    render_report(fmt, report, RenderOptions(show_frames=True))
    assert source_lines.cache_info().misses <= 1


def test_baseline_splits_a_file_into_lines_once(tmp_path: Path) -> None:
    from dfcheck.report.baseline import filter_report, write_baseline
    from dfcheck.report.plain import source_lines

    report = _many_findings(300)
    source_lines.cache_clear()
    assert write_baseline(report, tmp_path / "b.json", tmp_path) == 301
    assert filter_report(report, tmp_path / "b.json", tmp_path).findings == []
    assert source_lines.cache_info().misses == 1


def test_html_hands_each_line_only_the_findings_that_cover_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line used to look at every finding of its file: lines x findings."""
    from dfcheck.report import RenderOptions, html
    from dfcheck.report.output import render_report

    seen: list[tuple[int, int]] = []
    real = html.segments

    def segments(text: str, number: int, findings: list[Finding]) -> list[html.Segment]:
        seen.append((number, len(findings)))
        return real(text, number, findings)

    monkeypatch.setattr(html, "segments", segments)
    page = render_report("html", _many_findings(300), RenderOptions())
    # DF999 covers the whole file and highlights its first MARKED_LINES lines.
    marked = html.MARKED_LINES
    assert seen == [(1, 1)] + [(line, 2 if line <= marked else 1) for line in range(2, 302)]
    assert page.count('title="DF999: w\nDF840: m">RUN</mark>') == marked - 1
    assert page.count('title="DF840: m">RUN</mark>') == 300 - (marked - 1)


def test_html_highlights_stay_linear_for_many_findings_over_one_long_instruction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """5,000 findings over one RUN of 5,000 lines: every line carried every finding's message
    (25 million, a MemoryError found by bench/fuzz.py). Highlights are bounded per finding and
    per line; every finding still gets its message box."""
    from dfcheck.report import RenderOptions, html
    from dfcheck.report.output import render_report

    count = 2000
    text = "FROM alpine:3.20\nRUN true \\\n" + "  && true \\\n" * (count - 2) + "  && true\n"
    findings = [
        Finding("DF840", "mergeable-runs", Severity.STYLE, f"m{i}", "Dockerfile", Span(2, 1, count, 10))
        for i in range(count)
    ]
    handed: list[int] = []
    real = html.segments

    def segments(line: str, number: int, covering: list[Finding]) -> list[html.Segment]:
        handed.append(len(covering))
        return real(line, number, covering)

    monkeypatch.setattr(html, "segments", segments)
    page = render_report("html", Report([FileResult("Dockerfile", text, findings)]), RenderOptions())
    assert max(handed) == html.MARKS_PER_LINE
    assert sum(handed) == html.MARKS_PER_LINE * html.MARKED_LINES
    assert page.count('<div class="finding ') == count


def test_html_fix_diffs_compare_only_the_lines_a_fix_touches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each fix's diff compared the whole file before and after (difflib): 400 fuzzed files with
    1,400 fixes took 93 s to render as HTML, 2 s as JSON. Found by bench/fuzz.py."""
    import difflib

    from dfcheck.lint.finding import Edit, Fix
    from dfcheck.report import RenderOptions
    from dfcheck.report.output import render_report

    count = 300
    text = "FROM alpine:3.20\n" + "RUN apt-get install curl\n" * count
    findings = [
        Finding(
            "DF200",
            "apt-get-yes",
            Severity.WARNING,
            "m",
            "Dockerfile",
            Span(line, 1, line, 25),
            fix=Fix("add -y", (Edit(17 + 25 * (line - 2) + 19, 17 + 25 * (line - 2) + 19, " -y"),)),
        )
        for line in range(2, count + 2)
    ]
    compared: list[int] = []
    real = difflib.SequenceMatcher.set_seqs

    def set_seqs(self: difflib.SequenceMatcher[str], a: list[str], b: list[str]) -> None:
        compared.append(len(a) + len(b))
        real(self, a, b)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seqs", set_seqs)
    page = render_report("html", Report([FileResult("Dockerfile", text, findings)]), RenderOptions())
    assert compared == [2] * count
    assert page.count("RUN apt-get install -y curl") == count


# --- found by bench/fuzz.py -----------------------------------------------------------------------


def test_cache_analysis_of_a_file_without_from_and_a_changed_arg(tmp_path: Path) -> None:
    """The stage before any FROM gets a synthetic FROM per model; the model built for the changed
    build args has another one, so its key was looked up under the wrong instruction (KeyError)."""
    from dfcheck.build.cache import analyse_file

    _, _, record = analyse_file(
        None, text="ARG A\nRUN echo $A\n", context=tmp_path, changed_args=[("A", "1")]
    )
    assert [(s["first_miss_line"], s["rerun_lines"]) for s in record["stages"]] == [(2, [2])]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        '# syntax=x\n# "instructions": []\nFROM a\nLABEL k="\\"instructions\\": []"\n',
        "FROM a\nONBUILD RUN <<EOF\nx\nEOF\nRUN \x1b é \udcff\n",
        "FROM a\nCOPY --form=x a b\nFOO\n",
    ],
)
def test_parse_json_is_written_in_pieces_with_the_same_text(text: str) -> None:
    """``dfcheck parse`` built a 5 MB file's 120 MB JSON document as one string (then its bytes):
    1.3 GB at peak. The pieces must join to exactly that document."""
    import json

    from dfcheck.dockerfile.parse import parse
    from dfcheck.dockerfile.parse_json import json_chunks, to_json

    dockerfile = parse(text)
    whole = json.dumps(to_json(dockerfile), indent=2, ensure_ascii=False) + "\n"
    assert "".join(json_chunks(dockerfile)) == whole


def test_parse_command_output_is_unchanged_json(tmp_path: Path) -> None:
    import json

    (tmp_path / "Dockerfile").write_bytes(b'FROM a\nRUN echo \xff \x1b\nCMD ["x"]\n')
    code, out, _ = run(["parse", "Dockerfile"], tmp_path)
    assert code == 0
    assert [i["keyword"] for i in json.loads(out)["instructions"]] == ["FROM", "RUN", "CMD"]


def test_a_nul_byte_in_a_copy_source_names_no_file(tmp_path: Path) -> None:
    """NUL bytes after the first 8 KiB are kept (as BuildKit keeps them); the context rules asked
    the file system about ``a\\0b`` and five rules raised ValueError('embedded null byte')."""
    from dfcheck.lint import engine
    from dfcheck.lint.config import Settings

    errors: list[str] = []
    text = "FROM alpine:3.20\nCOPY a\0b /x\nRUN pip install -r req.txt\n"
    (tmp_path / "req.txt").write_text("x\n")
    hook = engine.rule_error_hook
    engine.rule_error_hook = lambda _path, code, exc: errors.append(f"{code}: {exc!r}")
    try:
        settings = Settings().replace(extend_select=("DF",), shellcheck=False)
        engine.lint_text(text, "Dockerfile", settings, tmp_path / "Dockerfile", tmp_path)
    finally:
        engine.rule_error_hook = hook
    assert errors == []


def test_scope_digest_is_the_hash_of_what_the_scope_holds() -> None:
    """The cache model keyed each RUN by its whole sorted environment: quadratic in ARG/ENV lines
    (2,400 instructions took 1 s, 16 times more for 4 times the lines). A digest built layer on
    layer must equal the hash of the flattened scope, however deep the layers."""
    from dfcheck.dockerfile.model import Scope

    scope = Scope()
    for i in range(5000):
        scope = Scope(scope, {f"V{i % 700}": str(i), "X": str(i % 3)})
    expected = 0
    for item in scope.items():
        expected ^= hash(item)
    assert scope.digest() == expected
    assert Scope(None, {"V0": "1"}).digest() == Scope(Scope(None, {"V0": "0"}), {"V0": "1"}).digest()
    assert Scope(None, {"V0": "1"}).digest() != Scope(None, {"V0": "2"}).digest()


def test_a_name_no_lower_layer_defines_is_answered_without_walking_the_layers() -> None:
    """Each new ENV name, looked up under it by the digest, walked the whole chain and left a
    memo in every layer: the cache analysis of 2,400 instructions grew 10x for 4x the lines.
    Answers are unchanged, across branches (stages FROM one parent) too."""
    from dfcheck.dockerfile.model import Scope

    layers = [Scope()]
    for i in range(2000):
        layers.append(Scope(layers[-1], {f"V{i}": str(i)}))
    top = layers[-1]
    top.digest()
    assert sum(len(layer._memo) for layer in layers) <= 2 * len(layers)
    assert (top["V0"], top.get("V1999"), "V2000" in top) == ("0", "1999", False)
    assert layers[10].get("V10") is None and layers[11]["V10"] == "10"
    left, right = Scope(layers[5], {"L": "1"}), Scope(layers[5], {"R": "1"})
    deeper = Scope(right, {"Y": "1"})
    assert ("L" in right, "R" in left, "L" in deeper, deeper["R"], deeper["V3"]) == (
        False,
        False,
        False,
        "1",
        "3",
    )


def test_stage_chain_and_install_memory_stay_linear() -> None:
    """A 16,000-line FROM chain spent most of its time in a list membership test per stage, and
    the ordering view copied and searched the set of every install so far for each install."""
    from dfcheck.build.ordering import RECENT_COPIES, _remember
    from dfcheck.dockerfile.model import Model, stage_chain
    from dfcheck.dockerfile.parse import parse

    text = "FROM alpine:3.20 AS s0\n" + "".join(f"FROM s{i - 1} AS s{i}\n" for i in range(1, 3000))
    model = Model(parse(text))
    assert [s.index for s in stage_chain(model.stages[-1])] == list(range(3000))
    done: tuple[tuple[str, str], ...] = ()
    for i in range(1000):
        done = _remember(done, [("npm", f"/app/{i}"), ("npm", f"/app/{i}")])
    assert done == tuple(("npm", f"/app/{i}") for i in range(1000 - RECENT_COPIES, 1000))
    assert _remember(done, [("npm", "/app/999")]) is done


@pytest.mark.parametrize("extra", [0, 300])
def test_undefined_variable_suggestions_are_the_same_in_files_of_many_names(extra: int) -> None:
    """Each undefined reference compared itself with every name in scope, which was quadratic in a
    file of many ENV lines; past 256 names an index answers, with the same suggestions."""
    from tests.conftest import lint

    head = "FROM scratch\n" + "".join(f"ENV NAME{i}=x\n" for i in range(extra))
    text = head + "ENV ABCD=1 ABCE=2 GOPATH=/go\nWORKDIR $ABCF/$GOPAHT/$PAHT/$NAME9X/$Q\n"
    messages = [f.message for f in lint(text, ("DF013",))]
    assert messages == [
        "$ABCF is not defined here and expands to '': did you mean $ABCD?",
        "$GOPAHT is not defined here and expands to '': did you mean $GOPATH?",
        "$PAHT is not defined here and expands to '': did you mean $PATH?",
        "$NAME9X is not defined here and expands to '': "
        + ("did you mean $NAME9?" if extra else "nothing in this stage defines it"),
        "$Q is not defined here and expands to '': nothing in this stage defines it",
    ]


def test_a_run_of_white_space_only_is_no_command(tmp_path: Path) -> None:
    """``RUN \\x1c``: the information separator is white space to str.split, and the first word of
    an empty split raised IndexError in the shared view, outside any rule, ending the whole run."""
    from tests.conftest import lint

    assert [f.code for f in lint("FROM alpine:3.20\nRUN \x1c\n", ("DF",))] == []


def test_a_bug_outside_the_rules_costs_one_file_not_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dfcheck.lint import engine

    def broken(text: str, *args: object, **kwargs: object) -> FileResult:
        if "boom" in text:
            raise IndexError("list index out of range")
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    real = engine.lint_text
    monkeypatch.setattr(engine, "lint_text", broken)
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.Dockerfile").write_text("FROM alpine:3.20\nRUN boom\n")
    (tmp_path / "b.Dockerfile").write_text("FROM alpine:3.20\nUSER root\n")
    code, out, err = run(["check", ".", "--format", "text", "--select", "DF601"], tmp_path)
    assert code == 2
    assert err == "a.Dockerfile:1:1: internal error: IndexError('list index out of range')\n"
    assert (
        out.splitlines()[-1]
        == "Found 1 problem (1 warning) in 1 of 2 files; 1 of 2 files could not be checked."
    )


def test_pragmas_answer_each_finding_without_asking_every_pragma(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every finding walked the whole list of pragmas (findings x pragmas), and each line pragma
    searched the instruction list for its target (pragmas x instructions): a stage of every
    instruction kind with an ignore comment each grew 60x for 8x the input. Which pragmas are
    used is unchanged."""
    from dfcheck.lint import pragmas
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import lint_text

    walks = 0

    class Walked(list):  # type: ignore[type-arg]
        def __iter__(self) -> Iterator[pragmas.Pragma]:
            nonlocal walks
            walks += 1
            return super().__iter__()

    real = pragmas.collect
    monkeypatch.setattr(pragmas, "collect", lambda *args: Walked(real(*args)))
    count = 400
    rows = ["FROM alpine:3.20", "# dfcheck global ignore=DF840,DF999"]
    for i in range(count):
        rows += ["# dfcheck ignore=DF840,DF601", f"RUN mkdir /d{i}"]
    settings = Settings().replace(select=("DF840", "DF002"), shellcheck=False)
    result = lint_text("\n".join(rows) + "\n", "Dockerfile", settings)
    assert walks <= 3  # the index, and DF002 looking for unused ones
    # DF840 fires on every RUN after the first and is silenced (by both pragmas): only the
    # first RUN's line pragma is unused, as before the index.
    assert [(f.code, f.span.start_line, f.message) for f in result.findings] == [
        ("DF002", 2, "unknown rule 'DF999' in ignore comment"),
        ("DF002", 3, "ignore comment for 'DF840' suppresses nothing"),
    ]


def test_apt_lists_rule_reads_each_run_once_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """DF110 asked every later RUN of the stage chain, for each finding, whether it reads the
    lists (2,000 `apt update && apt install` RUNs: 10 s; found by bench/fuzz.py). The later
    readers are now found in one pass; the fix is still withheld when a later RUN reads them."""
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import lint_text
    from dfcheck.lint.rule import RuleContext

    asked = 0
    real = RuleContext.commands

    def commands(self: RuleContext, ins: object) -> object:
        nonlocal asked
        asked += 1
        return real(self, ins)  # type: ignore[arg-type]

    monkeypatch.setattr(RuleContext, "commands", commands)
    count = 300
    runs = "FROM debian:12\n" + "RUN apt update -y && apt install -y xdg-utils\n" * count
    settings = Settings().replace(select=("DF110",), shellcheck=False)
    result = lint_text(runs, "Dockerfile", settings)
    assert asked <= 3 * count
    assert [f.fix is not None for f in result.findings] == [True] * count
    # A last RUN that installs from the lists without updating them needs every earlier list.
    result = lint_text(runs + "RUN apt install -y curl\n", "Dockerfile", settings)
    assert [f.fix is not None for f in result.findings] == [False] * count
