"""Every rule, opt-in ones included, on every corpus file: no rule may raise, no file may crash.

The engine keeps going when a rule raises (it reports the error and runs the other rules), so a
rule bug would otherwise go unnoticed in the suite; ``engine.rule_error_hook`` collects them here.
The corpus is linted in forked worker processes, one per CPU, to stay well under 30 s.
ShellCheck (DF500) costs about 30 ms of CPU per file, so it runs on a seeded sample only.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import traceback
from pathlib import Path

import pytest

from dfcheck.lint import engine
from dfcheck.lint.config import Settings
from dfcheck.lint.registry import load_rules
from dfcheck.shell import shellcheck_binary

ALL_RULES = Settings().replace(extend_select=("DF",), shellcheck=False)
SHELLCHECK_SAMPLE = 60


def corpus_files(corpus: Path) -> list[Path]:
    lines = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    column = lines[0].split("\t").index("stored_name")
    return [corpus / line.split("\t")[column] for line in lines[1:] if line.strip()]


def _lint_chunk(paths: list[Path], settings: Settings) -> list[str]:
    """Lint in this process; one line per rule exception or crashed file."""
    problems: list[str] = []

    def collect(path: str, code: str, exc: Exception) -> None:
        where = "".join(traceback.format_exception(exc)[-3:]).strip()
        problems.append(f"{path}: {code} raised {exc!r}\n{where}")

    engine.rule_error_hook = collect
    linter = engine.Linter(None, settings, discover=False)
    for path in paths:
        try:
            result = linter.lint_file(path)
        except Exception as exc:
            problems.append(f"{path}: {exc!r}\n{traceback.format_exc()}")
            continue
        if result.error and "internal error" in result.error:
            problems.append(result.error)
    return problems


def lint_all(paths: list[Path], settings: Settings) -> list[str]:
    jobs = min(os.cpu_count() or 1, 8)
    if jobs < 2 or sys.platform == "win32":
        return _lint_chunk(paths, settings)
    engine.selected_rules(settings)  # read the rule index once, before forking
    load_rules()  # and import the rules once
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        parts = pool.starmap(_lint_chunk, [(paths[i::jobs], settings) for i in range(jobs)])
    return [problem for part in parts for problem in part]


def test_every_rule_on_every_corpus_file(corpus: Path) -> None:
    paths = corpus_files(corpus)
    assert len(paths) > 1000
    problems = lint_all(paths, ALL_RULES)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:20])


def test_shellcheck_on_a_corpus_sample(corpus: Path) -> None:
    if not shellcheck_binary.available():
        pytest.skip("ShellCheck is not installed")
    paths = random.Random(1646).sample(corpus_files(corpus), SHELLCHECK_SAMPLE)
    problems = lint_all(paths, Settings().replace(select=("DF500",)))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:20])
