"""The fix engine (dfcheck/lint/fixes.py): edits, passes, overlaps, the guard, the policy, and the
fixes of rules whose pages cannot show every case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import Span
from dfcheck.lint import engine, registry
from dfcheck.lint.config import Settings
from dfcheck.lint.finding import DISPLAY_ONLY, SAFE, UNSAFE, Edit, FileResult, Finding, Fix, Report, Severity
from dfcheck.lint.fixes import MAX_PASSES, Policy, apply_edits, fix_diff, fix_text, unified_diff
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.report import RenderOptions, load
from tests.conftest import lint

UNSAFE_FIXES = Policy(unsafe=True)


def fix(text: str, *select: str, policy: Policy = UNSAFE_FIXES, **settings: object) -> str:
    outcome = fix_text(text, "Dockerfile", Settings().replace(select=select, **settings), policy)
    assert outcome.refused is None, outcome.refused
    return outcome.text


# --- applying edits ---------------------------------------------------------------------------


def test_edits_are_offsets_into_the_original_text() -> None:
    text = "RUN a b\n"
    edits = [Edit(6, 7, "c"), Edit(4, 4, "x "), Edit(5, 5, " -y"), Edit(5, 5, " -q")]
    assert apply_edits(text, edits) == "RUN x a -y -q c\n"


def test_insertions_at_one_point_apply_in_order_and_before_a_replacement_there() -> None:
    assert apply_edits("abc", [Edit(1, 2, "B"), Edit(1, 1, "1"), Edit(1, 1, "2")]) == "a12Bc"


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])


def test_inserted_lines_follow_a_crlf_file() -> None:
    text = "FROM debian:12\r\nRUN apt-get update \\\r\n    && apt-get install -y curl=1\r\n"
    assert fix(text, "DF110") == (
        "FROM debian:12\r\nRUN apt-get update \\\r\n    && apt-get install -y curl=1 \\\r\n"
        "    && rm -rf /var/lib/apt/lists/*\r\n"
    )


def test_continuations_use_the_files_escape_character(probe: type[_Probe]) -> None:
    def append(ctx: RuleContext, ins: Instruction) -> Fix:
        edit = ctx.append_command(ins, "true")
        assert edit is not None
        return Fix("p", (*_first(ctx, ins, "update", "upgrade").edits, edit), SAFE)

    probe.find, probe.make = "update", append
    text = "# escape=`\nFROM debian:12\nRUN apt-get update `\n    && apt-get install -y curl=1\n"
    assert fix_text(text, "D", Settings(), Policy()).text == (
        "# escape=`\nFROM debian:12\nRUN apt-get upgrade `\n    && apt-get install -y curl=1 `\n    && true\n"
    )


def test_the_trailing_and_style_is_kept() -> None:
    text = "FROM fedora:40\nRUN dnf install -y \\\n      gcc-14.1 && \\\n      make-4.4\n"
    assert fix(text, "DF113") == (
        "FROM fedora:40\nRUN dnf install -y \\\n      gcc-14.1 && \\\n      make-4.4 && \\\n      dnf clean all\n"
    )


def test_apt_lists_stay_when_a_later_run_reads_them() -> None:
    for text in (
        "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl=1\n",
        "FROM debian:12 AS base\nRUN apt-get update && apt-get install -y curl=1\nFROM base\nRUN apt-get install -y git=1\n",
    ):
        (finding, *_) = lint(text, ("DF110",))
        assert finding.fix is None, text


def test_nothing_is_appended_after_a_comment_or_an_operator() -> None:
    for run in ("RUN dnf install -y gcc-14.1 # compilers", "RUN dnf install -y gcc-14.1 &"):
        (finding,) = lint(f"FROM fedora:40\n{run}\n", ("DF113",))
        assert finding.fix is None


# --- passes, overlaps and the guard, with a probe rule ----------------------------------------


class _Probe(Rule):
    """A rule the tests program: it flags the first ``find`` in the text of a RUN and offers the
    fix ``make(ctx, ins)``. Left unregistered (the code is set after the class is made)."""

    name = "probe"
    severity = Severity.WARNING
    summary = "probe"
    instructions = frozenset({"RUN"})
    find = ""
    make: object = None

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        if self.find in ins.rest:
            at = ins.rest.index(self.find)
            span = ins.rest_map.span(at, at + len(self.find))
            yield self.finding(ctx, span, "probe", fix=type(self).make(ctx, ins))  # type: ignore[operator]


_Probe.code = "DF999"


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> type[_Probe]:
    monkeypatch.setitem(registry.REGISTRY, _Probe.code, _Probe)
    monkeypatch.setattr(engine, "selected_rules", lambda settings: [_Probe.info()])
    return _Probe


def _first(ctx: RuleContext, ins: Instruction, old: str, new: str) -> Fix:
    """Replace the first ``old`` of the RUN's text by ``new``."""
    at = ctx.line_index.offsets(ins.rest_span)[0] + ins.rest.index(old)
    return Fix("probe", (Edit(at, at + len(old), new),), SAFE)


