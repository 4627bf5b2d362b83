"""Golden files for every renderer owned here, plus the details each format gets wrong most easily."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import FileResult, Finding, Report, Severity
from dfcheck.report import github, html, sonarqube
from tests.shared_report import (
    ROOT,
    RULES,
    VERSION,
    check_golden,
    check_sarif,
    moved,
    pin_rules,
    read_error_report,
    render,
    shared_options,
    shared_report,
    xss_report,
)

GOLDEN_NAMES = {
    "sarif": "report.sarif",
    "html": "report.html",
    "github": "report.github.txt",
    "checkstyle": "report.checkstyle.xml",
    "gitlab": "report.gitlab.json",
    "junit": "report.junit.xml",
    "sonarqube": "report.sonarqube.json",
    "rdjson": "report.rdjson.json",
}


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_rules(monkeypatch)


@pytest.mark.parametrize("fmt", sorted(GOLDEN_NAMES))
def test_golden(fmt: str) -> None:
    text = render(fmt)
    assert text == render(fmt), "output must be deterministic"
    assert "/src/project" not in text.replace("file:///src/project/", ""), "paths must be root-relative"
    if fmt == "sarif":
        check_sarif(json.loads(text))
    check_golden(GOLDEN_NAMES[fmt], text)


@pytest.mark.parametrize("fmt", sorted(GOLDEN_NAMES))
def test_read_errors_and_empty_reports(fmt: str) -> None:
    text = render(fmt, read_error_report())
    if fmt not in ("sonarqube",):
        assert "binary file (NUL byte)" in text
    empty = render(fmt, Report())
    if fmt in ("gitlab",):
        assert json.loads(empty) == []
    if fmt == "sarif":
        check_sarif(json.loads(text))
        check_sarif(json.loads(empty))


@pytest.mark.parametrize("fmt", sorted(GOLDEN_NAMES))
def test_relative_input_paths(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths as the CLI passes them (relative to the working directory) come out root-relative."""
    (tmp_path / "docker").mkdir()
    monkeypatch.chdir(tmp_path / "docker")
    finding = Finding("DF601", "root-user", Severity.ERROR, "root", "Dockerfile", Span(1, 1, 1, 5))
    report = Report([FileResult("Dockerfile", "USER root\n", [finding])])
    text = render(fmt, report, shared_options(root=tmp_path))
    assert "docker/Dockerfile" in text


def test_github_escaping() -> None:
    assert github.escape_data("100%\r\nx") == "100%25%0D%0Ax"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    lines = render("github").splitlines()
    multi = next(line for line in lines if "DF103" in line)
    assert multi.startswith("::notice file=Dockerfile,line=3,endLine=5,title=")
    assert "col=" not in multi and "endColumn=" not in multi
    single = next(line for line in lines if "DF102" in line)
    assert single.startswith("::warning file=Dockerfile,line=4,endLine=4,col=5,endColumn=23,")
    parse = next(line for line in lines if "DF001" in line)
    assert parse.startswith("::error file=services/api/Dockerfile,")
    assert parse.endswith("::flag --from needs a value,%0Aexpected --from=<stage>")
    assert "100%25 sure" in next(line for line in lines if "DF801" in line)


def test_github_title_and_file_are_escaped() -> None:
    finding = Finding("DF601", "root-user", Severity.WARNING, "m", "a,b:c.Dockerfile", Span(1, 1, 1, 2))
    assert github.annotation(finding, "a,b:c.Dockerfile") == (
        "::warning file=a%2Cb%3Ac.Dockerfile,line=1,endLine=1,col=1,endColumn=2,title=DF601 root-user::m"
    )


@pytest.mark.parametrize("fmt", ["checkstyle", "junit"])
def test_xml_is_well_formed_even_with_control_characters(fmt: str) -> None:
    finding = Finding(
        "DF801", "label-key-case", Severity.STYLE, "bad \x1b[31m\x00 key", "D", Span(1, 1, 1, 2)
    )
    text = render(fmt, Report([FileResult("D", "LABEL x=1\n", [finding])]))
    root = ET.fromstring(text.encode())
    assert "bad \ufffd[31m\ufffd key" in ET.tostring(root, encoding="unicode")


def test_checkstyle_structure() -> None:
    root = ET.fromstring(render("checkstyle").encode())
    files = {f.get("name"): f for f in root.iter("file")}
    assert list(files) == ["Dockerfile", "services/api/Dockerfile"]
    errors = files["Dockerfile"].findall("error")
    assert [(e.get("line"), e.get("column"), e.get("severity"), e.get("source")) for e in errors] == [
        ("3", "5", "info", "dfcheck.DF103"),
        ("4", "5", "warning", "dfcheck.DF102"),
        ("7", "6", "error", "dfcheck.DF601"),
        ("8", "47", "info", "dfcheck.DF801"),
    ]


def test_junit_counts() -> None:
    root = ET.fromstring(render("junit").encode())
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "5", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["Dockerfile", "services/api/Dockerfile"]
    assert [len(s.findall("testcase")) for s in suites] == [4, 1]
    failure = suites[1].find("testcase/failure")
    assert failure is not None and failure.get("type") == "error"
    errors = ET.fromstring(render("junit", read_error_report()).encode())
    assert (errors.get("tests"), errors.get("failures"), errors.get("errors")) == ("2", "0", "1")


