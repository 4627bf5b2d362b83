"""Applying fixes: ``dfcheck check --fix`` / ``--diff``, and the "Fix" blocks of the rule pages.

As ruff does, fixes are applied in passes: each pass takes the applicable fixes of the current
findings in file order, skips any that overlaps one already taken (it waits for the next pass,
when the file has been linted again), applies them at once and lints the result, until no
applicable fix is left (at most :data:`MAX_PASSES`).

Every pass is guarded. The fixed text is parsed again and, outside the instructions an edit
touched, BuildKit must read the same instructions: each one found again where it moved to, with
the same extent and text (from which BuildKit's parser builds the same node), and the same
BuildKit AST dump (:func:`~dfcheck.dockerfile.parse.dump_buildkit`) for the neighbours of the
edited ones, where an edit could leak; no parse error may appear, no heredoc body may change
unless the finding is about that heredoc, and the findings that were fixed must be gone. When one
of these fails, the file is left as it was and the outcome names the rule whose fix failed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dfcheck.dockerfile.source import LineIndex
from dfcheck.lint.finding import DISPLAY_ONLY, SAFE, Edit, FileResult, Finding, Fix
from dfcheck.records import NamedTuple

if TYPE_CHECKING:
    from dfcheck.dockerfile.parse import Dockerfile
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import Linter

#: Passes before a file that keeps producing fixes is given up on (ruff stops at 100; a fix that
#: needs more than a few passes here is a bug).
MAX_PASSES = 10


class Policy(NamedTuple):
    """Which fixes a run applies: ``fixable``/``unfixable`` select rules (codes, prefixes, names,
    aliases; empty ``fixable`` means every rule), ``unsafe`` adds unsafe fixes, and
    ``extend_safe`` treats the unsafe fixes of those rules as safe."""

    unsafe: bool = False
    fixable: tuple[str, ...] = ()
    unfixable: tuple[str, ...] = ()
    extend_safe: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings, unsafe: bool) -> Policy:
        """The policy of ``settings`` (keys ``fixable``, ``unfixable``, ``extend-safe-fixes``);
        a rule list naming no rule is a :class:`~dfcheck.lint.config.ConfigError`."""
        from dfcheck.lint.config import ConfigError
        from dfcheck.lint.registry import rules_matching

        for key, tokens in (
            ("fixable", settings.fixable),
            ("unfixable", settings.unfixable),
            ("extend-safe-fixes", settings.extend_safe_fixes),
        ):
            for token in tokens:
                if not rules_matching(token):
                    raise ConfigError(f"{settings.source}: {key}: no rule matches '{token}'")
        return cls(unsafe, settings.fixable, settings.unfixable, settings.extend_safe_fixes)

    def wanted(self, finding: Finding) -> bool:
        """May the rule's fixes be applied at all (``fixable`` and not ``unfixable``)?"""
        if finding.fix is None or finding.fix.applicability == DISPLAY_ONLY:
            return False
        if self.fixable and not _matches(self.fixable, finding):
            return False
        return not _matches(self.unfixable, finding)

    def applies(self, finding: Finding) -> bool:
        if not self.wanted(finding):
            return False
        assert finding.fix is not None
        if finding.fix.applicability == SAFE or self.unsafe:
            return True
        return _matches(self.extend_safe, finding)

    def held_back(self, finding: Finding) -> bool:
        """An unsafe fix this run does not apply but ``--unsafe-fixes`` would."""
        return self.wanted(finding) and not self.applies(finding)


def _matches(tokens: tuple[str, ...], finding: Finding) -> bool:
    from dfcheck.lint.registry import token_matches

    return any(token_matches(t, finding.code, finding.name, finding.aliases) for t in tokens)


class Outcome(NamedTuple):
    """What fixing one file did.

    ``text`` is the fixed text (the original when nothing applied or the guard refused);
    ``result`` holds the findings of ``text``; ``files`` the files to create beside the
    Dockerfile (name -> content); ``refused`` says why the file was left untouched.
    """

    original: str
    text: str
    result: FileResult
    applied: Counter[str]
    files: dict[str, str]
    refused: str | None = None
    held_back: int = 0
    #: Passes that changed the text.
    passes: int = 0
    #: The file the settings and build context came from (None without one).
    file_path: Path | None = None

    @property
    def changed(self) -> bool:
        return self.text != self.original or bool(self.files)


def fix_many(
    linter: Linter, work: list[tuple[Path, str]], context_dir: Path | None, unsafe: bool
) -> list[Outcome]:
    """Fix files (in worker processes when there are many); nothing is written here."""
    from dfcheck.lint.engine import map_files

    def each(linter: Linter, path: Path, display: str, context: Path | None) -> Outcome:
        return fix_file(linter, str(path), display, path, context, unsafe)

    return map_files(each, linter, work, context_dir)