def test_fixes_are_applied_in_passes_until_nothing_changes(probe: type[_Probe]) -> None:
    """Each pass resolves the flagged ``ab`` and makes another one, further left."""
    probe.find, probe.make = "ab", lambda ctx, ins: _first(ctx, ins, "ab", "b")
    outcome = fix_text("FROM x\nRUN aaab\n", "D", Settings(), Policy())
    assert (outcome.text, outcome.passes, outcome.applied["DF999"]) == ("FROM x\nRUN b\n", 3, 3)


def test_a_fix_that_never_settles_is_refused(probe: type[_Probe]) -> None:
    """Each pass resolves the flagged RUN and adds a new one."""

    def again(ctx: RuleContext, ins: Instruction) -> Fix:
        end = len(ctx.dockerfile.text)
        return Fix("probe", (*_first(ctx, ins, "m", "n").edits, Edit(end, end, "RUN m\n")), SAFE)

    probe.find, probe.make = "m", again
    outcome = fix_text("FROM x\nRUN m\n", "D", Settings(), Policy())
    assert outcome.text == "FROM x\nRUN m\n"
    assert outcome.refused == f"fixes of DF999 did not settle in {MAX_PASSES} passes"


def test_the_guard_refuses_a_fix_that_changes_another_instruction(probe: type[_Probe]) -> None:
    """Joining the next line into the RUN changes what BuildKit reads there."""

    def join(ctx: RuleContext, ins: Instruction) -> Fix:
        end = ctx.line_index.offset(ins.span.end_line, ins.span.end_col)
        return Fix("probe", (Edit(end, end + 1, " "),), SAFE)

    probe.find, probe.make = "x", join
    text = "FROM x\nRUN x\nENV A=1\n"
    outcome = fix_text(text, "D", Settings(), Policy())
    assert outcome.text == text and outcome.result.findings[0].code == "DF999"
    assert outcome.refused == "the fix of DF999 moved, merged or split the instruction on line 2"


def test_the_guard_refuses_a_fix_that_leaves_its_finding(probe: type[_Probe]) -> None:
    probe.find, probe.make = "x", lambda ctx, ins: _first(ctx, ins, "x", "xx")
    outcome = fix_text("FROM x\nRUN x\n", "D", Settings(), Policy())
    assert outcome.refused == "the fix of DF999 left the DF999 finding on line 2 in place"


def test_the_guard_refuses_a_fix_that_breaks_the_file(probe: type[_Probe]) -> None:
    probe.find, probe.make = "y", lambda ctx, ins: _first(ctx, ins, "y", "<<EOF")
    outcome = fix_text("FROM x\nRUN y\n", "D", Settings(), Policy())
    assert outcome.refused is not None and "made the file invalid: unterminated heredoc" in outcome.refused


