"""The rule API: what a rule declares, what the engine hands it, and the questions it may ask.

A rule is a class with a stable ``code``, a readable ``name`` and one or more ``check_*`` methods.
It declares what it looks at and the engine does the walking, once per file for all rules:

- ``instructions``: keywords whose instructions :meth:`Rule.check_instruction` receives, ONBUILD
  triggers unwrapped (``ins.parent`` is the ONBUILD);
- ``programs``: program names whose simple commands in POSIX ``RUN`` scripts (``sh -c`` bodies and
  shell heredocs included) :meth:`Rule.check_command` receives; ``ANY_PROGRAM`` for all;
- :meth:`Rule.check_run`, called for each ``RUN`` that a POSIX shell executes, for rules that
  relate the commands of one RUN to each other;
- :meth:`Rule.check_stage`, called after each stage's instructions, for "missing X" rules;
- :meth:`Rule.check_image`, called once with the image that ships (the target stage and the
  stages it is built FROM, root first), for rules about the final image as a whole;
- :meth:`Rule.check_file`, called once, for rules about the file as a whole;
- ``requires_instructions`` / ``requires_programs``: what a file must contain for the rule to
  find anything at all — an instruction with one of these keywords (ONBUILD triggers unwrapped;
  global ARGs before the first FROM do not count), a command of one of these programs in a POSIX
  RUN. The engine does not import or run the rule on other files, which keeps a cold start short;
  ``tests/test_rule_index.py`` lints both corpora with and without this skipping and compares;
- ``judged_stages``: ``"all"``, ``"shipped"`` (the target and the stages it is built FROM: rules
  about the image that ships, such as USER, HEALTHCHECK, CMD) or ``"unshipped"`` (build-only
  stages). The engine skips the other stages, so no rule filters stages itself. ONBUILD triggers
  count as shipped wherever they are: they run in, and ship with, every image built FROM theirs.

Defining the class registers it (:mod:`dfcheck.lint.registry`); its page (``<code>_<name>.md``
beside the module) is its documentation, its SARIF help and its test suite at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

from dfcheck.build.packages import covers
from dfcheck.build.semantic import Semantics
from dfcheck.dockerfile.model import Facts, Model, Mount, Stage
from dfcheck.dockerfile.parse import Dockerfile, Instruction
from dfcheck.dockerfile.source import LineIndex, Span
from dfcheck.lint import registry
from dfcheck.lint.config import Settings
from dfcheck.lint.finding import DISPLAY_ONLY, UNSAFE, Edit, Finding, Fix, Related, Severity
from dfcheck.regex import lazy

if TYPE_CHECKING:
    from dfcheck.build.context import BuildContext
    from dfcheck.build.ordering import Ordering, Problem
    from dfcheck.lint.pages import RulePage
    from dfcheck.lint.pragmas import Pragma
    from dfcheck.shell import Command, Script, Word

#: ``programs = ANY_PROGRAM``: every simple command of every POSIX RUN.
ANY_PROGRAM: frozenset[str] = frozenset({"*"})


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    enabled_by_default: ClassVar[bool] = True
    judged_stages: ClassVar[Literal["all", "shipped", "unshipped"]] = "all"
    instructions: ClassVar[frozenset[str]] = frozenset()
    programs: ClassVar[frozenset[str]] = frozenset()
    requires_instructions: ClassVar[frozenset[str]] = frozenset()
    requires_programs: ClassVar[frozenset[str]] = frozenset()
    #: Checked after ignore comments were applied: ``ctx.pragmas`` then says what each suppressed.
    after_suppression: ClassVar[bool] = False
    #: Default options, overridable under ``[tool.dfcheck.rules.<name>]``.
    options: ClassVar[dict[str, Any]] = {}
    tags: ClassVar[tuple[str, ...]] = ()
    precision: ClassVar[str] = "high"
    #: CVSS-like score for SARIF ``security-severity`` (security rules only).
    security_severity: ClassVar[float | None] = None
    #: The applicability of the fixes the rule offers ("safe", "unsafe", "display-only"), None
    #: when it offers none; its page then has a "Fix" section that runs as a test.
    fix_safety: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            registry.register(cls)

    @classmethod
    def info(cls) -> registry.RuleInfo:
        """What the engine needs to know of the rule before importing its module."""
        return registry.RuleInfo(
            cls.code,
            cls.name,
            tuple(cls.aliases),
            cls.enabled_by_default,
            cls.__module__,
            frozenset(cls.instructions),
            frozenset(cls.programs),
            any(
                getattr(cls, hook) is not getattr(Rule, hook)
                for hook in ("check_file", "check_stage", "check_image")
            ),
            cls.check_run is not Rule.check_run,
            frozenset(cls.requires_instructions),
            frozenset(cls.requires_programs),
        )

    @classmethod
    def category(cls) -> str:
        return registry.CATEGORIES.get(cls.code[:3], "other")

    @classmethod
    def page(cls) -> RulePage:
        from dfcheck.lint.pages import load_page

        return load_page(cls)

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterable[Finding]:
        return ()

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterable[Finding]:
        return ()

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterable[Finding]:
        return ()

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterable[Finding]:
        return ()

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterable[Finding]:
        return ()

    def check_file(self, ctx: RuleContext) -> Iterable[Finding]:
        return ()

    def finding(
        self,
        ctx: RuleContext,
        span: Span,
        message: str,
        *,
        fix: Fix | None = None,
        related: tuple[Related, ...] = (),
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            path=ctx.path,
            span=span,
            fix=fix,
            related=related,
            aliases=self.aliases,
            category=self.category(),
        )


class RuleContext:
    """What a rule sees of one file: the parsed file, its model and semantic view, the settings.

    A plain class: creating a dataclass costs ~0.3 ms of start-up.
    """

    def __init__(
        self,
        path: str,
        dockerfile: Dockerfile,
        model: Model,
        settings: Settings,
        file_path: Path | None = None,
        context_dir: Path | None = None,
        selected: frozenset[str] = frozenset(),
        context_given: bool = False,
    ) -> None:
        self.path = path
        self.dockerfile = dockerfile
        self.model = model
        self.semantics = Semantics(model)
        self.settings = settings
        #: The Dockerfile on disk (None for stdin), for rules that look at the build context.
        self.file_path = file_path
        self.context_dir = context_dir
        #: True when the user named the build context; otherwise it is assumed to be the
        #: Dockerfile's directory, which is wrong for ``docker build -f sub/Dockerfile .``.
        self.context_given = context_given
        #: Codes of the rules running on this file (an ignore comment for a rule that did not run
        #: cannot be judged unused).
        self.selected = selected
        #: The file's ignore comments, for ``after_suppression`` rules.
        self.pragmas: list[Pragma] = []
        self._context: BuildContext | None = None
        self._context_error: str | None = None

    # --- the model ------------------------------------------------------------------------------

    def facts(self, ins: Instruction) -> Facts:
        """Stage, variables, shell, WORKDIR and USER in effect before ``ins``."""
        return self.model.facts(ins)

    def ships(self, stage: Stage | None) -> bool:
        return self.model.ships(stage)

    @property
    def shipped_chain(self) -> list[Stage]:
        """The target stage and the stages it is built FROM, root first; [] without stages."""
        return self.model.shipped_chain

    @cached_property
    def needed(self) -> set[int]:
        """Indexes of the stages a build of the target executes (FROM parents, COPY --from, mounts)."""
        return self.model.needed_stages(self.settings.target)

    def stages(self) -> list[Stage]:
        return self.model.stages

    def all_instructions(self, *keywords: str) -> Iterator[Instruction]:
        """Every instruction of every stage (ONBUILD triggers included), in file order.

        For ``check_file`` rules that relate instructions across stages; rules about single
        instructions declare ``instructions`` instead.
        """
        for stage in self.model.stages:
            for ins in stage.instructions:
                for item in (ins, ins.trigger):
                    if item is not None and (not keywords or item.keyword in keywords):
                        yield item

    def expand(self, text: str, ins: Instruction) -> str:
        return self.model.expand(text, ins)

    def mounts(self, ins: Instruction) -> list[Mount]:
        return self.model.mounts(ins)

    def scripts(self, ins: Instruction) -> list[Script]:
        return self.semantics.scripts(ins)

    def commands(self, ins: Instruction) -> list[Command]:
        """Every simple command a RUN executes (nested ``sh -c`` bodies included); none under Windows."""
        return self.semantics.commands(ins)

    def last_user(self, chain: list[Stage]) -> Instruction | None:
        """The USER instruction the image of ``chain`` runs as (its last one), or None."""
        return next(
            (
                i
                for stage in reversed(chain)
                for i in reversed(stage.instructions)
                if i.keyword == "USER" and i.args
            ),
            None,
        )

    def user_at(self, ins: Instruction) -> str:
        """The user a RUN runs as (``root`` until a USER in its stage chain says otherwise)."""
        return self.model.facts(ins).user or "root"

    def option(self, rule: Rule, name: str) -> Any:
        return self.settings.rule_options.get(rule.code, {}).get(name, rule.options.get(name))

    @cached_property
    def build_context(self) -> BuildContext | None:
        """The build context, or None for stdin input and when its ignore file cannot be read."""
        if self.context_dir is None or not self.context_dir.is_dir():
            return None
        from dfcheck.build import context

        try:
            self._context = context.load(self.context_dir, self.file_path)
        except OSError as exc:  # the ignore file: Docker cannot send the context either
            self._context_error = str(exc)
        return self._context

    def context_problem(self) -> str | None:
        """What of the build context the rules needed and could not read (a file error), or None."""
        return self._context_error or (self._context.error if self._context is not None else None)

    @cached_property
    def cache_order(self) -> Ordering:
        """Dependency installs that re-run on every source edit because of the step order (DF101,
        DF151), computed once per file; the build context is consulted only when the file copies
        from it."""
        from dfcheck.build.ordering import analyse

        reads_context = any(
            ins.keyword in ("COPY", "ADD") and ins.flag("from") is None for ins in self.all_instructions()
        )
        return analyse(self.semantics, self.build_context if reads_context else None)

    # --- edits for fixes -----------------------------------------------------------------------

    @cached_property
    def line_index(self) -> LineIndex:
        """The file's line-start table, built once, for turning spans into edit offsets."""

        return LineIndex(self.dockerfile.text)

    def edit(self, span: Span, content: str) -> Edit:
        """Replace the text at ``span`` with ``content`` (an empty span inserts)."""
        start, end = self.line_index.offsets(span)
        return Edit(start, end, content)

    def insert_after(self, span: Span, content: str) -> Edit:
        """Insert ``content`` right after ``span`` (e.g. ``" -y"`` after ``install``)."""
        at = self.line_index.offset(span.end_line, span.end_col)
        return Edit(at, at, content)

    def insert_before(self, span: Span, content: str) -> Edit:
        at = self.line_index.offset(span.start_line, span.start_col)
        return Edit(at, at, content)

    def delete_word(self, span: Span) -> Edit:
        """Remove the token at ``span`` with the blanks after it (before it, at the end of a line),
        so the words around it stay one blank apart."""
        start, end = self.line_index.offsets(span)
        text = self.dockerfile.text
        after = end
        while after < len(text) and text[after] in " \t":
            after += 1
        if after > end and after < len(text) and text[after] not in "\r\n":
            return Edit(start, after, "")
        before = start
        while before > 0 and text[before - 1] in " \t":
            before -= 1
        return Edit(before, end, "")

    def append_command(self, ins: Instruction, command: str) -> Edit | None:
        """An edit running ``command`` after the whole script of a shell-form RUN, chained with
        ``&&``. A RUN written over several lines gets a continuation line of its own, indented
        like the last one and with ``&&`` where the file puts it (line ends or starts). None when
        the script's end is not a plain command end: JSON form, a heredoc, a trailing operator,
        ``;`` or a comment on the last line."""
        if ins.is_json or ins.heredocs or not ins.args:
            return None
        lines = self.dockerfile.lines
        last = lines[ins.span.end_line - 1] if ins.span.end_line <= len(lines) else ""
        body = last.rstrip(" \t")
        if not body or "#" in last or body[-1] in "&|;(":
            return None
        at = self.line_index.offset(ins.span.end_line, len(body) + 1)
        if ins.span.start_line == ins.span.end_line:
            return Edit(at, at, f" && {command}")
        esc = self.dockerfile.escape
        indent = body[: len(body) - len(body.lstrip(" \t"))] or "    "
        above = lines[ins.span.end_line - 2].rstrip(" \t") if ins.span.end_line >= 2 else ""
        if above.endswith(f"&& {esc}"):
            return Edit(at, at, f" && {esc}\n{indent}{command}")
        return Edit(at, at, f" {esc}\n{indent}&& {command}")

    def line_start(self, line: int) -> int:
        """The offset where 1-based ``line`` starts; past the last line, the end of the text."""
        if line > len(self.dockerfile.lines):
            return len(self.dockerfile.text)
        return self.line_index.offset(line, 1)

    def delete_lines(self, first: int, last: int) -> Edit:
        """Remove physical lines ``first`` to ``last`` (1-based, inclusive) with their line ends."""
        return Edit(self.line_start(first), self.line_start(last + 1), "")

    # --- questions RUN rules share --------------------------------------------------------------

    def word_values(
        self, ins: Instruction, word: Word, script: Script | None = None, cmd: Command | None = None
    ) -> list[str] | None:
        """The word's value split like the shell would, with ARG/ENV values substituted.

        Given the ``script`` and the ``cmd`` holding the word, a variable the script itself set
        earlier (``deps="curl gnupg"; apt-get install $deps``, ``set -- a b; ... "$@"``) takes that
        value instead, when it is a literal (:meth:`~dfcheck.shell.Script.value_at`). A name that only
        ARG or ENV instructions of other stages set is empty here (stages do not share variables).
        None when the word holds something unknowable here (command substitution, a variable set
        inside the script from something unknown, an ARG without a value, a name the file never
        sets, which the base image may): such words are never judged.
        """
        text = word.text
        if "$" not in text and "`" not in text:
            return [text]
        if _COMPLEX.search(_EXPANSION.sub("", text)):
            return None
        scope = self.model.scope_at(ins)
        values: dict[str, str] = {}
        for a, b in _EXPANSION.findall(text):
            name = a or b
            value: str | None = None
            if script is not None and cmd is not None:
                value = script.value_at(name, cmd)
                if value is None and script.assigns(name, cmd):
                    return None
            if value is None:
                value = scope.get(name) or (
                    "" if name not in scope and name in self._stage_variables else None
                )
            if value is None:
                return None
            values[name] = value
        value = _EXPANSION.sub(lambda m: values[m.group(1) or m.group(2)], text)
        return None if "$" in value else value.split()

    @cached_property
    def _stage_variables(self) -> frozenset[str]:
        """Names the ARG and ENV instructions of the stages set.

        Not the global ARGs: they usually name the base image's version (``ARG NODE_VERSION`` for
        ``FROM node:$NODE_VERSION``), which the official images also set with ENV.
        """
        return frozenset(p.key for ins in self.all_instructions("ARG", "ENV") for p in ins.pairs)

    def cache_mount(self, ins: Instruction, *paths: str, within: bool = False) -> bool:
        """Does the RUN mount a cache or a tmpfs at (or above) one of ``paths``? ``~/x`` matches any home.

        Either way nothing the RUN writes there stays in its layer, which is what cache rules ask
        (a tmpfs is the choice of a small layer over a warm cache, as a cleanup is).
        With ``within``, a mount on part of a path counts too (``/go/pkg/mod/cache`` for ``/go/pkg/mod``).
        """
        for mount in self.model.mounts(ins):
            if mount.type not in ("cache", "tmpfs"):
                continue
            target = self.model.expand(mount.target, ins).rstrip("/") or "/"
            for path in paths:
                if covers(target, path):
                    return True
                if within and path.startswith("~/") and f"/{path[2:].rstrip('/')}/" in target + "/":
                    return True
                if within and target.startswith(path.rstrip("/") + "/"):
                    return True
        return False


