"""The CLI through typer's CliRunner: exit codes, bad input, stdin, configuration and pragmas."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dfcheck.cli.app import app

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
    assert code == 1 and doc["version"] == 1
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
    code, out, _ = run(["check", str(dockerfile), "--baseline", str(baseline), "--select", "DF001", "-f", "json"])
    findings = json.loads(out)["findings"]
    assert code == 1
    assert [f["span"]["start_line"] for f in findings] == [5]


def test_shellcheck_positions_in_heredoc_and_continuation(project: Path) -> None:
    from dfcheck.shell import shellcheck

    if not shellcheck.available():
        pytest.skip("shellcheck not installed")
    text = "FROM alpine:3.20\nARG NAME=x\nRUN echo start && \\\n    echo $NAME $UNSET\nRUN <<EOF\ncd /tmp\necho $HOME\nEOF\n"
    (project / "Dockerfile").write_text(text)
    _, out, _ = run(["check", str(project / "Dockerfile"), "--select", "DF500", "-f", "json"])
    found = {(f["code"], f["span"]["start_line"], f["span"]["start_col"]) for f in json.loads(out)["findings"]}
    assert ("SC2086", 4, 10) in found and ("SC2086", 4, 16) in found
    assert ("SC2086", 7, 6) in found
    _, out, _ = run(["check", str(project / "Dockerfile"), "--select", "DF500", "--ignore", "SC2086", "-f", "json"])
    assert not [f for f in json.loads(out)["findings"] if f["code"] == "SC2086"]


def test_buildkit_check_directive_skip_and_error(project: Path) -> None:
    body = 'FROM alpine:3.20\nENTRYPOINT echo hi\n'
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
