"""The rulebook's index: loading the rule modules, and naming rules by code, prefix, name or alias.

Every place that accepts rule names — ``--select``/``--ignore``, config keys, severity overrides,
ignore comments, BuildKit's ``# check=skip=`` — matches through :func:`token_matches`, so a token
means the same thing everywhere.

Importing all 116 rule modules is most of a cold ``dfcheck check``'s start-up, and a file can only
trigger the rules that visit what it contains. So the engine selects and triggers rules from a
:class:`RuleInfo` index — what each rule is called, whether it is on by default, what it visits —
cached beside the byte code and checked against the rule files' sizes and modification times, and
imports a rule module only when the file in hand can make the rule run (:func:`rule_class`). The
index also holds each rule module's byte code, so importing one is an ``exec`` with no file to
find, stat, open and read (about 40 µs a module on a cold start).
"""

from __future__ import annotations

import importlib
import itertools
import marshal
import os
import re
import sys
from typing import TYPE_CHECKING

from dfcheck.records import field_names, frozen
from dfcheck.regex import lazy

if TYPE_CHECKING:
    from dfcheck.lint.rule import Rule

CATEGORIES = {
    "DF0": "syntax",
    "DF1": "cache",
    "DF2": "entrypoint",
    "DF3": "healthcheck",
    "DF4": "context",
    "DF5": "shell",
    "DF6": "security",
    "DF7": "reproducibility",
    "DF8": "style",
}

REGISTRY: dict[str, type[Rule]] = {}

_CODE_PREFIX = lazy(r"DF\d{0,3}", re.I)
#: The rulebook package; imported by name so the registry does not depend on it at import time.
RULES_PACKAGE = "dfcheck.rules"
#: Bumped when :class:`RuleInfo` or the index file changes shape; an index of another format is rebuilt.
_INDEX_FORMAT = 3


@frozen
class RuleInfo:
    """A rule as the engine sees it before importing its module."""

    code: str
    name: str
    aliases: tuple[str, ...]
    enabled_by_default: bool
    #: The dotted name of the module that defines the rule.
    module: str
    instructions: frozenset[str]
    programs: frozenset[str]
    #: It has ``check_file``, ``check_stage`` or ``check_image``: it runs on every file.
    whole_file: bool
    #: It has ``check_run``: it runs on every file with a RUN a POSIX shell executes.
    per_run: bool
    #: What a file must contain for the rule to find anything (see :class:`~dfcheck.lint.rule.Rule`).
    requires_instructions: frozenset[str]
    requires_programs: frozenset[str]

    def runs_on(self, keywords: frozenset[str], posix_run: bool, programs: frozenset[str]) -> bool:
        """Can the rule find anything in a file whose stages hold ``keywords`` (ONBUILD triggers
        included), with RUNs a POSIX shell executes (``posix_run``) calling ``programs``?

        ``programs`` holds ``*`` when some POSIX RUN has a command, so ``ANY_PROGRAM`` rules match it.
        """
        if self.requires_instructions and self.requires_instructions.isdisjoint(keywords):
            return False
        if self.requires_programs and self.requires_programs.isdisjoint(programs):
            return False
        return (
            self.whole_file
            or (self.per_run and posix_run)
            or not self.instructions.isdisjoint(keywords)
            or not self.programs.isdisjoint(programs)
        )


def register(rule: type[Rule]) -> None:
    """Called for each Rule subclass that defines a code; a code can be defined once only."""
    if rule.code in REGISTRY and REGISTRY[rule.code] is not rule:
        raise RuntimeError(f"rule code {rule.code} defined twice")
    REGISTRY[rule.code] = rule


def token_matches(token: str, code: str, name: str, aliases: tuple[str, ...]) -> bool:
    """Does ``token`` name this rule? An exact code, name or alias, a code prefix (``DF1``, ``DF``),
    or ``ALL``.

    Case does not matter. Findings of external checkers (ShellCheck's ``SC2086``) carry their own
    code, which matches exactly.
    """
    key = token.strip().upper()
    if key in ("ALL", "*"):
        return True
    if key in (code.upper(), name.upper()) or any(key == a.upper() for a in aliases):
        return True
    return bool(_CODE_PREFIX.fullmatch(key)) and code.upper().startswith(key)


