"""The CLI through typer's CliRunner: exit codes, bad input, stdin, configuration and pragmas."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dfcheck.cli.app import app

README = Path(__file__).resolve().parent.parent / "README.md"
GOOD = 'FROM alpine:3.20\nUSER nobody\nCMD ["true"]\n'
BAD = "FROM alpine:3.20\nCOPY --form=x a b\n"


def run(args: list[str], stdin: bytes | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = runner.invoke(app, args, input=stdin, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_clean_file_exits_zero(project: Path) -> None:
    (project / "Dockerfile").write_text(GOOD)
    code, out, _ = run(["check", str(project / "Dockerfile"), "--format", "text"])
    assert code == 0
    assert "All checks passed" in out


def test_findings_exit_one_and_text_format(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM alpine:3.20\nCOPY --form=x a b\n")
    path = str(project / "Dockerfile")
    code, out, _ = run(["check", path, "--format", "text", "--select", "DF001"])
    assert code == 1
    assert f"{path}:2:6: DF001 unknown flag: form" in out
    assert "Found 1 problem (1 error)" in out


def test_failure_threshold_and_exit_zero(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM alpine:3.20\n# dfcheck ignore=DF999\nRUN true\n")
    args = ["check", str(project / "Dockerfile"), "--select", "DF002", "--format", "json"]
    assert run([*args, "--failure-threshold", "warning"])[0] == 0
    assert run([*args, "--failure-threshold", "info"])[0] == 1
    assert run([*args, "--failure-threshold", "none"])[0] == 0
    assert run([*args, "--exit-zero"])[0] == 0


def test_json_schema(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM alpine:3.20\nCOPY --form=x a b\n")
    code, out, _ = run(["check", str(project / "Dockerfile"), "--format", "json", "--select", "DF001"])
    doc = json.loads(out)
    assert code == 1 and doc["version"] == 2
    finding = doc["findings"][0]
    assert finding["code"] == "DF001" and finding["name"] == "parse-error"
    assert finding["span"] == {"start_line": 2, "start_col": 6, "end_line": 2, "end_col": 14}
    assert finding["severity"] == "error" and "DL1000" in finding["aliases"]


def test_usage_error_exits_two() -> None:
    code, _, _ = run(["check", "--failure-threshold", "fatal", "."])
    assert code == 2
    code, _, _ = run(["check", "--select", "NOPE"])
    assert code == 2


def test_missing_path_is_one_line_error_and_others_still_linted(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM alpine:3.20\nCOPY --form=x a b\n")
    code, out, err = run(["check", str(project / "nope"), str(project / "Dockerfile"), "--format", "json"])
    assert code == 2
    assert f"{project / 'nope'}:1:1: cannot read: no such file or directory" in err
    assert "Traceback" not in err
    assert json.loads(out)["findings"], "the readable file must still be reported"


BAD_INPUTS = {
    "binary": b"\x7fELF\x00\x00\x01\x02" * 10,
    "invalid_utf8": b"FROM alpine:3.20\nRUN echo \xff\xfe\n",
    "empty": b"",
    "unterminated_heredoc": b"FROM alpine:3.20\nRUN <<EOF\necho hi\n",
    "long_continuation": b"FROM alpine:3.20\nRUN echo \\\n" + b"  a \\\n" * 10_000 + b"  end\n",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_never_tracebacks(project: Path, name: str) -> None:
    path = project / name
    path.write_bytes(BAD_INPUTS[name])
    (project / "Dockerfile").write_text(BAD)
    code, out, err = run(["check", str(path), str(project / "Dockerfile"), "--format", "json"])
    assert "Traceback" not in err + out
    assert code in (1, 2)
    doc = json.loads(out)
    assert any(f["path"].endswith("Dockerfile") for f in doc["findings"])
    if name == "binary":
        assert f"{path}:1:1: binary file" in err
    if name == "invalid_utf8":
        assert f"{path}:2:10: invalid UTF-8" in err
    if name in ("empty", "unterminated_heredoc"):
        assert any(f["path"] == str(path) and f["code"] == "DF001" for f in doc["findings"])


def test_huge_file_is_refused_with_a_message(project: Path) -> None:
    path = project / "huge"
    path.write_bytes(b"FROM alpine:3.20\n" + b"RUN true\n" * (10 * 1024 * 1024 // 9))
    code, _, err = run(["check", str(path), "--format", "json"])
    assert code == 2
    assert f"{path}:1:1: file is larger than" in err


def test_symlink_loop_and_unreadable(project: Path) -> None:
    loop = project / "loop"
    loop.symlink_to(loop)
    code, _, err = run(["check", str(loop)])
    assert code == 2 and f"{loop}:1:1: cannot read" in err and "Traceback" not in err


def test_stdin_with_filename(project: Path) -> None:
    code, out, _ = run(
        ["check", "-", "--stdin-filename", "web/Dockerfile", "--format", "json", "--select", "DF001"],
        stdin=b"FROM alpine:3.20\nFOO bar\n",
    )
    assert code == 1
    assert json.loads(out)["findings"][0]["path"] == "web/Dockerfile"


def test_directory_discovery_skips_ignored(project: Path) -> None:
    (project / "svc").mkdir()
    (project / "svc" / "Dockerfile.prod").write_text("FROM alpine:3.20\nFOO\n")
    (project / "node_modules" / "x").mkdir(parents=True)
    (project / "node_modules" / "x" / "Dockerfile").write_text("FOO\n")
    (project / "api.dockerfile").write_text(GOOD)
    code, out, _ = run(["check", str(project), "--format", "json", "--select", "DF001"])
    paths = {f["path"] for f in json.loads(out)["files"]}
    assert paths == {str(project / "svc" / "Dockerfile.prod"), str(project / "api.dockerfile")}
    assert code == 1


def test_config_file_and_bad_key(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM alpine:3.20\n# dfcheck ignore=DF999\nRUN true\n")
    (project / ".dfcheck.toml").write_text('ignore = ["DF002"]\n')
    assert run(["check", str(project / "Dockerfile")])[0] == 0
    (project / ".dfcheck.toml").write_text('ignroe = ["DF002"]\n')
    code, _, err = run(["check", str(project / "Dockerfile")])
    assert code == 2 and "unknown key 'ignroe'" in err


def test_pyproject_and_hadolint_yaml(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM alpine:3.20\nCOPY --form=x a b\n")
    (project / ".hadolint.yaml").write_text("ignored:\n  - DL1000\n")
    assert run(["check", str(project / "Dockerfile"), "--select", "DF001"])[0] == 0
    (project / "pyproject.toml").write_text('[tool.dfcheck]\nfailure-threshold = "none"\n')
    code, out, _ = run(["check", str(project / "Dockerfile"), "--select", "DF001", "--format", "json"])
    assert code == 0 and json.loads(out)["findings"]


def test_env_and_cli_precedence(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "Dockerfile").write_text("FROM alpine:3.20\nCOPY --form=x a b\n")
    monkeypatch.setenv("DFCHECK_IGNORE", "DF001")
    assert run(["check", str(project / "Dockerfile"), "--select", "DF001"])[0] == 0
    monkeypatch.setenv("DFCHECK_FAILURE_THRESHOLD", "none")
    monkeypatch.delenv("DFCHECK_IGNORE")
    assert run(["check", str(project / "Dockerfile")])[0] == 0
    assert run(["check", str(project / "Dockerfile"), "--failure-threshold", "error"])[0] == 1


def test_pragmas_and_no_pragmas(project: Path) -> None:
    text = "FROM alpine:3.20\n# hadolint ignore=DL1000\nCOPY --form=x a b\n"
    (project / "Dockerfile").write_text(text)
    assert run(["check", str(project / "Dockerfile"), "--select", "DF001"])[0] == 0
    assert run(["check", str(project / "Dockerfile"), "--select", "DF001", "--no-pragmas"])[0] == 1


def test_rules_and_rule_commands() -> None:
    code, out, _ = run(["rules", "--format", "json"])
    rules = json.loads(out)["rules"]
    assert code == 0 and all({"code", "name", "category", "severity", "aliases"} <= set(r) for r in rules)
    code, out, _ = run(["rule", "DL1000"])
    assert code == 0 and "DF001 parse-error" in out
    assert run(["rule", "NOPE"])[0] == 2


def test_parse_command_exit_codes(project: Path) -> None:
    (project / "ok").write_text("FROM alpine:3.20\nRUN echo hi\n")
    (project / "bad").write_text("FROM alpine:3.20\nRUN --doit echo hi\n")
    code, out, _ = run(["parse", str(project / "ok"), "--format", "buildkit"])
    assert code == 0 and out == '(from "alpine:3.20")\n(run "echo hi")\n'
    code, out, err = run(["parse", str(project / "bad"), "--format", "buildkit"])
    assert code == 1 and out == '(from "alpine:3.20")\n(run ["--doit"] "echo hi")\n'
    assert ":2:5: DF001 unknown flag: doit" in err


def test_version() -> None:
    code, out, _ = run(["--version"])
    assert code == 0 and out.startswith("dfcheck ")


def test_baseline_round_trip_survives_line_shifts(project: Path) -> None:
    dockerfile = project / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\nCOPY --form=x a b\n")
    baseline = project / "baseline.json"
    assert run(["baseline", str(dockerfile), "-o", str(baseline), "--select", "DF001"])[0] == 0
    dockerfile.write_text("FROM alpine:3.20\nRUN true\n\nCOPY --form=x a b\nCOPY --chmown=1 a b\n")
    code, out, _ = run(
        ["check", str(dockerfile), "--baseline", str(baseline), "--select", "DF001", "-f", "json"]
    )
    findings = json.loads(out)["findings"]
    assert code == 1
    assert [f["span"]["start_line"] for f in findings] == [5]


def test_shellcheck_positions_in_heredoc_and_continuation(project: Path) -> None:
    from dfcheck.shell import shellcheck_binary

    if not shellcheck_binary.available():
        pytest.skip("shellcheck not installed")
    text = "FROM alpine:3.20\nARG NAME=x\nRUN echo start && \\\n    echo $NAME $UNSET\nRUN <<EOF\ncd /tmp\necho $HOME\nEOF\n"
    (project / "Dockerfile").write_text(text)
    _, out, _ = run(["check", str(project / "Dockerfile"), "--select", "DF500", "-f", "json"])
    found = {
        (f["code"], f["span"]["start_line"], f["span"]["start_col"]) for f in json.loads(out)["findings"]
    }
    assert ("SC2086", 4, 10) in found and ("SC2086", 4, 16) in found
    assert ("SC2086", 7, 6) in found
    _, out, _ = run(
        ["check", str(project / "Dockerfile"), "--select", "DF500", "--ignore", "SC2086", "-f", "json"]
    )
    assert not [f for f in json.loads(out)["findings"] if f["code"] == "SC2086"]


def test_buildkit_check_directive_skip_and_error(project: Path) -> None:
    body = "FROM alpine:3.20\nENTRYPOINT echo hi\n"
    (project / "Dockerfile").write_text("# check=skip=JSONArgsRecommended\n" + body)
    _, out, _ = run(["check", str(project / "Dockerfile"), "--select", "DF201", "-f", "json"])
    assert json.loads(out)["findings"] == []
    (project / "Dockerfile").write_text("# check=error=true\n" + body)
    _, out, _ = run(["check", str(project / "Dockerfile"), "--select", "DF201", "-f", "json"])
    assert [f["severity"] for f in json.loads(out)["findings"]] == ["error"]


def test_statistics_say_whether_shellcheck_runs(project: Path) -> None:
    (project / "Dockerfile").write_text(GOOD)
    code, out, _ = run(["check", str(project / "Dockerfile"), "--statistics", "-f", "text"])
    assert code == 0
    assert any(line.startswith("shellcheck: ") for line in out.splitlines())


def test_color_must_be_auto_always_or_never(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "Dockerfile").write_text(GOOD)
    message = "dfcheck: error: --color (or DFCHECK_COLOR): 'purple' is not one of auto, always, never\n"
    assert run(["check", str(project / "Dockerfile"), "--color", "purple"]) == (2, "", message)
    monkeypatch.setenv("DFCHECK_COLOR", "purple")
    assert run(["check", str(project / "Dockerfile")]) == (2, "", message)
    assert run(["check", str(project / "Dockerfile"), "--color", "never"])[0] == 0


def test_missing_target_stage_is_an_error_for_that_file_only(project: Path) -> None:
    (project / "a.Dockerfile").write_text(
        "FROM alpine:3.20 AS build\nFROM alpine:3.20 AS runtime\nCOPY --form=x a b\n"
    )
    (project / "b.Dockerfile").write_text("FROM alpine:3.20 AS build\nRUN true\n")
    code, out, err = run(["check", str(project), "--target", "runtime", "--select", "DF001", "-f", "json"])
    assert code == 2
    assert err == f"{project / 'b.Dockerfile'}:1:1: target stage 'runtime' not found (named stages: build)\n"
    assert [f["path"] for f in json.loads(out)["findings"]] == [str(project / "a.Dockerfile")]


def test_context_must_be_a_directory(project: Path) -> None:
    (project / "Dockerfile").write_text(GOOD)
    code, out, err = run(["check", str(project / "Dockerfile"), "--context", str(project / "nope")])
    assert (code, out) == (2, "")
    assert err == f"dfcheck: error: --context {project / 'nope'}: not a directory\n"


def test_rule_prefix_lists_the_rules_it_matches() -> None:
    from dfcheck.lint.registry import load_rules

    cache_rules = sorted(code for code in load_rules() if code.startswith("DF1"))
    code, out, err = run(["rule", "DF1"])
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[0] == f"DF1 matches {len(cache_rules)} rules:"
    assert [line.split()[0] for line in lines[1:]] == cache_rules
    assert [line for line in lines if line != line.rstrip()] == [], "no trailing blanks"
    code, out, _ = run(["rule", "DF1", "--format", "json"])
    assert [r["code"] for r in json.loads(out)["rules"]] == cache_rules
    assert run(["rule", "NOPE"]) == (2, "", "dfcheck: error: no rule named 'NOPE'\n")


def test_summary_never_says_all_passed_when_a_file_was_not_checked(project: Path) -> None:
    missing = str(project / "nonexistent")
    assert run(["check", missing, "-f", "text"]) == (
        2,
        "No problems found, but 1 of 1 file could not be checked.\n",
        f"{missing}:1:1: cannot read: no such file or directory\n",
    )
    (project / "Dockerfile").write_text(BAD)
    code, out, _ = run(["check", missing, str(project / "Dockerfile"), "-f", "text", "--select", "DF001"])
    assert code == 2
    assert out.endswith("Found 1 problem (1 error) in 1 of 2 files; 1 of 2 files could not be checked.\n")
    (project / "Dockerfile").write_text(GOOD)
    assert run(["check", str(project / "Dockerfile"), "-f", "text"])[1] == "All checks passed (1 file).\n"


def test_bad_threshold_names_every_level() -> None:
    code, _, err = run(["check", "--failure-threshold", "fatal", "."])
    assert code == 2
    assert err == (
        "dfcheck: error: --failure-threshold must be one of error, warning, info, style, none (got 'fatal')\n"
    )


def test_unknown_format_is_refused_before_linting(project: Path) -> None:
    (project / "Dockerfile").write_text(BAD)
    code, out, err = run(["check", str(project / "Dockerfile"), "-f", "yaml"])
    assert (code, out) == (2, "")
    assert err.startswith("dfcheck: error: unknown format 'yaml'; choose from text, json, ")


def test_help_shows_metavars_and_whole_summaries() -> None:
    from dfcheck.cli.app import app

    code, out, _ = run(["--help"])
    flat = " ".join(out.split())
    assert code == 0
    for command in app.registered_commands:
        summary = " ".join((command.callback.__doc__ or "").split("\n\n")[0].split())  # type: ignore[union-attr]
        assert f"{command.name} {summary}" in flat
    for command in app.registered_commands:
        code, out, _ = run([str(command.name), "--help"])
        assert code == 0
        assert not re.search(r"<(list|str|int|path|float|bool|text)\b", out), out
        assert not re.search(r"\[\w+\]\.\.\.\]", out)
        assert "......" not in out, out
    usage = run(["check", "--help"])[1].splitlines()[0]
    assert usage == "Usage: dfcheck check [OPTIONS] [PATH...]"
    assert "--failure-threshold LEVEL" in run(["check", "--help"])[1]
    assert "--history HISTORY" in run(["cache", "--help"])[1]


@pytest.mark.parametrize(
    ("args", "code"),
    [(["rules"], 0), (["check", "BAD"], 1), (["parse", "BAD"], 1)],
    ids=["rules", "check", "parse"],
)
def test_closed_pipe_ends_quietly(project: Path, args: list[str], code: int) -> None:
    """``dfcheck ... | head`` with the reader gone before dfcheck writes: no message, the usual exit code."""
    (project / "BAD").write_text(BAD)
    argv = [str(project / a) if a == "BAD" else a for a in args]
    proc = subprocess.Popen(
        [sys.executable, "-m", "dfcheck", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == code
    expected = (
        f"{project / 'BAD'}:2:6: DF001 unknown flag: form (did you mean from?) [error]\n"
        if args[0] == "parse"
        else ""
    )
    assert err == expected


def test_exclude_leaves_paths_out_of_discovery(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "Dockerfile",
        "vendor/Dockerfile",
        "build/a.Dockerfile",
        "src/build/Dockerfile",
        "svc/x.Dockerfile",
    ):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(GOOD)
    (project / ".dfcheck.toml").write_text('exclude = ["vendor", "build/*"]\n')
    (project / "svc" / ".dfcheck.toml").write_text('exclude = ["x.*"]\n')

    def checked(*args: str) -> set[str]:
        code, out, _ = run(["check", *args, "-f", "json"], cwd=project)
        assert code == 0
        return {f["path"] for f in json.loads(out)["files"]}

    assert checked(".") == {"Dockerfile", "src/build/Dockerfile"}
    assert checked("svc/x.Dockerfile", "vendor/Dockerfile") == {"svc/x.Dockerfile", "vendor/Dockerfile"}
    assert checked("vendor") == {"vendor/Dockerfile"}
    (project / ".dfcheck.toml").unlink()
    monkeypatch.setenv("DFCHECK_EXCLUDE", "src,build")  # the environment beats svc/.dfcheck.toml too
    assert checked(".") == {"Dockerfile", "vendor/Dockerfile", "svc/x.Dockerfile"}


def test_readme_options_table_is_generated_from_the_declaration() -> None:
    from dfcheck.cli.options import markdown_table

    text = README.read_text()
    table = text.split("<!-- check-options", 1)[1].split("\n", 1)[1].split("<!-- /check-options -->")[0]
    assert table == markdown_table()


def test_readme_commands_do_not_share_a_virtual_environment() -> None:
    """The test extras bring ShellCheck, which would switch on the ShellCheck rules for the main command."""
    text = README.read_text()
    main = text.split("<!-- main-command -->\n\n", 1)[1].split("\n", 1)[0]
    tests = text.split("<!-- test-command -->\n\n", 1)[1].split("\n", 1)[0]
    assert re.search(r"venv (\S+) ", main)[1] == ".venv"  # type: ignore[index]
    assert re.search(r"venv (\S+) ", tests)[1] == ".venv-test"  # type: ignore[index]
    assert ".venv/" not in tests and "[test]" in tests


def test_wheel_lists_every_package() -> None:
    root = README.parent
    listed = set(
        re.findall(r'"(dfcheck[\w.]*)"', (root / "pyproject.toml").read_text().split("packages = [")[1])
    )
    packages = {".".join(p.parent.relative_to(root).parts) for p in (root / "dfcheck").rglob("__init__.py")}
    assert packages <= listed


def test_context_summary_counts_one_file(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x\n")
    code, out, _ = run(["context", str(tmp_path)])
    assert code == 0
    assert out.splitlines()[1:3] == ["  sent:     1 file, 2 B", "  excluded: 0 files, 0 B"]


def test_command_modules_do_not_import_the_app() -> None:
    """app.py imports the command modules and registers their functions; never the other way round."""
    import ast

    cli = README.parent / "dfcheck" / "cli"
    importers = set()
    for module in cli.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            names = {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
            if "dfcheck.cli.app" in names:
                importers.add(module.name)
    assert importers == {"main.py"}
