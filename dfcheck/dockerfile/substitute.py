"""Variable substitution as BuildKit's shell lexer performs it on instruction arguments.

Rules need the value a build would see (the real base image behind ``FROM $BASE``, the port behind
``EXPOSE $PORT``), so ``$V``, ``${V}``, the ``:-`` ``-`` ``:+`` ``+`` ``:?`` ``?`` modifiers and the
``#`` ``##`` ``%`` ``%%`` ``/`` ``//`` pattern forms are expanded; quotes are removed as BuildKit
removes them. Unknown variables expand to "" like BuildKit, and are reported through ``missing``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Expansion:
    __slots__ = ("missing", "used", "value")

    def __init__(self, value: str, missing: list[str] | None = None, used: list[str] | None = None) -> None:
        self.value = value
        self.missing: list[str] = [] if missing is None else missing
        self.used: list[str] = [] if used is None else used

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.value, self.missing, self.used) == (other.value, other.missing, other.used)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Expansion(value={self.value!r}, missing={self.missing!r}, used={self.used!r})"


def _apply_modifier(name: str, value: str | None, op: str, word: str, out: Expansion) -> str:
    is_set = value is not None
    is_nonempty = bool(value)
    if op == ":-":
        return value if is_nonempty else word  # type: ignore[return-value]
    if op == "-":
        return value if is_set else word  # type: ignore[return-value]
    if op == ":+":
        return word if is_nonempty else ""
    if op == "+":
        return word if is_set else ""
    if op in (":?", "?"):
        if (op == ":?" and not is_nonempty) or (op == "?" and not is_set):
            out.missing.append(name)
            return ""
        return value or ""
    text = value or ""
    if op in ("#", "##"):
        ks = [k for k in range(len(text) + 1) if fnmatch.fnmatchcase(text[:k], word)]
        if not ks:
            return text
        return text[max(ks) :] if op == "##" else text[min(ks) :]
    if op in ("%", "%%"):
        ks = [k for k in range(len(text) + 1) if fnmatch.fnmatchcase(text[k:], word)]
        if not ks:
            return text
        return text[: min(ks)] if op == "%%" else text[: max(ks)]
    if op in ("/", "//"):
        pattern, _, repl = word.partition("/")
        return _replace(text, pattern, repl, every=op == "//")
    return text


def _replace(text: str, pattern: str, repl: str, every: bool) -> str:
    out: list[str] = []
    i = 0
    replaced = False
    while i <= len(text):
        if replaced and not every:
            out.append(text[i:])
            break
        match_end = -1
        for j in range(len(text), i, -1):
            if fnmatch.fnmatchcase(text[i:j], pattern):
                match_end = j
                break
        if match_end > i:
            out.append(repl)
            i = match_end
            replaced = True
            continue
        if i < len(text):
            out.append(text[i])
        i += 1
    return "".join(out)


def expand(text: str, env: Mapping[str, str], escape: str = "\\", *, keep_quotes: bool = False) -> Expansion:
    """Expand variables in one instruction argument; never raises."""
    out = Expansion("")
    buf: list[str] = []
    i, n = 0, len(text)
    quote = ""
    while i < n:
        ch = text[i]
        if ch == escape and quote != "'":
            if i + 1 < n:
                nxt = text[i + 1]
                if quote == '"' and nxt not in ('"', "$", escape):
                    buf.append(ch)
                buf.append(nxt)
                i += 2
            else:
                i += 1
            continue
        if ch in ("'", '"') and (quote == "" or quote == ch):
            quote = "" if quote else ch
            if keep_quotes:
                buf.append(ch)
            i += 1
            continue
        if ch == "$" and quote != "'" and i + 1 < n:
            value, i = _variable(text, i + 1, env, escape, out)
            buf.append(value)
            continue
        buf.append(ch)
        i += 1
    out.value = "".join(buf)
    return out


def _variable(text: str, i: int, env: Mapping[str, str], escape: str, out: Expansion) -> tuple[str, int]:
    n = len(text)
    if text[i] == "{":
        close = _matching_brace(text, i)
        if close < 0:
            return "${" + text[i + 1 :], n
        inner = text[i + 1 : close]
        m = _NAME.match(inner)
        if not m:
            return "", close + 1
        name = m.group(0)
        rest = inner[m.end() :]
        value = env.get(name)
        out.used.append(name)
        if not rest:
            if value is None:
                out.missing.append(name)
            return value or "", close + 1
        op_match = re.match(r":[-+?]|[-+?]|##|#|%%|%|//|/", rest)
        if not op_match:
            return value or "", close + 1
        op = op_match.group(0)
        word = expand(rest[op_match.end() :], env, escape).value
        return _apply_modifier(name, value, op, word, out), close + 1
    m = _NAME.match(text, i)
    if not m:
        return "$", i
    name = m.group(0)
    out.used.append(name)
    value = env.get(name)
    if value is None:
        out.missing.append(name)
    return value or "", m.end()


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    for k in range(start, len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return -1


def unquote(text: str, escape: str = "\\") -> str:
    """Quote removal without expansion (for ENV/LABEL values and COPY paths)."""
    return expand(text.replace("$", "\0"), {}, escape).value.replace("\0", "$")
