"""Layered, validated configuration.

defaults < ``pyproject.toml [tool.dfcheck]`` or ``.dfcheck.toml`` (found upward from each
Dockerfile) < ``.hadolint.yaml`` when no dfcheck config exists < ``DFCHECK_*`` environment < CLI.
Every key is declared once in :data:`KEYS` (the Settings attribute it sets and the check of its
value); config files, the environment and the command line (:func:`overrides`) all go through
it, so a wrong key or type is a :class:`ConfigError` that names the key, never a silent default.

This module is on the start-up path of ``dfcheck check``: its records are :func:`frozen` or plain
slotted classes, which cost microseconds to define where a ``NamedTuple`` costs about a hundred.
"""

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dfcheck.lint.finding import Severity
from dfcheck.records import frozen


class ConfigError(Exception):
    """A configuration problem; the CLI prints it on one line and exits 2."""


#: The default of every mapping field: shared, so typed read-only (a Settings never changes it).
_EMPTY: Mapping[str, Any] = {}


@frozen
class Settings:
    """Everything that changes how a file is linted; immutable, derive changes with :meth:`replace`."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: Opt-in rules to turn on without replacing the default selection.
    extend_select: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = _EMPTY
    #: Findings at or above this level fail the run; None never fails.
    failure_threshold: Severity | None = Severity.INFO
    pragmas: bool = True
    target: str | None = None
    build_args: Mapping[str, str] = _EMPTY
    trusted_registries: tuple[str, ...] = ()
    label_schema: Mapping[str, str] = _EMPTY
    strict_labels: bool = False
    rule_options: Mapping[str, Mapping[str, Any]] = _EMPTY
    #: Left out of directory discovery: a bare name matches at any depth, a pattern with a slash
    #: is anchored at the directory of the file that set it (stored absolute, see :func:`_anchor`).
    exclude: tuple[str, ...] = ()
    shellcheck: bool = True
    #: Rules whose fixes ``--fix`` may apply (empty: every rule), rules whose fixes it never
    #: applies, and rules whose unsafe fixes it applies as if they were safe.
    fixable: tuple[str, ...] = ()
    unfixable: tuple[str, ...] = ()
    extend_safe_fixes: tuple[str, ...] = ()
    #: Where the settings came from, for messages.
    source: str = "defaults"

    def replace(self, **changes: Any) -> "Settings":
        """A copy with ``changes`` applied."""
        return Settings(**{name: getattr(self, name) for name in _SETTINGS} | changes)


_SETTINGS = tuple(Settings.__annotations__)


def _strings(value: object) -> tuple[str, ...]:
    """A list of strings, or one string of items separated by commas or spaces (the environment's form)."""
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError("must be a list of strings")


def _threshold(value: object) -> Severity | None:
    if isinstance(value, str):
        if value.strip().lower() == "none":
            return None
        try:
            return Severity.parse(value)
        except ValueError:
            pass
    raise ValueError(f"must be one of error, warning, info, style, none (got {value!r})")


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _str_table(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float)) for v in value.values()):
        raise ValueError("must be a table of strings")
    return {str(k): str(v) for k, v in value.items()}


def _severities(value: object) -> dict[str, Severity]:
    levels = _str_table(value)
    try:
        return {code.upper(): Severity.parse(level) for code, level in levels.items()}
    except ValueError:
        raise ValueError(f"must map rules to error, warning, info or style (got {levels})") from None


def _rule_options(value: object) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError("must be a table of tables, e.g. [tool.dfcheck.rules.<name>]")
    from dfcheck.lint.registry import rule_class, rules_matching

    options: dict[str, dict[str, Any]] = {}
    for name, opts in value.items():
        rules = rules_matching(name)
        if len(rules) != 1:
            raise ValueError(f"names no rule: '{name}'")
        rule = rule_class(rules[0])
        for opt, val in opts.items():
            if opt not in rule.options:
                known = ", ".join(sorted(rule.options)) or "none"
                raise ValueError(f"has no option '{name}.{opt}' (known: {known})")
            default = rule.options[opt]
            if default is not None and not isinstance(val, type(default)):
                raise ValueError(
                    f"option '{name}.{opt}' must be {type(default).__name__}, got {type(val).__name__}"
                )
        options[rule.code] = dict(opts)
    return options


class Key:
    """One configuration key: the Settings attribute it sets, the check that types its value, and
    its line in the README's table of keys (generated by :func:`markdown_table`, compared by a test)."""

    __slots__ = ("attr", "check", "env", "form", "help")

    def __init__(self, attr: str, check: Callable[[Any], object], form: str, help: str, env: bool = False):
        self.attr = attr
        #: Raw value (TOML, YAML, environment or command line) -> typed value; ValueError says why not.
        self.check = check
        #: The value's form, for the README.
        self.form = form
        self.help = help
        #: Also read from ``DFCHECK_<KEY>`` (the keys whose value fits in one string).
        self.env = env


