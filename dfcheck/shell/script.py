"""What a RUN script does, as rules see it: simple commands made of words, and variables set.

These types are the shell package's whole public surface; :func:`dfcheck.shell.parse_script`
builds them. Queries such as :meth:`Command.has_flag` read flags the way getopt would, with the
per-program table of :mod:`dfcheck.shell.flags`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dfcheck.dockerfile.source import Span
from dfcheck.records import NamedTuple
from dfcheck.shell.flags import NO_FLAGS, VALUE_FLAGS

if TYPE_CHECKING:
    from dfcheck.shell.frame import Frame

__all__ = ["Assignment", "Command", "Script", "Word"]

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
        self._at: tuple[Frame, int, int] | None = None

    @classmethod
    def located(cls, text: str, raw: str, frame: Frame, start: int, end: int) -> Word:
        """A word at ``[start, end)`` of ``frame``, its span worked out only if someone asks."""
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
        self, value_flags: frozenset[str], whole: frozenset[str] = NO_FLAGS
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
        return VALUE_FLAGS.get(self.name, NO_FLAGS)

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


class _Sets:
    """The assignments of one name in one shell, in script order, for binary search by position."""

    __slots__ = ("at", "order", "sequential", "values")

    def __init__(self) -> None:
        self.at: list[int] = []
        self.order: list[int] = []
        self.values: list[str | None] = []
        self.sequential = True


class Script:
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

    Read-only by convention. :meth:`value_at` and :meth:`assigns` index the commands and the
    assignments on first use, so that a rule asking about every word of a long script pays
    linear time, not quadratic.
    """

    __slots__ = (
        "_by_name", "_index", "assignments", "commands", "has_pipe", "parse_ok", "pipelines", "scopes", "sets",
    )  # fmt: skip

    def __init__(
        self,
        commands: list[Command],
        sets: set[str],
        parse_ok: bool,
        has_pipe: bool,
        pipelines: list[list[Command]],
        assignments: tuple[Assignment, ...] = (),
        scopes: tuple[int, ...] = (),
    ) -> None:
        self.commands = commands
        self.sets = sets
        self.parse_ok = parse_ok
        self.has_pipe = has_pipe
        self.pipelines = pipelines
        self.assignments = assignments
        self.scopes = scopes
        self._index: dict[int, int] | None = None
        self._by_name: dict[tuple[int, str], _Sets] | None = None

    def __repr__(self) -> str:
        return (
            f"Script(commands={self.commands!r}, sets={self.sets!r}, parse_ok={self.parse_ok!r},"
            f" has_pipe={self.has_pipe!r}, pipelines={self.pipelines!r}, assignments={self.assignments!r},"
            f" scopes={self.scopes!r})"
        )

    def _position(self, command: Command) -> tuple[int, int] | None:
        if self._index is None:
            self._index = {id(c): k for k, c in enumerate(self.commands)}
        k = self._index.get(id(command))
        if k is None or k >= len(self.commands) or self.commands[k] is not command:
            return None
        return k, self.scopes[k] if k < len(self.scopes) else 0

    def _sets_of(self, scope: int, name: str) -> _Sets | None:
        if self._by_name is None:
            self._by_name = {}
            for order, a in enumerate(self.assignments):
                found = self._by_name.get((a.scope, a.name))
                if found is None:
                    found = self._by_name[a.scope, a.name] = _Sets()
                found.at.append(a.at)
                found.order.append(order)
                found.values.append(a.value)
                found.sequential = found.sequential and a.sequential
        return self._by_name.get((scope, name))

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
        latest = -1
        value = None
        # an empty name stands for every variable (``. file``, ``eval``, a function)
        for key in {name, ""}:
            sets = self._sets_of(scope, key)
            if sets is None:
                continue
            if not sets.sequential:
                return None
            k = bisect_right(sets.at, index)
            if k and sets.order[k - 1] > latest:
                latest, value = sets.order[k - 1], sets.values[k - 1]
        return value

    def assigns(self, name: str, command: Command) -> bool:
        """Might the script have set ``name`` (by name) by the time ``command`` runs?

        When it did, an ``ARG`` or ``ENV`` value of the same name no longer holds.
        """
        where = self._position(command)
        if where is None:
            return False
        index, scope = where
        sets = self._sets_of(scope, name)
        return sets is not None and (not sets.sequential or sets.at[0] <= index)

    def uses(self, program: str) -> bool:
        return any(c.name == program or program in c.wrappers for c in self.commands)

    def find(self, program: str, subcommand: str | None = None) -> list[Command]:
        return [
            c
            for c in self.commands
            if c.name == program and (subcommand is None or c.subcommand == subcommand)
        ]
