"""Variable substitution as BuildKit's shell lexer performs it on instruction arguments.

Rules need the value a build would see (the real base image behind ``FROM $BASE``, the port behind
``EXPOSE $PORT``), so ``$V``, ``${V}``, the ``:-`` ``-`` ``:+`` ``+`` ``:?`` ``?`` modifiers and the
``#`` ``##`` ``%`` ``%%`` ``/`` ``//`` pattern forms are expanded; quotes are removed as BuildKit
removes them. Unknown variables expand to "" like BuildKit, and are reported through ``missing``.

Any text must expand in time linear in its length: nesting is followed with an explicit stack
(``${a:-${a:-...}}`` may nest thousands deep), the copying a value costs is capped (``ARG
A2=${A1}${A1}`` doubles a value per line), and so is the work of a pattern. Past a cap the
value is :data:`UNKNOWN`: it reads as "", is reported through ``missing``, and makes every value
computed from it unknown too, so rules that need the value stay silent rather than wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from dfcheck.regex import lazy

_NAME = lazy(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATOR = lazy(r":[-+?]|[-+?]|##|#|%%|%|//|/")
#: How many characters an expansion may copy beyond its own text (values, nested words).
MAX_VALUE = 1 << 20
#: How many (value position, pattern element) pairs a ``#``/``%``/``/`` pattern may examine.
MAX_PATTERN_CELLS = 1 << 16


class Unknown(str):
    """The value of a variable no build can be predicted to have: an expansion past a cap.

    It is the empty string to code that only wants text; :func:`expand` treats a reference to
    it as unknowable and makes its whole result :data:`UNKNOWN`.
    """

    __slots__ = ()


UNKNOWN = Unknown()


class _Unknowable(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


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


def expand(text: str, env: Mapping[str, str], escape: str = "\\", *, keep_quotes: bool = False) -> Expansion:
    """Expand variables in one instruction argument; never raises."""
    out = Expansion(text)
    if "$" not in text and escape not in text and "'" not in text and '"' not in text:
        return out
    try:
        out.value = _expand(text, env, escape, keep_quotes, out)
    except _Unknowable as exc:
        out.missing.append(exc.name)
        out.value = UNKNOWN
    return out


def _expand(text: str, env: Mapping[str, str], escape: str, keep_quotes: bool, out: Expansion) -> str:
    """The expansion loop. A ``${name<op>word}`` pushes the enclosing text's state and reads the
    word as a text of its own (quotes start over, as in a separate expansion); when the word
    ends, the modifier is applied and the enclosing text goes on after the closing brace.
    Only the outermost text reports ``used`` and ``missing`` names."""
    braces: list[int] | None = None
    budget = MAX_VALUE + len(text)
    work = 0
    #: Enclosing texts: (pieces, quote, end, name, value, operator, where to resume).
    stack: list[tuple[list[str], str, int, str, str | None, str, int]] = []
    scratch = Expansion("")
    record = out
    buf: list[str] = []
    quote = ""
    i, end = 0, len(text)
    while True:
        if i >= end:
            if not stack:
                return "".join(buf)
            word = "".join(buf)
            buf, quote, end, name, value, op, i = stack.pop()
            record = scratch if stack else out
            result = _apply_modifier(name, value, op, word, record)
            work += len(word) + len(result)
            if work > budget:
                raise _Unknowable(name)
            buf.append(result)
            continue
        ch = text[i]
        if ch == escape and quote != "'":
            if i + 1 < end:
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
            if keep_quotes and not stack:
                buf.append(ch)
            i += 1
            continue
        if ch != "$" or quote == "'" or i + 1 >= end:
            buf.append(ch)
            i += 1
            continue
        i += 1
        if text[i] != "{":
            m = _NAME.match(text, i, end)
            if not m:
                buf.append("$")
                continue
            name = m.group(0)
            value = _lookup(env, name, record)
            if value is None:
                record.missing.append(name)
            elif value:
                work += len(value)
                if work > budget:
                    raise _Unknowable(name)
                buf.append(value)
            i = m.end()
            continue
        if braces is None:
            braces = _matching_braces(text)
        close = braces[i]
        if close < 0 or close >= end:
            buf.append("${" + text[i + 1 : end])
            i = end
            continue
        m = _NAME.match(text, i + 1, close)
        if not m:
            i = close + 1
            continue
        name = m.group(0)
        value = _lookup(env, name, record)
        if m.end() == close:
            if value is None:
                record.missing.append(name)
        else:
            op_match = _OPERATOR.match(text, m.end(), close)
            if op_match:
                stack.append((buf, quote, end, name, value, op_match.group(0), close + 1))
                record = scratch
                buf, quote, i, end = [], "", op_match.end(), close
                continue
        if value:
            work += len(value)
            if work > budget:
                raise _Unknowable(name)
            buf.append(value)
        i = close + 1


def _lookup(env: Mapping[str, str], name: str, record: Expansion) -> str | None:
    record.used.append(name)
    value = env.get(name)
    if value.__class__ is Unknown:
        raise _Unknowable(name)
    return value


def _matching_braces(text: str) -> list[int]:
    """For each ``{``, the ``}`` where the brace depth counted from it returns to zero (-1: none)."""
    match = [-1] * len(text)
    open_at: list[int] = []
    for k, ch in enumerate(text):
        if ch == "{":
            open_at.append(k)
        elif ch == "}" and open_at:
            match[open_at.pop()] = k
    return match


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
    if op in ("/", "//"):
        pattern, _, repl = word.partition("/")
        return _replace(text, _glob(pattern, len(text), name), repl, every=op == "//", name=name)
    glob = _glob(word, len(text), name)
    if op in ("#", "##"):
        ends = _prefix_ends(text, glob)
        if not ends:
            return text
        return text[max(ends) :] if op == "##" else text[min(ends) :]
    starts = _suffix_starts(text, glob)
    if not starts:
        return text
    return text[: min(starts)] if op == "%%" else text[: max(starts)]


#: A pattern element: None for ``*``, "" for ``?``, a character, or a bracket expression's test.
_Element = str | Callable[[str], object] | None


def _glob(pattern: str, size: int, name: str) -> list[_Element]:
    """``pattern`` as fnmatch reads it, element by element; raises when matching it against a
    value of ``size`` characters would examine more than :data:`MAX_PATTERN_CELLS` pairs."""
    import fnmatch

    out: list[_Element] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if not out or out[-1] is not None:
                out.append(None)
        elif c == "?":
            out.append("")
        elif c == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append("[")
            else:
                out.append(re.compile(fnmatch.translate(pattern[i - 1 : j + 1])).match)
                i = j + 1
        else:
            out.append(c)
    if (size + 1) * (len(out) + 1) > MAX_PATTERN_CELLS:
        raise _Unknowable(name)
    return out


def _fits(element: _Element, ch: str) -> bool:
    if isinstance(element, str):
        return element == "" or element == ch
    return element is not None and element(ch) is not None


def _ends(text: str, glob: list[_Element], pick: Callable[[int, int], int]) -> list[int]:
    """For each start, the end ``pick`` prefers among the ends of matches of ``glob`` (-1: none).

    Dynamic programming from the last element back: a ``*`` ends where the rest ends from
    here or from one character further, any other element consumes one matching character.
    """
    n = len(text)
    best = list(range(n + 1))
    for element in reversed(glob):
        row = [-1] * (n + 2)
        if element is None:
            for p in range(n, -1, -1):
                a, b = best[p], row[p + 1]
                row[p] = b if a < 0 else a if b < 0 else pick(a, b)
        else:
            for p in range(n):
                if _fits(element, text[p]):
                    row[p] = best[p + 1]
        best = row[: n + 1]
    return best


def _prefix_ends(text: str, glob: list[_Element]) -> list[int]:
    """Every ``k`` for which ``text[:k]`` matches (only the shortest and longest are used)."""
    shortest, longest = _ends(text, glob, min)[0], _ends(text, glob, max)[0]
    return [] if longest < 0 else [shortest, longest]


def _suffix_starts(text: str, glob: list[_Element]) -> list[int]:
    """Every ``k`` for which ``text[k:]`` matches."""
    return [k for k, e in enumerate(_ends(text, glob, max)) if e == len(text)]


def _replace(text: str, glob: list[_Element], repl: str, every: bool, name: str) -> str:
    """Replace the longest non-empty match starting at each position, left to right."""
    ends = _ends(text, glob, max)
    pieces: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        if ends[i] > i:
            pieces.append((i, ends[i]))
            i = ends[i]
            if not every:
                break
        else:
            i += 1
    if len(text) + len(pieces) * len(repl) > MAX_VALUE + len(text):
        raise _Unknowable(name)
    out: list[str] = []
    at = 0
    for start, stop in pieces:
        out += [text[at:start], repl]
        at = stop
    out.append(text[at:])
    return "".join(out)


def unquote(text: str, escape: str = "\\") -> str:
    """Quote removal without expansion (for ENV/LABEL values and COPY paths)."""
    return expand(text.replace("$", "\0"), {}, escape).value.replace("\0", "$")


def variable_refs(text: str, escape: str = "\\") -> list[tuple[str, int, int, str]]:
    """``$NAME`` / ``${NAME...}`` references a build would expand: (name, start, end, modifier).

    Escaped dollars and single-quoted text are skipped, as BuildKit's word lexer skips them.
    A ``${NAME`` runs to the next ``}``; that brace is looked up once and reused until passed,
    so a text full of ``${a${a...`` is read in linear time.
    """
    refs: list[tuple[str, int, int, str]] = []
    i, n, quote = 0, len(text), ""
    close = -1
    while i < n:
        ch = text[i]
        if ch == escape and quote != "'":
            i += 2
            continue
        if ch in ("'", '"') and quote in ("", ch):
            quote = "" if quote else ch
        elif ch == "$" and quote != "'":
            braced = text.startswith("{", i + 1)
            m = _NAME.match(text, i + 2 if braced else i + 1)
            if m and braced:
                if close < m.end():
                    close = text.find("}", m.end())
                    if close < 0:
                        close = n
                if close < n:
                    refs.append((m.group(0), i, close + 1, text[m.end() : close]))
                    i = close + 1
                    continue
            elif m:
                refs.append((m.group(0), i, m.end(), ""))
                i = m.end()
                continue
        i += 1
    return refs
