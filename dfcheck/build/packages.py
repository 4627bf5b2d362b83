"""What RUN rules need to know about package managers and other programs.

Which flags take a separate value (so that ``--virtual .deps`` is not read as a package), which
words are operands, how a pinned version looks, and what an ``rm`` removes.
"""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING

from dfcheck.regex import lazy
from dfcheck.shell.flags import VALUE_FLAGS

if TYPE_CHECKING:
    from dfcheck.shell import Command, Word


def is_pip(cmd: Command) -> bool:
    """``pip``, ``pip3``, ``pip3.12`` — or ``python -m pip`` (see :func:`pip_args`)."""
    return pip_args(cmd) is not None


def pip_args(cmd: Command) -> tuple[Word, ...] | None:
    """Arguments after ``pip`` for ``pip ...``, ``python -m pip ...`` and ``uv pip ...``."""
    name = cmd.name
    if not name.startswith(("pip", "python")):
        return None
    if name.rstrip("0123456789.") == "pip":
        return cmd.args
    if name.rstrip("0123456789.") == "python":
        texts = [w.text for w in cmd.args]
        for i in range(len(texts) - 1):
            if texts[i] == "-m" and texts[i + 1] == "pip":
                return cmd.args[i + 2 :]
            if not texts[i].startswith("-"):
                return None
    return None


def positionals(args: tuple[Word, ...] | list[Word], value_flags: frozenset[str]) -> list[Word]:
    """Non-flag words of ``args``; flags in ``value_flags`` consume the next word."""
    out: list[Word] = []
    i = 0
    while i < len(args):
        t = args[i].text
        i += 1
        if t == "--":
            out.extend(args[i:])
            break
        if len(t) > 1 and t.startswith("-"):
            name = t.split("=", 1)[0]
            if "=" not in t and (
                name in value_flags or (not t.startswith("--") and f"-{t[-1]}" in value_flags)
            ):
                i += 1
            continue
        out.append(args[i - 1])
    return out


def operands(cmd: Command, program: str | None = None, args: tuple[Word, ...] | None = None) -> list[Word]:
    """Positional words of ``cmd`` with the value flags of ``program`` (default: its own name).

    Several rules ask this of the same command; the answer is kept while the command is alive
    (the entry holds the command, so its id cannot be reused), in a cache bounded in size.
    """
    words = cmd.args if args is None else args
    key = (id(words), program or cmd.name)
    hit = _OPERANDS.get(key)
    if hit is not None and hit[0] is words:
        return list(hit[1])
    found = positionals(words, VALUE_FLAGS.get(program or cmd.name, frozenset()))
    if len(_OPERANDS) >= _OPERANDS_LIMIT:
        _OPERANDS.clear()
    _OPERANDS[key] = (words, tuple(found))
    return found


_OPERANDS: dict[tuple[int, str], tuple[tuple[Word, ...], tuple[Word, ...]]] = {}
_OPERANDS_LIMIT = 4096


def _synonyms(table: str) -> dict[str, str]:
    """``"install: in localinstall; ..."`` -> ``{"in": "install", "localinstall": "install", ...}``."""
    out: dict[str, str] = {}
    for entry in table.split(";"):
        verb, _, others = entry.partition(":")
        out.update(dict.fromkeys(others.split(), verb.strip()))
    return out


#: The abbreviations and synonyms package managers accept for their commands, so that rules ask
#: about one name: ``dnf in`` is ``dnf install``, ``zypper dup`` is ``zypper dist-upgrade``. dnf 4
#: and 5 share the aliases; ``yum`` is dnf on RHEL 8 and later, and microdnf is judged alike.
VERB_SYNONYMS: dict[str, dict[str, str]] = {
    "dnf": _synonyms(
        "install: in localinstall; reinstall: rei; remove: rm erase; upgrade: up update upgrade-to update-to"
        " localupdate; upgrade-minimal: up-min update-minimal; downgrade: dg;"
        " distro-sync: dsync distrosync distribution-synchronization; makecache: mc"
    ),
    "zypper": _synonyms(
        "install: in; remove: rm; update: up; dist-upgrade: dup; source-install: si; verify: ve;"
        " install-new-recommends: inr; refresh: ref; clean: cc"
    ),
}
VERB_SYNONYMS["yum"] = VERB_SYNONYMS["microdnf"] = VERB_SYNONYMS["dnf"]