def fix_file(
    linter: Linter, source: str, display: str, file_path: Path | None, context_dir: Path | None, unsafe: bool
) -> Outcome:
    """Read ``source`` (a path, or ``-`` for stdin) and fix it with the settings of ``file_path``.

    A file whose bytes are not all UTF-8 is linted but not fixed: writing the text back would
    replace those bytes.
    """
    from dfcheck.dockerfile.source import read_dockerfile

    text, message = read_dockerfile(source, display)
    if text is None:
        return Outcome("", "", FileResult(display, error=message), Counter(), {})
    if message:
        result = linter.lint_source(text, display, file_path, context_dir)
        result.error = f"{message}; not fixed"
        return Outcome(text, text, result, Counter(), {})
    settings = linter.settings_for(file_path)
    return fix_text(text, display, settings, Policy.from_settings(settings, unsafe), file_path, context_dir)


def fix_text(
    text: str,
    display: str,
    settings: Settings,
    policy: Policy,
    file_path: Path | None = None,
    context_dir: Path | None = None,
) -> Outcome:
    """Lint ``text`` and apply the fixes ``policy`` allows, pass after pass, each pass guarded."""
    return _Fixer(display, settings, policy, file_path, context_dir).run(text)


class _Fixer:
    """One file's fix run; holds what every re-lint needs."""

    def __init__(
        self,
        display: str,
        settings: Settings,
        policy: Policy,
        file_path: Path | None,
        context_dir: Path | None,
    ) -> None:
        self.display = display
        self.settings = settings
        self.policy = policy
        self.file_path = file_path
        self.context_dir = context_dir

    def lint(self, text: str, parsed: Dockerfile) -> FileResult:
        from dfcheck.lint.engine import lint_text

        return lint_text(text, self.display, self.settings, self.file_path, self.context_dir, parsed=parsed)

    def run(self, text: str) -> Outcome:
        from dfcheck.dockerfile.parse import parse

        parsed = parse(text)
        first = self.lint(text, parsed)
        current_text, current, current_parsed = text, first, parsed
        applied: Counter[str] = Counter()
        files: dict[str, str] = {}
        folder = self.file_path.parent if self.file_path is not None else None
        passes = 0
        for _ in range(MAX_PASSES):
            chosen, created = _choose(current.findings, self.policy, files, folder)
            for finding, new_files in created:
                applied[finding.code] += 1
                files.update(new_files)
            if not chosen:
                break
            new_text = apply_edits(current_text, _pass_edits(chosen))
            new_parsed = parse(new_text)
            step = _Pass(current_text, current_parsed, new_text, new_parsed, chosen)
            problem = step.guard()
            new = None
            if problem is None:
                new = self.lint(new_text, new_parsed)
                problem = step.still_there(new.findings)
            if problem is not None or new is None:
                culprit = self.culprit(current_text, current_parsed, chosen)
                return self.refused(text, first, f"the fix of {culprit} {problem}")
            applied.update(f.code for f in chosen)
            passes += 1
            current_text, current, current_parsed = new_text, new, new_parsed
        else:
            left = [f for f in current.findings if self.policy.applies(f) and _text_edits(f)]
            if left:
                return self.refused(
                    text, first, f"fixes of {_codes(left)} did not settle in {MAX_PASSES} passes"
                )
        current.findings[:] = [f for f in current.findings if not _creates_only(f, files)]
        held = sum(1 for f in current.findings if self.policy.held_back(f))
        return Outcome(text, current_text, current, applied, files, None, held, passes, self.file_path)

    def refused(self, text: str, first: FileResult, message: str) -> Outcome:
        held = sum(1 for f in first.findings if self.policy.held_back(f))
        return Outcome(text, text, first, Counter(), {}, message, held, 0, self.file_path)

    def culprit(self, text: str, parsed: Dockerfile, chosen: list[Finding]) -> str:
        """The rule(s) whose fix fails the guard on its own, to name in the refusal."""
        from dfcheck.dockerfile.parse import parse

        failing: list[str] = []
        for code in sorted({f.code for f in chosen}):
            alone = [f for f in chosen if f.code == code]
            new_text = apply_edits(text, _pass_edits(alone))
            step = _Pass(text, parsed, new_text, parse(new_text), alone)
            problem = step.guard()
            if problem is None:
                problem = step.still_there(self.lint(new_text, step.new).findings)
            if problem is not None:
                failing.append(code)
        return ", ".join(failing) or f"{_codes(chosen)} (together)"


