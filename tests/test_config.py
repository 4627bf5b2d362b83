"""Configuration: Settings, the key declarations, and one-line errors for every broken config file."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from dfcheck.lint.config import (
    ConfigError,
    Overrides,
    Settings,
    apply_table,
    find_config,
    load_file,
    markdown_table,
    overrides,
)
from dfcheck.lint.finding import Severity

README = Path(__file__).resolve().parent.parent / "README.md"


def test_settings_fields_defaults_and_replace() -> None:
    settings = Settings()
    assert settings.select == () and settings.failure_threshold is Severity.INFO and settings.pragmas
    assert settings.severity == {} and settings.build_args == {} and settings.source == "defaults"
    changed = settings.replace(select=("DF1",), failure_threshold=None)
    assert changed.select == ("DF1",) and changed.failure_threshold is None
    assert settings.select == () and settings == Settings()
    assert Settings(select=("DF1",), failure_threshold=None) == changed
    with pytest.raises(AttributeError):
        settings.select = ("DF2",)  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.replace(selcet=("DF1",))
    with pytest.raises(TypeError):
        hash(settings)
    assert repr(Settings(select=("DF1",))).startswith("Settings(select=('DF1',), ignore=(), ")
    assert pickle.loads(pickle.dumps(changed)) == changed


def test_overrides_win_and_keep_a_none_threshold() -> None:
    cli = overrides({"failure-threshold": "none", "select": ["DF1"]}, {})
    base = Settings(ignore=("DF2",), failure_threshold=Severity.ERROR)
    assert cli.apply(base) == Settings(select=("DF1",), ignore=("DF2",), failure_threshold=None)
    assert Overrides().apply(base) is base


def test_command_line_values_are_checked_as_config_values_are(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as cli:
        overrides({"failure-threshold": "fatal"}, {"failure-threshold": "--failure-threshold"})
    with pytest.raises(ConfigError) as file:
        apply_table(Settings(), {"failure-threshold": "fatal"}, "cfg")
    reason = "must be one of error, warning, info, style, none (got 'fatal')"
    assert str(cli.value) == f"--failure-threshold {reason}"
    assert str(file.value) == f"cfg: 'failure-threshold' {reason}"


def test_exclude_patterns_are_anchored_at_the_config(tmp_path: Path) -> None:
    (tmp_path / ".dfcheck.toml").write_text('exclude = ["vendor", "build/*", "/abs/x"]\n')
    settings = load_file(tmp_path / ".dfcheck.toml", "dfcheck", Settings())
    assert settings.exclude == ("vendor", str(tmp_path.resolve() / "build" / "*"), "/abs/x")


def errors(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConfigError) as exc:
        found = find_config(tmp_path)
        assert found is not None
        load_file(found[0], found[1], Settings())
    message = str(exc.value)
    assert "\n" not in message
    return message.replace(str(path), "FILE")


BROKEN = {
    "pyproject_tool_str": ("pyproject.toml", b'tool = "dfcheck"\n', "FILE: 'tool' must be a table"),
    "pyproject_tool_list": ("pyproject.toml", b'tool = ["dfcheck"]\n', "FILE: 'tool' must be a table"),
    "pyproject_dfcheck_str": (
        "pyproject.toml",
        b'[tool]\ndfcheck = "x"\n',
        "FILE: [tool.dfcheck] must be a table",
    ),
    "toml_syntax": (
        ".dfcheck.toml",
        b'select = ["DF1"]\nignore = [\n',
        "FILE:3:1: invalid TOML: Invalid value",
    ),
    "toml_utf8": (".dfcheck.toml", b'select = ["DF1"]\n# caf\xe9\n', "FILE:2:6: invalid UTF-8"),
    "yaml_syntax": (
        ".hadolint.yaml",
        b"ignored:\n  - DL3008\n - x: [\n",
        "FILE:3:2: invalid YAML: expected <block end>, but found '<block sequence start>'",
    ),
    "yaml_utf8": (".hadolint.yaml", b"ignored:\n  - DL3\xff\n", "FILE:2:8: invalid UTF-8"),
    "yaml_override_int": (
        ".hadolint.yaml",
        b"override:\n  error: 5\n",
        "FILE: 'override.error' must be a list of rule codes",
    ),
    "yaml_override_list": (
        ".hadolint.yaml",
        b"override: [DL3008]\n",
        "FILE: 'override' must be a mapping of level -> rule list",
    ),
    "yaml_override_level": (
        ".hadolint.yaml",
        b"override:\n  fatal: [DL3008]\n",
        "FILE: 'override' must map rules to error, warning, info or style (got {'DL3008': 'fatal'})",
    ),
    "yaml_null_threshold": (
        ".hadolint.yaml",
        b"failure-threshold: ~\n",
        "FILE: 'failure-threshold' must be one of error, warning, info, style, none (got None)",
    ),
    "yaml_ignored_int": (".hadolint.yaml", b"ignored: 5\n", "FILE: 'ignored' must be a list of strings"),
    "yaml_top_list": (".hadolint.yaml", b"- a\n", "FILE: expected a mapping at the top level"),
    "mixed_forms": (
        ".dfcheck.toml",
        b'select = ["DF1"]\n[tool.dfcheck]\nignore = ["DF2"]\n',
        "FILE: settings go either at the top level or under [tool.dfcheck], with nothing else beside them",
    ),
    "other_tool": (".dfcheck.toml", b"[tool.ruff]\nline-length = 1\n", "FILE: unknown key 'tool' (known: "),
    "toml_mid_document": (".dfcheck.toml", b"select = [1 2]\n", "FILE:1:13: invalid TOML: Unclosed array"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_config_files_are_one_line_errors(tmp_path: Path, case: str) -> None:
    name, content, expected = BROKEN[case]
    (tmp_path / ".git").mkdir()
    assert errors(tmp_path, name, content).startswith(expected)


def test_pyproject_that_never_names_dfcheck_is_not_read(tmp_path: Path) -> None:
    """``tool = 5`` is no dfcheck configuration (and not parsed at all); named with --config it is an error."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("tool = 5\n[broken\n")
    assert find_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("tool = 5\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: 'tool' must be a table$"):
        load_file(tmp_path / "pyproject.toml", "pyproject", Settings())


def test_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    """ "Billion laughs": nine levels of nine aliases would expand to 9**9 strings when walked."""
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    bomb = "\n".join(lines) + "\nfailure-threshold: *a9\noverride:\n  error: *a9\n"
    assert len(bomb) < 800
    (tmp_path / ".git").mkdir()
    message = errors(tmp_path, ".hadolint.yaml", bomb.encode())
    assert message == "FILE:2:10: invalid YAML: aliases (*name) are not supported"


def test_dfcheck_toml_takes_the_pyproject_form(tmp_path: Path) -> None:
    (tmp_path / ".dfcheck.toml").write_text('[tool.dfcheck]\nignore = ["DF2"]\n')
    assert load_file(tmp_path / ".dfcheck.toml", "dfcheck", Settings()).ignore == ("DF2",)
    (tmp_path / ".dfcheck.toml").write_text('ignore = ["DF2"]\n')
    assert load_file(tmp_path / ".dfcheck.toml", "dfcheck", Settings()).ignore == ("DF2",)


@pytest.mark.parametrize("name", ["pyproject.toml", ".dfcheck.toml"])
def test_readme_example_config_loads(tmp_path: Path, name: str) -> None:
    example = re.search(r"```toml\n(\[tool\.dfcheck\].*?)```", README.read_text(), re.S)
    assert example is not None
    (tmp_path / name).write_text(example[1])
    kind = "pyproject" if name == "pyproject.toml" else "dfcheck"
    settings = load_file(tmp_path / name, kind, Settings())
    assert settings.failure_threshold is Severity.WARNING and settings.exclude[0] == "vendor"


def test_readme_lists_the_config_keys() -> None:
    text = README.read_text()
    table = text.split("<!-- config-keys", 1)[1].split("\n", 1)[1].split("<!-- /config-keys -->")[0]
    assert table == markdown_table()


def test_find_config_prefers_dfcheck_and_reads_each_directory_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dfcheck.lint import config

    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "c").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.dfcheck]\nignore = ["DF2"]\n')
    (tmp_path / "a" / ".hadolint.yaml").write_text("ignored: [DL3008]\n")
    (tmp_path / "c" / ".hadolint.yml").write_text("ignored: [DL3008]\n")
    reads: list[Path] = []
    real = config._configures_dfcheck
    monkeypatch.setattr(config, "_configures_dfcheck", lambda p: reads.append(p) or real(p))
    known: dict[Path, tuple[Path, str] | None] = {}
    root = (tmp_path / "pyproject.toml", "pyproject")
    assert find_config(tmp_path / "a" / "b" / "Dockerfile", known) == root
    assert find_config(tmp_path / "c", known) == root
    assert reads == [tmp_path / "pyproject.toml"]
    (tmp_path / "pyproject.toml").unlink()
    assert find_config(tmp_path / "a" / "b") == (tmp_path / "a" / ".hadolint.yaml", "hadolint")
    assert find_config(tmp_path / "c") == (tmp_path / "c" / ".hadolint.yml", "hadolint")
    assert find_config(tmp_path) is None
