"""The tree-sitter-bash parser: its grammar, loaded on first use, and the walk from its tree to commands.

tree-sitter-bash is fast and knows the whole grammar; its tree is walked once, iteratively (a
long ``a && b && ...`` chain is a tree as deep as the chain is long), and the walk derives from
the parent what it needs to know about a node's context, never walking back up: ``node.parent``
costs time proportional to the node's depth. The walk also repairs the cases where the grammar
silently misreads valid scripts (see :func:`_merge_touching`, :meth:`_TreeWalk.pipeline`,
:func:`_last_command`).
"""

from __future__ import annotations

import re
import time
from itertools import pairwise
from typing import Any

from dfcheck.regex import lazy
from dfcheck.shell.builder import ASSIGNMENT, MAX_NESTING, SET_LETTERS, Builder, reads_stdin_script
from dfcheck.shell.frame import Frame
from dfcheck.shell.quoting import word_text
from dfcheck.shell.script import Command

# tree-sitter's error recovery is quadratic on some broken input ("()" repeated: 1 s for 12 KB,
# 72 s for 100 KB), so a parse that overruns its budget (seconds, plus seconds per byte: ten
# times what valid scripts take) is abandoned for the linear fallback lexer. The budget is this
# thread's CPU time, so that a busy machine cannot change which parser a script gets. A broken pipeline of
# thousands of stages is recovered at end of input without progress reports (30 s for
# "a | " * 25000), so scripts with that many pipes skip tree-sitter altogether.
_TS_BUDGET = (0.05, 2e-6)
_TS_MAX_PIPES = 1000
_TS: Any = None  # (Parser class, Language, thread-local storage), or () without tree-sitter