_T = TypeVar("_T")
_E = TypeVar("_E")
#: How many of the latest entries :meth:`ChainState.append` keeps.
RECENT = 256


class ChainState(Generic[_T]):
    """A value a rule carries down FROM chains: a stage starts with its parent's last value.

    The engine visits stages in file order, and a stage's parent comes before it, so by the time a
    stage asks, its parent's value is final. Store immutable values (a child must not change its
    parent's). Amortised O(1) per question, however long the chain.
    """

    def __init__(self, initial: _T) -> None:
        self.initial = initial
        self._at: dict[int, _T] = {}

    def get(self, stage: Stage) -> _T:
        missing: list[Stage] = []
        node: Stage | None = stage
        while node is not None and node.index not in self._at:
            missing.append(node)
            node = node.parent
        value = self._at[node.index] if node is not None else self.initial
        for item in reversed(missing):
            self._at[item.index] = value
        return value

    def set(self, stage: Stage, value: _T) -> None:
        self.get(stage)
        self._at[stage.index] = value

    def append(self: ChainState[tuple[_E, ...]], stage: Stage, items: Iterable[_E]) -> None:
        """Add ``items`` to a tuple value, keeping its latest :data:`RECENT` entries: a rule that
        kept every COPY (or user) of a long stage, copying and searching them at each step, was
        quadratic in the length of the file. A real Dockerfile has a few dozen."""
        new = tuple(items)
        if new:
            self.set(stage, (*self.get(stage), *new)[-RECENT:])


