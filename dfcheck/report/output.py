"""Writing reports: to a file whole or not at all, to stdout in the encoding the format needs.

A report file is written to a temporary file beside it and renamed over it, so a reader (a CI
upload step, a dashboard) never sees half a report and a failed run leaves the old one in
place. Several ``--format NAME=PATH`` outputs are independent: one that cannot be written is
reported in one line and the others are still written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dfcheck.lint.finding import Report

#: Formats written to stdout in the terminal's encoding; every other format is UTF-8 by definition
#: (JSON, SARIF, XML with an encoding="UTF-8" declaration, HTML with <meta charset="utf-8">).
TERMINAL_FORMATS = frozenset({"text"})


def write_atomic(path: Path | str, data: bytes, *, sync: bool = True) -> None:
    """Replace ``path`` with ``data`` in one rename, keeping the mode of the file it replaces.

    A symbolic link is written through (its target is replaced), and a path that is not a regular
    file (``/dev/stdout``, a named pipe) is written directly, since it cannot be renamed over.
    ``sync`` flushes the data to disk before the rename; ``--fix``, which rewrites many files,
    leaves that to the system (a reader still never sees half a file).
    """
    import stat
    import tempfile

    target = Path(os.path.realpath(path))
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "wb") as out:
            out.write(data)
        return
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            if sync:
                os.fsync(out.fileno())
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_stdout(text: str, *, utf8: bool = True) -> None:
    """Write ``text`` to stdout as UTF-8 (``utf8``) or in stdout's own encoding, with what that
    encoding cannot carry written as backslash escapes; never fails on the text itself.

    A reader that went away (``| head``) raises BrokenPipeError: see :func:`quiet_stdout`.
    """
    stream: Any = sys.stdout
    encoding = "utf-8" if utf8 else (getattr(stream, "encoding", None) or "utf-8")
    data = text.encode(encoding, "backslashreplace")
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(data.decode(encoding))
        stream.flush()
        return
    stream.flush()
    buffer.write(data)
    buffer.flush()


def quiet_stdout() -> None:
    """After a BrokenPipeError: point stdout at /dev/null, so that flushing it at exit does not
    fail a second time with a message on stderr."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        return


def render_report(name: str, report: Report, options: Any) -> str:
    """The report in format ``name`` as one string (ValueError for an unknown format)."""
    import io

    from dfcheck.report import load

    out = io.StringIO()
    load(name).render(report, out, options)
    return out.getvalue()


def write_reports(
    report: Report,
    formats: list[str],
    output: Path | None,
    *,
    color: str = "auto",
    quiet: bool = False,
    statistics: bool = False,
) -> bool:
    """Write every ``--format NAME[=PATH]`` (``output``, then stdout, without a path).

    Unknown format names raise ValueError before anything is written. An output that cannot be
    written gets one line on stderr and the others are still written; returns False when any
    failed. A closed stdout raises BrokenPipeError for the caller to handle.
    """
    import io

    from dfcheck.report import RenderOptions, auto_format, load, want_color

    outputs: list[tuple[str, Path | None]] = []
    for spec in formats:
        name, _, dest = spec.partition("=")
        name = auto_format() if name == "auto" else name
        load(name)
        outputs.append((name, Path(dest) if dest else output))
    written = True
    for name, path in outputs:
        stream = sys.stdout if path is None else io.StringIO()
        options = RenderOptions(
            color=want_color(color, stream) if name == "text" else False,
            quiet=quiet,
            statistics=statistics,
        )
        options.show_frames = options.color
        text = render_report(name, report, options)
        try:
            if path is None:
                write_stdout(text, utf8=name not in TERMINAL_FORMATS)
            else:
                write_atomic(path, text.encode("utf-8"))
        except BrokenPipeError:
            raise
        except OSError as exc:
            from dfcheck.report.plain import printable

            where = printable(str(path)) if path is not None else "stdout"
            print(
                f"dfcheck: error: cannot write the {name} report to {where}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            written = False
    return written
