"""Baselines, the problem matcher, the pre-commit hook, the GitHub Action and the integration docs."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from dfcheck.dockerfile.source import Span
from dfcheck.lint.config import Settings
from dfcheck.lint.engine import lint_text
from dfcheck.lint.finding import FileResult, Finding, Report, Severity
from dfcheck.report import FORMATS, RenderOptions
from dfcheck.report.baseline import filter_report, load_baseline, write_baseline
from tests.shared_report import ROOT, check_sarif, moved, shared_report

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "integrations.md"


def vendored_schema(name: str) -> dict[str, Any]:
    """A schema vendored by check-jsonschema (its copies of SchemaStore's GitHub/GitLab schemas)."""
    pytest.importorskip("check_jsonschema")
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(name).read_text("utf-8")
    return dict(json.loads(text))


def validate(document: Any, schema: dict[str, Any]) -> None:
    if isinstance(document, dict) and True in document:
        document["on"] = document.pop(True)  # YAML 1.1 reads the key `on` as true
    validator = jsonschema.validators.validator_for(schema)
    validator(schema).validate(document)


def doc_blocks(language: str) -> list[str]:
    if not DOCS.is_file():
        pytest.skip("docs/integrations.md not present")
    return re.findall(rf"^```{language}\n(.*?)^```", DOCS.read_text(encoding="utf-8"), re.S | re.M)


# --- baselines ---------------------------------------------------------------------------------


def _codes(report: Report) -> list[tuple[str, int]]:
    return [(f.code, f.span.start_line) for f in report.findings]


def test_baseline_forgives_recorded_findings_even_after_lines_move(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert write_baseline(shared_report(), baseline, ROOT) == 5
    document = json.loads(baseline.read_text())
    assert document["version"] == 1
    assert all(set(e) == {"fingerprint", "path", "code", "text", "count"} for e in document["findings"])
    assert {e["path"] for e in document["findings"]} == {"Dockerfile", "services/api/Dockerfile"}
    assert "line" not in baseline.read_text()
    filtered = filter_report(moved(shared_report(), 4), baseline, ROOT)
    assert filtered.findings == []
    assert filtered.statistics["baselined"] == 5
    assert [r.path for r in filtered.files] == [r.path for r in shared_report().files]


def test_baseline_reports_new_and_changed_findings(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    write_baseline(shared_report(), baseline, ROOT)
    report = shared_report()
    main = report.files[0]
    main.text = main.text.replace("USER root", "USER   root") + "USER root\n"
    extra = Finding(
        "DF601", "root-user", Severity.ERROR, "m", main.path, Span(9, 6, 9, 10), category="security"
    )
    main.findings.append(extra)
    kept = filter_report(report, baseline, ROOT)
    # Whitespace changes keep USER root (line 7) baselined; the second USER root is new.
    assert _codes(kept) == [("DF601", 9)]
    changed = shared_report()
    changed.files[0].text = changed.files[0].text.replace("USER root", "USER root:root")
    assert _codes(filter_report(changed, baseline, ROOT)) == [("DF601", 7)]


def test_identical_findings_are_counted(tmp_path: Path) -> None:
    path = str(ROOT / "Dockerfile")

    def report(n: int) -> Report:
        findings = [
            Finding("DF601", "root-user", Severity.ERROR, "m", path, Span(i + 1, 6, i + 1, 10))
            for i in range(n)
        ]
        return Report([FileResult(path, "USER root\n" * n, findings)])

    baseline = tmp_path / "baseline.json"
    write_baseline(report(1), baseline, ROOT)
    assert load_baseline(baseline) == Counter(
        {json.loads(baseline.read_text())["findings"][0]["fingerprint"]: 1}
    )
    assert len(filter_report(report(2), baseline, ROOT).findings) == 1
    write_baseline(report(2), baseline, ROOT)
    assert json.loads(baseline.read_text())["findings"][0]["count"] == 2
    assert filter_report(report(2), baseline, ROOT).findings == []


def test_baseline_default_root_is_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    finding = Finding("DF601", "root-user", Severity.ERROR, "m", "Dockerfile", Span(1, 6, 1, 10))
    report = Report([FileResult("Dockerfile", "USER root\n", [finding])])
    write_baseline(report, "b.json")
    assert json.loads((tmp_path / "b.json").read_text())["findings"][0]["path"] == "Dockerfile"
    assert filter_report(report, "b.json").findings == []
    assert report.files[0].findings == [finding], "the input report must not change"


BAD_BASELINES = [
    ("{", "not a dfcheck baseline: invalid JSON: Expecting property name"),
    ("null", "not a dfcheck baseline: expected an object, found null"),
    ("[]", "not a dfcheck baseline: expected an object, found a list"),
    ('{"version": 9, "findings": []}', "unsupported baseline version 9 (expected 1)"),
    ('{"version": [1], "findings": []}', "unsupported baseline version a list (expected 1)"),
    ('{"version": 1}', "not a dfcheck baseline: 'findings' must be a list, found null"),
    ('{"version": 1, "findings": 5}', "not a dfcheck baseline: 'findings' must be a list, found a number"),
    ('{"version": 1, "findings": null}', "not a dfcheck baseline: 'findings' must be a list, found null"),
    (
        '{"version": 1, "findings": [null]}',
        "not a dfcheck baseline: findings[0] must be an object, found null",
    ),
    ('{"version": 1, "findings": [{"count": 1}]}', "findings[0] needs a fingerprint (a string)"),
    ('{"version": 1, "findings": [{"fingerprint": 7}]}', "findings[0] needs a fingerprint (a string)"),
    (
        '{"version": 1, "findings": [{"fingerprint": "ab", "count": 1e400}]}',
        "findings[0].count must be a whole number >= 0, found a number",
    ),
    (
        '{"version": 1, "findings": [{"fingerprint": "ab", "count": -1}]}',
        "findings[0].count must be a whole number >= 0, found a number",
    ),
    (
        '{"version": 1, "findings": [{"fingerprint": "ab", "count": true}]}',
        "findings[0].count must be a whole number >= 0, found a boolean",
    ),
    ("[" * 100_000, "not a dfcheck baseline: nested too deeply"),
    ('{"version": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"version": 1, "findings": [], "x": ' + "9" * 5000 + "}", "not a dfcheck baseline: invalid JSON"),
    (b'{"version": 1, "findings": [], "x": "\xff"}', "not a dfcheck baseline: not UTF-8 (byte 37)"),
]


@pytest.mark.parametrize("content, message", BAD_BASELINES)
def test_bad_baselines_are_errors(tmp_path: Path, content: str | bytes, message: str) -> None:
    baseline = tmp_path / "b.json"
    if isinstance(content, bytes):
        baseline.write_bytes(content)
    else:
        baseline.write_text(content)
    with pytest.raises(ValueError, match=re.escape(f"{baseline}: ") + ".*" + re.escape(message)):
        filter_report(Report(), baseline)


@pytest.mark.parametrize("content", ['{"version": 1, "findings": 5}', "[" * 100_000, "", "missing"])
def test_bad_baseline_is_one_line_and_exit_2(tmp_path: Path, content: str) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    if content != "missing":
        (tmp_path / "b.json").write_text(content)
    command = [sys.executable, "-m", "dfcheck", "check", "--baseline", "b.json", "Dockerfile"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    expected = "cannot read baseline" if content == "missing" else "not a dfcheck baseline"
    assert line.startswith(f"dfcheck: error: b.json: {expected}: ")


def test_baseline_of_undecodable_names_and_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names that are not UTF-8 and lone surrogates in the text are recorded and matched again."""
    monkeypatch.chdir(tmp_path)
    path = os.fsdecode(b"bad\xffname.Dockerfile")
    text = 'FROM alpine\nLABEL x="\ud800"\nUSER root\n'
    finding = Finding("DF601", "root-user", Severity.ERROR, "m \udcff", path, Span(2, 1, 2, 5))
    report = Report([FileResult(path, text, [finding])])
    assert write_baseline(report, "b.json") == 1
    raw = (tmp_path / "b.json").read_bytes()
    raw.decode("utf-8")
    assert json.loads(raw)["findings"][0]["path"] == path
    assert filter_report(report, "b.json").findings == []


# --- problem matcher ----------------------------------------------------------------------------


def matchers() -> list[dict[str, Any]]:
    data = resources.files("dfcheck").joinpath("problem-matcher.json").read_text("utf-8")
    return list(json.loads(data)["problemMatcher"])


def match(line: str) -> tuple[str, dict[str, str]] | None:
    """What GitHub's runner would make of ``line``: (severity, fields) or None."""
    for matcher in matchers():
        (pattern,) = matcher["pattern"]
        found = re.match(pattern["regexp"], line)
        if found:
            fields = {k: found.group(pattern[k]) for k in ("file", "line", "column", "code", "message")}
            severity = found.group(pattern["severity"]) if "severity" in pattern else matcher["severity"]
            return severity, fields
    return None


def test_problem_matcher_reads_text_output() -> None:
    from dfcheck.report import text

    report = shared_report()
    parse_error = report.files[1].findings[0]
    # One line per finding: a message with a line break would need a multi-line matcher.
    report.files[1].findings[0] = parse_error._replace(message=parse_error.message.replace("\n", " "))
    out = io.StringIO()
    text.render(report, out, RenderOptions(root=ROOT, show_frames=True))
    lines = out.getvalue().splitlines()
    matched = [m for m in map(match, lines) if m]
    # Most important first within a file: errors, then warnings, then the rest.
    assert [(sev, f["code"], f["line"], f["column"]) for sev, f in matched] == [
        ("error", "DF601", "7", "6"),
        ("warning", "DF102", "4", "5"),
        ("notice", "DF103", "3", "5"),
        ("notice", "DF801", "8", "47"),
        ("error", "DF001", "3", "6"),
    ]
    assert matched[0][1]["file"].endswith("Dockerfile")
    assert matched[0][1]["message"] == "USER root: the image runs as root"
    assert any(line.startswith("Found 5 problems") for line in lines)


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            r"C:\work\Dockerfile:3:5: DF102 keep [brackets] and: colons [warning]",
            ("warning", r"C:\work\Dockerfile", "3", "5", "DF102", "keep [brackets] and: colons"),
        ),
        (
            "a b/Dockerfile.dev:10:1: DF801 style thing [style]",
            ("notice", "a b/Dockerfile.dev", "10", "1", "DF801", "style thing"),
        ),
        ("Dockerfile:1:1: DF001 bad [error]", ("error", "Dockerfile", "1", "1", "DF001", "bad")),
        ("  3 | RUN apt-get install -y curl", None),
        ("    |     ^^^^^^^^^^^^^^", None),
        ("Found 3 problems (1 error, 2 warnings) in 1 of 2 files.", None),
        ("All checks passed (1 file).", None),
        ("Dockerfile:1:1: DF001 bad [fatal]", None),
    ],
)
def test_problem_matcher_lines(line: str, expected: tuple[str, ...] | None) -> None:
    found = match(line)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        severity, f = found
        assert (severity, f["file"], f["line"], f["column"], f["code"], f["message"]) == expected


def test_vscode_matcher_in_docs_agrees() -> None:
    (tasks,) = [json.loads(b) for b in doc_blocks("json") if '"tasks"' in b]
    matcher = tasks["tasks"][0]["problemMatcher"]
    pattern = matcher["pattern"]
    assert matcher["severity"] == "info"
    for line, severity in [("D:1:2: DF102 m [warning]", "warning"), ("D:1:2: DF801 m [style]", "style")]:
        found = re.match(pattern["regexp"], line)
        assert found and found.group(pattern["severity"]) == severity
        assert match(line) is not None


# --- pre-commit -----------------------------------------------------------------------------------


def hook() -> dict[str, Any]:
    (only,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    return dict(only)


def test_pre_commit_manifest_is_valid() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (loaded,) = clientlib.load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert (loaded["id"], loaded["language"], loaded["entry"]) == ("dfcheck", "python", "dfcheck check")


@pytest.mark.parametrize(
    "name, selected",
    [
        ("Dockerfile", True),
        ("svc/Dockerfile", True),
        ("dockerfile", True),
        ("Dockerfile.dev", True),
        ("Dockerfile-prod", True),
        ("dev.Dockerfile", True),
        ("app.dockerfile", True),
        ("Containerfile", True),
        ("Containerfile.prod", True),
        ("x.containerfile", True),
        ("Dockerfile.dockerignore", False),
        ("Dockerfile.md", False),
        (".dockerignore", False),
        ("dockerfiles/README", False),
        ("docs/Dockerfile-guide.txt", False),
        ("main.py", False),
        ("Dockerfile/notes", False),
    ],
)
def test_pre_commit_selects_dockerfiles(tmp_path: Path, name: str, selected: bool) -> None:
    """pre-commit's rule: the ``files`` regex AND one of ``types_or`` (tags from identify)."""
    identify = pytest.importorskip("identify.identify")
    spec = hook()
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("FROM scratch\n")
    tags = identify.tags_from_path(str(path))
    chosen = bool(re.search(spec["files"], name)) and bool(tags & set(spec["types_or"]))
    assert chosen is selected


def test_pre_commit_config_in_docs_is_valid(tmp_path: Path) -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (block,) = [b for b in doc_blocks("yaml") if b.startswith("# .pre-commit-config.yaml")]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(block)
    loaded = clientlib.load_config(str(config))
    assert loaded["repos"][0]["hooks"][0]["id"] == hook()["id"]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(os.environ.get("DFCHECK_SLOW_TESTS") != "1", reason="slow: set DFCHECK_SLOW_TESTS=1")
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """The hook from the committed HEAD, installed by pre-commit into its own environment."""
    pre_commit = shutil.which("pre-commit") or shutil.which(
        "pre-commit", path=str(Path(sys.executable).parent)
    )
    if pre_commit is None:
        pytest.skip("pre-commit is not installed")
    head = _git(REPO, "rev-parse", "HEAD")
    for needed in (".pre-commit-hooks.yaml", "dfcheck/cli/app.py"):
        if subprocess.run(["git", "cat-file", "-e", f"{head}:{needed}"], cwd=REPO).returncode:
            pytest.skip(f"{needed} is not committed yet")
    project = tmp_path / "project"
    project.mkdir()
    bad = "FROM alpine\nFROOM x\n"
    files = {
        "Dockerfile": 'FROM alpine:3.20\nCMD ["true"]\n',
        "Dockerfile-prod": bad,
        "app.dockerfile": bad,
        "README.md": bad,
        "Dockerfile.dockerignore": "FROOM\n",
    }
    for name, content in files.items():
        (project / name).write_text(content)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "cache"), NO_COLOR="1")
    done = subprocess.run(
        [pre_commit, "try-repo", str(REPO), "dfcheck", "--ref", head, "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Dockerfile-prod:2:1: DF001" in output
    assert "app.dockerfile:2:1: DF001" in output
    assert "README.md" not in output.split("dfcheck...")[-1]
    assert "Dockerfile.dockerignore:" not in output


# --- GitHub Action --------------------------------------------------------------------------------


def action() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "action.yml").read_text()))


