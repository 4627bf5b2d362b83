"""Layered, validated configuration.

defaults < ``pyproject.toml [tool.dfcheck]`` or ``.dfcheck.toml`` (found upward from each
Dockerfile) < ``.hadolint.yaml`` when no dfcheck config exists < ``DFCHECK_*`` environment < CLI.
A wrong key or type is a :class:`ConfigError` that names the key, never a silent default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dfcheck.dockerfile.source import Record
from dfcheck.lint.finding import Severity


class ConfigError(Exception):
    """A configuration problem; the CLI prints it on one line and exits 2."""


_SETTINGS_FIELDS = (
    *("select", "ignore", "extend_select", "severity", "failure_threshold", "pragmas", "target"),
    *("build_args", "trusted_registries", "label_schema", "strict_labels", "rule_options", "exclude"),
    *("shellcheck", "source"),
)


class Settings(Record):
    """Immutable: derive changed settings with :meth:`replace`."""

    __slots__ = _SETTINGS_FIELDS
    _fields = _SETTINGS_FIELDS

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    #: Opt-in rules to turn on without replacing the default selection.
    extend_select: tuple[str, ...]
    severity: dict[str, Severity]
    failure_threshold: Severity | None
    pragmas: bool
    target: str | None
    build_args: dict[str, str]
    trusted_registries: tuple[str, ...]
    label_schema: dict[str, str]
    strict_labels: bool
    rule_options: dict[str, dict[str, Any]]
    exclude: tuple[str, ...]
    shellcheck: bool
    #: Where the settings came from, for messages.
    source: str

    def __init__(
        self,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        extend_select: tuple[str, ...] = (),
        severity: dict[str, Severity] | None = None,
        failure_threshold: Severity | None = Severity.INFO,
        pragmas: bool = True,
        target: str | None = None,
        build_args: dict[str, str] | None = None,
        trusted_registries: tuple[str, ...] = (),
        label_schema: dict[str, str] | None = None,
        strict_labels: bool = False,
        rule_options: dict[str, dict[str, Any]] | None = None,
        exclude: tuple[str, ...] = (),
        shellcheck: bool = True,
        source: str = "defaults",
    ) -> None:
        init = object.__setattr__
        init(self, "select", select)
        init(self, "ignore", ignore)
        init(self, "extend_select", extend_select)
        init(self, "severity", {} if severity is None else severity)
        init(self, "failure_threshold", failure_threshold)
        init(self, "pragmas", pragmas)
        init(self, "target", target)
        init(self, "build_args", {} if build_args is None else build_args)
        init(self, "trusted_registries", trusted_registries)
        init(self, "label_schema", {} if label_schema is None else label_schema)
        init(self, "strict_labels", strict_labels)
        init(self, "rule_options", {} if rule_options is None else rule_options)
        init(self, "exclude", exclude)
        init(self, "shellcheck", shellcheck)
        init(self, "source", source)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type[Settings], tuple[Any, ...]]:
        """Pickle and copy through ``__init__`` (assignment is refused)."""
        return (Settings, self._key())

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._key())

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (what ``dataclasses.replace`` did)."""
        values = {f: getattr(self, f) for f in _SETTINGS_FIELDS}
        values.update(changes)
        return Settings(**values)


_LIST_KEYS = {"select", "ignore", "extend-select", "trusted-registries", "exclude"}
_KEYS = _LIST_KEYS | {
    "severity",
    "failure-threshold",
    "pragmas",
    "target",
    "build-args",
    "label-schema",
    "strict-labels",
    "rules",
    "shellcheck",
}


def parse_threshold(text: str) -> Severity | None:
    if text.strip().lower() == "none":
        return None
    return Severity.parse(text)


def _str_list(key: str, value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _str_map(key: str, value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float)) for v in value.values()):
        raise ConfigError(f"{where}: '{key}' must be a table of strings")
    return {str(k): str(v) for k, v in value.items()}


