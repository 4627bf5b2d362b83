"""RUN scripts as a flat list of simple commands with exact positions.

Rules ask questions such as "which ``apt-get install`` lacks ``-y``?" and point at the flag or the
package, so every command and word keeps a :class:`~dfcheck.dockerfile.source.Span` in the Dockerfile, even
inside ``sh -c '...'`` bodies and across continuation lines.

Parser choice, measured with ``bench/shell_parsers.py`` on the shared corpus (1,646 Dockerfiles,
4,979 POSIX shell-form RUN scripts, 2.36 MB; CPU time, best of 3; Python 3.11; bytecode cached):

=======================  ========  =========  ==================  =================
candidate                import    parse all  clean               command agreement
=======================  ========  =========  ==================  =================
bashlex 0.18             89 ms     6.02 s     90.22 % (487 fail)  99.84 %
tree-sitter-bash 0.25    9 ms      0.19 s     99.90 % (5 fail)    (reference)
hand-written lexer       13 ms     0.88 s     never fails         99.96 %
this module, end to end  18 ms     0.87 s     99.90 %             (reference)
=======================  ========  =========  ==================  =================

"clean": bashlex raised nothing, or tree-sitter's tree has no ERROR/MISSING node. "command
agreement": the sorted first words of all simple commands match tree-sitter's, on scripts both
parse. "this module" includes building every Command and Word (spans are located lazily).

bashlex rejects 9.8 % of real, valid scripts: ``case`` statements (349), ``&&``/``||`` inside
``$( )`` (115), array assignments (19), heredocs (3); ``$(( ))`` fails too. Its import alone costs
more than parsing the whole corpus with tree-sitter. tree-sitter-bash rejects 5: two cmd.exe
scripts, one truncated script, and two ``RUN <<EOT bash`` (a heredoc before the command name,
which its grammar lacks). So tree-sitter-bash is the parser, imported on first use; the
hand-written lexer covers what it rejects, Windows shells, and runaway parses, so a rule never
loses its commands because a script is unusual. tree-sitter-bash also misreads some valid
scripts without reporting an error; the walk repairs the cases seen in the corpus (see
``_merge_touching``, ``_TreeWalk.pipeline``, ``_last_command``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from itertools import pairwise
from typing import Any, NamedTuple

from dfcheck.dockerfile.source import Span, TextMap

__all__ = ["Assignment", "Command", "Script", "Word", "parse_script"]

_UNLOCATED = Span(0, 0, 0, 0)


class Word:
    """One shell word; ``text`` is best-effort quote removal with expansions left as written.

    Read-only by convention. The span is located on first use: locating every word costs more
    than parsing, and rules report only a few of them.
    """

    __slots__ = ("_at", "_span", "raw", "text")

    def __init__(self, text: str, raw: str, span: Span) -> None:
        self.text = text
        self.raw = raw
        self._span = span
        self._at: tuple[_Frame, int, int] | None = None

    @classmethod
    def _located(cls, text: str, raw: str, frame: _Frame, start: int, end: int) -> Word:
        word = cls(text, raw, _UNLOCATED)
        word._at = (frame, start, end)
        return word

    @property
    def span(self) -> Span:
        if self._at is not None:
            frame, start, end = self._at
            self._span = frame.span(start, end)
            self._at = None
        return self._span

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Word):
            return NotImplemented
        return (self.text, self.raw, self.span) == (other.text, other.raw, other.span)

    def __hash__(self) -> int:
        return hash((self.text, self.raw, self.span))

    def __repr__(self) -> str:
        return f"Word(text={self.text!r}, raw={self.raw!r}, span={self.span!r})"


def _flagset(flags: str) -> frozenset[str]:
    return frozenset(flags.split())


# Flags that take a separate value, per program, so that positional() and subcommand skip values
# such as the "Dpkg::Options::=..." of ``apt-get -o Dpkg::Options::=... install``.
_VALUE_FLAGS: dict[str, frozenset[str]] = {
    name: _flagset(flags)
    for names, flags in (
        ("apt-get apt apt-cache", "-o -c -t --option --config-file --target-release"),
        (
            "yum dnf microdnf",
            "-c -d -e -x --config --installroot --releasever --enablerepo --disablerepo --exclude --setopt",
        ),
        ("apk", "-X -p --repository --root --arch --cache-dir --keys-dir --repositories-file"),
        ("git", "-C -c --git-dir --work-tree --namespace"),
        ("pip pip3", "--log --proxy --retries --timeout --cache-dir --python --cert --client-cert"),
        ("npm", "--prefix --userconfig --cache"),
        ("yarn", "--cwd --cache-folder"),
        ("docker", "-H -c -l --host --context --config --log-level"),
        ("gem", "--config-file"),
    )
    for name in names.split()
}
_NO_FLAGS: frozenset[str] = frozenset()


class Command(NamedTuple):
    """One simple command, wrappers such as ``sudo`` and ``env X=1`` already peeled off ``name``.

    ``in_substitution`` marks commands inside ``$( )``, backticks or ``<( )``; ``in_nested_shell``
    marks commands from a script handed to another shell (``sh -c '...'``, ``bash <<EOF``).
    """

    name: str
    args: tuple[Word, ...]
    words: tuple[Word, ...]
    wrappers: tuple[str, ...] = ()
    assignments: tuple[Word, ...] = ()
    pipeline_index: int = 0
    in_pipeline: bool = False
    in_substitution: bool = False
    in_nested_shell: bool = False

    @property
    def span(self) -> Span:
        """From the first word (an assignment or wrapper) to the last argument; redirects excluded."""
        return self.words[0].span.cover(self.words[-1].span)

    @property
    def name_span(self) -> Span:
        return self.words[len(self.words) - len(self.args) - 1].span

    def _scan(
        self, value_flags: frozenset[str], whole: frozenset[str] = _NO_FLAGS
    ) -> Iterator[tuple[str | None, str | None, Word]]:
        """Yield (flag, value, word) like getopt_long would, with flag None for positionals.

        Without a spec a short cluster is read letter by letter until a letter known to take a
        value; ``whole`` names single-dash long flags (``-name``) that must not be split.
        """
        args = self.args
        i = 0
        n = len(args)
        while i < n:
            word = args[i]
            t = word.text
            i += 1
            if t == "--":
                for positional in args[i:]:
                    yield None, None, positional
                return
            if len(t) < 2 or t[0] != "-":
                yield None, None, word
                continue
            if t.startswith("--") or t.partition("=")[0] in whole:
                name, eq, value = t.partition("=")
                if eq:
                    yield name, value, word
                elif name in value_flags or name in whole:
                    yield name, args[i].text if i < n else None, word
                    i += 1
                else:
                    yield name, None, word
                continue
            for k in range(1, len(t)):
                flag = "-" + t[k]
                if flag in value_flags:
                    rest = t[k + 1 :]
                    if rest:
                        yield flag, rest, word
                    else:
                        yield flag, args[i].text if i < n else None, word
                        i += 1
                    break
                yield flag, None, word

    def _value_flags(self) -> frozenset[str]:
        return _VALUE_FLAGS.get(self.name, _NO_FLAGS)

    def has_flag(self, *flags: str) -> bool:
        """True if any of ``flags`` is given; ``-y`` matches inside ``-qy``, ``--yes`` matches ``--yes=1``."""
        whole = frozenset(f for f in flags if len(f) > 2 and f[0] == "-" and f[1] != "-")
        return any(flag in flags for flag, _, _ in self._scan(self._value_flags(), whole))

    def flag_values(self, *flags: str) -> list[str]:
        """Every value given to ``flags``: ``-t v``, ``-tv``, ``--target=v`` or ``--target v``."""
        whole = frozenset(f for f in flags if len(f) > 2 and f[0] == "-" and f[1] != "-")
        value_flags = self._value_flags() | frozenset(flags)
        return [v for flag, v, _ in self._scan(value_flags, whole) if flag in flags and v is not None]

    def flag_value(self, *flags: str) -> str | None:
        """The last value given to ``flags`` (the one most CLIs honour), or None."""
        values = self.flag_values(*flags)
        return values[-1] if values else None

    def positional(self, takes_value: set[str] | frozenset[str] | None = None) -> list[Word]:
        """Arguments that are not flags or flag values.

        ``takes_value`` names the flags whose value is a separate word; without it a small table
        of well-known programs is used, and for other programs every flag is assumed boolean.
        """
        value_flags = self._value_flags() if takes_value is None else frozenset(takes_value)
        return [word for flag, _, word in self._scan(value_flags) if flag is None]

    @property
    def subcommand(self) -> str | None:
        """First positional, e.g. ``install`` for ``apt-get -y install curl``."""
        pos = self.positional()
        return pos[0].text if pos else None


class Assignment(NamedTuple):
    """A shell variable the script sets: ``value`` is None when it cannot be known statically.

    ``at`` is the position in :attr:`Script.commands` of the first command that sees it;
    ``scope`` tells shells apart (a ``sh -c`` body has variables of its own). ``sequential`` is
    False for an assignment that may run or not, or more than once (inside an ``if``, a loop, a
    function, a subshell, a pipeline, after ``||``): the name's value is then never known in that
    scope. An empty ``name`` stands for every variable (``. file``, ``eval``, a function).
    """

    name: str
    value: str | None
    at: int
    scope: int = 0
    sequential: bool = True


class Script(NamedTuple):
    """A RUN script's commands in source order, nested ones right after the command holding them.

    ``sets`` holds long option names (``errexit``, ``nounset``, ``xtrace``, ``pipefail``...) in
    force after the script's own ``set`` commands; nested shells and substitutions do not count.
    ``parse_ok`` is False when the commands come from the fallback lexer (syntax tree-sitter could
    not parse cleanly, a Windows shell, or a non-shell heredoc with a ``#!`` line).
    ``pipelines`` lists the pipelines with two or more commands, each in stage order, so a rule can
    see what feeds what (``curl ... | sh``); ``has_pipe`` is also true for a pipe whose stages are
    no simple commands (``[ -f x ] | while read l; do ...``).
    ``assignments`` lists the variables the script sets (``deps="a b"``, ``export X=1``,
    ``set -- a b``) in script order, and ``scopes`` the shell of each command (same order as
    ``commands``); :meth:`value_at` answers from them. Only tree-sitter parses record them.
    """

    commands: list[Command]
    sets: set[str]
    parse_ok: bool
    has_pipe: bool
    pipelines: list[list[Command]]
    assignments: tuple[Assignment, ...] = ()
    scopes: tuple[int, ...] = ()

    def _position(self, command: Command) -> tuple[int, int] | None:
        for k, c in enumerate(self.commands):
            if c is command:
                return k, self.scopes[k] if k < len(self.scopes) else 0
        return None

    def value_at(self, name: str, command: Command) -> str | None:
        """The literal value the script last gave ``name`` before ``command``, or None.

        None too when the value is unknowable: set from an expansion, maybe set in a branch or a
        loop, or possibly changed by ``. file`` or ``eval`` since. Another shell's variables
        (an outer script's, for a ``sh -c`` body) do not count.
        """
        where = self._position(command)
        if where is None:
            return None
        index, scope = where
        value = None
        for a in self.assignments:
            if a.scope != scope or (a.name != name and a.name):
                continue
            if not a.sequential:
                return None
            if a.at <= index:
                value = a.value
        return value

    def assigns(self, name: str, command: Command) -> bool:
        """Might the script have set ``name`` (by name) by the time ``command`` runs?

        When it did, an ``ARG`` or ``ENV`` value of the same name no longer holds.
        """
        where = self._position(command)
        if where is None:
            return False
        index, scope = where
        return any(
            a.scope == scope and a.name == name and (not a.sequential or a.at <= index)
            for a in self.assignments
        )

    def uses(self, program: str) -> bool:
        return any(c.name == program or program in c.wrappers for c in self.commands)

    def find(self, program: str, subcommand: str | None = None) -> list[Command]:
        return [
            c
            for c in self.commands
            if c.name == program and (subcommand is None or c.subcommand == subcommand)
        ]


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash"})
_WINDOWS = frozenset({"powershell", "pwsh", "cmd"})
# Nested shells and substitutions deeper than this are left unparsed: every level repeats the
# text of the levels inside it, so pathological nesting would cost quadratic time.
_MAX_DEPTH = 8
_MAX_NESTING = 16

# Wrapper -> (flags taking a value, number of positionals before the wrapped command).
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (
        _flagset(
            "-u -g -C -D -h -p -r -t -U -R -T --user --group --close-from --chdir --host"
            " --prompt --role --type --other-user --chroot --command-timeout"
        ),
        0,
    ),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "-C", "--unset", "--chdir"}), 0),
    "exec": (frozenset({"-a"}), 0),
    "nohup": (_NO_FLAGS, 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "command": (_NO_FLAGS, 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "gosu": (_NO_FLAGS, 1),
    "su-exec": (_NO_FLAGS, 1),
}

_SET_LETTERS = {
    "a": "allexport", "b": "notify", "e": "errexit", "f": "noglob", "h": "hashall", "k": "keyword",
    "m": "monitor", "n": "noexec", "p": "privileged", "t": "onecmd", "u": "nounset", "v": "verbose",
    "x": "xtrace", "B": "braceexpand", "C": "noclobber", "E": "errtrace", "H": "histexpand",
    "P": "physical", "T": "functrace",
}  # fmt: skip

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_SPLIT_WORD = re.compile(r"(?:\\.|\S)+", re.S)


class _Frame:
    """A piece of text being parsed and how its offsets map to the top-level script."""

    __slots__ = ("base", "depth", "nested", "offsets", "starts", "text", "textmap")

    def __init__(
        self,
        text: str,
        textmap: TextMap,
        *,
        base: int = 0,
        offsets: list[int] | None = None,
        starts: list[int] | None = None,
        depth: int = 0,
        nested: bool = False,
    ) -> None:
        self.text = text
        self.textmap = textmap
        self.base = base
        self.offsets = offsets
        self.starts = starts if starts is not None else offsets
        """Where each character begins as written; differs from ``offsets`` for escapes."""
        self.depth = depth
        self.nested = nested

    def top(self, i: int) -> int:
        if self.offsets is None:
            return self.base + i
        if not self.offsets:
            return self.base
        return self.offsets[min(max(i, 0), len(self.offsets) - 1)]

    def span(self, start: int, end: int) -> Span:
        starts = self.starts
        if starts is None:
            return self.textmap.span(self.base + start, self.base + end)
        s = starts[min(max(start, 0), len(starts) - 1)] if starts else self.base
        return self.textmap.span(s, self.top(end - 1) + 1 if end > start else s)

    def child(self, start: int, end: int, *, nested: bool | None = None) -> _Frame:
        """The frame of the slice ``[start, end)``."""
        return _Frame(
            self.text[start:end],
            self.textmap,
            base=self.base + start,
            offsets=None if self.offsets is None else self.offsets[start:end],
            starts=None if self.starts is None else self.starts[start:end],
            depth=self.depth + 1,
            nested=self.nested if nested is None else nested,
        )

    def mapped(self, text: str, positions: list[int]) -> _Frame:
        """The frame of a nested shell's script text whose characters sit at ``positions`` here.

        A character written escaped (``\\"`` inside double quotes) starts at its backslash, so
        that a span of ``\\"hi\\"`` covers what the Dockerfile shows.
        """
        here = self.text
        starts = [
            p - 1 if p > 0 and here[p - 1] == "\\" and (k == 0 or positions[k - 1] != p - 1) else p
            for k, p in enumerate(positions)
        ]
        return _Frame(
            text,
            self.textmap,
            offsets=[self.top(p) for p in positions],
            starts=[self.top(p) for p in starts],
            depth=self.depth + 1,
            nested=True,
        )


# ---------------------------------------------------------------- quoting and scanning


def _skip_nested(text: str, i: int, closer: str) -> int:
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


def _skip_expansion(text: str, i: int) -> int:
    """Index just past the backtick, ``$(...)`` or ``${...}`` starting at ``i``."""
    if text[i] == "`":
        return _skip_nested(text, i + 1, "`")
    return _skip_nested(text, i + 2, ")" if text[i + 1] == "(" else "}")


def _skip_ansi(text: str, i: int) -> int:
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


def _unquote(raw: str) -> tuple[str, list[int]]:
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
        elif (c == "$" and i + 1 < n and raw[i + 1] in "({") or c == "`":
            j = _skip_expansion(raw, i)
            out.append(raw[i:j])
            pos.extend(range(i, j))
            i = j
        else:
            out.append(c)
            pos.append(i)
            i += 1
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
        elif (c == "$" and i + 1 < n and raw[i + 1] in "({") or c == "`":
            j = _skip_expansion(raw, i)
            out.append(raw[i:j])
            pos.extend(range(i, j))
            i = j
        else:
            out.append(c)
            pos.append(i)
            i += 1
    return n


def _windows_text(raw: str) -> str:
    """cmd and PowerShell keep backslashes (they are path separators); only quotes go."""
    return raw.replace('"', "").replace("'", "")


def _text(raw: str) -> str:
    if "'" not in raw and '"' not in raw and "\\" not in raw:
        return raw
    return _unquote(raw)[0]


# ---------------------------------------------------------------- building commands


class _Builder:
    """Collects commands and pipelines from one top-level script and its nested pieces."""

    __slots__ = (
        "assignments", "commands", "known", "n_scopes", "ok", "pipelines", "poisoned", "scope", "scopes", "sizes",
    )  # fmt: skip

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.pipelines: dict[int, list[Command]] = {}
        self.sizes: dict[int, int] = {}
        self.ok = True
        self.assignments: list[Assignment] = []
        self.scopes: list[int] = []
        self.scope = 0
        self.n_scopes = 0
        # per scope: the values in force at the point the walk has reached (None: unknown)
        self.known: dict[int, dict[str, str | None]] = {}
        # per scope: names set where they may run or not, or more than once
        self.poisoned: dict[int, set[str]] = {}

    def new_scope(self) -> int:
        self.n_scopes += 1
        return self.n_scopes - 1

    def assign(self, name: str, value: str | None, sequential: bool) -> None:
        """Record that the current shell sets ``name`` here (``""``: every variable)."""
        if sequential:
            known = self.known.setdefault(self.scope, {})
            if name:
                known[name] = value
            else:
                known.clear()
        else:
            value = None
            self.poisoned.setdefault(self.scope, set()).add(name)
        self.assignments.append(Assignment(name, value, len(self.commands), self.scope, sequential))

    def lookup(self, name: str) -> str | None:
        """The value of ``name`` in the current shell at this point, if the script set it."""
        poisoned = self.poisoned.get(self.scope, ())
        if name in poisoned or "" in poisoned:
            return None
        return self.known.get(self.scope, {}).get(name)

    def new_pipeline(self) -> int:
        pid = len(self.pipelines)
        self.pipelines[pid] = []
        self.sizes[pid] = 0
        return pid

    def element(self, pid: int, index: int) -> tuple[int, int]:
        """Position ``index`` of pipeline ``pid``, counted even when it holds no simple command."""
        self.sizes[pid] = max(self.sizes[pid], index + 1)
        return pid, index

    def add(
        self,
        frame: _Frame,
        ranges: list[tuple[int, int]],
        n_assign: int,
        pipe: tuple[int, int] | None,
        in_subst: bool,
        windows: bool = False,
    ) -> Command | None:
        if len(ranges) <= n_assign:
            return None
        text = frame.text
        while len(ranges) > n_assign and text[ranges[n_assign][0] : ranges[n_assign][1]] in ("{", "}", "!"):
            del ranges[n_assign]
        if len(ranges) <= n_assign:
            return None
        unquote = _windows_text if windows else _text
        words = [Word._located(unquote(text[s:e]), text[s:e], frame, s, e) for s, e in ranges]
        assignments = words[:n_assign]
        wrappers: list[str] = []
        i = n_assign
        while True:
            name = _basename(words[i].text, windows)
            spec = None if windows else _WRAPPERS.get(name)
            if spec is None:
                break
            j, extra = _unwrap(name, spec, words, i + 1)
            if j is None:
                break
            wrappers.append(name)
            assignments.extend(extra)
            i = j
        cmd = Command(
            name=_basename(words[i].text, windows),
            args=tuple(words[i + 1 :]),
            words=tuple(words),
            wrappers=tuple(wrappers),
            assignments=tuple(assignments),
            pipeline_index=pipe[1] if pipe else 0,
            in_pipeline=pipe is not None,
            in_substitution=in_subst,
            in_nested_shell=frame.nested,
        )
        self.commands.append(cmd)
        self.scopes.append(self.scope)
        if pipe is not None:
            self.pipelines[pipe[0]].append(cmd)
        return cmd

    def nested_shell(self, frame: _Frame, cmd: Command, ranges: list[tuple[int, int]]) -> int | None:
        """Parse the script of ``sh -c '...'``; returns the index in ``ranges`` of the script word."""
        if cmd.name not in _SHELLS or frame.depth >= _MAX_DEPTH:
            return None
        body = _shell_c_body(cmd)
        if body is None:
            return None
        k = len(cmd.words) - len(cmd.args) + body
        s, e = ranges[k]
        text, positions = _unquote(frame.text[s:e])
        _parse_posix(frame.mapped(text, [s + p for p in positions]), self)
        return k

    def script(self, parse_ok: bool) -> Script:
        pipelines = [p for p in self.pipelines.values() if len({c.pipeline_index for c in p}) > 1]
        has_pipe = any(size > 1 for size in self.sizes.values())
        return Script(
            self.commands,
            _sets(self.commands),
            parse_ok and self.ok,
            has_pipe,
            pipelines,
            tuple(self.assignments),
            tuple(self.scopes),
        )


def _basename(text: str, windows: bool) -> str:
    if windows:
        text = text.replace("\\", "/")
    if "/" in text and not text.endswith("/"):
        return text.rsplit("/", 1)[1]
    return text


def _unwrap(
    name: str, spec: tuple[frozenset[str], int], words: list[Word], i: int
) -> tuple[int | None, list[Word]]:
    """Index of the wrapped command's name (None when nothing is wrapped) and env assignments."""
    value_flags, positionals = spec
    n = len(words)
    while i < n:
        t = words[i].text
        if t == "--":
            i += 1
            break
        if name == "env" and t == "-":
            i += 1
            continue
        if len(t) < 2 or t[0] != "-":
            break
        if name == "command" and ("v" in t[1:] or "V" in t[1:]) and not t.startswith("--"):
            return None, []
        i += 1
        if t.startswith("--"):
            if "=" not in t and t in value_flags:
                i += 1
        else:
            for k in range(1, len(t)):
                if "-" + t[k] in value_flags:
                    if k == len(t) - 1:
                        i += 1
                    break
    extra: list[Word] = []
    if name == "env":
        while i < n and _ASSIGNMENT.match(words[i].text):
            extra.append(words[i])
            i += 1
    i += positionals
    return (i, extra) if i < n else (None, [])


def _shell_c_body(cmd: Command) -> int | None:
    """Index in ``cmd.args`` of the script given to ``sh -c``, or None if there is no ``-c``."""
    has_c = False
    args = cmd.args
    i = 0
    while i < len(args):
        t = args[i].text
        if t == "--":
            i += 1
            break
        if len(t) < 2 or t[0] not in "-+":
            break
        if t.startswith("--"):
            i += 2 if t in ("--rcfile", "--init-file") else 1
            continue
        letters = t[1:]
        if "c" in letters and t[0] == "-":
            has_c = True
        i += 2 if letters[-1] in "oO" else 1
    return i if has_c and i < len(args) else None


def _reads_stdin_script(cmd: Command) -> bool:
    """``bash -e <<EOF``: a shell with no -c and no script file reads its script from the heredoc."""
    if cmd.name not in _SHELLS:
        return False
    i = 0
    args = cmd.args
    while i < len(args):
        t = args[i].text
        if len(t) < 2 or t[0] not in "-+":
            return False
        if t.startswith("--"):
            i += 1
            continue
        if "c" in t[1:] and t[0] == "-":
            return False
        i += 2 if t[-1] in "oO" else 1
    return True


def _sets(commands: list[Command]) -> set[str]:
    on: set[str] = set()
    for cmd in commands:
        if cmd.name != "set" or cmd.in_substitution or cmd.in_nested_shell:
            continue
        args = [w.text for w in cmd.args]
        i = 0
        while i < len(args):
            t = args[i]
            i += 1
            if len(t) < 2 or t[0] not in "-+" or t == "--":
                break
            target = on.add if t[0] == "-" else on.discard
            for letter in t[1:]:
                if letter == "o":
                    if i < len(args):
                        target(args[i])
                        i += 1
                elif letter in _SET_LETTERS:
                    target(_SET_LETTERS[letter])
    return on


# ---------------------------------------------------------------- tree-sitter


# tree-sitter's error recovery is quadratic on some broken input ("()" repeated: 1 s for 12 KB,
# 72 s for 100 KB), so a parse that overruns its budget (seconds, plus seconds per byte: ten
# times what valid scripts take) is abandoned for the linear fallback lexer. The budget is this
# thread's CPU time, so that a busy machine cannot change which parser a script gets. A broken pipeline of
# thousands of stages is recovered at end of input without progress reports (30 s for
# "a | " * 25000), so scripts with that many pipes skip tree-sitter altogether.
_TS_BUDGET = (0.05, 2e-6)
_TS_MAX_PIPES = 1000
_TS: Any = None  # (Parser class, Language, thread-local storage), or () without tree-sitter


def _ts_parser() -> Any:
    """This thread's tree-sitter parser, or None if tree-sitter is not installed.

    Imported on first use so that startup stays cheap. One parser per thread: a parse reading
    its input through Python callbacks lets another thread in, and a parser is not reentrant.
    """
    global _TS
    if _TS is None:
        try:
            import threading

            import tree_sitter

            _TS = (tree_sitter.Parser, tree_sitter.Language(_bash_language()), threading.local())
        except Exception:
            _TS = ()
    if not _TS:
        return None
    new, language, local = _TS
    parser = getattr(local, "parser", None)
    if parser is None:
        parser = local.parser = new(language)
    return parser


_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
_SKIP_IN_COMMAND = _REDIRECTS | {"comment"}
_DECLARATIONS = frozenset({"declaration_command", "unset_command"})
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
# Nodes whose statements run once each, in order, in the same shell.
_SEQUENTIAL = frozenset(
    {"program", "list", "variable_assignments", "redirected_statement", "declaration_command"}
)
# Builtins that set variables other than by ``NAME=value``.
_SETTERS = frozenset({"source", ".", "eval", "set", "shift", "unset", "read", "getopts", "mapfile",
                      "readarray", "printf", "let"})  # fmt: skip
_PLAIN_DECLARE = frozenset({"-r", "-x", "-g", "-rx", "-xr", "-p"})
_POSITIONAL = ("@", "*", *map(str, range(1, 10)))
_UNQUOTED_SPECIAL = re.compile(r"[$`\\*?\[~]")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")


def _literal(raw: str, lookup: Any) -> str | None:
    """The value of an assignment's right side written ``raw``, or None if it is not static.

    Quotes are removed; ``$NAME`` and ``${NAME}`` are replaced by ``lookup(NAME)``, the script's
    own earlier value, and make the whole value unknown when that is None. Anything else
    that expands (``$(...)``, backquotes, ``${X:-y}``, ``~``, arrays) makes it unknown too.
    """
    if raw[:1] in ("(", "~") or ":~" in raw or "`" in raw:
        return None
    if "$" not in raw:
        return _text(raw)
    if "'" in raw or "\\" in raw or "$" in _VARIABLE.sub("", raw):
        return None
    unknown = False

    def value(m: re.Match[str]) -> str:
        nonlocal unknown
        found = lookup(m.group(1) or m.group(2))
        unknown = unknown or found is None
        return found or ""

    text = _VARIABLE.sub(value, _text(raw))
    return None if unknown else text


def _byte_to_char(text: str) -> list[int] | None:
    if text.isascii():
        return None
    out: list[int] = []
    for i, ch in enumerate(text):
        o = ord(ch)
        out.extend([i] * (1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4))
    out.append(len(text))
    return out


_CHAINS = frozenset({"list", "pipeline", "negated_command"})


def _last_command(node: Any) -> Any:
    """The command a trailing redirect belongs to: tree-sitter hangs ``a && b >f x`` on the list."""
    while node is not None and node.type in _CHAINS:
        node = node.named_children[-1] if node.named_child_count else None
    return node if node is not None and node.type == "command" else None


def _merge_touching(ranges: list[tuple[int, int]], n_assign: int) -> tuple[list[tuple[int, int]], int]:
    """Join nodes with no blank between them: in the shell they are one word.

    tree-sitter-bash 0.25 sometimes splits a word silently, e.g. ``debuild-$t/nginx-$V/x`` into two
    nodes, or ``A=x/$(f)/$V/$V-$P`` into an assignment and an invented command name.
    """
    if all(a[1] < b[0] for a, b in pairwise(ranges)):
        return ranges, n_assign
    merged: list[tuple[int, int]] = []
    is_assignment: list[bool] = []
    for k, (s, e) in enumerate(ranges):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
            is_assignment.append(k < n_assign)
    n = 0
    while n < len(merged) and is_assignment[n]:
        n += 1
    return merged, n


def _parse_ts(frame: _Frame, builder: _Builder) -> bool:
    """Walk tree-sitter's tree into ``builder``; False when there is no clean tree."""
    parser = _ts_parser()
    if parser is None or frame.text.count("|") > _TS_MAX_PIPES:
        return False
    data = frame.text.encode("utf-8", "surrogatepass")
    deadline = time.thread_time() + _TS_BUDGET[0] + _TS_BUDGET[1] * len(data)
    try:
        tree = parser.parse(
            lambda offset, _point: data[offset : offset + 65536],
            progress_callback=lambda _offset, _has_error: time.thread_time() > deadline,
        )
    except ValueError:
        parser.reset()
        return False
    if tree.root_node.has_error:
        return False
    _TreeWalk(frame, builder).run(tree.root_node)
    return True


_Item = tuple[Any, tuple[int, int] | None, int]


class _TreeWalk:
    """One iterative pass over a tree-sitter tree, carrying pipeline position and nesting depth.

    The walk is iterative because tree-sitter nests ``a && b && c`` as a left-deep ``list`` tree,
    which recursion would exhaust on a long generated script.
    """

    def __init__(self, frame: _Frame, builder: _Builder) -> None:
        self.frame = frame
        self.builder = builder
        self.b2c = _byte_to_char(frame.text)
        self.extras: dict[int, list[tuple[int, int]]] = {}
        self.heredocs: dict[int, Any] = {}
        self.pipe_starts: dict[int, tuple[int, int]] = {}
        self.forced: dict[int, tuple[int, int]] = {}
        self.skip: set[int] = set()
        # (node, pipeline position, substitution depth)
        self.stack: list[_Item] = []

    def run(self, root: Any) -> None:
        stack = self.stack
        stack.append((root, None, 0))
        while stack:
            node, pipe, subst = stack.pop()
            if node.id in self.skip:
                continue
            pipe = self.forced.get(node.id, pipe)
            t = node.type
            if t == "command" or t in _DECLARATIONS:
                self.command(node, pipe, subst)
            elif t in _SUBSTITUTIONS:
                if self.frame.depth + subst < _MAX_NESTING:
                    self.push(node, None, subst + 1)
            elif t == "pipeline":
                self.pipeline(node, subst)
            elif t == "redirected_statement":
                self.redirected(node, pipe, subst)
            else:
                if t == "variable_assignment":
                    if node.parent is not None and node.parent.type not in ("command", "declaration_command"):
                        self.assignment(node, self.sequential(node))
                elif t in ("for_statement", "select_statement"):
                    for ch in node.children:
                        if ch.type == "variable_name":
                            a, b = self.rng(ch)
                            self.builder.assign(self.frame.text[a:b], None, False)
                elif t == "function_definition":
                    self.builder.assign("", None, False)
                self.push(node, pipe, subst)

    def push(self, node: Any, pipe: tuple[int, int] | None, subst: int, but: Any = None) -> None:
        self.stack.extend((ch, pipe, subst) for ch in reversed(node.children) if ch.child_count and ch != but)

    def rng(self, node: Any) -> tuple[int, int]:
        if self.b2c is None:
            return node.start_byte, node.end_byte
        return self.b2c[node.start_byte], self.b2c[node.end_byte]

    def word_ranges(self, node: Any, out: list[tuple[int, int]]) -> None:
        s, e = self.rng(node)
        raw = self.frame.text[s:e]
        if node.type == "word" and (" " in raw or "\t" in raw):
            # tree-sitter-bash 0.25 reads ``echo ] } {`` as one word
            out.extend((s + m.start(), s + m.end()) for m in _SPLIT_WORD.finditer(raw))
        else:
            out.append((s, e))

    def redirect_extras(self, node: Any, out: list[tuple[int, int]]) -> None:
        """tree-sitter reads ``>f arg`` as a redirect to two words; the second is an argument."""
        if node.type == "file_redirect":
            for extra in [c for c in node.named_children if c.type != "file_descriptor"][1:]:
                self.word_ranges(extra, out)

    def command(self, node: Any, pipe: tuple[int, int] | None, subst: int) -> None:
        ranges: list[tuple[int, int]] = []
        n_assign = 0
        for ch in node.children:
            ct = ch.type
            if ct in _SKIP_IN_COMMAND:
                self.redirect_extras(ch, ranges)
            elif ct == "variable_assignment" and len(ranges) == n_assign:
                ranges.append(self.rng(ch))
                n_assign += 1
            elif ct == "command_name":
                ranges.append(self.rng(ch))
            else:
                self.word_ranges(ch, ranges)
        ranges.extend(self.extras.get(node.id, ()))
        ranges, n_assign = _merge_touching(ranges, n_assign)
        frame, builder = self.frame, self.builder
        cmd = builder.add(frame, ranges, n_assign, pipe, subst > 0)
        body = None
        if cmd is not None:
            if cmd.name in _SETTERS or node.type in _DECLARATIONS:
                self.sets_variables(node, cmd)
            k = builder.nested_shell(frame, cmd, ranges)
            if k is not None:
                body = ranges[k]
            elif node.id in self.heredocs and _reads_stdin_script(cmd):
                heredoc = self.heredocs[node.id]
                self.skip.add(heredoc.id)
                s, e = self.rng(heredoc)
                _parse_posix(frame.child(s, e, nested=True), builder)
        s, e = self.rng(node)
        if "(" in frame.text[s:e] or "`" in frame.text[s:e]:
            but = next((ch for ch in node.children if self.rng(ch) == body), None)
            self.push(node, None, subst, but)

    def sequential(self, node: Any) -> bool:
        """Does ``node`` run exactly once, in the script's own shell, whatever came before it?

        Only a chain of ``;`` and ``&&`` up to the top qualifies: not a branch, loop, function,
        subshell, pipeline or substitution, nor the right of ``||``.
        """
        child, parent = node, node.parent
        while parent is not None:
            if parent.type not in _SEQUENTIAL:
                return False
            if parent.type == "list":
                prev = child.prev_sibling
                if prev is not None and prev.type == "||":
                    return False
            child, parent = parent, parent.parent
        return True

    def assignment(self, node: Any, sequential: bool, known: bool = True) -> None:
        """``NAME=value`` (or ``+=``) run by the shell itself, not a command's environment."""
        s, e = self.rng(node)
        raw = self.frame.text[s:e]
        m = _ASSIGNMENT.match(raw)
        if m is None:
            return
        head = m.group()
        name = re.match(r"\w+", head).group()  # type: ignore[union-attr]
        lookup = self.builder.lookup
        value = _literal(raw[m.end() :], lookup) if known and "[" not in head else None
        if head.endswith("+=") and value is not None:
            before = lookup(name)
            value = None if before is None else before + value
        self.builder.assign(name, value, sequential)

    def sets_variables(self, node: Any, cmd: Command) -> None:
        """Variables a builtin sets: ``export``/``readonly``/``declare``, ``read``, ``set --``..."""
        sequential = self.sequential(node)
        assign = self.builder.assign
        args = [w.text for w in cmd.args]
        if node.type == "declaration_command":
            plain = all(a in _PLAIN_DECLARE for a in args if a[:1] in "-+")
            for ch in node.children:
                if ch.type == "variable_assignment":
                    self.assignment(ch, sequential, plain)
        elif cmd.name in ("source", ".", "eval"):
            assign("", None, sequential)
        elif cmd.name == "set":
            if "--" in args:
                words = cmd.args[args.index("--") + 1 :]
                literal = all(not _UNQUOTED_SPECIAL.search(w.raw) for w in words)
                values = [w.text for w in words]
                assign("@", " ".join(values) if literal else None, sequential)
                assign("*", " ".join(values) if literal else None, sequential)
                for k in range(1, 10):
                    assign(
                        str(k), (values[k - 1] if k <= len(values) else "") if literal else None, sequential
                    )
            elif any(a[:1] not in "-+" for a in args if a not in _SET_LETTERS.values()):
                for name in _POSITIONAL:
                    assign(name, None, sequential)
        elif cmd.name == "shift":
            for name in _POSITIONAL:
                assign(name, None, sequential)
        else:
            # unset, read, getopts, mapfile, printf -v, let: whatever they set is unknown here
            for a in args:
                m = _ASSIGNMENT.match(a + "=")
                if m is not None and a[:1] != "-":
                    assign(re.match(r"\w+", a).group(), None, sequential)  # type: ignore[union-attr]

    def pipeline(self, node: Any, subst: int) -> None:
        pid, first = self.pipe_starts.get(node.id) or (self.builder.new_pipeline(), 0)
        elements = [ch for ch in node.named_children if ch.type != "comment"]
        items: list[_Item] = []
        for k, ch in enumerate(elements):
            if ch.type == "list":
                # tree-sitter-bash 0.25 reads ``a | b | c && d`` as ``a | (b | c && d)``: only the
                # list's first operand continues the pipeline.
                head = ch
                while head.type == "list" and head.named_child_count:
                    head = head.named_children[0]
                if head.type == "pipeline":
                    self.pipe_starts[head.id] = (pid, first + k)
                else:
                    self.forced[head.id] = self.builder.element(pid, first + k)
                items.append((ch, None, subst))
            else:
                items.append((ch, self.builder.element(pid, first + k), subst))
        self.stack.extend(reversed(items))

    def redirected(self, node: Any, pipe: tuple[int, int] | None, subst: int) -> None:
        """Redirects hang off a statement; a heredoc may carry the rest of a pipeline with it."""
        body = node.named_children[0] if node.named_child_count else None
        last = _last_command(body)
        for ch in node.named_children[1:]:
            if last is not None:
                self.redirect_extras(ch, self.extras.setdefault(last.id, []))
            if ch.type != "heredoc_redirect":
                continue
            for sub in ch.named_children:
                if sub.type == "heredoc_body" and body is not None:
                    self.heredocs.setdefault(body.id, sub)
                elif sub.type == "pipeline" and pipe is None:
                    # ``cat <<EOF | sh``: the pipeline after the heredoc marker sits inside it
                    pid = self.builder.new_pipeline()
                    self.pipe_starts[sub.id] = (pid, 1)
                    pipe = self.builder.element(pid, 0)
        self.stack.extend(
            (ch, pipe if ch == body else None, subst) for ch in reversed(node.children) if ch.child_count
        )


# ---------------------------------------------------------------- fallback lexer

_WORD, _OP, _REDIR, _SKIPPED = 0, 1, 2, 3
_OPERATOR_RE = re.compile(r";;&|&&|\|\||;;|;&|\|&|[;|&()]")
_PLAIN_RE = re.compile(r"[^\s;&|()<>'\"`\\$=]+")
_REDIR_RE = re.compile(r"\d*(?:<<<|<<-|<<|<>|>>|>&|<&|>\||&>>|&>|>|<)")
_KEYWORDS = frozenset({"!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until",
                       "esac", "function", "coproc"})  # fmt: skip
_HEREDOC_LINE = re.compile(r"[^\n]*(?:\n|$)")

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
                for line_m in _HEREDOC_LINE.finditer(text, i):
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
            j = _skip_nested(text, i + 1, ")")
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
                    pending.append((len(tokens) - 1, _unquote(delim)[0], m.group().endswith("-"), expands))
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
        i = _skip_nested(text, i + 2, ")")
    while i < n:
        plain = _PLAIN_RE.match(text, i)
        if plain is not None:
            i = plain.end()
            if i >= n:
                break
        c = text[i]
        if c in " \t\r\n;&|<>()\f\v":
            if c == "(" and text[i - 1 : i] == "=":
                i = _skip_nested(text, i + 1, ")")
                continue
            return i
        if c == "\\":
            i += 2
        elif c == "'":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
        elif c == '"':
            i = _skip_nested(text, i + 1, '"')
        elif c == "`":
            i = _skip_nested(text, i + 1, "`")
        elif c == "$" and i + 1 < n and text[i + 1] in "({'\"":
            nxt = text[i + 1]
            if nxt == "'":
                i = _skip_ansi(text, i + 2)
            else:
                i = _skip_nested(text, i + 2, {"(": ")", "{": "}", '"': '"'}[nxt])
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
            j = _skip_nested(raw, start, "`" if c == "`" else ")")
            yield start, (j - 1 if j <= n and raw[j - 1 : j] in ("`", ")") else j)
            i = j
        elif c == "$" and raw.startswith("{", i + 1):
            i = _skip_nested(raw, i + 2, "}")
        else:
            i += 1


def _parse_fallback(frame: _Frame, builder: _Builder, in_subst: bool = False) -> None:
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
        first = _text(text[words[0][0] : words[0][1]]) if words else ""
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
            while n_assign < len(ranges) and _ASSIGNMENT.match(text, ranges[n_assign][0]):
                n_assign += 1
            cmd = builder.add(frame, ranges, n_assign, pipe, in_subst)
            if cmd is not None:
                k = builder.nested_shell(frame, cmd, ranges)
                body = None if k is None else ranges[k]
                if k is None and bodies and _reads_stdin_script(cmd):
                    fed = bodies[-1]
                    hs, he, _ = heredocs[fed]
                    _parse_posix(frame.child(hs, he, nested=True), builder)
        if frame.depth >= _MAX_NESTING:
            continue
        for s, e in seen:
            raw = text[s:e]
            if (s, e) == body or ("(" not in raw and "`" not in raw):
                continue
            for a, b in _substitutions(raw):
                _parse_fallback(frame.child(s + a, s + b), builder, True)
        for index in bodies:
            hs, he, expands = heredocs[index]
            if index != fed and expands:
                for a, b in _substitutions(text[hs:he], heredoc=True):
                    _parse_fallback(frame.child(hs + a, hs + b), builder, True)


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


def _parse_windows(frame: _Frame, builder: _Builder, dialect: str) -> None:
    """PowerShell and cmd: split on ``;``, ``&&``, ``||``, ``|`` (and cmd's ``&``), quote-aware."""
    text = frame.text
    escape = "^" if dialect == "cmd" else "`"
    quotes = '"' if dialect == "cmd" else "\"'"
    ops = ("&&", "||", ";", "|", "&") if dialect == "cmd" else ("&&", "||", ";", "|")
    words: list[tuple[int, int]] = []
    pid: int | None = None
    index_in_pipe = 0
    n = len(text)
    i = 0
    while True:
        op = ""
        while i < n:
            c = text[i]
            if c.isspace():
                i += 1
                continue
            op = next((o for o in ops if text.startswith(o, i)), "")
            if op:
                i += len(op)
                break
            start = i
            while i < n and not text[i].isspace() and not any(text.startswith(o, i) for o in ops):
                if text[i] == escape:
                    i += 2
                elif text[i] in quotes:
                    j = text.find(text[i], i + 1)
                    i = n if j < 0 else j + 1
                else:
                    i += 1
            words.append((start, min(i, n)))
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


# ---------------------------------------------------------------- entry point


def _parse_posix(frame: _Frame, builder: _Builder) -> None:
    outer = builder.scope
    builder.scope = builder.new_scope()
    try:
        if not _parse_ts(frame, builder):
            builder.ok = False
            _parse_fallback(frame, builder)
    finally:
        builder.scope = outer


def _line_map(text: str) -> TextMap:
    textmap = TextMap()
    for line, m in enumerate(_HEREDOC_LINE.finditer(text), start=1):
        if m.end() > m.start():
            textmap.add(m.end() - m.start(), line, 1)
    return textmap


def _foreign_shebang(script: str) -> bool:
    """A heredoc body starting ``#!/usr/bin/env python`` is run by that interpreter, not sh."""
    if not script.startswith("#!"):
        return False
    parts = script[2:].split("\n", 1)[0].split()
    if parts and _basename(parts[0], False) == "env":
        parts = [p for p in parts[1:] if not p.startswith("-")]
    return bool(parts) and _basename(parts[0], False) not in _SHELLS


def parse_script(script: str, textmap: TextMap | None = None, *, dialect: str = "sh") -> Script:
    """Split a RUN script into commands; never raises, whatever the input.

    ``textmap`` locates each character of ``script`` in the Dockerfile; without one the script is
    taken to start at line 1, column 1. ``dialect`` is the RUN's shell: ``powershell``, ``pwsh`` and
    ``cmd`` get a rough split (parse_ok False), anything else is read as POSIX sh/bash.
    """
    frame = _Frame(script, textmap if textmap is not None else _line_map(script))
    if dialect in _WINDOWS or _foreign_shebang(script):
        builder = _Builder()
        if dialect in _WINDOWS:
            _parse_windows(frame, builder, dialect)
        return builder.script(False)
    # The guards are a last resort: the fuzz tests run the parsers unguarded.
    try:
        builder = _Builder()
        _parse_posix(frame, builder)
        return builder.script(True)
    except Exception:
        pass
    try:
        builder = _Builder()
        _parse_fallback(frame, builder)
        return builder.script(False)
    except Exception:
        return Script([], set(), False, False, [])


def _bash_language() -> object:
    """tree-sitter-bash's grammar pointer, loaded straight from its extension module.

    The package's ``__init__`` imports ``importlib.resources`` (and with it tempfile, shutil and
    the compression modules) for query files dfcheck never reads: a few milliseconds on every
    start-up of a pre-commit hook.
    """
    import importlib.machinery
    import importlib.util
    import os

    spec = importlib.util.find_spec("tree_sitter_bash")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for name in sorted(os.listdir(folder)):
            if name.startswith("_binding.") and name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
                loader = importlib.machinery.ExtensionFileLoader(
                    "tree_sitter_bash._binding", os.path.join(folder, name)
                )
                module_spec = importlib.util.spec_from_loader(loader.name, loader)
                if module_spec is not None:
                    module = importlib.util.module_from_spec(module_spec)
                    loader.exec_module(module)
                    return module.language()
    import tree_sitter_bash

    return tree_sitter_bash.language()
