"""select rules -> run -> pragma filter -> severity overrides -> sorted Report.

The engine is the only place that knows about files, settings and pragmas; rules only see a
:class:`RuleContext` and yield findings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from dfcheck.dockerfile.model import Model, Stage, stage_chain
from dfcheck.dockerfile.parse import Dockerfile, Instruction, parse
from dfcheck.dockerfile.source import decode
from dfcheck.lint.config import ConfigError, Settings, find_config, load_file
from dfcheck.lint.finding import FileResult, Finding, Report, Severity
from dfcheck.lint.rule import Rule, load_rules, resolve

MAX_BYTES = 5 * 1024 * 1024


def _print_rule_error(display: str, code: str, exc: Exception) -> None:
    print(f"{display}:1:1: internal error in {code}: {exc!r}", file=sys.stderr)


#: Called as ``hook(path, code, exception)`` when a rule raises; the other rules still run. The
#: corpus smoke test replaces it to fail on any rule bug.
rule_error_hook: Callable[[str, str, Exception], None] = _print_rule_error


class RuleContext:
    """What a rule sees of one file (a plain class: creating a dataclass costs ~0.3 ms of start-up)."""

    def __init__(
        self,
        path: str,
        dockerfile: Dockerfile,
        model: Model,
        settings: Settings,
        file_path: Path | None = None,
        context_dir: Path | None = None,
        selected: frozenset[str] = frozenset(),
        context_given: bool = False,
    ) -> None:
        self.path = path
        self.dockerfile = dockerfile
        self.model = model
        self.settings = settings
        #: The Dockerfile on disk (None for stdin), for rules that look at the build context.
        self.file_path = file_path
        self.context_dir = context_dir
        #: True when the user named the build context; otherwise it is assumed to be the
        #: Dockerfile's directory, which is wrong for ``docker build -f sub/Dockerfile .``.
        self.context_given = context_given
        #: Codes of the rules running on this file (an ignore comment for a rule that did not run
        #: cannot be judged unused).
        self.selected = selected

    @cached_property
    def needed(self) -> set[int]:
        return self.model.needed_stages(self.settings.target)

    def shipped(self, stage: Stage | None) -> bool:
        """Does ``stage`` end up in (or feed the base of) the image that is built?"""
        return any(stage is s for s in self.shipped_chain())

    def shipped_chain(self) -> list[Stage]:
        """The target stage and the stages it is built FROM, root first; [] without stages."""
        target = self.model.target_stage(self.settings.target)
        return stage_chain(target) if target is not None else []

    def stages(self, *, shipped_only: bool = False) -> list[Stage]:
        if shipped_only:
            return [s for s in self.model.stages if self.shipped(s)]
        return list(self.model.stages)

    def instructions(self, *keywords: str, shipped_only: bool = False) -> Iterator[Instruction]:
        """Instructions (ONBUILD triggers included) in the selected stages, in file order."""
        for stage in self.stages(shipped_only=shipped_only):
            for ins in stage.instructions:
                for item in (ins, ins.trigger):
                    if item is not None and (not keywords or item.keyword in keywords):
                        yield item

    def option(self, rule: Rule, name: str) -> Any:
        return self.settings.rule_options.get(rule.code, {}).get(name, rule.options.get(name))

    @cached_property
    def build_context(self) -> Any:
        """The build context inventory (``dfcheck.build.context``), or None for stdin input."""
        if self.context_dir is None or not self.context_dir.is_dir():
            return None
        from dfcheck.build import context

        return context.load(self.context_dir, self.file_path)


_SELECTED: dict[tuple[Any, ...], list[type[Rule]]] = {}


def selected_rules(settings: Settings) -> list[type[Rule]]:
    """The rules ``settings`` turn on, in code order (memoised: the engine asks once per file)."""
    rules = load_rules()
    key = (tuple(settings.select), tuple(settings.extend_select), tuple(settings.ignore), len(rules))
    cached = _SELECTED.get(key)
    if cached is None:
        cached = _SELECTED[key] = _select(rules, settings)
    return list(cached)


def _select(rules: dict[str, type[Rule]], settings: Settings) -> list[type[Rule]]:
    if settings.select:
        chosen = {r.code for token in settings.select for r in _resolve_or_fail(token, "select")}
    else:
        chosen = {code for code, r in rules.items() if r.enabled_by_default}
    chosen |= {r.code for token in settings.extend_select for r in _resolve_or_fail(token, "extend-select")}
    for token in settings.ignore:
        chosen -= {r.code for r in resolve(token)}
    return [rules[c] for c in sorted(chosen)]


def _resolve_or_fail(token: str, key: str) -> list[type[Rule]]:
    found = resolve(token)
    if not found:
        raise ConfigError(f"{key}: no rule matches '{token}'")
    return found


class Linter:
    """Lints files with per-directory configuration discovered once and cached."""

    def __init__(self, cli_settings: dict[str, Any], base: Settings | None = None, *, discover: bool = True):
        self.cli_settings = cli_settings
        self.base = base or Settings()
        self.discover = discover
        self._by_config: dict[str, Settings] = {}
        self._config_in: dict[Path, tuple[Path, str] | None] = {}

    def settings_for(self, path: Path | None) -> Settings:
        from dfcheck.lint.config import apply_table, env_table

        found = self._find_config(path.resolve()) if (path is not None and self.discover) else None
        key = str(found[0]) if found else ""
        if key not in self._by_config:
            settings = self.base
            if found:
                settings = load_file(found[0], found[1], settings)
            env = env_table()
            if env:
                settings = apply_table(settings, env, "environment")
            settings = settings.replace(**self.cli_settings)
            selected_rules(settings)
            self._by_config[key] = settings
        return self._by_config[key]

    def _find_config(self, start: Path) -> tuple[Path, str] | None:
        """find_config, once per directory: a run over many files reads each config once."""
        directory = start if start.is_dir() else start.parent
        if directory not in self._config_in:
            self._config_in[directory] = find_config(directory)
        return self._config_in[directory]

    def lint_file(
        self, path: Path, display: str | None = None, context_dir: Path | None = None
    ) -> FileResult:
        shown = display or str(path)
        try:
            if path.stat().st_size > MAX_BYTES:
                return FileResult(shown, error=f"{shown}:1:1: file is larger than {MAX_BYTES // 1048576} MB")
            data = path.read_bytes()
        except OSError as exc:
            return FileResult(shown, error=f"{shown}:1:1: cannot read: {exc.strerror or exc}")
        return self.lint_bytes(data, shown, path, context_dir)

    def lint_bytes(
        self, data: bytes, display: str, path: Path | None = None, context_dir: Path | None = None
    ) -> FileResult:
        text, problem = decode(data)
        if problem and not text:
            return FileResult(display, error=f"{display}:1:1: {problem}")
        settings = self.settings_for(path)
        result = lint_text(text, display, settings, path, context_dir)
        if problem:
            line, col = _byte_position(data, problem)
            result.error = f"{display}:{line}:{col}: {problem} (replaced, linted anyway)"
        return result


def _byte_position(data: bytes, problem: str) -> tuple[int, int]:
    try:
        offset = int(problem.rsplit(" ", 1)[-1])
    except ValueError:
        return 1, 1
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def lint_text(
    text: str,
    display: str,
    settings: Settings,
    file_path: Path | None = None,
    context_dir: Path | None = None,
) -> FileResult:
    from dfcheck.lint import pragmas

    dockerfile = parse(text)
    model = Model(dockerfile, settings.build_args)
    context_given = context_dir is not None
    if context_dir is None and file_path is not None:
        context_dir = file_path.parent
    ctx = RuleContext(
        display, dockerfile, model, settings, file_path, context_dir, context_given=context_given
    )
    rules = selected_rules(settings)
    ctx.selected = frozenset(r.code for r in rules)
    skips, checks_are_errors = pragmas.check_directive_skips(dockerfile)
    raw: list[Finding] = []
    for rule_cls in rules:
        rule = rule_cls()
        try:
            raw.extend(rule.check(ctx))
        except Exception as exc:  # a rule bug must not lose the other results
            rule_error_hook(display, rule_cls.code, exc)
    stage_ranges = _stage_ranges(model, len(dockerfile.lines))
    found_pragmas = pragmas.collect(dockerfile, stage_ranges) if settings.pragmas else []
    kept: list[Finding] = []
    for finding in raw:
        if skips and any(pragmas._matches(s, finding) for s in skips):
            continue
        if found_pragmas and pragmas.suppressed(finding, found_pragmas):
            continue
        kept.append(_override(finding, settings, checks_are_errors))
    if found_pragmas:
        audit = load_rules().get("DF002")
        if audit is not None and audit in rules:
            kept.extend(audit().audit(ctx, found_pragmas))  # type: ignore[attr-defined]
    kept.sort(key=lambda f: f.sort_key)
    return FileResult(display, text=text, findings=kept, threshold=settings.failure_threshold)


def _stage_ranges(model: Model, last_line: int) -> list[tuple[int, int]]:
    starts = [s.from_ins.line for s in model.stages]
    return [
        (start, (starts[i + 1] - 1) if i + 1 < len(starts) else last_line) for i, start in enumerate(starts)
    ]


def _override(finding: Finding, settings: Settings, checks_are_errors: bool) -> Finding:
    level = settings.severity.get(finding.code) or settings.severity.get(finding.name.upper())
    if level is None:
        for alias in finding.aliases:
            level = settings.severity.get(alias.upper())
            if level is not None:
                break
    if level is None and checks_are_errors and any(not a.startswith(("DL", "SC")) for a in finding.aliases):
        level = Severity.ERROR
    return finding._replace(severity=level) if level is not None and level != finding.severity else finding


def lint_many(
    linter: Linter, items: Iterable[tuple[Path, str]], context_dir: Path | None = None, jobs: int = 0
) -> Report:
    """Lint files, in parallel worker processes when there are many."""
    work = list(items)
    jobs = jobs or min(os.cpu_count() or 1, 8)
    if len(work) < 64 or jobs < 2 or sys.platform == "win32":
        return Report([linter.lint_file(p, d, context_dir) for p, d in work])
    import multiprocessing

    global _WORKER_LINTER
    _WORKER_LINTER = linter
    chunks = [work[i::jobs] for i in range(jobs)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs) as pool:
        parts = pool.starmap(_lint_chunk, [(chunk, context_dir) for chunk in chunks])
    order = {d: i for i, (_, d) in enumerate(work)}
    files = sorted((r for part in parts for r in part), key=lambda r: order.get(r.path, 0))
    return Report(files)


_WORKER_LINTER: Linter | None = None


def _lint_chunk(chunk: list[tuple[Path, str]], context_dir: Path | None) -> list[FileResult]:
    assert _WORKER_LINTER is not None
    return [_WORKER_LINTER.lint_file(p, d, context_dir) for p, d in chunk]