def test_the_guard_keeps_heredoc_bodies_that_the_finding_is_not_about(probe: type[_Probe]) -> None:
    def body(ctx: RuleContext, ins: Instruction) -> Fix:
        at = ctx.line_start(ins.heredocs[0].body_span.start_line)
        return Fix("probe", (Edit(at, at, "set -e\n"),), SAFE)

    probe.find, probe.make = "echo", body
    outcome = fix_text("FROM x\nRUN echo hi && sh <<EOF\ntrue\nEOF\n", "D", Settings(), Policy())
    assert outcome.refused == "the fix of DF999 rewrote a heredoc body its finding is not about"


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    """DF802 (ADD -> COPY) and DF807 (casing) edit the same keyword: DF802 comes first by code,
    and DF807's finding is gone when the file is linted again."""
    text = "FROM alpine:3.20\nRUN true\nAdd a.txt /b/\n"
    outcome = fix_text(text, "D", Settings().replace(select=("DF802", "DF807")), Policy())
    assert outcome.text == "FROM alpine:3.20\nRUN true\nCOPY a.txt /b/\n"
    assert dict(outcome.applied) == {"DF802": 1} and outcome.passes == 1


def test_one_fix_shared_by_several_findings_is_applied_once() -> None:
    text = "FROM debian:12\nRUN curl -s x | sh\nRUN wget -qO- y | sh\n"
    assert fix(text, "DF511") == (
        'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -s x | sh\nRUN wget -qO- y | sh\n'
    )


def test_a_second_run_changes_nothing() -> None:
    text = (
        "from ubuntu:22.04 as Build\nrun apt update && apt install curl\nENV A 1\n"
        "COPY a b /c\nadd x.txt /y/\nCMD node a.js\nCMD node b.js\n"
    )
    once = fix(text, "DF", extend_select=("DF",))
    assert once != text
    again = fix_text(once, "D", Settings().replace(extend_select=("DF",)), UNSAFE_FIXES)
    assert again.text == once and not again.applied and again.refused is None


# --- which fixes apply --------------------------------------------------------------------------


def _finding(code: str, applicability: str) -> Finding:
    edit = Edit(0, 0, "")
    return Finding(
        code, "n", Severity.WARNING, "m", "D", Span(1, 1, 1, 2), fix=Fix("t", (edit,), applicability)
    )


def test_policy_follows_applicability_and_the_rule_lists() -> None:
    safe, unsafe, shown = _finding("DF504", SAFE), _finding("DF505", UNSAFE), _finding("DF720", DISPLAY_ONLY)
    assert [Policy().applies(f) for f in (safe, unsafe, shown)] == [True, False, False]
    assert [Policy(unsafe=True).applies(f) for f in (safe, unsafe, shown)] == [True, True, False]
    assert Policy(extend_safe=("DF505",)).applies(unsafe)
    assert not Policy(unsafe=True, unfixable=("DF5",)).applies(safe)
    assert not Policy(unsafe=True, fixable=("DF1",)).applies(safe)
    assert Policy().held_back(unsafe) and not Policy().held_back(shown)


def test_without_unsafe_fixes_they_are_counted_not_applied() -> None:
    text = "FROM debian:12\nRUN apt-get update && apt-get install curl=1\n"
    outcome = fix_text(text, "D", Settings().replace(select=("DF504", "DF505")), Policy())
    assert outcome.text == "FROM debian:12\nRUN apt-get update && apt-get install -y curl=1\n"
    assert outcome.held_back == 1


# --- rules whose fixes have cases the pages do not show ---------------------------------------


def test_exec_form_only_when_the_split_is_certain() -> None:
    cases = {
        "CMD exec python app.py --port 80": 'CMD ["python", "app.py", "--port", "80"]',
        "CMD python -c 'print(1)' \"a b\"": 'CMD ["python", "-c", "print(1)", "a b"]',
        "ENTRYPOINT ['tini', '--']": 'ENTRYPOINT ["tini", "--"]',
    }
    for before, after in cases.items():
        assert fix(f"FROM python:3.12\n{before}\n", "DF201") == f"FROM python:3.12\n{after}\n"
    for kept in ("CMD python app.py $ARGS", "CMD a && b", "CMD PORT=1 app", "CMD ls *.txt", "CMD a \\\n  b"):
        (finding,) = lint(f"FROM python:3.12\n{kept}\n", ("DF201",))
        assert finding.fix is None, kept
    text = "FROM python:3.12\nENTRYPOINT python app.py\nCMD --debug\n"
    assert all(f.fix is None for f in lint(text, ("DF201",)) if f.span.start_line == 2)