def ts_parser() -> Any:
    """This thread's tree-sitter parser, or None if tree-sitter is not installed.

    Imported on first use so that startup stays cheap. One parser per thread: a parse reading
    its input through Python callbacks lets another thread in, and a parser is not reentrant.
    """
    global _TS
    if _TS is None:
        try:
            # threading.local without importing threading (1 ms of every cold start).
            from _thread import _local

            import tree_sitter

            _TS = (tree_sitter.Parser, tree_sitter.Language(_bash_language()), _local())
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
_UNQUOTED_SPECIAL = lazy(r"[$`\\*?\[~]")
_VARIABLE = lazy(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")
_SPLIT_WORD = lazy(r"(?:\\.|\S)+", re.S)


def _literal(raw: str, lookup: Any) -> str | None:
    """The value of an assignment's right side written ``raw``, or None if it is not static.

    Quotes are removed; ``$NAME`` and ``${NAME}`` are replaced by ``lookup(NAME)``, the script's
    own earlier value, and make the whole value unknown when that is None. Anything else
    that expands (``$(...)``, backquotes, ``${X:-y}``, ``~``, arrays) makes it unknown too.
    """
    if raw[:1] in ("(", "~") or ":~" in raw or "`" in raw:
        return None
    if "$" not in raw:
        return word_text(raw)
    if "'" in raw or "\\" in raw or "$" in _VARIABLE.sub("", raw):
        return None
    unknown = False

    def value(m: re.Match[str]) -> str:
        nonlocal unknown
        found = lookup(m.group(1) or m.group(2))
        unknown = unknown or found is None
        return found or ""

    text = _VARIABLE.sub(value, word_text(raw))
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


def parse_tree_sitter(frame: Frame, builder: Builder) -> bool:
    """Walk tree-sitter's tree into ``builder``; False when there is no clean tree."""
    parser = ts_parser()
    if parser is None or frame.text.count("|") > _TS_MAX_PIPES:
        return False
    data = frame.text.encode("utf-8", "surrogatepass")
    # tree-sitter reads its input again after each heredoc line (2 reads per line): slices of a
    # memoryview cost nothing, where copied 64 KB slices made a long heredoc body quadratic.
    # (Handing it the bytes directly would be simplest, but then it ignores progress_callback.)
    view = memoryview(data)
    deadline = time.thread_time() + _TS_BUDGET[0] + _TS_BUDGET[1] * len(data)
    try:
        tree = parser.parse(
            lambda offset, _point: view[offset : offset + 65536],
            progress_callback=lambda _offset, _has_error: time.thread_time() > deadline,
        )
    except ValueError:
        parser.reset()
        return False
    if tree.root_node.has_error:
        return False
    _TreeWalk(frame, builder).run(tree.root_node)
    return True


# (node, pipeline position, substitution depth, the parent's type, runs once in sequence)
_Item = tuple[Any, tuple[int, int] | None, int, str, bool]


class _TreeWalk:
    """One iterative pass over a tree-sitter tree, carrying pipeline position and nesting depth.

    The walk is iterative because tree-sitter nests ``a && b && c`` as a left-deep ``list`` tree,
    which recursion would exhaust on a long generated script.
    """

    def __init__(self, frame: Frame, builder: Builder) -> None:
        self.frame = frame
        self.builder = builder
        self.b2c = _byte_to_char(frame.text)
        self.extras: dict[int, list[tuple[int, int]]] = {}
        self.heredocs: dict[int, Any] = {}
        self.pipe_starts: dict[int, tuple[int, int]] = {}
        self.forced: dict[int, tuple[int, int]] = {}
        self.skip: set[int] = set()
        self.stack: list[_Item] = []

    def run(self, root: Any) -> None:
        stack = self.stack
        stack.append((root, None, 0, "", True))
        while stack:
            node, pipe, subst, parent, once = stack.pop()
            if node.id in self.skip:
                continue
            pipe = self.forced.get(node.id, pipe)
            t = node.type
            if t == "command" or t in _DECLARATIONS:
                self.command(node, pipe, subst, once)
            elif t in _SUBSTITUTIONS:
                if self.frame.depth + subst < MAX_NESTING:
                    self.push(node, None, subst + 1, once)
            elif t == "pipeline":
                self.pipeline(node, subst)
            elif t == "redirected_statement":
                self.redirected(node, pipe, subst, once)
            else:
                if t == "variable_assignment":
                    if parent not in ("", "command", "declaration_command"):
                        self.assignment(node, once)
                elif t in ("for_statement", "select_statement"):
                    for ch in node.children:
                        if ch.type == "variable_name":
                            a, b = self.rng(ch)
                            self.builder.assign(self.frame.text[a:b], None, False)
                elif t == "function_definition":
                    self.builder.assign("", None, False)
                self.push(node, pipe, subst, once)

    def push(self, node: Any, pipe: tuple[int, int] | None, subst: int, once: bool, but: Any = None) -> None:
        """Visit the children of ``node`` next (but ``but``); ``once``: ``node`` runs once, in order.

        A child runs exactly once, in the script's own shell, whatever came before it, when its
        parent does and only a chain of ``;`` and ``&&`` links them: not a branch, loop,
        function, subshell, pipeline or substitution, nor the right of ``||``.
        """
        t = node.type
        once = once and t in _SEQUENTIAL
        items: list[_Item] = []
        before = ""
        for ch in node.children:
            if ch.child_count and ch != but:
                items.append((ch, pipe, subst, t, once and not (before == "||" and t == "list")))
            before = ch.type
        self.stack.extend(reversed(items))

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

    def command(self, node: Any, pipe: tuple[int, int] | None, subst: int, once: bool) -> None:
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
                self.sets_variables(node, cmd, once)
            k = builder.nested_shell(frame, cmd, ranges)
            if k is not None:
                body = ranges[k]
            elif node.id in self.heredocs and reads_stdin_script(cmd):
                heredoc = self.heredocs[node.id]
                self.skip.add(heredoc.id)
                s, e = self.rng(heredoc)
                builder.stdin_script(frame, s, e)
        s, e = self.rng(node)
        if "(" in frame.text[s:e] or "`" in frame.text[s:e]:
            but = next((ch for ch in node.children if self.rng(ch) == body), None)
            self.push(node, None, subst, once, but)

    def assignment(self, node: Any, sequential: bool, known: bool = True) -> None:
        """``NAME=value`` (or ``+=``) run by the shell itself, not a command's environment."""
        s, e = self.rng(node)
        raw = self.frame.text[s:e]
        m = ASSIGNMENT.match(raw)
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

    def sets_variables(self, node: Any, cmd: Command, sequential: bool) -> None:
        """Variables a builtin sets: ``export``/``readonly``/``declare``, ``read``, ``set --``..."""
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
            elif any(a[:1] not in "-+" for a in args if a not in SET_LETTERS.values()):
                for name in _POSITIONAL:
                    assign(name, None, sequential)
        elif cmd.name == "shift":
            for name in _POSITIONAL:
                assign(name, None, sequential)
        else:
            # unset, read, getopts, mapfile, printf -v, let: whatever they set is unknown here
            for a in args:
                m = ASSIGNMENT.match(a + "=")
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
                items.append((ch, None, subst, "pipeline", False))
            else:
                items.append((ch, self.builder.element(pid, first + k), subst, "pipeline", False))
        self.stack.extend(reversed(items))

    def redirected(self, node: Any, pipe: tuple[int, int] | None, subst: int, once: bool) -> None:
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
            (ch, pipe if ch == body else None, subst, node.type, once)
            for ch in reversed(node.children)
            if ch.child_count
        )


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
