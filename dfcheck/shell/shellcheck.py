"""Optional ShellCheck integration (``pip install 'dfcheck[shellcheck]'`` brings the binary).

Every POSIX-shell script a file runs (shell-form RUN, RUN heredoc bodies) is written to a temporary
file with a shebang for the dialect SHELL selects and an ``export`` line declaring the variables
that RUN has (see :func:`_declared`), checked in one ShellCheck process per Dockerfile, and every
comment is mapped back to the exact line and column in the Dockerfile.

ShellCheck's time and memory grow faster than linearly with a script: 400 commands joined by
``&&`` take it 5 s and 320 MB, 800 take 15 s and 1 GB, 2,000 over a minute and 7 GB. So a RUN
bigger than :data:`MAX_COMMANDS` or :data:`MAX_CHARS` is not sent, and the process runs with a
time and a memory bound. Whatever ShellCheck does not check is said, as an info comment with the
code ``DF500`` at the RUN: ``ShellCheck skipped: ...`` or ``ShellCheck failed: ...``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from dfcheck.dockerfile.model import PROXY_ARGS, Model
from dfcheck.dockerfile.source import Span, TextMap
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy
from dfcheck.shell import shellcheck_binary

if TYPE_CHECKING:
    from dfcheck.dockerfile.parse import Instruction
    from dfcheck.shell.script import Script

#: ShellCheck findings that are wrong in a Dockerfile: SC1091 comes from files that exist only
#: inside the image.
DOCKERFILE_EXCLUDES = ("SC1091",)
_LEVELS = {"error": "error", "warning": "warning", "info": "info", "style": "style"}

#: The largest RUN sent to ShellCheck, in simple commands (dfcheck's count, nested ones included)
#: and in characters per script. The shared corpora's largest RUN has 67 commands and 4.6 KB;
#: at 200 commands ShellCheck takes about a second and 100 MB.
MAX_COMMANDS = 200
MAX_CHARS = 64 * 1024
#: Bounds of the one ShellCheck process per Dockerfile: wall-clock seconds, and bytes of address
#: space (on Linux, see :func:`_memory_bound`; past it ShellCheck stops with "out of memory").
TIMEOUT = 30.0
MEMORY = 1 << 30
#: The code of the comments saying that ShellCheck skipped or failed a RUN: the rule's own.
NOTICE = "DF500"


class Comment(NamedTuple):
    code: str
    level: str
    message: str
    span: Span


class _Script(NamedTuple):
    text: str
    tmap: TextMap
    dialect: str
    #: ``export A= B=`` for the variables the RUN has that matter to this script, or "".
    exports: str
    #: The ``RUN`` keyword, where a notice about this script goes.
    run: Span
    #: The RUN sets variables ShellCheck cannot see (see :func:`_opaque`): no SC2154 for it.
    opaque: bool = False

    @property
    def header_lines(self) -> int:
        return 2 if self.exports else 1


def _scripts(
    model: Model, parsed: Callable[[Instruction], list[Script]]
) -> tuple[list[_Script], list[Comment]]:
    """The scripts to check, and a notice for each RUN too big to be sent."""
    out: list[_Script] = []
    skipped: list[Comment] = []
    near = _NearNames(model)
    for stage in model.stages:
        for ins in stage.instructions:
            target = ins.trigger if ins.trigger is not None else ins
            if target.keyword != "RUN" or target.is_json:
                continue
            facts = model.facts(target)
            if facts.dialect not in ("sh", "bash"):
                continue
            if target.heredocs:
                command = target.rest.split("<<", 1)[0].strip()
                bodies = [(h.content, h.body_map) for h in target.heredocs] if not command else []
                sources = bodies or [(target.rest, target.rest_map)]
            else:
                sources = [(target.rest, target.rest_map)]
            size = max(len(text) for text, _ in sources)
            commands = sum(len(script.commands) for script in parsed(target))
            if commands > MAX_COMMANDS or size > MAX_CHARS:
                what = (
                    f"{commands:,} commands (more than {MAX_COMMANDS:,})"
                    if commands > MAX_COMMANDS
                    else f"{size:,} characters (more than {MAX_CHARS:,})"
                )
                skipped.append(_notice(target.keyword_span, f"ShellCheck skipped: this RUN has {what}"))
                continue
            extra = PROXY_ARGS | _secret_variables(model, target)
            opaque = _opaque(parsed(target))
            for text, tmap in sources:
                names = _declared(text, facts.scope, extra, near)
                exports = "export " + " ".join(f"{n}=" for n in names) if names else ""
                out.append(_Script(text, tmap, facts.dialect, exports, target.keyword_span, opaque))
    return out, skipped


_WORD = lazy(r"[A-Za-z_][A-Za-z0-9_]*")
_REFERENCE = lazy(r"\$\{?[#!]?([A-Za-z_][A-Za-z0-9_]*)")


def _secret_variables(model: Model, run: Instruction) -> frozenset[str]:
    """The variables ``RUN --mount=type=secret,env=NAME`` sets for that RUN."""
    mounts = model.mounts(run) if run.flags else []
    return frozenset(m.fields["env"] for m in mounts if m.type == "secret" and m.fields.get("env"))


def _declared(text: str, scope: Mapping[str, str], extra: frozenset[str], near: _NearNames) -> list[str]:
    """The variables to declare before ``text``: those the RUN has (the ARG and ENV in ``scope``,
    and ``extra``: the proxy variables BuildKit passes to every RUN, secrets mounted as variables)
    that the script names, and for each ``$reference`` to no such variable the one ShellCheck
    would suggest instead (SC2153 "did you mean HTTP_PROXY?").

    Declaring every variable in scope before every script gave ShellCheck work in the product of
    the two (300 ENV and 300 RUN ran into its 30 s timeout); a variable the script does not name
    changes nothing in ShellCheck's comments but that suggestion, which the best match keeps.
    """
    names = {w for w in _WORD.findall(text) if w in scope or w in extra}
    for ref in set(_REFERENCE.findall(text)) - names:
        match = near.best(ref, scope, extra)
        if match is not None:
            names.add(match)
    return sorted(names)


#: Commands that set variables ShellCheck cannot see: a sourced file's, or those ``eval`` runs.
_SOURCING = frozenset({".", "source", "eval"})
#: Commands whose ``NAME=value`` arguments assign, when the name is computed at run time.
_DECLARING = frozenset({"export", "declare", "typeset", "readonly", "local"})


def _opaque(scripts: list[Script]) -> bool:
    """Does the RUN set variables whose names ShellCheck cannot know: a sourced file's
    (``. /etc/os-release``, ``. ./APKBUILD``), ``eval``, or a computed name (``export $(curl ...
    | sed ...)``, ``export "$k=$v"``)? Then a variable it calls unassigned (SC2154) may well be
    assigned. Commands of a nested shell (``sh -c '...'``) do not count: ShellCheck does not
    read that script, nor does it share its variables."""
    for script in scripts:
        for cmd in script.commands:
            if cmd.in_nested_shell:
                continue
            if cmd.name in _SOURCING:
                return True
            if cmd.name in _DECLARING and any(_computed(w.raw.split("=", 1)[0]) for w in cmd.args):
                return True
    return False


def _computed(text: str) -> bool:
    return "$" in text or "`" in text


class _NearNames:
    """ShellCheck's suggestion for an unassigned variable (``getBestMatch``): among the variables
    assigned, the one at the smallest distance, the first by name on a tie, if that distance is
    at most 2 (a name differing only in case counts 1); ShellCheck shows it when it is at most 1
    for a name of four letters or more, 2 for eight or more.

    Names within 2 edits share a key, the lower-cased name with at most two letters deleted, so a
    reference is compared only with the few names sharing one of its keys; the index over the
    file's ARG and ENV names, the proxy variables and the secrets mounted as variables is built at
    the first reference that needs it. Names longer than
    :data:`_LONG` are compared with those of about their length instead.
    """

    def __init__(self, model: Model) -> None:
        self._model = model
        self._index: dict[str, list[str]] | None = None
        self._long: dict[int, list[str]] = {}

    def _build(self) -> dict[str, list[str]]:
        names = sorted(PROXY_ARGS)
        for ins in self._model.dockerfile.walk():
            if ins.keyword in ("ARG", "ENV"):
                names += (p.key for p in ins.pairs)
            elif ins.keyword == "RUN":
                names += _secret_variables(self._model, ins)
        index: dict[str, list[str]] = {}
        for name in dict.fromkeys(names):
            if not _WORD.fullmatch(name):
                continue
            if len(name) > _LONG:
                self._long.setdefault(len(name), []).append(name)
                continue
            for key in _deletions(name.lower()):
                index.setdefault(key, []).append(name)
        return index

    def best(self, ref: str, scope: Mapping[str, str], extra: frozenset[str]) -> str | None:
        if self._index is None:
            self._index = self._build()
        found = dict.fromkeys(n for key in _deletions(ref.lower()) for n in self._index.get(key, ()))
        found.update(dict.fromkeys(n for d in range(-2, 3) for n in self._long.get(len(ref) + d, ())))
        scored = [(_distance(ref, n), n) for n in found if n != ref and (n in scope or n in extra)]
        score, name = min(scored, default=(3, ""))
        return name if score <= 2 else None


#: Names up to this long are indexed by their deletions (a name of 32 letters has 529 keys).
_LONG = 32


def _deletions(name: str) -> set[str]:
    """``name`` with none, one or two of its letters deleted (names up to :data:`_LONG` letters)."""
    if len(name) > _LONG:
        return set()
    once = {name, *(name[:i] + name[i + 1 :] for i in range(len(name)))}
    return {*once, *(w[:i] + w[i + 1 :] for w in once if len(w) < len(name) for i in range(len(w)))}


def _distance(a: str, b: str) -> int:
    """ShellCheck's distance between variable names: 1 for a difference in case only, else the
    edit distance (letters inserted, deleted or changed), capped at 3."""
    if a.lower() == b.lower():
        return 1
    if abs(len(a) - len(b)) > 2:
        return 3
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return min(row[-1], 3)


def _notice(span: Span, message: str) -> Comment:
    return Comment(NOTICE, "info", message, span)


def _offset(text: str, line: int, col: int) -> int:
    """ShellCheck's 1-based line/column (one column per character) -> offset in ``text``."""
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            return len(text)
        start = nl + 1
    return start + col - 1


