"""The fallback lexer: commands from a quote-aware tokenizer, for what tree-sitter cannot parse.

It never fails and runs in linear time: every scan is a loop, and substitutions are re-lexed at
most :data:`~dfcheck.shell.builder.MAX_NESTING` frames deep. It knows little grammar (``case``
patterns, reserved words, heredocs), which is enough for scripts tree-sitter-bash rejects, and the
tests check that it agrees with tree-sitter on scripts both read. Windows shells (PowerShell,
cmd) get a rougher split of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.regex import lazy
from dfcheck.shell.builder import ASSIGNMENT, MAX_NESTING, Builder, reads_stdin_script
from dfcheck.shell.frame import LINE, Frame
from dfcheck.shell.quoting import skip_ansi, skip_nested, unquote, word_text

_WORD, _OP, _REDIR, _SKIPPED = 0, 1, 2, 3
_OPERATOR_RE = lazy(r";;&|&&|\|\||;;|;&|\|&|[;|&()]")
_PLAIN_RE = lazy(r"[^\s;&|()<>'\"`\\$=]+")
_REDIR_RE = lazy(r"\d*(?:<<<|<<-|<<|<>|>>|>&|<&|>\||&>>|&>|>|<)")
_KEYWORDS = frozenset({"!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until",
                       "esac", "function", "coproc"})  # fmt: skip

_Token = tuple[int, int, int]


def _lex(text: str) -> tuple[list[_Token], dict[int, tuple[int, int, bool]]]:
    """Tokens (kind, start, end) and, per ``<<`` token index, the heredoc body's range and
    whether it is expanded (its delimiter is unquoted)."""
    tokens: list[_Token] = []
    heredocs: dict[int, tuple[int, int, bool]] = {}
    pending: list[tuple[int, str, bool, bool]] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
            continue
        if c == "\\" and text.startswith("\n", i + 1):
            i += 2
            continue
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "\n":
            tokens.append((_OP, i, i + 1))
            i += 1
            for tok_index, delim, strip, expands in pending:
                start = i
                for line_m in LINE.finditer(text, i):
                    line = line_m.group().rstrip("\n")
                    if (line.lstrip("\t") if strip else line) == delim or line_m.end() == line_m.start():
                        heredocs[tok_index] = (start, line_m.start(), expands)
                        i = line_m.end()
                        break
                else:
                    heredocs[tok_index] = (start, n, expands)
                    i = n
            pending.clear()
            continue
        if text.startswith("((", i) and (
            not tokens or tokens[-1][0] == _OP or text[tokens[-1][1] : tokens[-1][2]] == "for"
        ):
            j = skip_nested(text, i + 1, ")")
            tokens.append((_SKIPPED, i, j))
            i = j
            continue
        m = _REDIR_RE.match(text, i) if c in "<>&0123456789" else None
        if m and not (c in "<>" and text.startswith("(", m.end())):
            tokens.append((_REDIR, i, m.end()))
            i = m.end()
            if m.group().endswith(("<<", "<<-")):
                while i < n and text[i] in " \t":
                    i += 1
                j = _scan_word(text, i)
                if j > i:
                    delim = text[i:j]
                    expands = not any(q in delim for q in "'\"\\")
                    pending.append((len(tokens) - 1, unquote(delim)[0], m.group().endswith("-"), expands))
                    tokens.append((_WORD, i, j))
                    i = j
            continue
        op = _OPERATOR_RE.match(text, i)
        if op is not None:
            tokens.append((_OP, i, op.end()))
            i = op.end()
            continue
        j = _scan_word(text, i)
        tokens.append((_WORD, i, max(j, i + 1)))
        i = max(j, i + 1)
    return tokens, heredocs


def _scan_word(text: str, i: int) -> int:
    n = len(text)
    if i < n and text[i] in "<>" and text.startswith("(", i + 1):
        i = skip_nested(text, i + 2, ")")
    while i < n:
        plain = _PLAIN_RE.match(text, i)
        if plain is not None:
            i = plain.end()
            if i >= n:
                break
        c = text[i]
        if c in " \t\r\n;&|<>()\f\v":
            if c == "(" and text[i - 1 : i] == "=":
                i = skip_nested(text, i + 1, ")")
                continue
            return i
        if c == "\\":
            i += 2
        elif c == "'":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
        elif c == '"':
            i = skip_nested(text, i + 1, '"')
        elif c == "`":
            i = skip_nested(text, i + 1, "`")
        elif c == "$" and i + 1 < n and text[i + 1] in "({'\"":
            nxt = text[i + 1]
            if nxt == "'":
                i = skip_ansi(text, i + 2)
            else:
                i = skip_nested(text, i + 2, {"(": ")", "{": "}", '"': '"'}[nxt])
        else:
            i += 1
    return min(i, n)


def _substitutions(raw: str, heredoc: bool = False) -> Iterator[tuple[int, int]]:
    """Ranges of the scripts inside ``$( )``, backticks and ``<( )`` of one word, outermost only.

    In a heredoc body quotes are plain characters and ``<(`` is no process substitution.
    """
    n = len(raw)
    i = 0
    in_double = False
    openers = "$" if heredoc else "$<>"
    while i < n:
        c = raw[i]
        if c == "\\":
            i += 2
        elif c == "'" and not in_double and not heredoc:
            j = raw.find("'", i + 1)
            i = n if j < 0 else j + 1
        elif c == '"' and not heredoc:
            in_double = not in_double
            i += 1
        elif c == "`" or (c in openers and raw.startswith("(", i + 1) and not raw.startswith("((", i + 1)):
            start = i + 1 if c == "`" else i + 2
            j = skip_nested(raw, start, "`" if c == "`" else ")")
            yield start, (j - 1 if j <= n and raw[j - 1 : j] in ("`", ")") else j)
            i = j
        elif c == "$" and raw.startswith("{", i + 1):
            i = skip_nested(raw, i + 2, "}")
        else:
            i += 1


def parse_fallback(frame: Frame, builder: Builder, in_subst: bool = False) -> None:
    """Commands from a quote-aware lexer: robust to any input, blind to most grammar."""
    text = frame.text
    tokens, heredocs = _lex(text)
    # (command words, every word seen since the last segment, heredoc tokens, closing operator)
    segments: list[tuple[list[tuple[int, int]], list[tuple[int, int]], list[int], str]] = []
    words: list[tuple[int, int]] = []
    seen: list[tuple[int, int]] = []
    bodies: list[int] = []
    in_case = 0
    expect_pattern = False
    skip_target = False
    for index, (kind, s, e) in enumerate(tokens):
        if kind == _WORD:
            seen.append((s, e))
            if not skip_target:
                words.append((s, e))
            skip_target = False
            continue
        if kind == _REDIR:
            skip_target = True
            if index in heredocs:
                bodies.append(index)
            continue
        if kind == _SKIPPED:
            continue
        skip_target = False
        op = text[s:e]
        if not words and not in_case:
            segments.append((words, seen, bodies, op))
            words, seen, bodies = [], [], []
            continue
        first = word_text(text[words[0][0] : words[0][1]]) if words else ""
        if first == "case":
            in_case += 1
            expect_pattern = op != ")"
            words = []
            continue
        if first == "esac" and in_case:
            in_case -= 1
            expect_pattern = False
        elif expect_pattern and in_case and op in (")", "|"):
            expect_pattern = op == "|"
            words = []
            continue
        if op in (";;", ";&", ";;&"):
            expect_pattern = True
        if op == "(" and words:
            words = []
            continue
        segments.append((words, seen, bodies, op))
        words, seen, bodies = [], [], []
    segments.append((words, seen, bodies, ""))

    pid: int | None = None
    index_in_pipe = 0
    for ranges, seen, bodies, op in segments:
        ranges = _strip_keywords(text, ranges)
        piped = op in ("|", "|&")
        pipe: tuple[int, int] | None = None
        if piped or pid is not None:
            if pid is None:
                pid = builder.new_pipeline()
                index_in_pipe = 0
            pipe = builder.element(pid, index_in_pipe)
            index_in_pipe += 1
        if not piped and op != ")":
            pid = None
        body = None
        fed: int | None = None
        if ranges:
            n_assign = 0
            while n_assign < len(ranges) and ASSIGNMENT.match(text, ranges[n_assign][0]):
                n_assign += 1
            cmd = builder.add(frame, ranges, n_assign, pipe, in_subst)
            if cmd is not None:
                k = builder.nested_shell(frame, cmd, ranges)
                body = None if k is None else ranges[k]
                if k is None and bodies and reads_stdin_script(cmd):
                    fed = bodies[-1]
                    hs, he, _ = heredocs[fed]
                    builder.stdin_script(frame, hs, he)
        if frame.depth >= MAX_NESTING:
            continue
        for s, e in seen:
            raw = text[s:e]
            if (s, e) == body or ("(" not in raw and "`" not in raw):
                continue
            for a, b in _substitutions(raw):
                parse_fallback(frame.child(s + a, s + b), builder, True)
        for index in bodies:
            hs, he, expands = heredocs[index]
            if index != fed and expands:
                for a, b in _substitutions(text[hs:he], heredoc=True):
                    parse_fallback(frame.child(hs + a, hs + b), builder, True)


def _strip_keywords(text: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The simple command left once reserved words are peeled off; none for ``for`` or ``[``."""
    k = 0
    while k < len(ranges):
        first = text[ranges[k][0] : ranges[k][1]]
        if first in ("for", "select", "[", "[["):
            return []
        if first not in _KEYWORDS:
            break
        k += 1
    return ranges[k:]


_SPACES = lazy(r"\s*")
#: A word of each Windows shell, up to white space or an operator: an escape takes the character
#: after it, a quote runs to its closing quote (or the end). One regular expression, where a loop
#: over characters cost about 2 microseconds each (seconds for a megabyte of RUN lines).
_WINDOWS_WORD = {
    "cmd": re.compile(r"""(?:\^(?s:.)?|"[^"]*"?|[^\s;|&"^])+"""),
    "powershell": re.compile(r"""(?:`(?s:.)?|"[^"]*"?|'[^']*'?|[^\s;|&"'`]|&(?!&))+"""),
}


def parse_windows(frame: Frame, builder: Builder, dialect: str) -> None:
    """PowerShell and cmd: split on ``;``, ``&&``, ``||``, ``|`` (and cmd's ``&``), quote-aware."""
    text = frame.text
    ops = ("&&", "||", ";", "|", "&") if dialect == "cmd" else ("&&", "||", ";", "|")
    words: list[tuple[int, int]] = []
    pid: int | None = None
    index_in_pipe = 0
    n = len(text)
    i = 0
    word = _WINDOWS_WORD["cmd" if dialect == "cmd" else "powershell"]
    while True:
        op = ""
        while i < n:
            i = _SPACES.match(text, i).end()  # type: ignore[union-attr]
            if i >= n:
                break
            op = next((o for o in ops if text.startswith(o, i)), "")
            if op:
                i += len(op)
                break
            end = word.match(text, i).end()  # type: ignore[union-attr]
            words.append((i, end))
            i = end
        pipe: tuple[int, int] | None = None
        if op == "|" or pid is not None:
            if pid is None:
                pid = builder.new_pipeline()
                index_in_pipe = 0
            pipe = builder.element(pid, index_in_pipe)
            index_in_pipe += 1
        if op != "|":
            pid = None
        if words and text[words[0][0] : words[0][1]] in ("&", "."):
            words = words[1:]
        builder.add(frame, words, 0, pipe, False, windows=True)
        words = []
        if i >= n and not op:
            return
