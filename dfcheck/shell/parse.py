"""``parse_script``: a RUN script to commands, choosing the parser for each piece.

tree-sitter-bash reads every POSIX script, nested ones included (``sh -c`` bodies, heredocs fed to
a shell); where it reports an error, overruns its time budget, or is not installed, the fallback
lexer takes that piece instead. Windows shells get the lexer's rough split, and heredocs for
another interpreter (``#!/usr/bin/env python``) no commands at all.
"""

from __future__ import annotations

from dfcheck.dockerfile.source import TextMap
from dfcheck.shell.builder import SHELLS, Builder, basename
from dfcheck.shell.frame import Frame, line_map
from dfcheck.shell.script import Script
from dfcheck.shell.treesitter import parse_tree_sitter

WINDOWS = frozenset({"powershell", "pwsh", "cmd"})


def parse_posix(frame: Frame, builder: Builder) -> None:
    """One POSIX script, in a variable scope of its own: tree-sitter, else the fallback lexer.

    The lexer is imported only when needed: tree-sitter reads all but a few real scripts.
    """
    outer = builder.scope
    builder.scope = builder.new_scope()
    try:
        if not parse_tree_sitter(frame, builder):
            from dfcheck.shell.lexer import parse_fallback

            builder.ok = False
            parse_fallback(frame, builder)
    finally:
        builder.scope = outer


def _foreign_shebang(script: str) -> bool:
    """A heredoc body starting ``#!/usr/bin/env python`` is run by that interpreter, not sh."""
    if not script.startswith("#!"):
        return False
    parts = script[2:].split("\n", 1)[0].split()
    if parts and basename(parts[0], False) == "env":
        parts = [p for p in parts[1:] if not p.startswith("-")]
    return bool(parts) and basename(parts[0], False) not in SHELLS


def parse_script(script: str, textmap: TextMap | None = None, *, dialect: str = "sh") -> Script:
    """Split a RUN script into commands; never raises, whatever the input.

    ``textmap`` locates each character of ``script`` in the Dockerfile; without one the script is
    taken to start at line 1, column 1. ``dialect`` is the RUN's shell: ``powershell``, ``pwsh`` and
    ``cmd`` get a rough split (parse_ok False), anything else is read as POSIX sh/bash.
    """
    frame = Frame(script, textmap if textmap is not None else line_map(script))
    if dialect in WINDOWS or _foreign_shebang(script):
        builder = Builder(parse_posix)
        if dialect in WINDOWS:
            from dfcheck.shell.lexer import parse_windows

            parse_windows(frame, builder, dialect)
        return builder.script(False)
    # The guards are a last resort: the fuzz tests run the parsers unguarded.
    try:
        builder = Builder(parse_posix)
        parse_posix(frame, builder)
        return builder.script(True)
    except Exception:
        pass
    try:
        from dfcheck.shell.lexer import parse_fallback

        builder = Builder(parse_posix)
        parse_fallback(frame, builder)
        return builder.script(False)
    except Exception:
        return Script([], set(), False, False, [])