def _codes(findings: Iterable[Finding]) -> str:
    return ", ".join(sorted({f.code for f in findings}))


def _text_edits(finding: Finding) -> tuple[Edit, ...]:
    assert finding.fix is not None
    return tuple(e for e in finding.fix.edits if not e.file)


def _file_edits(finding: Finding) -> tuple[Edit, ...]:
    assert finding.fix is not None
    return tuple(e for e in finding.fix.edits if e.file)


def _pass_edits(chosen: list[Finding]) -> list[Edit]:
    """The edits of a pass: several findings resolved by one fix share its edits, applied once."""
    seen: set[tuple[Edit, ...]] = set()
    edits: list[Edit] = []
    for finding in chosen:
        own = _text_edits(finding)
        key = tuple(sorted(own))
        if key not in seen:
            seen.add(key)
            edits.extend(own)
    return edits


def _creates_only(finding: Finding, files: dict[str, str]) -> bool:
    """Is the finding resolved by creating files this run creates (it still fires on the text)?"""
    if finding.fix is None or _text_edits(finding):
        return False
    made = _file_edits(finding)
    return bool(made) and all(e.file in files for e in made)


def _choose(
    findings: list[Finding], policy: Policy, files: dict[str, str], folder: Path | None
) -> tuple[list[Finding], list[tuple[Finding, dict[str, str]]]]:
    """The fixes of one pass: applicable, in file order, none overlapping another.

    A finding whose fix has exactly the edits of one already taken rides along (several findings
    one fix resolves). Fixes that create a file beside the Dockerfile are returned apart, once,
    and only when that file does not exist yet.
    """
    candidates = [f for f in findings if policy.applies(f)]
    candidates.sort(key=lambda f: (min((e.start for e in _text_edits(f)), default=-1), f.code, f.sort_key))
    taken: list[tuple[int, int]] = []
    chosen: list[Finding] = []
    created: list[tuple[Finding, dict[str, str]]] = []
    seen_edits: set[tuple[Edit, ...]] = set()
    for finding in candidates:
        edits = _text_edits(finding)
        new_files = {e.file: e.content for e in _file_edits(finding)}
        if new_files:
            if edits or folder is None or any(n in files or (folder / n).exists() for n in new_files):
                continue
            created.append((finding, new_files))
            continue
        if not edits:
            continue
        key = tuple(sorted(edits))
        if key in seen_edits:
            chosen.append(finding)
            continue
        spans = [(e.start, e.end) for e in edits]
        if any(_overlaps(a, b) for a in spans for b in taken) or _self_overlapping(spans):
            continue
        seen_edits.add(key)
        taken.extend(spans)
        chosen.append(finding)
    return chosen, created


def _overlaps(edit: tuple[int, int], other: tuple[int, int]) -> bool:
    """Do two edits conflict? Touching edits do not; an insertion conflicts only with an edit
    whose replaced range strictly contains its point (two insertions at one point both apply,
    in the order the fixes were taken)."""
    start, end = edit
    o_start, o_end = other
    if start == end:
        return o_start < start < o_end
    if o_start == o_end:
        return start < o_start < end
    return start < o_end and o_start < end


def _self_overlapping(spans: list[tuple[int, int]]) -> bool:
    return any(_overlaps(a, b) for i, a in enumerate(spans) for b in spans[i + 1 :])