def apply_table(settings: Settings, table: dict[str, Any], where: str) -> Settings:
    """Merge one ``[tool.dfcheck]``-shaped table into settings, validating every key."""
    changes: dict[str, Any] = {"source": where}
    for key, value in table.items():
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key '{key}' (known: {', '.join(sorted(_KEYS))})")
        attr = key.replace("-", "_")
        if key in _LIST_KEYS:
            changes[attr] = _str_list(key, value, where)
        elif key == "severity":
            levels = _str_map(key, value, where)
            try:
                changes["severity"] = {k.upper(): Severity.parse(v) for k, v in levels.items()}
            except ValueError as exc:
                raise ConfigError(f"{where}: 'severity': {exc}") from None
        elif key == "failure-threshold":
            if not isinstance(value, str):
                raise ConfigError(f"{where}: 'failure-threshold' must be a string")
            try:
                changes[attr] = parse_threshold(value)
            except ValueError as exc:
                raise ConfigError(f"{where}: 'failure-threshold': {exc}") from None
        elif key in ("pragmas", "strict-labels", "shellcheck"):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: '{key}' must be true or false")
            changes[attr] = value
        elif key == "target":
            if not isinstance(value, str):
                raise ConfigError(f"{where}: 'target' must be a string")
            changes[attr] = value
        elif key in ("build-args", "label-schema"):
            changes[attr] = _str_map(key, value, where)
        elif key == "rules":
            changes["rule_options"] = _rule_options(value, where)
    return settings.replace(**changes)


def _rule_options(value: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ConfigError(f"{where}: 'rules' must be a table of tables, e.g. [tool.dfcheck.rules.<name>]")
    from dfcheck.lint.registry import rules_matching

    options: dict[str, dict[str, Any]] = {}
    for name, opts in value.items():
        rules = rules_matching(name)
        if len(rules) != 1:
            raise ConfigError(f"{where}: 'rules.{name}': no such rule")
        rule = rules[0]
        for opt, val in opts.items():
            if opt not in rule.options:
                known = ", ".join(sorted(rule.options)) or "none"
                raise ConfigError(f"{where}: 'rules.{name}.{opt}': unknown option (known: {known})")
            default = rule.options[opt]
            if default is not None and not isinstance(val, type(default)):
                raise ConfigError(
                    f"{where}: 'rules.{name}.{opt}' must be {type(default).__name__}, got {type(val).__name__}"
                )
        options[rule.code] = dict(opts)
    return options


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _hadolint_table(path: Path) -> dict[str, Any]:
    """Translate ``.hadolint.yaml`` into dfcheck keys so people can migrate without rewriting it."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    table: dict[str, Any] = {}
    if "ignored" in data:
        table["ignore"] = data["ignored"] or []
    if "trustedRegistries" in data:
        table["trusted-registries"] = data["trustedRegistries"] or []
    if "failure-threshold" in data:
        table["failure-threshold"] = str(data["failure-threshold"])
    if "label-schema" in data:
        table["label-schema"] = data["label-schema"] or {}
    if "strict-labels" in data:
        table["strict-labels"] = bool(data["strict-labels"])
    override = data.get("override") or {}
    if not isinstance(override, dict):
        raise ConfigError(f"{path}: 'override' must be a mapping of level -> rule list")
    severity: dict[str, str] = {}
    for level, codes in override.items():
        for code in codes or []:
            severity[str(code)] = str(level)
    if severity:
        table["severity"] = severity
    return table


def find_config(start: Path) -> tuple[Path, str] | None:
    """Nearest config upward from ``start``: (path, kind) with kind "dfcheck", "pyproject" or "hadolint"."""
    directory = start if start.is_dir() else start.parent
    hadolint: tuple[Path, str] | None = None
    for folder in [directory, *directory.parents]:
        candidate = folder / ".dfcheck.toml"
        if candidate.is_file():
            return candidate, "dfcheck"
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "tool" in (data := _load_toml(pyproject)) and "dfcheck" in data["tool"]:
            return pyproject, "pyproject"
        for name in (".hadolint.yaml", ".hadolint.yml"):
            if hadolint is None and (folder / name).is_file():
                hadolint = (folder / name, "hadolint")
        if (folder / ".git").exists():
            break
    return hadolint


def load_file(path: Path, kind: str, base: Settings) -> Settings:
    if kind == "hadolint":
        return apply_table(base, _hadolint_table(path), str(path))
    data = _load_toml(path)
    table = data.get("tool", {}).get("dfcheck", {}) if kind == "pyproject" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.dfcheck] must be a table")
    return apply_table(base, table, str(path))


def env_table() -> dict[str, Any]:
    """``DFCHECK_<KEY>`` variables for the scalar and list keys."""
    table: dict[str, Any] = {}
    for key in sorted(_LIST_KEYS | {"failure-threshold", "target"}):
        value = os.environ.get("DFCHECK_" + key.upper().replace("-", "_"))
        if value:
            table[key] = value
    return table