_RULES = "list of rules"
KEYS: dict[str, Key] = {
    "select": Key(
        "select",
        _strings,
        _RULES,
        "Only these rules: codes (DF101), prefixes (DF1: every cache rule), names (latest-tag) or aliases "
        "(DL3007); default: every rule that is on by default.",
        True,
    ),
    "extend-select": Key("extend_select", _strings, _RULES, "Also these rules, e.g. opt-in ones.", True),
    "ignore": Key("ignore", _strings, _RULES, "Skip these rules.", True),
    "severity": Key(
        "severity", _severities, "table: rule -> level", 'Change a rule\'s severity: `{ DF702 = "error" }`.'
    ),
    "failure-threshold": Key(
        "failure_threshold",
        _threshold,
        "error, warning, info, style or none",
        "Exit 1 on findings at or above this level: error, warning, info (the default), style or none (never).",
        True,
    ),
    "pragmas": Key("pragmas", _flag, "true or false", "Honour inline ignore comments (default: true)."),
    "target": Key(
        "target", _string, "stage name", "The stage that is built and ships (default: the last).", True
    ),
    "build-args": Key(
        "build_args", _str_table, "table: name -> value", "Build arguments, as `docker build --build-arg`."
    ),
    "trusted-registries": Key(
        "trusted_registries",
        _strings,
        "list of registries",
        "Where base images may come from (DF606); `*` globs.",
        True,
    ),
    "label-schema": Key(
        "label_schema",
        _str_table,
        "table: label -> type",
        "Labels every image must carry, with hadolint's types (DF812-DF815).",
    ),
    "strict-labels": Key(
        "strict_labels",
        _flag,
        "true or false",
        "Also report labels that `label-schema` does not list (DF813).",
    ),
    "rules": Key(
        "rule_options",
        _rule_options,
        "table per rule",
        "Per-rule options, `[tool.dfcheck.rules.<name>]`; each rule's page lists them.",
    ),
    "exclude": Key(
        "exclude",
        _strings,
        "list of globs",
        "Left out when a directory is checked: a bare name (`vendor`, `*.tmpl.Dockerfile`) matches at any depth, "
        "a pattern with a slash (`build/*`) is relative to the configuration file's directory. "
        "Files named on the command line are still checked.",
        True,
    ),
    "shellcheck": Key(
        "shellcheck",
        _flag,
        "true or false",
        "Run ShellCheck on RUN scripts when it is installed (default: true).",
    ),
    "fixable": Key(
        "fixable", _strings, _RULES, "Rules whose fixes `--fix` may apply (default: every rule).", True
    ),
    "unfixable": Key("unfixable", _strings, _RULES, "Rules whose fixes `--fix` never applies.", True),
    "extend-safe-fixes": Key(
        "extend_safe_fixes",
        _strings,
        _RULES,
        "Rules whose unsafe fixes `--fix` applies without `--unsafe-fixes`.",
        True,
    ),
}


def markdown_table() -> str:
    """The README's table of configuration keys."""
    rows = ["| key | value | meaning | environment |", "|---|---|---|---|"]
    for key, spec in KEYS.items():
        env = f"`{env_var(key)}`" if spec.env else ""
        rows.append(f"| `{key}` | {spec.form} | {spec.help} | {env} |")
    return "\n".join(rows) + "\n"


def env_var(key: str) -> str:
    return "DFCHECK_" + key.upper().replace("-", "_")


def _anchor(pattern: str, root: Path) -> str:
    """An ``exclude`` pattern with a slash, made absolute under ``root`` (as ruff's ``exclude``)."""
    pattern = pattern.rstrip("/")
    if "/" not in pattern or os.path.isabs(pattern):
        return pattern
    return os.path.normpath(os.path.join(root, pattern))


def check_value(key: str, value: object, root: Path) -> tuple[str, object]:
    """(Settings attribute, typed value) for one key; ValueError says what is wrong with the value.

    ``root`` anchors relative ``exclude`` patterns: the directory of the file that sets them.
    """
    spec = KEYS.get(key)
    if spec is None:
        raise ValueError(f"unknown key '{key}' (known: {', '.join(sorted(KEYS))})")
    if key == "exclude":
        return spec.attr, tuple(_anchor(p, root) for p in _strings(value))
    return spec.attr, spec.check(value)


