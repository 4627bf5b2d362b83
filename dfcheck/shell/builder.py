"""Turning word ranges into :class:`~dfcheck.shell.script.Command` objects, for either parser.

Both parsers find where the words of each simple command lie; the :class:`Builder` does the rest
the same way for both: quote removal, peeling wrappers (``sudo``, ``env X=1``), parsing the script
of a nested shell (``sh -c '...'``, ``bash <<EOF``), numbering pipelines, and tracking variables.
"""

from __future__ import annotations

from collections.abc import Callable

from dfcheck.regex import lazy
from dfcheck.shell.flags import WRAPPERS
from dfcheck.shell.frame import Frame
from dfcheck.shell.quoting import unquote, windows_text, word_text
from dfcheck.shell.script import Assignment, Command, Script, Word

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash"})
# Nested shells and substitutions deeper than this are left unparsed: every level repeats the
# text of the levels inside it, so pathological nesting would cost quadratic time; and each
# level is a few Python frames, so these also bound the parsers' recursion.
MAX_DEPTH = 8
MAX_NESTING = 16

SET_LETTERS = {
    "a": "allexport", "b": "notify", "e": "errexit", "f": "noglob", "h": "hashall", "k": "keyword",
    "m": "monitor", "n": "noexec", "p": "privileged", "t": "onecmd", "u": "nounset", "v": "verbose",
    "x": "xtrace", "B": "braceexpand", "C": "noclobber", "E": "errtrace", "H": "histexpand",
    "P": "physical", "T": "functrace",
}  # fmt: skip

#: ``NAME=``, ``NAME+=`` or ``NAME[i]=`` at the start of a word.
ASSIGNMENT = lazy(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")

#: How a Builder parses a POSIX script it finds nested in another (parse.py's parse_posix).
NestedParser = Callable[[Frame, "Builder"], None]


class Builder:
    """Collects commands and pipelines from one top-level script and its nested pieces.

    ``parse_nested`` parses the script of a nested shell into this builder; it is handed in
    because it uses both parsers, which themselves build with a Builder.
    """

    __slots__ = (
        "assignments", "commands", "known", "n_scopes", "ok", "parse_nested", "pipelines", "poisoned", "scope",
        "scopes", "sizes",
    )  # fmt: skip

    def __init__(self, parse_nested: NestedParser) -> None:
        self.parse_nested = parse_nested
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
        frame: Frame,
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
        clean = windows_text if windows else word_text
        words = [Word.located(clean(text[s:e]), text[s:e], frame, s, e) for s, e in ranges]
        assignments = words[:n_assign]
        wrappers: list[str] = []
        i = n_assign
        while True:
            name = basename(words[i].text, windows)
            spec = None if windows else WRAPPERS.get(name)
            if spec is None:
                break
            j, extra = _unwrap(name, spec, words, i + 1)
            if j is None:
                break
            wrappers.append(name)
            assignments.extend(extra)
            i = j
        cmd = Command(
            name=basename(words[i].text, windows),
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

    def nested_shell(self, frame: Frame, cmd: Command, ranges: list[tuple[int, int]]) -> int | None:
        """Parse the script of ``sh -c '...'``; returns the index in ``ranges`` of the script word."""
        if cmd.name not in SHELLS or frame.depth >= MAX_DEPTH:
            return None
        body = _shell_c_body(cmd)
        if body is None:
            return None
        k = len(cmd.words) - len(cmd.args) + body
        s, e = ranges[k]
        text, positions = unquote(frame.text[s:e])
        self.parse_nested(frame.mapped(text, [s + p for p in positions]), self)
        return k

    def stdin_script(self, frame: Frame, start: int, end: int) -> None:
        """Parse ``[start, end)`` of ``frame``, a heredoc a shell reads as its script (``bash <<EOF``).

        Such a heredoc inside another nests one level more; past :data:`MAX_DEPTH` the body is
        left unparsed, as for ``sh -c``.
        """
        if frame.depth < MAX_DEPTH:
            self.parse_nested(frame.child(start, end, nested=True), self)

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


def basename(text: str, windows: bool) -> str:
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
        while i < n and ASSIGNMENT.match(words[i].text):
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


def reads_stdin_script(cmd: Command) -> bool:
    """``bash -e <<EOF``: a shell with no -c and no script file reads its script from the heredoc."""
    if cmd.name not in SHELLS:
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
                elif letter in SET_LETTERS:
                    target(SET_LETTERS[letter])
    return on
