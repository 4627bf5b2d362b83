"""select rules -> run -> pragma filter -> severity overrides -> sorted Report.

The engine is the only place that knows about files, settings and pragmas; rules only see a
:class:`RuleContext` and yield findings.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from dfcheck.dockerfile.model import Model
from dfcheck.dockerfile.parse import Dockerfile, Instruction, parse
from dfcheck.dockerfile.source import read_dockerfile
from dfcheck.lint.config import ConfigError, Overrides, Settings, find_config, load_file
from dfcheck.lint.finding import FileResult, Finding, Report, Severity
from dfcheck.lint.registry import RuleInfo, load_rules, rule_class, rule_index, rules_matching, token_matches
from dfcheck.lint.rule import ANY_PROGRAM, Rule, RuleContext
from dfcheck.regex import lazy


def _print_rule_error(display: str, code: str, exc: Exception) -> None:
    print(f"{display}:1:1: internal error in {code}: {exc!r}", file=sys.stderr)


#: Called as ``hook(path, code, exception)`` when a rule raises; the other rules still run. The
#: corpus smoke test replaces it to fail on any rule bug.
rule_error_hook: Callable[[str, str, Exception], None] = _print_rule_error


_SELECTED: dict[tuple[Any, ...], list[RuleInfo]] = {}


def selected_rules(settings: Settings) -> list[RuleInfo]:
    """The rules ``settings`` turn on, in code order (memoised: the engine asks once per file).

    Chosen from the rulebook's index: a rule's module is imported only when a file can trigger it.
    """
    rules = rule_index()
    key = (tuple(settings.select), tuple(settings.extend_select), tuple(settings.ignore), len(rules))
    cached = _SELECTED.get(key)
    if cached is None:
        cached = _SELECTED[key] = _select(rules, settings)
    return list(cached)


def _select(rules: dict[str, RuleInfo], settings: Settings) -> list[RuleInfo]:
    if settings.select:
        chosen = {r.code for token in settings.select for r in _resolve_or_fail(token, "select")}
    else:
        chosen = {code for code, r in rules.items() if r.enabled_by_default}
    chosen |= {r.code for token in settings.extend_select for r in _resolve_or_fail(token, "extend-select")}
    for token in settings.ignore:
        if _SHELLCHECK_CODE.fullmatch(token.strip()):  # DF500 passes these on to ShellCheck
            continue
        chosen -= {r.code for r in _resolve_or_fail(token, "ignore")}
    return [rules[c] for c in sorted(chosen)]


_SHELLCHECK_CODE = lazy(r"SC\d{4}", re.I)


def _resolve_or_fail(token: str, key: str) -> list[RuleInfo]:
    found = rules_matching(token)
    if not found:
        raise ConfigError(f"{key}: no rule matches '{token}'")
    return found


class Linter:
    """Lints files with per-directory configuration discovered once and cached."""

    def __init__(
        self, overrides: Overrides | None = None, base: Settings | None = None, *, discover: bool = True
    ):
        self.overrides = overrides or Overrides()
        self.base = base or Settings()
        self.discover = discover
        self._by_config: dict[str, Settings] = {}
        self._config_in: dict[Path, tuple[Path, str] | None] = {}
        self._resolved: dict[Path, Path] = {}

    def settings_for(self, path: Path | None) -> Settings:
        from dfcheck.lint.config import apply_table, env_table, resolved

        found = (
            self._find_config(resolved(path, self._resolved))
            if (path is not None and self.discover)
            else None
        )
        key = str(found[0]) if found else ""
        if key not in self._by_config:
            settings = self.base
            if found:
                settings = load_file(found[0], found[1], settings)
            env = env_table()
            if env:
                settings = apply_table(settings, env, "environment")
            settings = self.overrides.apply(settings)
            selected_rules(settings)
            self._by_config[key] = settings
        return self._by_config[key]

    def _find_config(self, start: Path) -> tuple[Path, str] | None:
        """find_config, once per directory: a run over many files reads each config once."""
        return find_config(start, self._config_in)

    def lint_file(
        self, path: Path, display: str | None = None, context_dir: Path | None = None
    ) -> FileResult:
        return self._lint_read(str(path), display or str(path), path, context_dir)

    def lint_stdin(
        self, display: str, file_path: Path | None = None, context_dir: Path | None = None
    ) -> FileResult:
        """Standard input, linted as if it were ``file_path`` (``--stdin-filename``)."""
        return self._lint_read("-", display, file_path, context_dir)

    def lint_source(
        self, text: str, display: str, file_path: Path | None = None, context_dir: Path | None = None
    ) -> FileResult:
        return lint_text(text, display, self.settings_for(file_path), file_path, context_dir)

    def _lint_read(
        self, source: str, display: str, file_path: Path | None, context_dir: Path | None
    ) -> FileResult:
        text, message = read_dockerfile(source, display)
        if text is None:
            return FileResult(display, error=message)
        settings = self.settings_for(file_path)  # a configuration error stops the whole run
        try:
            result = lint_text(text, display, settings, file_path, context_dir)
        except Exception as exc:  # a bug outside the rules: this file is not checked, the others are
            return FileResult(display, error=f"{display}:1:1: internal error: {exc!r}")
        if message:
            result.error = message
        return result


def lint_text(
    text: str,
    display: str,
    settings: Settings,
    file_path: Path | None = None,
    context_dir: Path | None = None,
    *,
    parsed: Dockerfile | None = None,
) -> FileResult:
    """Lint ``text``; ``parsed`` is its parse when the caller has it already (``--fix`` parses
    every fixed text to guard it, and lints that parse)."""
    from dfcheck.lint import pragmas

    dockerfile = parse(text) if parsed is None else parsed
    model = Model(dockerfile, settings.build_args, settings.target)
    if settings.target and model.stages and model.stage_named(settings.target) is None:
        named = ", ".join(s.name for s in model.stages if s.name) or "none"
        error = f"{display}:1:1: target stage '{settings.target}' not found (named stages: {named})"
        return FileResult(display, error=error, threshold=settings.failure_threshold)
    context_given = context_dir is not None
    if context_dir is None and file_path is not None:
        context_dir = file_path.parent
    ctx = RuleContext(
        display, dockerfile, model, settings, file_path, context_dir, context_given=context_given
    )
    infos = selected_rules(settings)
    chosen = frozenset(r.code for r in infos)
    checks = pragmas.CheckDirectives(dockerfile, settings.build_args)
    if checks:
        infos += _experimental_rules(checks.experimental(), chosen, settings)
    ctx.selected = frozenset(r.code for r in infos)
    rules = [rule_class(info)() for info in _triggered(infos, ctx)]
    walk = _Walk(ctx, display)
    raw = walk.run([r for r in rules if not r.after_suppression])
    ctx.pragmas = (
        pragmas.collect(dockerfile, _stage_ranges(model, len(dockerfile.lines))) if settings.pragmas else []
    )
    kept: list[Finding] = []
    suppressed = pragmas.Suppressions(ctx.pragmas) if ctx.pragmas else None
    for finding in raw:
        if checks and checks.at(finding.span.start_line).drops(finding, finding.code in chosen):
            continue
        if suppressed is not None and suppressed(finding):
            continue
        kept.append(_override(finding, settings, checks.file.error))
    kept += walk.run([r for r in rules if r.after_suppression])
    problem = ctx.context_problem()
    if problem is not None:
        return FileResult(display, error=f"{display}:1:1: {problem}")
    kept.sort(key=lambda f: f.sort_key)
    return FileResult(display, text=text, findings=kept, threshold=settings.failure_threshold)


def _experimental_rules(checks: set[str], chosen: frozenset[str], settings: Settings) -> list[RuleInfo]:
    """The rules of BuildKit's experimental checks that the file's check configuration turns on
    (``# check=experimental=InvalidDefinitionDescription``), unless the configuration ignores them."""
    found = {r.code: r for check in checks for r in rules_matching(check) if r.code not in chosen}
    return [
        r
        for code, r in sorted(found.items())
        if not any(token_matches(t, r.code, r.name, r.aliases) for t in settings.ignore)
    ]


def _triggered(infos: list[RuleInfo], ctx: RuleContext) -> list[RuleInfo]:
    """The rules that can find something in this file: a rule that visits only instructions or
    programs the file does not have would be handed nothing, and a rule whose requirements
    (``requires_instructions``, ``requires_programs``) the file does not meet would find nothing,
    so their modules are not even imported."""
    keywords: set[str] = set()
    posix_runs: list[Instruction] = []
    for item in ctx.all_instructions():  # what the walk visits: stages, ONBUILD triggers unwrapped
        keywords.add(item.keyword)
        if item.keyword == "RUN" and ctx.facts(item).posix:
            posix_runs.append(item)
    programs: frozenset[str] = frozenset()
    if posix_runs and any(
        i.requires_programs or (i.programs and not (i.whole_file or i.per_run)) for i in infos
    ):
        names = {cmd.name for ins in posix_runs for script in ctx.scripts(ins) for cmd in script.commands}
        programs = frozenset(names | ANY_PROGRAM if names else names)
    present = frozenset(keywords)
    return [i for i in infos if i.runs_on(present, bool(posix_runs), programs)]


class _Walk:
    """One pass over the file for a set of rules: each instruction, command and stage is handed to
    the rules that declared they look at it, in file order; a rule that raises loses only what
    that one call would have found, and is reported once."""

    def __init__(self, ctx: RuleContext, display: str) -> None:
        self.ctx = ctx
        self.display = display
        self.failed: set[str] = set()
        self.found: list[Finding] = []

    def call(self, rule: Rule, check: Callable[..., Iterable[Finding]], *args: Any) -> None:
        try:
            self.found.extend(check(self.ctx, *args))
        except Exception as exc:  # a rule bug must not lose the other results
            if rule.code not in self.failed:
                self.failed.add(rule.code)
                rule_error_hook(self.display, rule.code, exc)

    def run(self, rules: list[Rule]) -> list[Finding]:
        self.found = []
        if not rules:
            return self.found
        ctx = self.ctx
        by_keyword: dict[str, list[Rule]] = {}
        by_program: dict[str, list[Rule]] = {}
        every_command: list[Rule] = []
        stage_rules: list[Rule] = []
        run_rules: list[Rule] = []
        for rule in rules:
            for keyword in rule.instructions:
                by_keyword.setdefault(keyword, []).append(rule)
            if rule.programs == ANY_PROGRAM:
                every_command.append(rule)
            for program in rule.programs - ANY_PROGRAM:
                by_program.setdefault(program, []).append(rule)
            if type(rule).check_stage is not Rule.check_stage:
                stage_rules.append(rule)
            if type(rule).check_run is not Rule.check_run:
                run_rules.append(rule)
        wants_runs = bool(by_program or every_command or run_rules)
        for stage in ctx.model.stages:
            ships = ctx.model.ships(stage)
            for ins in stage.instructions:
                for item in (ins, ins.trigger):
                    if item is None:
                        continue
                    # A trigger runs in every image built FROM this one, where its layer ships
                    # whether or not this stage ships in this build.
                    judged = ships or item is ins.trigger
                    for rule in by_keyword.get(item.keyword, ()):
                        if _judges(rule, judged):
                            self.call(rule, rule.check_instruction, item)
                    if wants_runs and item.keyword == "RUN" and ctx.model.facts(item).posix:
                        for rule in run_rules:
                            if _judges(rule, judged):
                                self.call(rule, rule.check_run, item)
                        self._commands(item, judged, by_program, every_command)
            for rule in stage_rules:
                if _judges(rule, ships):
                    self.call(rule, rule.check_stage, stage)
        chain = ctx.model.shipped_chain
        for rule in rules:
            if chain and type(rule).check_image is not Rule.check_image:
                self.call(rule, rule.check_image, chain)
            if type(rule).check_file is not Rule.check_file:
                self.call(rule, rule.check_file)
        return self.found

    def _commands(
        self, ins: Instruction, ships: bool, by_program: dict[str, list[Rule]], every_command: list[Rule]
    ) -> None:
        if not (by_program or every_command):
            return
        for script in self.ctx.scripts(ins):
            for cmd in script.commands:
                for rule in (*by_program.get(cmd.name, ()), *every_command):
                    if _judges(rule, ships):
                        self.call(rule, rule.check_command, ins, script, cmd)


def _judges(rule: Rule, ships: bool) -> bool:
    wanted = rule.judged_stages
    return wanted == "all" or (wanted == "shipped") == ships


def _stage_ranges(model: Model, last_line: int) -> list[tuple[int, int]]:
    starts = [s.from_ins.line for s in model.stages]
    return [
        (start, (starts[i + 1] - 1) if i + 1 < len(starts) else last_line) for i, start in enumerate(starts)
    ]


def _override(finding: Finding, settings: Settings, checks_are_errors: bool) -> Finding:
    level = None
    for token, severity in settings.severity.items():
        if token_matches(token, finding.code, finding.name, finding.aliases):
            level = severity
    if level is None and checks_are_errors and any(not a.startswith(("DL", "SC")) for a in finding.aliases):
        level = Severity.ERROR
    return finding._replace(severity=level) if level is not None and level != finding.severity else finding


def lint_many(
    linter: Linter, items: Iterable[tuple[Path, str]], context_dir: Path | None = None, jobs: int = 0
) -> Report:
    """Lint files, in parallel worker processes when there are many."""
    return Report(map_files(_lint_one, linter, list(items), context_dir, jobs))


def _lint_one(linter: Linter, path: Path, display: str, context_dir: Path | None) -> FileResult:
    return linter.lint_file(path, display, context_dir)


_T = TypeVar("_T")


def map_files(
    each: Callable[[Linter, Path, str, Path | None], _T],
    linter: Linter,
    work: list[tuple[Path, str]],
    context_dir: Path | None = None,
    jobs: int = 0,
) -> list[_T]:
    """``each(linter, path, display, context_dir)`` for every file, in ``work``'s order; in forked
    worker processes when there are many (``lint_many``, and ``--fix`` through
    :func:`dfcheck.lint.fixes.fix_many`)."""
    jobs = jobs or min(os.cpu_count() or 1, 8)
    if len(work) < 64 or jobs < 2 or sys.platform == "win32":
        return [each(linter, p, d, context_dir) for p, d in work]
    import multiprocessing

    load_rules()  # once here, not once in every worker
    global _WORKER
    _WORKER = (each, linter)
    numbered = list(enumerate(work))
    chunks = [numbered[i::jobs] for i in range(jobs)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs) as pool:
        parts = pool.starmap(_chunk, [(chunk, context_dir) for chunk in chunks])
    return [result for _, result in sorted((pair for part in parts for pair in part), key=lambda p: p[0])]


#: The function and linter of a :func:`map_files` run, inherited by the forked workers.
_WORKER: tuple[Callable[..., Any], Linter] | None = None


def _chunk(chunk: list[tuple[int, tuple[Path, str]]], context_dir: Path | None) -> list[tuple[int, Any]]:
    assert _WORKER is not None
    each, linter = _WORKER
    return [(i, each(linter, p, d, context_dir)) for i, (p, d) in chunk]