def apply_table(
    settings: Settings,
    table: Mapping[str, object],
    where: str,
    root: Path | None = None,
    names: Mapping[str, str] | None = None,
) -> Settings:
    """Merge one ``[tool.dfcheck]``-shaped table into settings, validating every key.

    ``names`` shows a key under the name the user wrote (``.hadolint.yaml`` spells them its way).
    """
    changes: dict[str, Any] = {"source": where}
    for key, value in table.items():
        shown = (names or {}).get(key, key)
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key '{shown}' (known: {', '.join(sorted(KEYS))})")
        try:
            attr, checked = check_value(key, value, Path.cwd() if root is None else root)
        except ValueError as exc:
            raise ConfigError(f"{where}: '{shown}' {exc}") from None
        changes[attr] = checked
    return settings.replace(**changes)


class Overrides:
    """Settings given on the command line: applied over config files and the environment."""

    __slots__ = ("given", "values")

    def __init__(self, values: Settings | None = None, given: frozenset[str] = frozenset()) -> None:
        self.values = Settings() if values is None else values
        #: The attributes the command line set (a None threshold is a value: ``--failure-threshold none``).
        self.given = given

    def apply(self, settings: Settings) -> Settings:
        if not self.given:
            return settings
        return settings.replace(**{attr: getattr(self.values, attr) for attr in self.given})


def overrides(table: Mapping[str, object], names: Mapping[str, str]) -> Overrides:
    """Command-line values of config keys -> Overrides, checked as a config file's would be.

    A bad value raises ValueError naming the option (``names[key]``, e.g. ``--failure-threshold``).
    """
    changes: dict[str, Any] = {}
    for key, value in table.items():
        try:
            attr, checked = check_value(key, value, Path.cwd())
        except ValueError as exc:
            raise ValueError(f"{names.get(key, key)} {exc}") from None
        changes[attr] = checked
    return Overrides(Settings().replace(**changes), frozenset(changes))


def env_table() -> dict[str, str]:
    """``DFCHECK_<KEY>`` variables for the keys that have one (empty ones are unset)."""
    return {key: value for key, spec in KEYS.items() if spec.env and (value := os.environ.get(env_var(key)))}


def _read(path: Path, encoding: str = "utf-8") -> str:
    from dfcheck.dockerfile.source import read_regular

    try:
        data = read_regular(str(path))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(encoding)
        raise ConfigError(f"{path}:{_position(before, len(before))}: invalid UTF-8") from None


def _position(text: str, offset: int) -> str:
    """``line:col`` of a character offset, both 1-based, the column in code points."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{col}"


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    text = _read(path)
    try:
        loaded: dict[str, Any] = tomllib.loads(text)
        return loaded
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r" \(at (?:line (\d+), column (\d+)|end of document)\)$", message)
        if at is None:
            raise ConfigError(f"{path}: invalid TOML: {message}") from None
        where = f"{at[1]}:{at[2]}" if at[1] else _position(text, len(text))
        raise ConfigError(f"{path}:{where}: invalid TOML: {message[: at.start()]}") from None


def _load_yaml(path: Path) -> object:
    """YAML without aliases: ``*ref`` can expand a 1 kB file into gigabytes ("billion laughs")."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not supported", mark)
            return super().compose_node(parent, index)

    text = _read(path, "utf-8-sig")
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.reader.ReaderError as exc:
        raise ConfigError(f"{path}:{_position(text, exc.position)}: invalid YAML: {exc.reason}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {' '.join(str(exc).split())}") from None


#: ``.hadolint.yaml`` keys -> dfcheck keys, so people can migrate without rewriting the file.
_HADOLINT_KEYS = {
    "ignored": "ignore",
    "trustedRegistries": "trusted-registries",
    "failure-threshold": "failure-threshold",
    "label-schema": "label-schema",
    "strict-labels": "strict-labels",
}
_EMPTY_WHEN_NULL: dict[str, object] = {"ignore": [], "trusted-registries": [], "label-schema": {}}


def _hadolint_table(path: Path) -> dict[str, object]:
    data = _load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    table: dict[str, object] = {}
    for theirs, ours in _HADOLINT_KEYS.items():
        if theirs in data:
            # An empty list or mapping is often written as a bare key; a bare scalar is an error.
            table[ours] = _EMPTY_WHEN_NULL.get(ours) if data[theirs] is None else data[theirs]
    override = data.get("override") or {}
    if not isinstance(override, dict):
        raise ConfigError(f"{path}: 'override' must be a mapping of level -> rule list")
    severity: dict[str, object] = {}
    for level, codes in override.items():
        if codes is None:
            continue
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{path}: 'override.{level}' must be a list of rule codes")
        severity.update(dict.fromkeys(codes, level))
    if severity:
        table["severity"] = severity
    return table


