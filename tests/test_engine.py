"""The engine: rule selection, the single walk that hands rules what they declared, and errors."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dfcheck.dockerfile.model import Stage
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint import engine
from dfcheck.lint.config import ConfigError, Settings
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.registry import REGISTRY, token_matches
from dfcheck.lint.rule import ANY_PROGRAM, Rule, RuleContext
from dfcheck.shell import Command, Script


def test_unknown_codes_are_reported_in_select_and_ignore() -> None:
    with pytest.raises(ConfigError, match="ignore: no rule matches 'DL9999'"):
        engine.selected_rules(Settings().replace(ignore=("DL9999",)))
    with pytest.raises(ConfigError, match="select: no rule matches 'nope'"):
        engine.selected_rules(Settings().replace(select=("nope",)))
    # ShellCheck codes go to DF500, which passes them on to ShellCheck.
    assert engine.selected_rules(Settings().replace(ignore=("SC2086",)))


@pytest.mark.parametrize(
    "token, matches",
    [("DF101", True), ("df1", True), ("DF", True), ("ALL", True), ("dependencies-after-source", True),
     ("DF10", True), ("DF102", False), ("DL3008", False), ("DF1011", False)],
)  # fmt: skip
def test_one_token_matcher(token: str, matches: bool) -> None:
    assert token_matches(token, "DF101", "dependencies-after-source", ()) is matches


class _Recorder(Rule):
    """Records the order of the engine's calls; not registered (no code in the class body)."""

    instructions = frozenset({"RUN", "COPY"})
    programs = ANY_PROGRAM
    judged_stages = "shipped"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        self.calls.append(f"instruction {ins.line} {ins.keyword}{' (onbuild)' if ins.parent else ''}")
        return iter(())

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        self.calls.append(f"command {ins.line} {cmd.name}")
        return iter(())

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        self.calls.append(f"run {ins.line}")
        return iter(())

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        self.calls.append(f"stage {stage.label}")
        return iter(())

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        self.calls.append("image " + ",".join(s.label for s in chain))
        return iter(())

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        self.calls.append("file")
        return iter(())


def _walk(text: str, rule: Rule) -> None:
    from dfcheck.dockerfile.model import Model
    from dfcheck.dockerfile.parse import parse

    dockerfile = parse(text)
    ctx = RuleContext("Dockerfile", dockerfile, Model(dockerfile), Settings())
    engine._Walk(ctx, "Dockerfile").run([rule])


def test_one_walk_in_file_order_with_declared_visits_and_shipped_stages_only() -> None:
    rule = _Recorder()
    _walk(
        "FROM alpine AS build\nRUN make\n"
        "FROM alpine AS base\nCOPY a /a\nRUN apk add x && echo ok\nONBUILD RUN npm ci\n"
        "FROM base\nRUN ls\n",
        rule,
    )
    assert rule.calls == [
        "instruction 4 COPY",
        "instruction 5 RUN",
        "run 5",
        "command 5 apk",
        "command 5 echo",
        "instruction 6 RUN (onbuild)",
        "run 6",
        "command 6 npm",
        "stage base",
        "instruction 8 RUN",
        "run 8",
        "command 8 ls",
        "stage 2",
        "image base,2",
        "file",
    ]


def test_a_rule_that_raises_loses_only_that_call_and_is_reported_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(engine, "rule_error_hook", lambda path, code, exc: errors.append((code, str(exc))))

    class Flaky(Rule):
        code = "DF999"
        name = "flaky"
        severity = Severity.INFO
        summary = "test rule"
        instructions = frozenset({"RUN"})

        def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
            if "boom" in ins.rest:
                raise ValueError("boom")
            yield self.finding(ctx, ins.keyword_span, "ok")

    try:
        result = engine.lint_text(
            "FROM alpine\nRUN boom\nRUN fine\nRUN boom\n", "Dockerfile", Settings().replace(select=("DF999",))
        )
    finally:
        del REGISTRY["DF999"]
        engine._SELECTED.clear()
    assert [f.span.start_line for f in result.findings] == [3]
    assert errors == [("DF999", "boom")]


@pytest.mark.parametrize(
    ("folder", "stem", "error"),
    [
        ("style", "DF899_test_placement", None),
        (
            "cache",
            "DF899_test_placement",
            "rule DF899 test-placement must live in rules/style/DF899_test_placement.py",
        ),
        ("style", "DF899_other_name", "not style/DF899_other_name.py"),
    ],
)
def test_a_rule_module_sits_in_its_category_under_its_code_and_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str, stem: str, error: str | None
) -> None:
    """Registration checks each module against the rules it registered (and only those)."""
    from dfcheck.lint import registry

    package = tmp_path / "placement_rules"
    (package / folder).mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / folder / "__init__.py").write_text("")
    (package / folder / f"{stem}.py").write_text(
        "from dfcheck.lint.rule import Rule\n\n\n"
        "class TestPlacement(Rule):\n    code = 'DF899'\n    name = 'test-placement'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "REGISTRY", dict(registry.REGISTRY))
    for name in [m for m in sys.modules if m.startswith("placement_rules")]:
        monkeypatch.delitem(sys.modules, name)
    importlib.import_module("placement_rules")
    if error is None:
        registry._import_tree("placement_rules", str(package))
        assert "DF899" in registry.REGISTRY
    else:
        with pytest.raises(RuntimeError, match=re.escape(error)):
            registry._import_tree("placement_rules", str(package))
    for name in [m for m in sys.modules if m.startswith("placement_rules")]:
        monkeypatch.delitem(sys.modules, name)