def rules_matching(token: str) -> list[RuleInfo]:
    """The rules ``token`` names, in code order; [] when it names none."""
    return [r for c, r in sorted(rule_index().items()) if token_matches(token, r.code, r.name, r.aliases)]


def rule_class(info: RuleInfo) -> type[Rule]:
    """The rule's class, its module imported now if it was not yet."""
    rule = REGISTRY.get(info.code)
    if rule is None:
        package, _, stem = info.module.rpartition(".")
        path = os.path.join(_package_directory(package), stem + ".py")
        _exec_rule_module(package, stem, path, _byte_code.pop(info.module, None))
        rule = REGISTRY.get(info.code)
    if rule is None:  # the module no longer defines it: the files changed during this run
        raise LookupError(f"rule {info.code} is not defined by {info.module}")
    return rule


_loaded = False
#: The rulebook's index, read or built once per process (:func:`rule_index`).
_rulebook: dict[str, RuleInfo] | None = None
#: Marshalled byte code of the rule modules not imported yet, by module name, from the index.
_byte_code: dict[str, bytes] = {}


def load_rules() -> dict[str, type[Rule]]:
    """Import every rule module once; defining a Rule subclass registers it.

    Start-up grows with the rulebook, so the rule tree is listed directly and each module is
    executed from its file by the standard source loader (byte-code cache included), skipping the
    ``sys.path`` search that ``pkgutil.walk_packages`` + ``import_module`` repeat for every module
    (about 0.05 ms a module, measured with bench/run_bench.py).
    """
    global _loaded
    if not _loaded:
        package = importlib.import_module(RULES_PACKAGE)
        for directory in package.__path__:
            if os.path.isdir(directory):
                _import_tree(RULES_PACKAGE, directory)
            else:  # a zip or frozen install
                import pkgutil

                for info in pkgutil.walk_packages([directory], prefix=RULES_PACKAGE + "."):
                    importlib.import_module(info.name)
        _loaded = True
    return REGISTRY


def rule_index() -> dict[str, RuleInfo]:
    """Every rule by code, without importing the rule modules when the cached index is current.

    Rules defined outside the rulebook (tests define some) are included once their class exists.
    """
    global _rulebook
    if _rulebook is None:
        _rulebook = _read_index() or _build_index()
    extra = [rule for code, rule in REGISTRY.items() if code not in _rulebook]
    return {**_rulebook, **{r.code: r.info() for r in extra}} if extra else _rulebook


def _rules_directory() -> str | None:
    """The rulebook's one directory on disk; None for a zip or frozen install (no index then)."""
    package = importlib.import_module(RULES_PACKAGE)
    paths = list(package.__path__)
    return paths[0] if len(paths) == 1 and os.path.isdir(paths[0]) else None


def _index_path(directory: str) -> str:
    """Beside the rulebook's byte code (``sys.pycache_prefix`` respected), per Python version."""
    from importlib.util import cache_from_source

    pycache = os.path.dirname(cache_from_source(os.path.join(directory, "__init__.py")))
    return os.path.join(pycache, f"rule-index.{sys.implementation.cache_tag}.marshal")


def _stamp(paths: list[str]) -> tuple[tuple[str, int, int], ...]:
    """Path, size and modification time of each file: what the index was built from."""
    stamp = []
    for path in paths:
        st = os.stat(path)
        stamp.append((path, st.st_size, st.st_mtime_ns))
    return tuple(stamp)


def _rule_files(directory: str) -> list[str]:
    """The rule modules' files, ``<category>/<module>.py``, in name order."""
    files = []
    for category in sorted(os.listdir(directory)):
        folder = os.path.join(directory, category)
        if os.path.isfile(os.path.join(folder, "__init__.py")):
            files += [
                os.path.join(folder, e)
                for e in sorted(os.listdir(folder))
                if e.endswith(".py") and e != "__init__.py"
            ]
    return files


