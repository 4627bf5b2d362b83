"""The rulebook's index: rules are selected without importing them, and a file imports only the
rules it can trigger — with exactly the findings of running every selected rule."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dfcheck.lint import engine, registry
from dfcheck.lint.config import Settings
from dfcheck.lint.registry import load_rules, rule_index
from tests.conftest import CORPUS, REPO

#: ShellCheck off: DF500 without it still runs, and the comparison is about which rules are imported.
EVERY_RULE = Settings().replace(extend_select=("DF",), shellcheck=False)


def test_the_index_describes_every_rule_as_its_class_does() -> None:
    rules = load_rules()
    index = rule_index()
    assert sorted(index) == sorted(rules)
    assert all(index[code] == rule.info() for code, rule in rules.items())


def test_the_index_is_cached_and_rebuilt_when_a_rule_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = tmp_path / "rule-index.marshal"
    monkeypatch.setattr(registry, "_index_path", lambda directory: str(cached))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    built = registry._build_index()
    assert cached.is_file()
    assert registry._read_index() == {c: i for c, i in built.items() if i.module.startswith("dfcheck.rules.")}

    # A rule file that is new (or whose size or time changed) makes the cached index stale.
    extra = tmp_path / "DF899_new_rule.py"
    extra.write_text("")
    files = registry._rule_files
    monkeypatch.setattr(registry, "_rule_files", lambda directory: [*files(directory), str(extra)])
    assert registry._read_index() is None
    monkeypatch.setattr(registry, "_rule_files", files)
    assert registry._read_index() is not None

    form, stamp, bases, rows, byte_code = marshal.loads(cached.read_bytes())
    assert set(byte_code) == {i.module for i in built.values() if i.module.startswith("dfcheck.rules.")}
    cached.write_bytes(marshal.dumps(((form[0] + 1, form[1]), stamp, bases, rows, byte_code)))
    assert registry._read_index() is None  # another format, or byte code of another optimisation level
    cached.write_bytes(b"not marshal data")
    assert registry._read_index() is None


def test_an_index_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setattr(registry, "_index_path", lambda directory: str(blocked / "rule-index.marshal"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert sorted(registry._build_index()) == sorted(load_rules())


_PROBE = """
import json, sys
from dfcheck.lint.config import Settings
from dfcheck.lint.engine import lint_text
result = lint_text(sys.stdin.read(), "Dockerfile", Settings())
print(json.dumps({
    "codes": sorted({f.code for f in result.findings}),
    "imported": sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("dfcheck.rules.") and m.count(".") == 3),
}))
"""


def _cold_lint(text: str, pycache: Path) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-X", f"pycache_prefix={pycache}", "-c", _PROBE],
        input=text,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=True,
    )
    data: dict[str, list[str]] = json.loads(out.stdout)
    return data


def test_a_cold_run_imports_only_the_rules_the_file_can_trigger(tmp_path: Path) -> None:
    text = 'FROM alpine:3.20\nUSER app\nCMD ["app"]\n'
    first = _cold_lint(text, tmp_path)  # builds the index: every rule is imported
    assert len(first["imported"]) == sum(i.module.startswith("dfcheck.rules.") for i in rule_index().values())
    second = _cold_lint(text, tmp_path)
    assert second["codes"] == first["codes"]
    imported = set(second["imported"])
    assert "DF601_root_user" in imported  # check_image: every file
    assert "DF506_apt_in_script" not in imported  # visits `apt` commands: there is no RUN
    assert "DF801_maintainer_deprecated" not in imported  # visits MAINTAINER
    third = _cold_lint(text + "RUN apt install -y curl\nMAINTAINER me\n", tmp_path)
    assert {"DF506_apt_in_script", "DF801_maintainer_deprecated"} <= set(third["imported"])
    assert {"DF506", "DF801"} <= set(third["codes"])


def _same_findings_as_every_rule(paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> int:
    """Lint each file twice, with untriggered rules skipped and with every selected rule run."""
    load_rules()
    compared = 0
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        skipped = engine.lint_text(text, path.name, EVERY_RULE).findings
        with monkeypatch.context() as patch:
            patch.setattr(engine, "_triggered", lambda infos, ctx: infos)
            every = engine.lint_text(text, path.name, EVERY_RULE).findings
        assert skipped == every, path
        compared += 1
    return compared


def test_skipping_untriggered_rules_changes_no_finding_on_the_fixtures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = sorted(p for p in (REPO / "fixtures").rglob("*Dockerfile*") if p.is_file())
    assert _same_findings_as_every_rule(paths, monkeypatch) >= 10


def test_skipping_untriggered_rules_changes_no_finding_on_the_corpora(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = CORPUS.parent / "corpus-apps"
    paths = [p for p in sorted(corpus.rglob("*")) if p.is_file() and p.suffix not in (".tsv", ".txt")]
    paths += [p for p in sorted(apps.rglob("*")) if p.is_file() and p.suffix not in (".tsv", ".txt")]
    assert _same_findings_as_every_rule(paths, monkeypatch) == len(paths)