def test_exec_form_check_stays_linear_on_long_commands() -> None:
    """The word pattern once nested repetitions and backtracked exponentially on a long command
    that does not match (here: a variable at the end)."""
    text = "FROM python:3.12\nCMD " + " ".join(["abcdefgh"] * 40) + " $X\n"
    (finding,) = lint(text, ("DF201",))
    assert finding.fix is None


def test_sorting_packages_keeps_an_aligned_continuation_column() -> None:
    text = "FROM debian:12\nRUN apt-get install -y \\\n  clang           \\\n  build-essential \\\n  git\n"
    assert fix(text, "DF817") == (
        "FROM debian:12\nRUN apt-get install -y \\\n  build-essential \\\n  clang           \\\n  git\n"
    )


def test_stale_rules_leave_an_ignore_comment_that_keeps_others() -> None:
    text = "FROM alpine:3.20\n# dfcheck ignore=DF999, maintainer-deprecated, DF998\nMAINTAINER me\n"
    assert fix(text, "DF002", "DF801", policy=Policy()) == (
        "FROM alpine:3.20\n# dfcheck ignore=maintainer-deprecated\nMAINTAINER me\n"
    )


def test_stage_references_are_lowercased_with_the_name() -> None:
    text = 'FROM golang:1.22 AS Build\nFROM alpine\nCOPY --from="Build" /a /a\nCOPY --from=Build /b /b\n'
    assert fix(text, "DF804") == (
        'FROM golang:1.22 AS build\nFROM alpine\nCOPY --from="Build" /a /a\nCOPY --from=build /b /b\n'
    )


