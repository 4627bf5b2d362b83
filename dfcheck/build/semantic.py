"""The semantic view of one Dockerfile: what each step executes, computed once and shared.

:class:`~dfcheck.dockerfile.model.Model` knows the stages and, per instruction, the variables, shell,
working directory and user in effect. This layer adds what needs the shell parser: the scripts a
RUN executes and their simple commands. Rules, the cache model and the history replay all ask the
same object, so each RUN is parsed once per file.
"""

from __future__ import annotations

from dfcheck.build.ecosystems import Operation, operation
from dfcheck.dockerfile.model import Model, join_path
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import TextMap
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy
from dfcheck.shell import Command, Script

#: Programs that run a heredoc body fed to them as a shell script (``RUN bash <<EOF``).
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_HEREDOC_MARKER = lazy(r"\d*<<-?\S+")
_SHELL_SHEBANG = lazy(r"\b(ba|da|a|z)?sh\b")
#: Commands that bring a source tree into the build from elsewhere (installs that follow them work
#: on that tree, not on the build context).
_FETCHERS = frozenset({"git", "svn", "hg", "curl", "wget", "tar", "unzip", "gh"})


class PackageOp(NamedTuple):
    """One dependency operation of a RUN, where it runs (``cwd``, absolute) and in which script."""

    operation: Operation
    cwd: str
    script: Script
    #: An earlier command of the script fetched a tree (``git clone``, a downloaded archive).
    after_fetch: bool


class Semantics:
    def __init__(self, model: Model) -> None:
        self.model = model
        self._scripts: dict[int, list[Script]] = {}
        self._operations: dict[int, list[PackageOp]] = {}
        self._commands: dict[int, list[Command]] = {}

    def scripts(self, ins: Instruction) -> list[Script]:
        """Shell scripts a RUN executes: its shell-form command, or its heredoc bodies."""
        if ins.keyword != "RUN" or ins.is_json:
            return []
        found = self._scripts.get(id(ins))
        if found is None:
            found = self._scripts[id(ins)] = self._parse_scripts(ins)
        return found

    def _parse_scripts(self, ins: Instruction) -> list[Script]:
        dialect = self.model.dialect(ins)
        out: list[Script] = []
        command = _HEREDOC_MARKER.sub("", ins.rest).strip() if ins.heredocs else ins.rest
        if command:
            out.append(_parse(ins.rest, ins.rest_map, dialect))
        words = command.split(None, 1)  # none when the command is white space only (\x1c is)
        first_word = words[0].rsplit("/", 1)[-1] if words else ""
        for doc in ins.heredocs:
            body = doc.content.lstrip()
            shebang = body.split("\n", 1)[0] if body.startswith("#!") else ""
            runs_as_shell = not command and (not shebang or _SHELL_SHEBANG.search(shebang))
            if runs_as_shell or first_word in _SHELLS:
                out.append(_parse(doc.content, doc.body_map, dialect))
        return out

    def commands(self, ins: Instruction) -> list[Command]:
        """Every simple command a RUN executes (``sh -c`` bodies included); none outside POSIX shells."""
        if ins.keyword != "RUN" or not self.model.facts(ins).posix:
            return []
        found = self._commands.get(id(ins))
        if found is None:
            found = self._commands[id(ins)] = [c for s in self.scripts(ins) for c in s.commands]
        return list(found)

    def operations(self, ins: Instruction) -> list[PackageOp]:
        """The dependency installs, fetches and builds a RUN performs, through ``&&``, ``;``, ``if``,
        ``sh -c``, heredocs and program names held in variables (``$PIP install``)."""
        if ins.keyword != "RUN":
            return []
        found = self._operations.get(id(ins))
        if found is None:
            found = self._operations[id(ins)] = self._find_operations(ins)
        return found

    def _find_operations(self, ins: Instruction) -> list[PackageOp]:
        facts = self.model.facts(ins)
        out: list[PackageOp] = []
        for script in self.scripts(ins):
            cwd = facts.workdir or "/"
            fetched = False
            for cmd in script.commands:
                name = cmd.name
                if name.startswith("$"):
                    variable = name.strip("${}")
                    name = script.value_at(variable, cmd) or facts.scope.get(variable) or name
                if name == "cd" and not (cmd.in_substitution or cmd.in_pipeline) and cmd.args:
                    target = self.model.expand(cmd.args[0].text, ins)
                    if "$" not in target and target != "-":
                        cwd = join_path(cwd, target)
                    continue
                if name in _FETCHERS and (name != "git" or cmd.subcommand in ("clone", "fetch", "pull")):
                    fetched = True
                found = operation(cmd, name)
                if found is not None:
                    out.append(PackageOp(found, cwd, script, fetched))
        return out


def _parse(text: str, tmap: TextMap, dialect: str) -> Script:
    """A parsed script, shared by lints of the same script at the same place (a language server
    re-lints on every keystroke; a run over many files meets the same RUN lines again)."""
    key = (text, dialect, tmap.key())
    script = _PARSED.get(key)
    if script is None:
        from dfcheck.shell import parse_script

        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        script = _PARSED[key] = parse_script(text, tmap, dialect=dialect)
    return script


_PARSED: dict[tuple[str, str, tuple[object, ...]], Script] = {}
_PARSED_LIMIT = 2048