_PLAIN_PACKAGE = lazy(r"@?[A-Za-z0-9_][A-Za-z0-9_.+/-]*")
_EXPANSION = lazy(r"\$(?:\{(\w+|[@*])\}|(\w+|[@*]))")
_COMPLEX = lazy(r"\$|`")


def reorder_fix(ctx: RuleContext, problem: Problem, title: str) -> Fix | None:
    """The reordering of a cache-ordering problem as an unsafe fix: whole lines inserted and removed."""
    move = problem.reorder
    if move is None:
        return None
    at = ctx.line_start(move.before)
    edits = [Edit(at, at, "".join(move.lines))]
    edits += [ctx.delete_lines(first, last) for first, last in move.delete]
    return Fix(title, tuple(edits), UNSAFE)


class PinRule(Rule):
    """Flags an install command naming packages without pinned versions, at the first of them.

    Subclasses list their ``programs`` and give :meth:`packages` (the words to judge, or None for
    other commands) and :meth:`pinned`; words whose value cannot be known statically are skipped,
    and ARG/ENV values, or literal values the script gave the variable earlier, are substituted
    first (``apt-get install $PKGS``, ``deps="curl gnupg"; apt-get install $deps``).
    """

    hint: ClassVar[str] = ""
    #: How a package is pinned, ``{}`` standing for its name (``"{}=<version>"``); the display-only
    #: fix writes it for every package named literally.
    pin_format: ClassVar[str] = ""
    fix_safety = DISPLAY_ONLY

    def packages(self, cmd: Command) -> list[Word] | None:
        raise NotImplementedError

    def pinned(self, package: str) -> bool:
        raise NotImplementedError

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        loose: list[tuple[Word, str]] = []
        for word in self.packages(cmd) or ():
            values = ctx.word_values(ins, word, script, cmd)
            loose += [(word, v) for v in values or () if v and not self.pinned(v)]
        if loose:
            names = ", ".join(f"`{v}`" for _, v in loose[:3])
            more = f" and {len(loose) - 3} more" if len(loose) > 3 else ""
            edits = tuple(
                ctx.edit(word.span, pinned)
                for word, value in loose
                if word.raw == value and (pinned := self.pin(value)) is not None
            )
            fix = Fix("Pin the versions", edits, DISPLAY_ONLY) if edits else None
            yield self.finding(
                ctx, loose[0][0].span, f"Pin the version of {names}{more}: {self.hint}", fix=fix
            )

    def pin(self, package: str) -> str | None:
        """``package`` pinned with a ``<version>`` placeholder; None unless it is a plain name (a
        moving ``@latest`` suffix is replaced)."""
        name = package
        if "@" in name[1:]:
            name = name[: name.rindex("@")]
        if not self.pin_format or not _PLAIN_PACKAGE.fullmatch(name):
            return None
        return self.pin_format.format(name)