def canonical_verb(program: str, text: str) -> str:
    """``canonical_verb("dnf", "in")`` -> ``"install"``; other words are returned as they are."""
    return VERB_SYNONYMS.get(program, {}).get(text, text)


def verb(
    cmd: Command, program: str | None = None, args: tuple[Word, ...] | None = None
) -> tuple[Word, str] | None:
    """The command's verb (its first operand) and the verb's canonical name: ``dnf -y in x`` ->
    (``in``, ``"install"``); None for a command without operands."""
    words = operands(cmd, program, args)
    return (words[0], canonical_verb(program or cmd.name, words[0].text)) if words else None


def install_targets(
    cmd: Command, verbs: tuple[str, ...], program: str | None = None, args: tuple[Word, ...] | None = None
) -> list[Word] | None:
    """Package words after an install verb (``apt-get install a b``, ``dnf in a b`` -> [a, b]), or None.

    ``verbs`` are canonical names (:data:`VERB_SYNONYMS`).
    """
    words = operands(cmd, program, args)
    if not words or canonical_verb(program or cmd.name, words[0].text) not in verbs:
        return None
    return words[1:]


def covers(target: str, path: str) -> bool:
    """Is ``path`` inside ``target``? A ``~/`` path is inside any home directory's copy of it."""
    if target == "/":
        return True
    if not path.startswith("~/"):
        path = path.rstrip("/")
        return path == target or path.startswith(target + "/")
    rel = path[2:].rstrip("/").split("/")
    parts = target.strip("/").split("/")
    if parts == ["root"] or (len(parts) == 2 and parts[0] == "home"):
        return True
    return any(parts[-k:] == rel[:k] for k in range(1, min(len(rel), len(parts)) + 1))


def removes(cmds: list[Command], path: str) -> bool:
    """Does an ``rm`` remove ``path``, its contents or a directory above it? Globs and braces count.

    A ``~/`` path is a home directory's: ``rm -rf ~/.npm``, ``$HOME/.npm``, ``/root/.npm`` and
    ``/home/app/.npm`` all remove ``~/.npm``.
    """
    return Removals(cmds).remove(path)


class Removals:
    """What the ``rm`` commands of ``cmds`` remove, as patterns worked out once, for asking
    :func:`removes` about many paths (each question re-read the arguments and expanded braces)."""

    def __init__(self, cmds: list[Command]) -> None:
        self._words = [w.text for cmd in cmds if cmd.name == "rm" for w in positionals(cmd.args, frozenset())]
        self._patterns: dict[bool, list[str]] = {}

    def _for(self, home: bool) -> list[str]:
        patterns = self._patterns.get(home)
        if patterns is None:
            patterns = self._patterns[home] = []
            for text in self._words:
                for pattern in _braces((_HOME.sub("/root", text) if home else text).rstrip("/")):
                    for suffix in ("/*", "/**"):
                        pattern = pattern.removesuffix(suffix)
                    if pattern:
                        patterns.append(pattern)
        return patterns

    def remove(self, path: str) -> bool:
        if not self._words:
            return False
        home = path.startswith("~/")
        if home:
            path = "/root/" + path[2:]
        parts = path.rstrip("/").split("/")
        prefixes = ["/".join(parts[:k]) for k in range(2, len(parts) + 1)]
        return any(fnmatch.fnmatchcase(p, pattern) for pattern in self._for(home) for p in prefixes)


_HOME = lazy(r"^(?:~|\$HOME|\$\{HOME\}|/home/[^/]+)(?=/|$)")


def _braces(text: str) -> list[str]:
    m = re.search(r"\{([^{}]*,[^{}]*)\}", text)
    if not m:
        return [text]
    return [x for part in m.group(1).split(",") for x in _braces(text[: m.start()] + part + text[m.end() :])]


def rpm_pinned(package: str) -> bool:
    """``name-version[-release]``: some dash-separated part after the name starts with a digit."""
    if package.endswith(".rpm") or "/" in package or package.startswith("@") or "*" in package:
        return True
    parts = package.split("-")[1:]
    return (
        bool(parts)
        and any(p[:1].isdigit() for p in parts)
        and all(re.fullmatch(r"[A-Za-z0-9.~^_:+]+", p) for p in parts)
    )