def find_config(
    start: Path, known: dict[Path, tuple[Path, str] | None] | None = None
) -> tuple[Path, str] | None:
    """Nearest config upward from ``start``: (path, kind) with kind "dfcheck", "pyproject" or
    "hadolint", looking up to the repository root; a dfcheck config wins over a nearer
    ``.hadolint.yaml``.

    ``known`` keeps each directory's answer: over a run's files, each directory is looked at and
    each ``pyproject.toml`` read once. The search is a loop, not a recursion, so a directory
    thousands of levels deep has a configuration too; a name the system cannot look at (a path
    longer than it allows) holds no configuration, as a missing one does.
    """
    known = {} if known is None else known
    folder = start if _probe(start, Path.is_dir) else start.parent
    pending: list[tuple[Path, tuple[Path, str] | None]] = []
    while folder not in known:
        own = _config_in(folder)
        if (
            (own is not None and own[1] != "hadolint")
            or folder.parent == folder
            or _probe(folder / ".git", Path.exists)
        ):
            known[folder] = own
            break
        pending.append((folder, own))
        folder = folder.parent
    found = known[folder]
    for folder, own in reversed(pending):
        found = found if found is not None and (own is None or found[1] != "hadolint") else own
        known[folder] = found
    return found


def _config_in(folder: Path) -> tuple[Path, str] | None:
    """The config file in ``folder`` itself: ``.dfcheck.toml``, a ``pyproject.toml`` with a
    ``[tool.dfcheck]`` table, or a ``.hadolint.yaml``."""
    pyproject = folder / "pyproject.toml"
    if _probe(folder / ".dfcheck.toml", Path.is_file):
        return folder / ".dfcheck.toml", "dfcheck"
    if _probe(pyproject, Path.is_file) and _configures_dfcheck(pyproject):
        return pyproject, "pyproject"
    return next(
        (
            (folder / n, "hadolint")
            for n in (".hadolint.yaml", ".hadolint.yml")
            if _probe(folder / n, Path.is_file)
        ),
        None,
    )


def _probe(path: Path, test: Callable[[Path], bool]) -> bool:
    """``test(path)``, False where pathlib would raise (a name too long, a permission denied)."""
    try:
        return test(path)
    except OSError:
        return False


def resolved(path: Path, memo: dict[Path, Path]) -> Path:
    """``os.path.realpath(path)``, built on the nearest ancestor ``memo`` has already resolved.

    Resolving each directory of a deep tree from the root costs the square of its depth in
    system calls (a tree 1,000 levels deep took seconds); a name that is not a symbolic link
    (nor ``..``) resolves to its resolved parent joined with the name.
    """
    chain: list[Path] = []
    here = path
    while here not in memo:
        if here.parent == here or here.name == ".." or _probe(here, Path.is_symlink):
            memo[here] = Path(os.path.realpath(here))  # Path.resolve raises on a symlink loop
            break
        chain.append(here)
        here = here.parent
    for item in reversed(chain):
        memo[item] = memo[item.parent] / item.name
    return memo[path]


def _configures_dfcheck(pyproject: Path) -> bool:
    """Does this ``pyproject.toml`` have a ``[tool.dfcheck]`` table?

    A file that never says "dfcheck" has none, and is not parsed: importing tomllib and parsing
    a Python project's ``pyproject.toml`` would cost ``dfcheck check`` about a millisecond of
    start-up in every Python repository.
    """
    from dfcheck.dockerfile.source import read_regular

    try:
        if b"dfcheck" not in read_regular(str(pyproject)):
            return False
    except (OSError, ValueError):
        pass  # _load_toml reports it
    return _tool_table(pyproject, _load_toml(pyproject)) is not None


def _tool_table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """The ``[tool.dfcheck]`` table of a TOML document, None when it has none."""
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table")
    table = tool.get("dfcheck")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.dfcheck] must be a table")
    return table


def load_file(path: Path, kind: str, base: Settings) -> Settings:
    """Settings from one config file over ``base``.

    ``.dfcheck.toml`` takes its keys at the top level (as ``ruff.toml`` does) or, so that the
    ``pyproject.toml`` form can be pasted, under ``[tool.dfcheck]``; not both.
    """
    root = path.resolve().parent
    if kind == "hadolint":
        names = {ours: theirs for theirs, ours in _HADOLINT_KEYS.items()} | {"severity": "override"}
        return apply_table(base, _hadolint_table(path), str(path), root, names)
    data = _load_toml(path)
    table = _tool_table(path, data)
    if kind == "pyproject":
        return apply_table(base, table or {}, str(path), root)
    if table is None:
        return apply_table(base, data, str(path), root)
    if len(data) > 1 or len(data["tool"]) > 1:
        raise ConfigError(
            f"{path}: settings go either at the top level or under [tool.dfcheck], "
            "with nothing else beside them"
        )
    return apply_table(base, table, str(path), root)
