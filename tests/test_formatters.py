"""Golden files for every renderer owned here, plus the details each format gets wrong most easily."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import FileResult, Finding, Report, Severity
from dfcheck.report import github, html, sonarqube, text
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
    assert 'class="line cache-heat4 miss" id="f1-L6"' in page
    assert 'class="line cache-heat1 miss" id="f1-L3"' in page
    assert 'class="line cache-meta" id="f1-L7"' in page
    assert 'class="line cache-reused" id="f1-L2"' in page
    assert "<svg" in page and "60%" in page
    assert "add git &lt;b&gt;&amp;amp;&lt;/b&gt;" in page
    assert '<span class="d-add">+COPY requirements.txt /app/</span>' in page
    assert "Would save 2 step runs (weighted 20) over 5 commits." in page
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


# --- text that no format may pass through as it is -------------------------------------------------

#: A file name with a byte that is not UTF-8 (as Python decodes it: a lone surrogate), a newline
#: and an ESC; source text with a terminal title sequence, BEL, a tab and a bare CR; a message with
#: a lone surrogate that is no file name byte (from a JSON "\ud800" escape in the Dockerfile).
HOSTILE_NAME = "bad\udcffname\nx\x1b[2J.Dockerfile"
HOSTILE_TEXT = "FROM alpine\nRUN echo \x1b]0;pwned\x07\tdone\rCR\nUSER root\n"
HOSTILE_MESSAGE = "label \ud800 says \x1b[31mred\x07"
ALL_FORMATS = ["text", "json", *sorted(GOLDEN_NAMES)]


def hostile_report(root: Path = ROOT) -> Report:
    path = str(root / HOSTILE_NAME)
    findings = [
        Finding("DF801", "label-key-case", Severity.STYLE, HOSTILE_MESSAGE, path, Span(2, 10, 2, 18)),
        Finding("DF601", "root-user", Severity.ERROR, "root", path, Span(3, 6, 3, 10)),
    ]
    return Report(
        [
            FileResult(path, HOSTILE_TEXT, findings),
            FileResult(str(root / "unread\udcfe\x07"), error="binary file (NUL byte) \udcfe\x1b"),
        ]
    )


def assert_carried(fmt: str, data: bytes) -> None:
    """``data`` is valid UTF-8, parses as its format says, and still names the file."""
    text = data.decode("utf-8")
    if fmt in ("text", "github", "html"):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\ud800-\udfff]", text), fmt
        assert "\\xff" in text and "\u241b" in text
    if fmt in ("text", "github"):
        assert "\r" not in text
        findings = [line for line in text.splitlines() if "DF601" in line]
        newline = "%0A" if fmt == "github" else "\u240a"
        assert len(findings) == 1 and f"bad\\xffname{newline}x\u241b[2J.Dockerfile" in findings[0]
    if fmt in ("json", "gitlab", "sonarqube", "rdjson"):
        document = json.loads(text)
        assert any(s.endswith("bad\udcffname\nx\x1b[2J.Dockerfile") for s in strings(document))
        if fmt == "json":
            assert document["findings"][0]["message"] == HOSTILE_MESSAGE
    if fmt == "sarif":
        document = json.loads(text)
        check_sarif(document)
        uris = {
            loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in document["runs"][0]["results"]
            for loc in result["locations"]
        }
        assert uris == {"bad%FFname%0Ax%1B%5B2J.Dockerfile"}
        assert document["runs"][0]["results"][0]["message"]["text"] == HOSTILE_MESSAGE
    if fmt in ("checkstyle", "junit"):
        root = ET.fromstring(data)
        assert "bad\ufffdname" in ET.tostring(root, encoding="unicode")


def strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_every_format_carries_undecodable_names_and_control_characters(fmt: str) -> None:
    assert_carried(fmt, render(fmt, hostile_report()).encode("utf-8"))


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_every_format_writes_to_files_and_strict_stdout(
    fmt: str, encoding: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the writer the CLI uses: a file, and a stdout that refuses what it cannot encode
    (an ASCII terminal): machine formats are UTF-8 whatever the terminal, text is escaped."""
    from dfcheck.report.output import write_reports

    stdout = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict")
    monkeypatch.setattr("sys.stdout", stdout)
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "report.out"
    assert write_reports(hostile_report(tmp_path), [fmt, f"{fmt}={target}"], None, color="never")
    stdout.flush()
    shown = stdout.buffer.getvalue()
    if fmt == "text" and encoding == "ascii":
        assert shown.isascii() and b"\\u241b" in shown
    else:
        assert_carried(fmt, shown)
    assert_carried(fmt, target.read_bytes())


def test_text_code_frame_escapes_controls_and_keeps_carets_aligned() -> None:
    from dfcheck.report import RenderOptions

    finding = Finding("DF801", "k", Severity.STYLE, "m", "D", Span(1, 13, 1, 16))
    report = Report([FileResult("D", "RUN \x1b[2J\x07\tx \udcffabc\n", [finding])])
    out = io.StringIO()
    text.render(report, out, RenderOptions(show_frames=True, quiet=True))
    head, source, carets = out.getvalue().splitlines()
    assert head == "D:1:13: DF801 m [style]"
    assert source == "  1 | RUN \u241b[2J\u2407 x \\xffabc"
    assert carets == "    |             ^^^^^^"
    assert source.index("\\xff") == carets.index("^")


def test_text_lines_are_counted_as_buildkit_counts_them() -> None:
    """A form feed or U+2028 inside a line is no line break: the frame shows line 2 itself."""
    from dfcheck.report import RenderOptions

    finding = Finding("DF601", "root-user", Severity.ERROR, "m", "D", Span(2, 6, 2, 10))
    report = Report([FileResult("D", "FROM a\f\u2028b\nUSER root\n", [finding])])
    out = io.StringIO()
    text.render(report, out, RenderOptions(show_frames=True, quiet=True))
    assert out.getvalue().splitlines()[1] == "  2 | USER root"


def test_printable() -> None:
    from dfcheck.report.plain import printable

    assert printable("a\x1b[0m\x07\x7f\x9b\u2028\udcff\ud800\tb") == (
        "a\u241b[0m\u2407\u2421\\u009b\\u2028\\xff\\ud800\u2409b"
    )
    assert printable("a\nb\tc", keep="\t") == "a\u240ab\tc"
    assert printable("café ☕ \\x1b") == "café ☕ \\x1b"


def test_json_text_escapes_only_lone_surrogates() -> None:
    from dfcheck.report.plain import json_text

    out = json_text({"p": "caf\u00e9\udcff\x1b"})
    assert out == '{\n  "p": "caf\u00e9\\udcff\\u001b"\n}\n'
    assert json.loads(out) == {"p": "caf\u00e9\udcff\x1b"}
    out.encode("utf-8")