def test_gitlab_fingerprints_survive_line_shifts_and_are_unique() -> None:
    before = json.loads(render("gitlab"))
    after = json.loads(render("gitlab", moved(shared_report(), 3)))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] for i in after] == [
        3 + i["location"]["lines"]["begin"] for i in before
    ]
    twice = Finding("DF601", "root-user", Severity.ERROR, "root", "D", Span(1, 6, 1, 10))
    again = Finding("DF601", "root-user", Severity.ERROR, "root", "D", Span(2, 6, 2, 10))
    issues = json.loads(render("gitlab", Report([FileResult("D", "USER root\nUSER root\n", [twice, again])])))
    assert len({i["fingerprint"] for i in issues}) == 2
    assert {i["severity"] for i in before} <= {"info", "minor", "major", "critical", "blocker"}
    for issue in before:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}


def test_sonarqube_columns_are_zero_based_utf16_and_clamped() -> None:
    document = json.loads(render("sonarqube"))
    assert {r["id"] for r in document["rules"]} == {i["ruleId"] for i in document["issues"]}
    rule = document["rules"][0]
    assert set(rule) >= {"id", "name", "description", "engineId", "cleanCodeAttribute", "impacts"}
    root_user = next(i for i in document["issues"] if i["ruleId"] == "DF601")
    assert root_user["primaryLocation"]["textRange"] == {
        "startLine": 7,
        "endLine": 7,
        "startColumn": 5,
        "endColumn": 9,
    }
    emoji = ["x = \U0001f600 y"]
    assert sonarqube.text_range(Span(1, 7, 1, 8), emoji) == {
        "startLine": 1,
        "endLine": 1,
        "startColumn": 7,
        "endColumn": 8,
    }
    assert sonarqube.text_range(Span(1, 3, 1, 99), ["abcd"])["endColumn"] == 4
    assert sonarqube.text_range(Span(9, 40, 9, 41), ["abcd"]) == {"startLine": 1, "endLine": 1}


def test_rdjson_counts_columns_in_utf8_bytes_and_carries_fixes() -> None:
    document = json.loads(render("rdjson"))
    label = next(d for d in document["diagnostics"] if d["code"]["value"] == "DF801")
    # "café ☕" holds 3 more UTF-8 bytes than code points before the span.
    assert label["location"]["range"] == {
        "start": {"line": 8, "column": 50},
        "end": {"line": 8, "column": 57},
    }
    apt = next(d for d in document["diagnostics"] if d["code"]["value"] == "DF102")
    assert apt["suggestions"] == [
        {
            "range": {"start": {"line": 4, "column": 23}, "end": {"line": 4, "column": 23}},
            "text": " --no-install-recommends",
        }
    ]
    assert apt["code"]["url"].endswith("rules/cache/DF102_apt_no_recommends.md")
    assert {d["severity"] for d in document["diagnostics"]} <= {"ERROR", "WARNING", "INFO"}


def test_html_escapes_untrusted_text() -> None:
    page = render("html", xss_report())
    assert page.count("<script>") == 2
    assert "<script>alert" not in page
    assert "<img" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "script-src 'none'" not in page and "default-src &#39;none&#39;" in page


def test_html_lists_every_finding_and_the_cache_analysis() -> None:
    page = render("html")
    assert page.count('class="finding ') == 5
    assert 'class="line cache-rebuild miss" id="f1-L6"' in page
    assert 'class="line cache-reused" id="f1-L2"' in page
    assert "<svg" in page and "60%" in page
    assert page.count('class="rule-help"') == 5
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert VERSION in page


def test_html_segments_cover_spans() -> None:
    lines = "RUN apt-get install -y curl"
    f1 = Finding("DF102", "a", Severity.WARNING, "m", "D", Span(1, 5, 1, 12))
    f2 = Finding("DF601", "b", Severity.ERROR, "m", "D", Span(1, 9, 1, 20))
    pieces = [(s.text, s.severities) for s in html.segments(lines, 1, [f1, f2])]
    assert pieces == [
        ("RUN ", []),
        ("apt-", ["warning"]),
        ("get", ["error", "warning"]),
        (" install", ["error"]),
        (" -y curl", []),
    ]
    insert = Finding("DF102", "a", Severity.WARNING, "m", "D", Span(1, 4, 1, 4))
    assert [(s.text, s.severities) for s in html.segments("abc", 1, [insert])] == [
        ("abc", []),
        ("", ["warning"]),
    ]


def test_markdown_subset_is_safe() -> None:
    out = str(
        html.markdown(
            "# T\n\nSee `a<b>` and [x](javascript:alert(1)) or [ok](https://e.org/?a=1&b=2).\n\n"
            "- one\n- **two**\n\n```dockerfile\nRUN echo '<script>'\n```\n<script>alert(1)</script>"
        )
    )
    assert "<h3>T</h3>" in out
    assert "<code>a&lt;b&gt;</code>" in out
    assert 'href="javascript' not in out
    assert '<a href="https://e.org/?a=1&amp;b=2" rel="noopener">ok</a>' in out
    assert "<ul><li>one</li><li><strong>two</strong></li></ul>" in out
    assert "<pre><code>RUN echo &#39;&lt;script&gt;&#39;</code></pre>" in out
    assert "<script>" not in out


def test_unregistered_codes_get_a_stand_in_rule() -> None:
    finding = Finding(
        "DF099", "engine-error", Severity.ERROR, "boom", "D", Span(1, 1, 1, 2), category="syntax"
    )
    report = Report([FileResult(str(ROOT / "D"), "FROM x\n", [finding])])
    sarif = json.loads(render("sarif", report))
    check_sarif(sarif)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted([r.code for r in RULES] + ["DF099"])
    sonar = json.loads(render("sonarqube", report))
    assert [r["id"] for r in sonar["rules"]] == ["DF099"]
    assert "DF099" in render("html", report)