def test_action_matches_the_github_action_schema() -> None:
    validate(action(), vendored_schema("github-actions.json"))
    spec = action()
    assert set(spec["inputs"]) >= {"paths", "format", "output-file", "failure-threshold", "config"}
    assert spec["runs"]["using"] == "composite"
    assert spec["outputs"]["sarif-file"]["value"] == "${{ steps.run.outputs.sarif-file }}"


def _run_step() -> dict[str, Any]:
    return next(step for step in action()["runs"]["steps"] if step.get("id") == "run")


def test_action_step_reads_only_variables_it_defines() -> None:
    step = _run_step()
    used = set(re.findall(r"\$\{?(INPUT_[A-Z_]+|DFCHECK_[A-Z_]+)", step["run"]))
    assert used <= set(step["env"]), used - set(step["env"])
    for key, value in step["env"].items():
        if key.startswith("INPUT_"):
            name = key[len("INPUT_") :].lower().replace("_", "-")
            assert value == "${{ inputs." + name + " }}"


def run_action(tmp_path: Path, **inputs: str) -> tuple[list[str], dict[str, str], str, int]:
    """Run the action's main step with a stub dfcheck that records its arguments."""
    bindir = tmp_path / "runner" / "dfcheck-venv" / "bin"
    bindir.mkdir(parents=True)
    stub = bindir / "dfcheck"
    stub.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done > "$STUB_ARGS"\nexit "${STUB_STATUS:-0}"\n')
    stub.chmod(0o755)
    (tmp_path / "a.Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "b.Dockerfile").write_text("FROM scratch\n")
    defaults = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()}
    values = {**defaults, **{k.replace("_", "-"): v for k, v in inputs.items() if k != "status"}}
    env = {
        "PATH": os.environ["PATH"],
        "RUNNER_TEMP": str(tmp_path / "runner"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "DFCHECK_ACTION_PATH": "/action",
        "STUB_ARGS": str(tmp_path / "args"),
        "STUB_STATUS": inputs.get("status", "0"),
    }
    env.update({f"INPUT_{k.upper().replace('-', '_')}": v for k, v in values.items()})
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", _run_step()["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    args = (tmp_path / "args").read_text().splitlines() if (tmp_path / "args").exists() else []
    outputs = (
        dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines() if "=" in line)
        if (tmp_path / "output").exists()
        else {}
    )
    return args, outputs, done.stdout, done.returncode


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_defaults(tmp_path: Path) -> None:
    args, outputs, _, status = run_action(tmp_path)
    assert args == ["check", "--format", "github", "."]
    assert outputs == {"exit-code": "0"}
    assert status == 0


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_sarif_with_options_and_globs(tmp_path: Path) -> None:
    args, outputs, stdout, status = run_action(
        tmp_path,
        format="sarif",
        paths="*.Dockerfile\nextra",
        failure_threshold="warning",
        config="x.toml",
        status="1",
    )
    assert args == [
        "check",
        "--format",
        "sarif=dfcheck.sarif",
        "--format",
        "github",
        "--failure-threshold",
        "warning",
        "--config",
        "x.toml",
        "a.Dockerfile",
        "b.Dockerfile",
        "extra",
    ]
    assert outputs == {"sarif-file": "dfcheck.sarif", "exit-code": "1"}
    assert "upload-sarif" in stdout
    assert status == 1


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_text_registers_the_problem_matcher(tmp_path: Path) -> None:
    args, _, stdout, _ = run_action(tmp_path, format="text", annotations="false")
    assert "::add-matcher::/action/dfcheck/problem-matcher.json" in stdout
    assert args == ["check", "--format", "text", "--color", "never", "."]
    args, _, _, _ = run_action(tmp_path / "2", format="junit", output_file="r.xml", annotations="false")
    assert args == ["check", "--format", "junit=r.xml", "."]