def check(
    model: Model, parsed: Callable[[Instruction], list[Script]], excludes: tuple[str, ...] = ()
) -> list[Comment]:
    """ShellCheck comments for every POSIX script of the file, positioned in the Dockerfile.

    Plus a ``DF500`` notice at each RUN that was skipped for its size, or at the first RUN
    checked when the ShellCheck process failed (its comments are then all missing).
    ``parsed`` gives a RUN's scripts as dfcheck parsed them (to count their commands).
    """
    binary = shellcheck_binary.executable()
    if binary is None:
        return []
    scripts, notices = _scripts(model, parsed)
    if not scripts:
        return notices
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dfcheck-sc-") as tmp:
        files = []
        for k, script in enumerate(scripts):
            path = Path(tmp) / f"run{k}.sh"
            shebang = "#!/bin/bash" if script.dialect == "bash" else "#!/bin/sh"
            header = shebang + "\n" + (script.exports + "\n" if script.exports else "")
            path.write_text(header + script.text + "\n", encoding="utf-8")
            files.append(str(path))
        exclude = ",".join(code.removeprefix("SC") for code in (*DOCKERFILE_EXCLUDES, *excludes))
        try:
            with subprocess.Popen(
                [binary, "-f", "json1", "-e", exclude, *files],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=_memory_bound(),
            ) as proc:
                try:
                    stdout, stderr = proc.communicate(timeout=TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.communicate()
                    return [*notices, _failed(scripts, f"timed out after {TIMEOUT:g} s")]
        except OSError as exc:
            return [*notices, _failed(scripts, f"could not run {binary}: {exc.strerror or exc}")]
        try:
            comments = json.loads(stdout)["comments"]
        except (ValueError, TypeError, KeyError):
            if "out of memory" in stderr:
                why = f"ran out of memory (limit {MEMORY >> 20:,} MiB)"
            else:
                code = proc.returncode
                status = f"exit status {code}" if code >= 0 else f"killed by signal {-code}"
                why = (stderr.strip().splitlines() or [status])[0]
            return [*notices, _failed(scripts, why)]
    by_file = {f: s for f, s in zip(files, scripts, strict=True)}
    out: list[Comment] = list(notices)
    for item in comments:
        found = by_file.get(item.get("file", ""))
        if found is None:
            continue
        script = found
        body = script.text
        line = item["line"] - script.header_lines
        end_line = item.get("endLine", item["line"]) - script.header_lines
        if line < 1 or (script.opaque and item["code"] == 2154):
            continue
        start = _offset(body, line, item["column"])
        end = _offset(body, max(end_line, line), item.get("endColumn", item["column"] + 1))
        span = script.tmap.span(start, max(end, start + 1))
        out.append(
            Comment(f"SC{item['code']}", _LEVELS.get(item.get("level", ""), "warning"), item["message"], span)
        )
    return out


def _failed(scripts: list[_Script], why: str) -> Comment:
    runs = len({s.run for s in scripts})
    checked = "this RUN" if runs == 1 else f"the {runs} RUN instructions of this file"
    return _notice(scripts[0].run, f"ShellCheck failed: {why}; no ShellCheck findings for {checked}")


def _memory_bound() -> Callable[[], None] | None:
    """What caps ShellCheck's address space, set in the child before ShellCheck starts.

    It must be in place at start-up: ShellCheck's runtime reserves a terabyte of address space
    then, and settles for what the limit leaves it. Linux only, and only while this program runs
    one thread, since a ``preexec_fn`` is unsafe with several; otherwise the timeout alone bounds it.
    """
    if sys.platform != "linux":
        return None
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return None
    import resource

    limit = (MEMORY, MEMORY)
    return lambda: resource.setrlimit(resource.RLIMIT_AS, limit)