def apply_edits(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` (offsets into ``text``, none overlapping) applied.

    Inserted text follows the file's line ending: in a CRLF file every ``\\n`` of an edit is
    written as ``\\r\\n``.
    """
    crlf = _is_crlf(text)
    ordered = sorted(enumerate(edits), key=lambda ie: (ie[1].start, ie[1].start != ie[1].end, ie[0]))
    out: list[str] = []
    at = 0
    for _, edit in ordered:
        if edit.start < at or edit.end < edit.start or edit.end > len(text):
            raise ValueError(f"edit {edit.start}-{edit.end} overlaps another or lies outside the file")
        content = edit.content
        if crlf and "\n" in content:
            content = content.replace("\r\n", "\n").replace("\n", "\r\n")
        out.append(text[at : edit.start])
        out.append(content)
        at = edit.end
    out.append(text[at:])
    return "".join(out)


def apply_fixes(text: str, fixes: Iterable[Fix]) -> str:
    """Every edit of ``fixes`` applied to ``text`` at once (the fixes must not overlap)."""
    return apply_edits(text, [e for fix in fixes for e in fix.edits if not e.file])


def _is_crlf(text: str) -> bool:
    """Does the file end its lines with CRLF (most of them)? Inserted lines then do too."""
    return "\r\n" in text and text.count("\r\n") * 2 >= text.count("\n")


class _Shift:
    """Where an offset of the old text lands in the new one, given the edits of a pass."""

    def __init__(self, edits: list[Edit], crlf: bool) -> None:
        self.edits = sorted(edits, key=lambda e: (e.start, e.start != e.end))
        self.crlf = crlf

    def length(self, edit: Edit) -> int:
        content = edit.content
        if self.crlf and "\n" in content:
            content = content.replace("\r\n", "\n").replace("\n", "\r\n")
        return len(content)

    def __call__(self, offset: int) -> int:
        delta = 0
        for edit in self.edits:
            if edit.start > offset:
                break
            if edit.start == edit.end or edit.end <= offset:
                delta += self.length(edit) - (edit.end - edit.start)
            else:
                return edit.start + delta
        return offset + delta

    def regions(self) -> list[tuple[int, int]]:
        """Where the inserted text of each edit lies in the new text."""
        out: list[tuple[int, int]] = []
        delta = 0
        for edit in self.edits:
            start = edit.start + delta
            size = self.length(edit)
            out.append((start, start + size))
            delta += size - (edit.end - edit.start)
        return out


def _touches(edit: Edit, start: int, end: int) -> bool:
    """Does ``edit`` change the instruction written at ``[start, end)`` of the old text?"""
    if edit.start == edit.end:
        at = edit.start
        return start < at <= end or (at == start and not edit.content.endswith("\n"))
    return edit.start < end and start < edit.end


class _Pass:
    """One pass's texts before and after, their parses and where old offsets land: what the
    guard compares."""

    def __init__(self, old_text: str, old: Dockerfile, new_text: str, new: Dockerfile, chosen: list[Finding]):
        self.old, self.new, self.chosen = old, new, chosen
        self.edits = _pass_edits(chosen)
        self.old_index, self.new_index = LineIndex(old_text), LineIndex(new_text)
        self.shift = _Shift(self.edits, _is_crlf(old_text))

    def ranges(self, parsed: Dockerfile, index: LineIndex) -> list[tuple[int, int]]:
        return [
            (index.offset(i.span.start_line, i.span.start_col), index.offset(i.span.end_line, i.span.end_col))
            for i in parsed.instructions
        ]

    def guard(self) -> str | None:
        """Why the pass changed more than the edited instructions, or None when it did not.

        Every instruction no edit touches must be found in the new parse at the same place, with
        the same extent and, BuildKit parsing an instruction from its own lines and the escape
        character only, with the same text. Its BuildKit dump is compared where an edit could
        have leaked into it: the instructions right before and after an edited one. Instructions
        of the new parse that were not matched must lie in edited text, and no parse error may
        appear.
        """
        problem = _heredoc_problem(self.old, self.old_index, self.chosen)
        if problem:
            return problem
        if self.old.escape != self.new.escape:
            return f"changed the escape character from {self.old.escape!r} to {self.new.escape!r}"
        new_ranges = self.ranges(self.new, self.new_index)
        new_at = {start: (j, end) for j, (start, end) in enumerate(new_ranges)}
        matched: dict[int, int] = {}
        old_ranges = self.ranges(self.old, self.old_index)
        for i, (start, end) in enumerate(old_ranges):
            if any(_touches(e, start, end) for e in self.edits):
                continue
            found = new_at.get(self.shift(start))
            if found is None or found[1] != self.shift(end):
                return f"moved, merged or split the instruction on line {self.old_index.position(start)[0]}"
            matched[i] = found[0]
        for i, j in matched.items():
            if (i - 1 not in matched or i + 1 not in matched) and _dump(self.old, i) != _dump(self.new, j):
                line = self.old_index.position(old_ranges[i][0])[0]
                return f"changed the instruction on line {line}: {_dump(self.old, i)} became {_dump(self.new, j)}"
        regions = self.shift.regions()
        taken = set(matched.values())
        for j, (start, end) in enumerate(new_ranges):
            if j not in taken and not any(a <= end and start <= b for a, b in regions):
                return f"changed the instruction now on line {self.new_index.position(start)[0]}: {_dump(self.new, j)}"
        before = Counter(e.message for e in self.old.errors)
        for error in self.new.errors:
            if before[error.message] <= 0:
                return f"made the file invalid: {error.message} (line {error.span.start_line})"
            before[error.message] -= 1
        return None

    def still_there(self, after: list[Finding]) -> str | None:
        """Why the fixed findings are not gone: one still fires where it was (its offset carried
        through the edits). A fix that moves the flagged text and leaves the problem there shows
        up as a fix offered again on every pass, which :data:`MAX_PASSES` stops."""
        now = {(f.code, self.new_index.offset(f.span.start_line, f.span.start_col)) for f in after}
        for finding in self.chosen:
            start = self.old_index.offset(finding.span.start_line, finding.span.start_col)
            if (finding.code, self.shift(start)) in now:
                return f"left the {finding.code} finding on line {finding.span.start_line} in place"
        return None


def _dump(parsed: Dockerfile, index: int) -> str:
    """BuildKit's dump of one instruction of ``parsed``."""
    from dfcheck.dockerfile.parse import Dockerfile, dump_buildkit

    one = Dockerfile(
        parsed.text, parsed.lines, parsed.escape, parsed.directives, [parsed.instructions[index]], [], []
    )
    return dump_buildkit(one).rstrip("\n")


def _heredoc_problem(old: Dockerfile, index: LineIndex, chosen: list[Finding]) -> str | None:
    """A fix may rewrite a heredoc body only when its finding is about that heredoc: it points
    into the body or at the ``<<EOF`` that opens it."""
    docs = [
        (index.offsets(h.body_span), index.offsets(h.marker))
        for ins in old.walk()
        for h in ins.heredocs
        if h.body_span.end_line > h.body_span.start_line or h.body_span.end_col > h.body_span.start_col
    ]
    if not docs:
        return None
    for finding in chosen:
        at = index.offset(finding.span.start_line, finding.span.start_col)
        for edit in _text_edits(finding):
            for (start, end), (mark_start, mark_end) in docs:
                inside = start <= edit.start < end or start < edit.end <= end
                if inside and not (start <= at <= end or mark_start <= at < mark_end):
                    return "rewrote a heredoc body its finding is not about"
    return None


def summary(fixes: dict[str, Any]) -> str:
    """The line saying what ``--fix`` did (``--diff``: would do), from ``report.statistics["fixes"]``:
    ``Fixed 3 problems in 2 files (1 more with --unsafe-fixes).``"""
    count, files, left = fixes["fixed"], fixes["files"], fixes["unsafe_left"]
    if not count:
        return "Nothing to fix" + (f" ({left} fixable with --unsafe-fixes)." if left else ".")
    verb = "Would fix" if fixes["mode"] == "diff" else "Fixed"
    text = f"{verb} {count} problem{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    return text + (f" ({left} more with --unsafe-fixes)." if left else ".")


def unified_diff(path: str, before: str, after: str, *, new_file: bool = False) -> str:
    """``before`` -> ``after`` as a unified diff (``--diff``) that ``patch -p1`` applies (``a/`` and
    ``b/`` before a relative path); a new file diffs from /dev/null."""
    import difflib
    import os

    old_name, new_name = (path, path) if os.path.isabs(path) else (f"a/{path}", f"b/{path}")
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile="/dev/null" if new_file else old_name,
        tofile=new_name,
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def fix_diff(text: str, fix: Fix, lines: LineIndex | None = None) -> list[tuple[str, str]]:
    """One fix as a small diff for a report: ``(kind, line)`` pairs, kind ``"-"``, ``"+"``, ``"@"``
    (a hunk header: the first line number) or ``"file"`` (a file the fix creates), no context.

    Only the lines the edits touch are compared (diffing the whole file for each fix made an
    HTML report of a long file with many fixes quadratic, minutes for 400 fuzzed files);
    ``lines``, the text's :class:`LineIndex` when the caller has one, numbers them."""
    import difflib

    out: list[tuple[str, str]] = []
    edits = [e for e in fix.edits if not e.file]
    if edits:
        low = text.rfind("\n", 0, min(e.start for e in edits)) + 1
        end = text.find("\n", max(e.end for e in edits))
        high = len(text) if end < 0 else end + 1
        first = lines.position(low)[0] if lines is not None else text.count("\n", 0, low) + 1
        piece = text[low:high]
        before = piece.splitlines()
        after = apply_edits(
            piece, [e._replace(start=e.start - low, end=e.end - low) for e in edits]
        ).splitlines()
        for group in difflib.SequenceMatcher(None, before, after, autojunk=False).get_grouped_opcodes(0):
            out.append(("@", str(first + group[0][1])))
            for tag, i1, i2, j1, j2 in group:
                if tag != "equal":
                    out += [("-", line) for line in before[i1:i2]]
                    out += [("+", line) for line in after[j1:j2]]
    for edit in fix.edits:
        if edit.file:
            out.append(("file", edit.file))
            out += [("+", line) for line in edit.content.splitlines()]
    return out