def _read_index() -> dict[str, RuleInfo] | None:
    """The cached index, or None when there is none or the rule files (or the modules their base
    classes come from) changed since it was written."""
    directory = _rules_directory()
    if directory is None:
        return None
    try:
        with open(_index_path(directory), "rb") as handle:
            form, stamp, bases, rows, byte_code = marshal.load(handle)
        if form != _index_format() or stamp != _stamp(_rule_files(directory) + list(bases)):
            return None
        index = {row[0]: RuleInfo(*row) for row in rows}
        _byte_code.update(byte_code)
        return index
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _build_index() -> dict[str, RuleInfo]:
    """Import every rule and describe it; cache the description unless byte code is not written."""
    rules = load_rules()
    index = {code: rule.info() for code, rule in sorted(rules.items())}
    directory = _rules_directory()
    if directory is not None and not sys.dont_write_bytecode:
        files = _rule_files(directory)
        mine = {os.path.abspath(f) for f in files}
        bases = sorted(
            {
                os.path.abspath(path)
                for rule in rules.values()
                for klass in rule.__mro__[1:]
                if (path := getattr(sys.modules.get(klass.__module__), "__file__", None))
                and os.path.abspath(path) not in mine
            }
        )
        rulebook = [i for i in index.values() if i.module.startswith(RULES_PACKAGE + ".")]
        rows = [tuple(getattr(i, name) for name in field_names(RuleInfo)) for i in rulebook]
        byte_code = {}
        for name in {i.module for i in rulebook}:
            get_code = getattr(getattr(sys.modules[name].__spec__, "loader", None), "get_code", None)
            code = get_code(name) if get_code is not None else None
            if code is not None:
                byte_code[name] = marshal.dumps(code)
        try:
            data = marshal.dumps(
                (_index_format(), _stamp(files + bases), tuple(bases), tuple(rows), byte_code)
            )
            _write_atomically(_index_path(directory), data)
        except (OSError, ValueError):
            pass  # a read-only install: every run imports every rule, as before the index
    return index


def _index_format() -> tuple[int, int]:
    """The index's shape and the byte code's optimisation level (``python -O`` strips asserts)."""
    return (_INDEX_FORMAT, sys.flags.optimize)


def _write_atomically(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _package_directory(package: str) -> str:
    module = sys.modules.get(package) or importlib.import_module(package)
    return str(next(iter(module.__path__)))


def _import_tree(package: str, directory: str) -> None:
    """Import the modules and subpackages below ``directory`` in walk_packages' order (by name, depth first)."""
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry)
        stem, dot, suffix = entry.partition(".")
        if suffix == "py" and stem != "__init__":
            _exec_rule_module(package, stem, path, _byte_code.pop(f"{package}.{stem}", None))
        elif not dot and os.path.isfile(os.path.join(path, "__init__.py")):
            importlib.import_module(f"{package}.{entry}")
            _import_tree(f"{package}.{entry}", path)


def _exec_rule_module(package: str, stem: str, path: str, byte_code: bytes | None = None) -> None:
    """Execute one rule module (once), from the index's ``byte_code`` or from its file, and check
    where it sits."""
    from importlib.util import module_from_spec, spec_from_file_location

    name = f"{package}.{stem}"
    if name in sys.modules:
        return
    parent = sys.modules[package] if package in sys.modules else importlib.import_module(package)
    spec = spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = module_from_spec(spec)
    sys.modules[name] = module
    known = len(REGISTRY)
    try:
        if byte_code is None:
            spec.loader.exec_module(module)
        else:
            exec(marshal.loads(byte_code), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    setattr(parent, stem, module)
    # The rules this module registered are the registry's newest entries (dicts keep order).
    _check_placement(list(itertools.islice(reversed(REGISTRY.values()), len(REGISTRY) - known)), path)


def _check_placement(defined: list[type[Rule]], path: str) -> None:
    """A rule module is ``<category>/<code>_<snake name>.py`` for the one rule it defines."""
    folder = os.path.basename(os.path.dirname(path))
    stem = os.path.splitext(os.path.basename(path))[0]
    for rule in defined:
        expected = f"{rule.code}_{rule.name.replace('-', '_')}"
        category = CATEGORIES.get(rule.code[:3], "")
        if stem != expected or folder != category:
            raise RuntimeError(
                f"rule {rule.code} {rule.name} must live in rules/{category}/{expected}.py, not {folder}/{stem}.py"
            )