# --- docs -----------------------------------------------------------------------------------------


def test_workflows_in_docs_are_valid() -> None:
    schema = vendored_schema("github-workflows.json")
    blocks = [b for b in doc_blocks("yaml") if b.startswith("# .github/workflows/")]
    assert len(blocks) == 2
    for block in blocks:
        validate(yaml.safe_load(block), schema)
    assert "github/codeql-action/upload-sarif" in blocks[0]


def test_gitlab_ci_in_docs_is_valid() -> None:
    (block,) = [b for b in doc_blocks("yaml") if b.startswith("# .gitlab-ci.yml")]
    document = yaml.safe_load(block)
    validate(document, vendored_schema("gitlab-ci.json"))
    assert document["dfcheck"]["artifacts"]["reports"]["codequality"] in block.split("gitlab=")[1]


def test_docs_only_use_formats_that_exist() -> None:
    from dfcheck.report import FORMATS

    if not DOCS.is_file():
        pytest.skip("docs/integrations.md not present")
    used = set(re.findall(r"--format[ =]([a-z]+)", DOCS.read_text()))
    assert used and used <= {"auto", *FORMATS}


# --- end to end -----------------------------------------------------------------------------------


def test_cli_writes_every_report_and_honours_a_baseline(tmp_path: Path) -> None:
    """One real run writing all formats at once, then the same run against a baseline of itself."""
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text('FROM alpine\nFROOM x\nCMD ["echo", "$HOME"]\n')
    formats = ["sarif", "html", "github", "checkstyle", "gitlab", "junit", "sonarqube", "rdjson"]
    specs = [arg for fmt in formats for arg in ("--format", f"{fmt}={tmp_path / ('out.' + fmt)}")]
    command = [sys.executable, "-m", "dfcheck", "check", *specs, "svc"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    check_sarif(json.loads((tmp_path / "out.sarif").read_text()))
    results = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"]
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "svc/Dockerfile"
    assert "::error file=svc/Dockerfile,line=2," in (tmp_path / "out.github").read_text()
    assert json.loads((tmp_path / "out.gitlab").read_text())[0]["location"]["path"] == "svc/Dockerfile"
    for fmt in ("sonarqube", "rdjson"):
        json.loads((tmp_path / f"out.{fmt}").read_text())
    for fmt in ("checkstyle", "junit"):
        ET.fromstring((tmp_path / f"out.{fmt}").read_bytes())
    assert "DF001" in (tmp_path / "out.html").read_text()

    baseline = tmp_path / "baseline.json"
    text = (tmp_path / "svc" / "Dockerfile").read_text()
    write_baseline(Report([lint_text(text, "svc/Dockerfile", Settings())]), baseline, tmp_path)
    again = subprocess.run(
        [sys.executable, "-m", "dfcheck", "check", "--baseline", str(baseline), "--format", "gitlab", "svc"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(again.stdout) == []


# --- writing reports -------------------------------------------------------------------------------


def test_report_files_are_replaced_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dfcheck.report import output

    target = tmp_path / "report.sarif"
    target.write_text("old")
    target.chmod(0o640)
    output.write_atomic(target, b"new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640, "the replaced file keeps its mode"

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", fail)
    with pytest.raises(OSError):
        output.write_atomic(target, b"half")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.sarif"], "no temporary file is left"


def test_report_written_through_a_symlink_and_to_a_new_file(tmp_path: Path) -> None:
    from dfcheck.report.output import write_atomic

    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, b"{}")
    assert link.is_symlink() and real.read_text() == "{}"
    fresh = tmp_path / "fresh.json"
    write_atomic(fresh, b"x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~mask


def test_one_failing_output_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\nUSER root\n")
    (tmp_path / "old.json").write_text("previous")
    command = [
        sys.executable, "-m", "dfcheck", "check", "Dockerfile",
        "--format", "json=missing/dir/report.json",
        "--format", "sarif=report.sarif",
        "--format", f"junit={tmp_path}",
        "--format", "gitlab=old.json",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "dfcheck: error: cannot write the json report to missing/dir/report.json: No such file or directory",
        f"dfcheck: error: cannot write the junit report to {tmp_path}: Is a directory",
    ]
    check_sarif(json.loads((tmp_path / "report.sarif").read_text()))
    assert json.loads((tmp_path / "old.json").read_text())[0]["check_name"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "old.json", "report.sarif"]


def test_unknown_format_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    command = [sys.executable, "-m", "dfcheck", "check", "Dockerfile", "-f", "json=a.json", "-f", "nope=b"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "unknown format 'nope'" in done.stderr
    assert not (tmp_path / "a.json").exists()


@pytest.mark.skipif(sys.platform != "linux", reason="needs file names that are not UTF-8")
@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_output_is_utf8_for_file_names_that_are_not(tmp_path: Path, fmt: str) -> None:
    """A real run over a file whose name is not UTF-8, with a strict UTF-8 stdout, to a pipe and
    to a file: no traceback, and JSON, SARIF, XML and HTML that a strict decoder accepts."""
    name = os.fsdecode(b"bad\xffname\x1b[2J.Dockerfile")
    (tmp_path / name).write_text('FROM alpine\nUSER root\nLABEL Foo="\\udcff"\nRUN echo \x1b]0;t\x07\n')
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8"}
    command = [
        sys.executable,
        "-m",
        "dfcheck",
        "check",
        "--color",
        "never",
        name,
        "-f",
        fmt,
        "-f",
        f"{fmt}=out",
    ]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, env=env, check=False)
    assert done.returncode == 1, done.stderr
    for data in (done.stdout, (tmp_path / "out").read_bytes()):
        text = data.decode("utf-8")
        assert "\x1b" not in text.replace("\\u001b", "")
        if fmt in ("json", "sarif", "gitlab", "sonarqube", "rdjson"):
            json.loads(text)
        elif fmt in ("checkstyle", "junit"):
            ET.fromstring(data)
        else:
            assert "bad\\xffname\u241b[2J.Dockerfile" in text


@pytest.mark.skipif(sys.platform != "linux", reason="needs file names that are not UTF-8")
def test_baseline_command_with_file_names_that_are_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xffname.Dockerfile")
    (tmp_path / name).write_text('FROM alpine\nUSER root\nCMD ["\\udcff"]\n')
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    run = [sys.executable, "-m", "dfcheck"]
    done = subprocess.run([*run, "baseline", name], cwd=tmp_path, capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    (tmp_path / ".dfcheck-baseline.json").read_bytes().decode("utf-8")
    again = [*run, "check", "--baseline", ".dfcheck-baseline.json", name]
    done = subprocess.run(again, cwd=tmp_path, capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
