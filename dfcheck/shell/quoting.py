"""Scanning quoted shell text: where a quote or expansion ends, and what a word means unquoted.

Shared by both parsers and by the code that builds words. Every scanner here is a loop with an
explicit stack, never recursion, so nesting as deep as the input allows costs linear time.
"""

from __future__ import annotations


def skip_nested(text: str, i: int, closer: str) -> int:
    """Index just past the construct whose opener ends before ``i`` (``"``, `````, ``)`` or ``}``).

    Iterative so that pathological nesting cannot exhaust the Python stack.
    """
    n = len(text)
    stack = [closer]
    while i < n:
        c = text[i]
        top = stack[-1]
        if c == "\\":
            i += 2
            continue
        if c == top:
            stack.pop()
            i += 1
            if not stack:
                return i
            continue
        if top == '"':
            if c == "$" and i + 1 < n and text[i + 1] in "({":
                stack.append(")" if text[i + 1] == "(" else "}")
                i += 1
            elif c == "`":
                stack.append("`")
        elif c == "'" and top != "`":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        elif c == '"':
            stack.append('"')
        elif c == "`":
            stack.append("`")
        elif c == "$" and i + 1 < n and text[i + 1] in "({":
            stack.append(")" if text[i + 1] == "(" else "}")
            i += 1
        elif (c == "(" and top == ")") or (c == "{" and top == "}"):
            stack.append(top)
        i += 1
    return n


def skip_expansion(text: str, i: int) -> int:
    """Index just past the backtick, ``$(...)`` or ``${...}`` starting at ``i``."""
    if text[i] == "`":
        return skip_nested(text, i + 1, "`")
    return skip_nested(text, i + 2, ")" if text[i + 1] == "(" else "}")


def skip_ansi(text: str, i: int) -> int:
    """Index just past the ``'`` closing a ``$'...'`` string whose body starts at ``i``."""
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == "'":
            return i + 1
        else:
            i += 1
    return n


_ANSI = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
         "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}  # fmt: skip


def unquote(raw: str) -> tuple[str, list[int]]:
    """Quote removal, plus the index in ``raw`` of every output character.

    Expansions (``$x``, ``${x}``, ``$(...)``, backticks) stay as written: their value is unknown.
    """
    out: list[str] = []
    pos: list[int] = []
    n = len(raw)
    i = 0
    while i < n:
        c = raw[i]
        if c == "\\":
            if i + 1 < n:
                if raw[i + 1] != "\n":
                    out.append(raw[i + 1])
                    pos.append(i + 1)
                i += 2
            else:
                out.append(c)
                pos.append(i)
                i += 1
        elif c == "'":
            j = raw.find("'", i + 1)
            j = n if j < 0 else j
            out.append(raw[i + 1 : j])
            pos.extend(range(i + 1, j))
            i = j + 1
        elif c == '"' or (c == "$" and raw.startswith('"', i + 1)):
            i = _unquote_double(raw, i + (1 if c == '"' else 2), out, pos)
        elif c == "$" and raw.startswith("'", i + 1):
            i += 2
            while i < n and raw[i] != "'":
                if raw[i] == "\\" and i + 1 < n:
                    if raw[i + 1] in _ANSI:
                        out.append(_ANSI[raw[i + 1]])
                        pos.append(i)
                    else:
                        out.append(raw[i : i + 2])
                        pos.extend((i, i + 1))
                    i += 2
                else:
                    out.append(raw[i])
                    pos.append(i)
                    i += 1
            i += 1
        else:
            i = _keep(raw, i, out, pos)
    return "".join(out), pos


def _unquote_double(raw: str, i: int, out: list[str], pos: list[int]) -> int:
    """Body of a double-quoted string starting at ``i``; returns the index after the closing quote."""
    n = len(raw)
    while i < n:
        c = raw[i]
        if c == '"':
            return i + 1
        if c == "\\" and i + 1 < n:
            if raw[i + 1] in '$`"\\':
                out.append(raw[i + 1])
                pos.append(i + 1)
            elif raw[i + 1] != "\n":
                out.append(raw[i : i + 2])
                pos.extend((i, i + 1))
            i += 2
        else:
            i = _keep(raw, i, out, pos)
    return n


def _keep(raw: str, i: int, out: list[str], pos: list[int]) -> int:
    """Copy what starts at ``i`` as it is, quoted or not: a whole ``$(...)``, ``${...}`` or
    backquoted expansion, or one character; returns the index after it."""
    c = raw[i]
    if (c == "$" and raw[i + 1 : i + 2] in ("(", "{")) or c == "`":
        j = skip_expansion(raw, i)
        out.append(raw[i:j])
        pos.extend(range(i, j))
        return j
    out.append(c)
    pos.append(i)
    return i + 1


def windows_text(raw: str) -> str:
    """cmd and PowerShell keep backslashes (they are path separators); only quotes go."""
    return raw.replace('"', "").replace("'", "")


def word_text(raw: str) -> str:
    """:func:`unquote` without the positions, and without the work for a word with no quotes."""
    if "'" not in raw and '"' not in raw and "\\" not in raw:
        return raw
    return unquote(raw)[0]