def test_a_starter_dockerignore_leaves_out_what_a_copy_names(tmp_path: Path) -> None:
    for name in (".git/HEAD", "node_modules/x/index.js", "package.json", "dist/app.js"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    text = "FROM node:22\nCOPY dist/ /srv/\nCOPY . /app\n"
    (tmp_path / "Dockerfile").write_text(text)
    settings = Settings().replace(select=("DF401",))
    outcome = fix_text(text, "Dockerfile", settings, UNSAFE_FIXES, tmp_path / "Dockerfile", tmp_path)
    assert outcome.files == {".dockerignore": ".git\nnode_modules\nnpm-debug.log*\nyarn-error.log*\n"}
    assert outcome.text == text and outcome.result.findings == [] and outcome.applied == {"DF401": 1}
    (tmp_path / ".dockerignore").write_text("x\n")
    again = fix_text(text, "Dockerfile", settings, UNSAFE_FIXES, tmp_path / "Dockerfile", tmp_path)
    assert not again.files and not again.applied


def test_a_dockerfile_in_another_folder_gets_its_own_ignore_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("x")
    (tmp_path / "docker").mkdir()
    text = "FROM alpine\nCOPY . /app\n"
    (tmp_path / "docker" / "app.Dockerfile").write_text(text)
    settings = Settings().replace(select=("DF401",))
    outcome = fix_text(text, "D", settings, UNSAFE_FIXES, tmp_path / "docker" / "app.Dockerfile", tmp_path)
    assert outcome.files == {"app.Dockerfile.dockerignore": ".git\n"}


# --- diffs and formats --------------------------------------------------------------------------


def test_unified_diff_and_new_files() -> None:
    assert unified_diff("D", "a\nb\n", "a\nc\n") == "--- a/D\n+++ b/D\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
    assert unified_diff(".dockerignore", "", ".git\n", new_file=True) == (
        "--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1 @@\n+.git\n"
    )


def test_fix_diff_shows_changed_lines_and_created_files() -> None:
    text = "FROM x\nRUN apt-get install curl\n"
    fix_ = Fix("t", (Edit(26, 26, " -y"), Edit(0, 0, ".git\n", ".dockerignore")), UNSAFE)
    assert fix_diff(text, fix_) == [
        ("@", "2"),
        ("-", "RUN apt-get install curl"),
        ("+", "RUN apt-get install -y curl"),
        ("file", ".dockerignore"),
        ("+", ".git"),
    ]


def test_json_findings_carry_the_fix_with_offsets_and_spans() -> None:
    text = "FROM x\nRUN apt-get install curl\n"
    finding = Finding(
        "DF504",
        "install-without-yes",
        Severity.WARNING,
        "m",
        "D",
        Span(2, 13, 2, 20),
        fix=Fix("Add -y", (Edit(26, 26, " -y"),)),
    )
    out = render_json(Report([FileResult("D", text, [finding])]))
    assert out["findings"][0]["fix"] == {
        "applicability": "safe",
        "message": "Add -y",
        "edits": [
            {
                "start": 26,
                "end": 26,
                "content": " -y",
                "span": {"start_line": 2, "start_col": 20, "end_line": 2, "end_col": 20},
            }
        ],
    }


def render_json(report: Report) -> Any:
    import io

    out = io.StringIO()
    load("json").render(report, out, RenderOptions())
    return json.loads(out.getvalue())


def test_rdjson_suggests_only_fixes_a_reviewer_can_apply() -> None:
    import io

    text = "FROM x\nRUN apt-get install curl\n"
    findings = [
        Finding(
            "DF504", "a", Severity.WARNING, "m", "D", Span(2, 13, 2, 20), fix=Fix("t", (Edit(26, 26, " -y"),))
        ),
        Finding(
            "DF720",
            "b",
            Severity.WARNING,
            "m",
            "D",
            Span(2, 21, 2, 25),
            fix=Fix("t", (Edit(21, 25, "curl=<v>"),), DISPLAY_ONLY),
        ),
    ]
    out = io.StringIO()
    load("rdjson").render(Report([FileResult("D", text, findings)]), out, RenderOptions())
    first, second = json.loads(out.getvalue())["diagnostics"]
    assert first["suggestions"] == [
        {"range": {"start": {"line": 2, "column": 20}, "end": {"line": 2, "column": 20}}, "text": " -y"}
    ]
    assert "suggestions" not in second


# --- the command line ---------------------------------------------------------------------------

LOOSE = "from debian:12\nRUN apt-get update && apt-get install curl=7.88\nCMD node app.js\n"
SAFE_FIXED = "FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88\nCMD node app.js\n"
ALL_FIXED = (
    "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y curl=7.88 "
    '&& rm -rf /var/lib/apt/lists/*\nCMD ["node", "app.js"]\n'
)
RULES = ["--select", "DF504,DF505,DF110,DF201,DF807"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(LOOSE)
    return tmp_path


def test_diff_prints_and_writes_nothing(project: Path) -> None:
    code, out, err = run_cli(["check", "--diff", *RULES, "Dockerfile"], cwd=project)
    assert code == 1 and (project / "Dockerfile").read_text() == LOOSE
    assert out == unified_diff("Dockerfile", LOOSE, SAFE_FIXED)
    assert err == "Would fix 2 problems in 1 file (3 more with --unsafe-fixes).\n"
    (project / "Dockerfile").write_text(SAFE_FIXED)
    assert run_cli(["check", "--diff", *RULES, "Dockerfile"], cwd=project)[:2] == (0, "")


def test_fix_writes_and_reports_what_is_left(project: Path) -> None:
    code, out, _ = run_cli(["check", "--fix", *RULES, "--format", "text", "Dockerfile"], cwd=project)
    assert (project / "Dockerfile").read_text() == SAFE_FIXED
    assert code == 1 and "Fixed 2 problems in 1 file (3 more with --unsafe-fixes).\n" in out
    assert "Found 3 problems" in out and "DF807" not in out
    code, out, _ = run_cli(
        ["check", "--fix", "--unsafe-fixes", *RULES, "--format", "text", "Dockerfile"], cwd=project
    )
    assert (project / "Dockerfile").read_text() == ALL_FIXED and code == 0
    assert out == "Fixed 3 problems in 1 file.\nAll checks passed (1 file).\n"


def test_fix_only_reports_nothing_else(project: Path) -> None:
    code, out, err = run_cli(["check", "--fix-only", *RULES, "Dockerfile"], cwd=project)
    assert (code, out) == (0, "") and (project / "Dockerfile").read_text() == SAFE_FIXED
    assert err == "Fixed 2 problems in 1 file (3 more with --unsafe-fixes).\n"


def test_stdin_fix_writes_the_fixed_file_to_stdout_and_the_report_to_stderr(project: Path) -> None:
    code, out, err = run_cli(
        ["check", "--fix", *RULES, "--format", "text", "-"], stdin=LOOSE.encode(), cwd=project
    )
    assert out == SAFE_FIXED and code == 1
    assert "-:2:" in err and "Fixed 2 problems" in err


def test_line_endings_and_byte_order_mark_are_kept(project: Path) -> None:
    crlf = LOOSE.replace("\n", "\r\n").encode()
    (project / "Dockerfile").write_bytes(b"\xef\xbb\xbf" + crlf)
    run_cli(["check", "--fix", "--unsafe-fixes", *RULES, "Dockerfile"], cwd=project)
    at_once = ALL_FIXED.replace("--no-install-recommends -y", "-y --no-install-recommends")
    assert (project / "Dockerfile").read_bytes() == b"\xef\xbb\xbf" + at_once.replace("\n", "\r\n").encode()


def test_a_file_that_is_not_utf8_is_not_fixed(project: Path) -> None:
    data = LOOSE.encode() + b"# caf\xe9\n"
    (project / "Dockerfile").write_bytes(data)
    code, _, err = run_cli(["check", "--fix", *RULES, "Dockerfile"], cwd=project)
    assert (project / "Dockerfile").read_bytes() == data
    assert "invalid UTF-8" in err and "not fixed" in err and code == 1


def test_configuration_chooses_the_fixes(project: Path) -> None:
    (project / ".dfcheck.toml").write_text('unfixable = ["DF807"]\nextend-safe-fixes = ["DF201"]\n')
    run_cli(["check", "--fix", *RULES, "Dockerfile"], cwd=project)
    assert (project / "Dockerfile").read_text() == (
        'from debian:12\nRUN apt-get update && apt-get install -y curl=7.88\nCMD ["node", "app.js"]\n'
    )
    (project / ".dfcheck.toml").write_text('fixable = ["DF999"]\n')
    code, _, err = run_cli(["check", "--fix", *RULES, "Dockerfile"], cwd=project)
    assert code == 2 and "fixable: no rule matches 'DF999'" in err


def test_created_files_are_diffed_and_written(project: Path) -> None:
    (project / "node_modules" / "x").mkdir(parents=True)
    (project / "node_modules" / "x" / "i.js").write_text("x")
    (project / "Dockerfile").write_text("FROM node:22\nCOPY . /app\n")
    args = ["check", "--unsafe-fixes", "--select", "DF401"]
    code, out, _ = run_cli([*args, "--diff", "Dockerfile"], cwd=project)
    assert code == 1 and out == "--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1,2 @@\n+.git\n+node_modules\n"
    assert not (project / ".dockerignore").exists()
    assert run_cli([*args, "--fix", "Dockerfile"], cwd=project)[0] == 0
    assert (project / ".dockerignore").read_text() == ".git\nnode_modules\n"


def test_many_files_are_fixed_in_worker_processes(project: Path) -> None:
    for i in range(70):
        (project / f"{i}.Dockerfile").write_text(LOOSE)
    code, _, err = run_cli(["check", "--fix-only", *RULES, "."], cwd=project)
    assert code == 0 and err == "Fixed 142 problems in 71 files (213 more with --unsafe-fixes).\n"
    assert {p.read_text() for p in project.glob("*Dockerfile")} == {SAFE_FIXED}


def run_cli(args: list[str], stdin: bytes | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    from tests.test_cli import run

    return run(args, stdin, cwd)
