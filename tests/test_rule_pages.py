"""Every rule has a page; every page's examples run, with exact positions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dfcheck.lint.config import Settings
from dfcheck.lint.finding import DISPLAY_ONLY, SAFE, UNSAFE
from dfcheck.lint.fixes import Policy, apply_fixes, fix_text
from dfcheck.lint.pages import PageCase
from dfcheck.lint.registry import load_rules
from dfcheck.lint.rule import Rule
from tests.conftest import lint, positions

REQUIRED_SECTIONS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Options",
    "Fix safety",
    "Differences from hadolint",
    "References",
)
RULES = sorted(load_rules().values(), key=lambda r: r.code)
CASES = [(rule, i, case) for rule in RULES for i, case in enumerate(rule.page().cases)]


def test_rules_exist() -> None:
    assert len(RULES) >= 20


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_page_is_complete(rule: type[Rule]) -> None:
    page = rule.page()
    assert page.title.split()[:2] == [rule.code, rule.name], "page title must be '# CODE name'"
    for section in REQUIRED_SECTIONS:
        assert page.sections.get(section), f"{rule.code} page lacks '## {section}'"
    kinds = [c.title for c in page.cases]
    assert "Example" in kinds and "Use instead" in kinds
    bad = next(c for c in page.cases if c.title == "Example")
    assert bad.expect, f"{rule.code}: the bad example must say where it fires (<!-- expect: L:C-L:C -->)"


def _settings(case: PageCase) -> dict[str, object]:
    out: dict[str, object] = {}
    s = case.settings
    if "target" in s:
        out["target"] = s["target"]
    if "build-args" in s:
        out["build_args"] = dict(item.split("=", 1) for item in s["build-args"].split())
    if "options" in s:
        out["rule_options"] = json.loads(s["options"])
    if "settings" in s:
        for key, value in json.loads(s["settings"]).items():
            out[key] = tuple(value) if isinstance(value, list) else value
    return out


@pytest.mark.parametrize("rule,index,case", CASES, ids=lambda v: v.code if isinstance(v, type) else str(v))
def test_page_case(rule: type[Rule], index: int, case: PageCase, tmp_path: Path) -> None:
    if case.expect is None:
        pytest.skip("illustration without expectations")
    settings, files = _case_setup(rule, case)
    select = tuple(settings.pop("select", ())) or (rule.code,)
    findings = lint(case.text, select, files=files, tmp=tmp_path, **settings)
    mine = [f for f in findings if f.code == rule.code or rule.code in f.aliases]
    assert sorted(positions(mine)) == sorted(case.expect), [f.message for f in findings]


_SAFETY_WORDS = {SAFE: "Safe", UNSAFE: "Unsafe", DISPLAY_ONLY: "Display-only", None: "No automatic fix"}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_fix_section_is_the_example_fixed(rule: type[Rule], tmp_path: Path) -> None:
    """A fixing rule's page shows its Example fixed (unsafe fixes included) in "## Fix"; the
    fix engine, guard included, must produce exactly that text, and it no longer fires the rule.
    Display-only fixes are never applied: their block shows what the fix would write, placeholders
    (``<version>``) included, which a person replaces before the rule is satisfied."""
    page = rule.page()
    safety = page.sections.get("Fix safety", "")
    assert safety.startswith(_SAFETY_WORDS[rule.fix_safety]), (
        f"{rule.code}: 'Fix safety' must start with '{_SAFETY_WORDS[rule.fix_safety]}'"
    )
    example = next(c for c in page.cases if c.title == "Example")
    settings, files = _case_setup(rule, example)
    if rule.fix_safety is None:
        assert page.fixed is None, f"{rule.code} shows a fix but declares no fix_safety"
        findings = lint(example.text, (rule.code,), files=files, tmp=tmp_path, **settings)
        assert all(f.fix is None for f in findings if f.code == rule.code)
        return
    assert page.fixed is not None, f"{rule.code} fixes but its page has no '## Fix' dockerfile block"
    findings = lint(example.text, (rule.code,), files=files, tmp=tmp_path, **settings)
    mine = [f for f in findings if f.code == rule.code]
    assert mine and all(f.fix is not None and f.fix.applicability == rule.fix_safety for f in mine)
    if rule.fix_safety == DISPLAY_ONLY:
        assert apply_fixes(example.text, [f.fix for f in mine if f.fix is not None]) == page.fixed
        return
    outcome = fix_text(
        example.text,
        "Dockerfile",
        Settings().replace(select=(rule.code,), **settings),
        Policy(unsafe=True),
        tmp_path / "Dockerfile",
        tmp_path,
    )
    assert outcome.refused is None, outcome.refused
    assert outcome.text == page.fixed
    assert outcome.files == (page.fixed_files or {})
    for name, content in outcome.files.items():
        (tmp_path / name).write_text(content)
    again = lint(outcome.text, (rule.code,), files=files, tmp=tmp_path, **settings)
    assert [f for f in again if f.code == rule.code] == []


def _case_setup(rule: type[Rule], case: PageCase) -> tuple[dict[str, object], dict[str, str]]:
    files = {name.strip(): "x\n" for name in case.settings.get("files", "").split(",") if name.strip()}
    if "dockerignore" in case.settings:
        files[".dockerignore"] = case.settings["dockerignore"].replace(";", "\n") + "\n"
    settings = _settings(case)
    if "rule_options" in settings:
        settings["rule_options"] = {rule.code: settings["rule_options"]}
    return settings, files


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_security_rules_rate_their_severity(rule: type[Rule]) -> None:
    """GitHub code scanning ranks security alerts by SARIF ``security-severity``."""
    if rule.category() == "security" or "security" in rule.tags:
        assert rule.security_severity is not None and 0 < rule.security_severity <= 10
