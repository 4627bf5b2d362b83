"""RUN scripts split into commands: names, arguments, wrappers, flags and exact positions."""

from __future__ import annotations

import contextlib
import random
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dfcheck.dockerfile.model import Model
from dfcheck.dockerfile.parse import parse
from dfcheck.dockerfile.source import Span, TextMap
from dfcheck.lint.config import Settings
from dfcheck.lint.engine import lint_text
from dfcheck.lint.finding import Severity
from dfcheck.shell import Command, Script, Word, parse_script, shellcheck, shellcheck_binary
from dfcheck.shell.builder import MAX_DEPTH, Builder
from dfcheck.shell.frame import Frame, line_map
from dfcheck.shell.lexer import parse_fallback, parse_windows
from dfcheck.shell.parse import parse_posix


def at(script: str, needle: str, nth: int = 0) -> Span:
    """Span of the ``nth`` occurrence of ``needle`` in a one-line script starting at column 1."""
    i = -1
    for _ in range(nth + 1):
        i = script.index(needle, i + 1)
    return Span(1, i + 1, 1, i + 1 + len(needle))


def only(script: str) -> Command:
    commands = parse_script(script).commands
    assert len(commands) == 1, commands
    return commands[0]


def texts(words: tuple[Word, ...] | list[Word]) -> list[str]:
    return [w.text for w in words]


def summary(result: Script) -> list[tuple[object, ...]]:
    """Everything rules look at, spans included, for comparing the two parsers."""
    return [
        (
            c.name,
            [(w.text, w.raw, w.span) for w in c.words],
            c.wrappers,
            texts(c.assignments),
            c.span,
            c.name_span,
            c.in_pipeline,
            c.pipeline_index,
            c.in_substitution,
            c.in_nested_shell,
        )
        for c in result.commands
    ]


def fallback(script: str) -> Script:
    builder = Builder(parse_posix)
    parse_fallback(Frame(script, line_map(script)), builder)
    return builder.script(False)


def unguarded(script: str) -> list[Script]:
    """Every parser path without parse_script's last-resort guard, so that a bug surfaces here."""
    results = [fallback(script)]
    for dialect in ("posix", "powershell", "cmd"):
        builder = Builder(parse_posix)
        frame = Frame(script, line_map(script))
        if dialect == "posix":
            parse_posix(frame, builder)
        else:
            parse_windows(frame, builder, dialect)
        results.append(builder.script(True))
    for result in results:
        for cmd in result.commands:
            assert cmd.span.start_line >= 1  # spans are located lazily; that must not raise either
            cmd.has_flag("-y")
            cmd.flag_value("-o")
            assert cmd.subcommand is None or isinstance(cmd.subcommand, str)
    return results


# ---------------------------------------------------------------- commands and spans


def test_apt_get_chain_names_args_and_spans() -> None:
    script = (
        "apt-get update && apt-get install -y --no-install-recommends curl=7.1 && rm -rf /var/lib/apt/lists/*"
    )
    result = parse_script(script)
    assert result.parse_ok
    update, install, rm = result.commands
    assert (update.name, texts(update.args)) == ("apt-get", ["update"])
    assert update.span == Span(1, 1, 1, 15)
    assert update.name_span == Span(1, 1, 1, 8)
    assert install.name == "apt-get"
    assert texts(install.args) == ["install", "-y", "--no-install-recommends", "curl=7.1"]
    assert install.span == Span(1, 19, 1, 70)
    assert install.name_span == Span(1, 19, 1, 26)
    assert [w.span for w in install.args] == [
        Span(1, 27, 1, 34),
        Span(1, 35, 1, 37),
        Span(1, 38, 1, 61),
        Span(1, 62, 1, 70),
    ]
    assert install.subcommand == "install"
    assert install.has_flag("-y") and install.has_flag("--no-install-recommends")
    assert texts(install.positional()) == ["install", "curl=7.1"]
    assert (rm.name, texts(rm.args), rm.span) == ("rm", ["-rf", "/var/lib/apt/lists/*"], Span(1, 74, 1, 101))
    assert not result.has_pipe and not result.pipelines
    assert not any(c.in_pipeline or c.in_substitution or c.in_nested_shell for c in result.commands)


def test_pipe_positions() -> None:
    script = "curl -fsSL x | sh"
    result = parse_script(script)
    curl, sh = result.commands
    assert (curl.name, curl.in_pipeline, curl.pipeline_index, curl.span) == (
        "curl",
        True,
        0,
        at(script, "curl -fsSL x"),
    )
    assert (sh.name, sh.in_pipeline, sh.pipeline_index, sh.span) == ("sh", True, 1, at(script, "sh"))
    assert result.has_pipe
    assert result.pipelines == [[curl, sh]]
    assert curl.has_flag("-f", "-s", "-S", "-L") and curl.has_flag("-L") and not curl.has_flag("-o")


def test_set_options_are_collected() -> None:
    result = parse_script("set -eux; apt-get update; set -o pipefail; set +x")
    assert result.sets == {"errexit", "nounset", "pipefail"}
    assert [c.name for c in result.commands] == ["set", "apt-get", "set", "set"]
    assert parse_script("set -euxo pipefail && make").sets == {"errexit", "nounset", "xtrace", "pipefail"}
    assert parse_script("sh -c 'set -e'; echo $(set -u)").sets == set()


def test_sudo_wrapper() -> None:
    script = "sudo -u app pip install x"
    cmd = only(script)
    assert (cmd.name, cmd.wrappers, texts(cmd.args)) == ("pip", ("sudo",), ["install", "x"])
    assert cmd.name_span == at(script, "pip")
    assert cmd.span == at(script, script)
    assert texts(cmd.words) == ["sudo", "-u", "app", "pip", "install", "x"]
    assert cmd.subcommand == "install"


def test_env_wrapper_assignments() -> None:
    script = "env A=1 B=2 npm ci"
    cmd = only(script)
    assert (cmd.name, cmd.wrappers, texts(cmd.assignments), texts(cmd.args)) == (
        "npm",
        ("env",),
        ["A=1", "B=2"],
        ["ci"],
    )
    assert cmd.name_span == at(script, "npm")
    assert [a.span for a in cmd.assignments] == [at(script, "A=1"), at(script, "B=2")]


def test_leading_assignment() -> None:
    cmd = only("FOO=1 make")
    assert (cmd.name, texts(cmd.assignments), cmd.args, cmd.wrappers) == ("make", ["FOO=1"], (), ())
    assert cmd.span == Span(1, 1, 1, 11)
    assert cmd.name_span == Span(1, 7, 1, 11)
    assert parse_script("FOO=1; BAR=$(x)").commands[0].name == "x"


def test_path_prefix_is_stripped() -> None:
    script = "/usr/bin/apt-get install foo"
    cmd = only(script)
    assert cmd.name == "apt-get"
    assert cmd.name_span == at(script, "/usr/bin/apt-get")
    assert cmd.words[0].text == "/usr/bin/apt-get"


def test_stacked_wrappers() -> None:
    cmd = only("sudo -E env DEBIAN_FRONTEND=noninteractive nohup time /usr/bin/apt-get -qy install x")
    assert cmd.name == "apt-get"
    assert cmd.wrappers == ("sudo", "env", "nohup", "time")
    assert texts(cmd.assignments) == ["DEBIAN_FRONTEND=noninteractive"]
    assert cmd.has_flag("-y") and cmd.has_flag("-q") and cmd.subcommand == "install"


@pytest.mark.parametrize(
    ("script", "name", "wrappers"),
    [
        ("command -v foo", "command", ()),
        ("command -p ls", "ls", ("command",)),
        ("exec gosu app node server.js", "node", ("exec", "gosu")),
        ("sudo", "sudo", ()),
        ("env", "env", ()),
        ("xargs -r apt-mark manual", "xargs", ()),
        ("nice -n 10 make", "make", ("nice",)),
    ],
)
def test_wrapper_edge_cases(script: str, name: str, wrappers: tuple[str, ...]) -> None:
    cmd = only(script)
    assert (cmd.name, cmd.wrappers) == (name, wrappers)


def test_subshell() -> None:
    script = "(cd /x && make)"
    cd, make = parse_script(script).commands
    assert (cd.name, texts(cd.args), cd.span) == ("cd", ["/x"], at(script, "cd /x"))
    assert (make.name, make.span) == ("make", at(script, "make"))


def test_if_body() -> None:
    script = "if [ -f a ]; then pip install -r a; fi"
    cmd = only(script)
    assert (cmd.name, texts(cmd.args), cmd.span) == (
        "pip",
        ["install", "-r", "a"],
        at(script, "pip install -r a"),
    )
    assert cmd.flag_value("-r") == "a"


def test_for_loop() -> None:
    script = "for f in $(ls /etc); do chmod 600 $f; done"
    ls, chmod = parse_script(script).commands
    assert (ls.name, ls.in_substitution, ls.span) == ("ls", True, at(script, "ls /etc"))
    assert (chmod.name, texts(chmod.args), chmod.in_substitution) == ("chmod", ["600", "$f"], False)


def test_case_and_functions() -> None:
    result = parse_script('case "$(uname -m)" in x86_64|amd64) a=1 ;; *) echo no; exit 1 ;; esac; f() { g; }')
    assert [c.name for c in result.commands] == ["uname", "echo", "exit", "g"]


def test_sh_c_body_is_parsed_inside_the_quotes() -> None:
    script = "sh -c 'cd /app && npm install'"
    sh, cd, npm = parse_script(script).commands
    assert (sh.name, texts(sh.args)) == ("sh", ["-c", "cd /app && npm install"])
    assert not sh.in_nested_shell
    assert (cd.name, cd.in_nested_shell, cd.span) == ("cd", True, at(script, "cd /app"))
    assert (npm.name, npm.in_nested_shell, npm.span, npm.name_span) == (
        "npm",
        True,
        at(script, "npm install"),
        at(script, "npm"),
    )


def test_bash_c_double_quoted_body_with_escapes() -> None:
    script = 'bash -o pipefail -ec "apt-get update && echo \\"$(id -u)\\" > /x"'
    bash, apt, echo, id_ = parse_script(script).commands
    assert bash.name == "bash"
    assert (apt.name, apt.span) == ("apt-get", at(script, "apt-get update"))
    assert (echo.name, texts(echo.args), echo.span) == (
        "echo",
        ["$(id -u)"],
        at(script, 'echo \\"$(id -u)\\"'),
    )
    assert (id_.name, id_.in_substitution, id_.in_nested_shell, id_.span) == (
        "id",
        True,
        True,
        at(script, "id -u"),
    )


def test_nested_shell_body_is_not_also_read_as_a_substitution() -> None:
    names = [c.name for c in parse_script('su-exec app sh -c "echo $(whoami)"').commands]
    assert names == ["sh", "echo", "whoami"]


def test_command_substitution() -> None:
    script = "echo $(command -v foo) `ls`"
    echo, command, ls = parse_script(script).commands
    assert texts(echo.args) == ["$(command -v foo)", "`ls`"]
    assert (command.name, command.in_substitution, command.span) == (
        "command",
        True,
        at(script, "command -v foo"),
    )
    assert (ls.name, ls.in_substitution, ls.span) == ("ls", True, at(script, "ls"))


def test_substitution_pipeline_is_its_own() -> None:
    result = parse_script("X=$(a | b) y")
    assert [(c.name, c.in_pipeline, c.pipeline_index, c.in_substitution) for c in result.commands] == [
        ("y", False, 0, False),
        ("a", True, 0, True),
        ("b", True, 1, True),
    ]
    assert texts(result.commands[0].assignments) == ["X=$(a | b)"]


def test_newline_separated_heredoc_script() -> None:
    body = "set -e\napt-get update\n# a comment\napt-get install -y \\\n    curl\n"
    textmap = TextMap()
    for n, line in enumerate(body.splitlines(keepends=True), start=2):
        textmap.add(len(line), n, 1)
    result = parse_script(body, textmap)
    _, update, install = result.commands
    assert result.sets == {"errexit"}
    assert update.span == Span(3, 1, 3, 15)
    assert (install.name, texts(install.args)) == ("apt-get", ["install", "-y", "curl"])
    assert install.span == Span(5, 1, 6, 9)
    assert install.args[-1].span == Span(6, 5, 6, 9)


def test_default_textmap_counts_lines() -> None:
    second = parse_script("a\n  b x\n").commands[1]
    assert (second.span, second.args[0].span) == (Span(2, 3, 2, 6), Span(2, 5, 2, 6))


def test_heredoc_inside_script() -> None:
    result = parse_script("cat <<EOF > /etc/x.conf\nkey=$(hostname)\nEOF\necho done")
    assert [(c.name, c.in_substitution) for c in result.commands] == [
        ("cat", False),
        ("hostname", True),
        ("echo", False),
    ]
    assert result.commands[2].span == Span(4, 1, 4, 10)


def test_heredoc_fed_to_a_shell_is_parsed() -> None:
    result = parse_script("bash -e <<'EOF'\nset -o pipefail\ncurl x | tar xz\nEOF")
    assert [(c.name, c.in_nested_shell) for c in result.commands] == [
        ("bash", False),
        ("set", True),
        ("curl", True),
        ("tar", True),
    ]
    assert result.commands[2].span == Span(3, 1, 3, 7)
    assert result.has_pipe and result.sets == set()


def test_heredoc_piped_into_shell() -> None:
    result = parse_script("cat <<EOF | sh\napt-get install x\nEOF\necho done")
    assert [(c.name, c.in_pipeline, c.pipeline_index) for c in result.commands] == [
        ("cat", True, 0),
        ("sh", True, 1),
        ("echo", False, 0),
    ]


def test_foreign_shebang_heredoc_has_no_commands() -> None:
    result = parse_script("#!/usr/bin/env python3\nimport os\nprint(os.getcwd())\n")
    assert result.commands == [] and not result.parse_ok
    assert [c.name for c in parse_script("#!/bin/bash\nmake\n").commands] == ["make"]


def test_redirections_are_not_arguments() -> None:
    cmd = only("echo a >f b 2>/dev/null c 2>&1 <<<x")
    assert texts(cmd.args) == ["a", "b", "c"]
    result = parse_script("test -z x && echo >&2 'error: no' && exit 1")
    assert [(c.name, texts(c.args)) for c in result.commands] == [
        ("test", ["-z", "x"]),
        ("echo", ["error: no"]),
        ("exit", ["1"]),
    ]


def test_quote_removal() -> None:
    echo, x = parse_script("""echo 'a b' "c \\"d\\" $HOME" e\\ f $'g\\th' "$(x "y")" ${z:-'w'}""").commands
    assert texts(echo.args) == ["a b", 'c "d" $HOME', "e f", "g\th", '$(x "y")', "${z:-'w'}"]
    assert echo.args[0].raw == "'a b'"
    assert (x.name, texts(x.args)) == ("x", ["y"])


def test_non_ascii_columns_count_code_points() -> None:
    script = "echo été && apt-get install ü"
    _, apt = parse_script(script).commands
    assert apt.span == at(script, "apt-get install ü")
    assert apt.args[-1].span == at(script, "ü")


# ---------------------------------------------------------------- flags


def test_has_flag_combined_short_and_long() -> None:
    cmd = only("apt-get -qy --no-install-recommends=1 install -- -z foo")
    assert cmd.has_flag("-y") and cmd.has_flag("-q")
    assert cmd.has_flag("--yes", "-y")
    assert cmd.has_flag("--no-install-recommends")
    assert not cmd.has_flag("-z")
    assert not cmd.has_flag("--yes")
    assert texts(cmd.positional()) == ["install", "-z", "foo"]


def test_has_flag_stops_at_a_known_value_flag() -> None:
    cmd = only("apt-get -oDebug::y=1 install x")
    assert not cmd.has_flag("-y")
    assert cmd.flag_value("-o") == "Debug::y=1"
    assert cmd.subcommand == "install"


def test_single_dash_long_flags() -> None:
    cmd = only("find / -name '*.pyc' -delete")
    assert cmd.has_flag("-delete") and cmd.flag_value("-name") == "*.pyc"
    assert cmd.has_flag("-n")  # without a spec a single-dash word reads as a short-flag cluster


def test_flag_value_forms() -> None:
    cmd = only("docker build -t one -ttwo --target=three --target four --file=x .")
    assert cmd.flag_values("-t") == ["one", "two"]
    assert cmd.flag_value("-t") == "two"
    assert cmd.flag_value("--target") == "four"
    assert cmd.flag_values("--target") == ["three", "four"]
    assert cmd.flag_value("--file", "-f") == "x"
    assert cmd.flag_value("--missing") is None
    assert only("tar -xzf a.tgz").flag_value("-f") == "a.tgz"
    assert only("pip install -r").flag_value("-r") is None


def test_subcommand_skips_known_value_flags() -> None:
    assert only("apt-get -o Dpkg::Options::=--force-confold -y install x").subcommand == "install"
    assert only("git -C /src checkout v1").subcommand == "checkout"
    assert only("npm").subcommand is None


def test_positional_with_explicit_value_flags() -> None:
    cmd = only("pip install -r req.txt -c constraints.txt flask==2.0 --index-url https://x")
    assert texts(cmd.positional()) == ["install", "flask==2.0"]
    tool = only("mytool run -r req.txt -c c.txt x --url https://x")
    assert texts(tool.positional()) == ["run", "req.txt", "c.txt", "x", "https://x"]
    assert texts(tool.positional({"-r", "-c", "--url"})) == ["run", "x"]


def test_one_value_flag_table_for_shell_and_rules() -> None:
    """The shell's table and dfcheck.build.packages' had drifted apart: ``mvn -DoutputDirectory=x``
    read as ``-D -o ...`` (offline) here, while the rules knew ``-D`` takes a value."""
    from dfcheck.build import packages
    from dfcheck.shell.flags import VALUE_FLAGS

    assert packages.VALUE_FLAGS is VALUE_FLAGS
    assert not only("mvn clean package -DoutputDirectory=target/libs").has_flag("-o")
    assert texts(only("apk add --virtual .deps curl").positional()) == ["add", "curl"]
    assert only("git -c http.sslVerify=false clone https://x").subcommand == "clone"
    # apt-cache's -a is --all-versions (no value) and -s --src-cache (a value): apt-cache(8)
    assert texts(only("apt-cache show -a curl").positional()) == ["show", "curl"]
    assert texts(only("apt-cache -s /tmp/src.bin policy curl").positional()) == ["policy", "curl"]
    assert only("apt-get -a arm64 build-dep hello").subcommand == "build-dep"


# ---------------------------------------------------------------- script helpers


def test_uses_and_find() -> None:
    result = parse_script("sudo apt-get update && apt-get -y install curl && apt-get clean")
    assert result.uses("apt-get") and result.uses("sudo") and not result.uses("apk")
    assert len(result.find("apt-get")) == 3
    assert [texts(c.args) for c in result.find("apt-get", "install")] == [["-y", "install", "curl"]]


def test_word_value_semantics() -> None:
    a = only("echo x").args[0]
    b = Word("x", "x", Span(1, 6, 1, 7))
    assert a == b and hash(a) == hash(b)
    assert repr(b) == "Word(text='x', raw='x', span=Span(start_line=1, start_col=6, end_line=1, end_col=7))"


# ---------------------------------------------------------------- continuation lines


def continued(*pieces: tuple[str, int, int]) -> tuple[str, TextMap]:
    """A script joined from pieces of several Dockerfile lines, as the parser hands it over."""
    textmap = TextMap()
    for text, line, col in pieces:
        textmap.add(len(text), line, col)
    return "".join(text for text, _, _ in pieces), textmap


def test_spans_across_continuation_lines() -> None:
    # RUN apt-get update \
    #     && apt-get install -y \
    #        curl
    script, textmap = continued(
        ("apt-get update ", 1, 5),
        ("    && apt-get install -y ", 2, 1),
        ("       curl", 3, 1),
    )
    update, install = parse_script(script, textmap).commands
    assert update.span == Span(1, 5, 1, 19)
    assert install.name_span == Span(2, 8, 2, 15)
    assert install.span == Span(2, 8, 3, 12)
    assert install.args[-1].span == Span(3, 8, 3, 12)
    assert install.has_flag("-y")


def test_sh_c_body_across_continuation_lines() -> None:
    # RUN sh -c 'apt-get update && \
    #     apt-get install -y "curl"'
    script, textmap = continued(
        ("sh -c 'apt-get update && ", 1, 5), ('    apt-get install -y "curl"\'', 2, 1)
    )
    _, update, install = parse_script(script, textmap).commands
    assert update.span == Span(1, 12, 1, 26)
    assert install.span == Span(2, 5, 2, 30)
    assert install.args[-1].span == Span(2, 24, 2, 30)
    assert install.args[-1].text == "curl"


def test_sh_c_inside_double_quotes_maps_escapes() -> None:
    # RUN bash -c "echo \"hi\" && \
    #   make"
    script, textmap = continued(('bash -c "echo \\"hi\\" && ', 1, 5), ('  make"', 2, 1))
    _, echo, make = parse_script(script, textmap).commands
    assert echo.span == Span(1, 14, 1, 25)
    assert echo.args[0].span == Span(1, 19, 1, 25)
    assert make.span == Span(2, 3, 2, 7)


# ---------------------------------------------------------------- fallback and dialects


@pytest.mark.parametrize(
    "script",
    [
        "apt-get update && apt-get install -y --no-install-recommends curl=7.1 && rm -rf /var/lib/apt/lists/*",
        "set -eux; curl -fsSL x | sh; sudo -u app pip install x",
        "env A=1 B=2 npm ci; FOO=1 make; (cd /x && make)",
        "if [ -f a ]; then pip install -r a; fi; for i in $(seq 3); do echo $i; done",
        'sh -c \'cd /app && npm install\' && bash -c "echo \\"$(id -u)\\""',
        'case "$(dpkg --print-architecture)" in amd64|arm64) a=1 ;; *) echo no ;; esac',
        "cat <<EOF > f\nx $(y)\nEOF\nbash <<'E'\nmake | tee log\nE\n",
        "echo a >f b 2>/dev/null c; X=$(a | b) y; f() { g; }",
    ],
)
def test_fallback_agrees_with_tree_sitter(script: str) -> None:
    parsed = parse_script(script)
    assert parsed.parse_ok
    assert summary(fallback(script)) == summary(parsed)
    assert fallback(script).sets == parsed.sets and fallback(script).has_pipe == parsed.has_pipe


def test_unparsable_script_falls_back() -> None:
    script = "apt-get install -y 'unbalanced && curl x | sh"
    result = parse_script(script)
    assert not result.parse_ok
    assert [c.name for c in result.commands] == ["apt-get"]
    result = parse_script("<<EOT bash\n  set -ex\n  apt-get update\nEOT")
    assert not result.parse_ok
    assert [(c.name, c.in_nested_shell) for c in result.commands] == [
        ("bash", False),
        ("set", True),
        ("apt-get", True),
    ]
    assert result.commands[2].span == Span(3, 3, 3, 17)


def test_tree_sitter_quirks_are_repaired() -> None:
    # tree-sitter-bash 0.25 reads `! {` as a command named "{" ...
    assert [c.name for c in parse_script("! { ldd x | grep y; }; a").commands] == ["ldd", "grep", "a"]
    # ... invents a command inside `A=x/$(f)/$V/$V-$P` ...
    assert [c.name for c in parse_script("A=h/$(e)/$V/$V-$P && curl $A").commands] == ["e", "curl"]
    # ... and reads `a | b | c && d` as `a | (b | c && d)`.
    result = parse_script("f x | a | b && e")
    assert [(c.name, c.in_pipeline) for c in result.commands] == [
        ("f", True),
        ("a", True),
        ("b", True),
        ("e", False),
    ]
    assert [[c.name for c in p] for p in result.pipelines] == [["f", "a", "b"]]


@pytest.mark.parametrize(
    ("dialect", "script", "expected"),
    [
        (
            "powershell",
            "$ErrorActionPreference = 'Stop'; Invoke-WebRequest -Uri 'https://x; y' -OutFile a.zip | Out-Null",
            [("$ErrorActionPreference", 0), ("Invoke-WebRequest", 0), ("Out-Null", 1)],
        ),
        (
            "cmd",
            'C:\\tools\\choco.exe install -y git && setx /M PATH "%PATH%;C:\\git" & dir',
            [("choco.exe", 0), ("setx", 0), ("dir", 0)],
        ),
        ("pwsh", "& 'C:\\x.exe' --quiet", [("x.exe", 0)]),
    ],
)
def test_windows_shells_get_a_rough_split(dialect: str, script: str, expected: list[tuple[str, int]]) -> None:
    result = parse_script(script, dialect=dialect)
    assert not result.parse_ok
    assert [(c.name, c.pipeline_index) for c in result.commands] == expected


def test_windows_spans() -> None:
    script = "choco install -y git; Remove-Item x"
    _, remove = parse_script(script, dialect="powershell").commands
    assert (remove.span, remove.args[0].span) == (at(script, "Remove-Item x"), Span(1, 35, 1, 36))


def test_threads_each_get_a_parser() -> None:
    script = "apt-get update && apt-get install -y x | tee " + "a " * 200
    results: list[tuple[int, bool]] = []

    def work() -> None:
        for _ in range(10):
            parsed = parse_script(script)
            results.append((len(parsed.commands), parsed.parse_ok))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(3, True)] * 40


# ---------------------------------------------------------------- robustness


NASTY = [
    "",
    " ",
    "\n\n",
    "'",
    '"',
    "`",
    "$(",
    "$((",
    "${",
    "$'",
    "echo 'a",
    'echo "$(foo "bar',
    "echo `ls",
    "((",
    "))",
    "(((",
    "if then fi",
    "case",
    "case x in",
    "esac )",
    "a |",
    "| a",
    "&& a",
    ";;",
    "cat <<",
    "cat <<EOF",
    "cat <<EOF\nbody",
    "cat <<-'E'\n\tx\n\tE\n",
    "sh -c",
    "sh -c '",
    'bash -c "$("',
    "sudo",
    "sudo -u",
    "env A=1",
    "\\",
    "a\\",
    "\x00\x01\x02",
    "\ud800 \udfff",
    "é" * 50,
    "{ a; ",
    "} } }",
    "a=(1 2",
    "f() {",
    "for ((i=0;",
    "[[ -f x",
    "$(case x in a) b;; esac)",
    "echo $(( $(a) + `b` ))",
    "<(a) >(b",
    "2>&1 >&2 &> x",
    "#!/usr/bin/env",
    "#!",
]


@pytest.mark.parametrize("script", NASTY)
def test_nasty_input_never_raises(script: str) -> None:
    unguarded(script)
    for dialect in ("sh", "powershell", "cmd"):
        assert isinstance(parse_script(script, dialect=dialect), Script)


def test_random_strings_never_raise() -> None:
    rng = random.Random(20240611)
    pieces = [
        *"ab -|&;()<>{}[]$`'\"\\\n\t#=*!0",
        *("$(", "${", "<<EOF", "\nEOF\n", "sh -c ", "&&", "||", "case ", " in ", ";;", "esac", "if "),
        *("then ", "fi", "é", "\U0001f600", "\x00", "\ud800", "sudo ", "env ", "-y", "--x="),
    ]
    for i in range(2000):
        n = rng.randint(0, 60)
        if i % 2:
            script = "".join(rng.choice(pieces) for _ in range(n))
        else:
            script = "".join(chr(rng.randint(0, 0x24F)) for _ in range(n))
        unguarded(script)


@contextlib.contextmanager
def stack_budget(frames: int) -> Iterator[None]:
    """Allow only ``frames`` more Python frames than the caller has: recursion must be bounded."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


# (script, parse_ok, number of commands, the first four characters of their names): 100 KB
# scripts, and nesting ten thousand deep. Their parse time is measured in bench/scaling_shell.py; here, that every parser
# path handles them with a bounded stack (so no RecursionError), and what it finds.
HUGE = {
    "chain": (
        "apt-get install -y --no-install-recommends foo=1.0 && " * 2000 + "true",
        True,
        2001,
        {"apt-", "true"},
    ),
    "lines": ("apt-get install -y curl\n" * 4200, True, 4200, {"apt-"}),
    "pipes": ("a | " * 25000, False, 25000, {"a"}),
    "parens": ("()" * 50000, False, 0, set()),
    "open-quote": ("echo '" + "x" * 100000, False, 1, {"echo"}),
    "braces": ("{ " * 20000 + "a" + "; }" * 20000, True, 1, {"a"}),
    "bash-c": ("bash -c '" * 500 + "x", True, 3, {"bash"}),
    # substitutions are followed 16 levels deep; the deepest holds a command named by a substitution
    "subst": ("echo " + "$( " * 10000 + "x" + " )" * 10000, True, 17, {"echo", "$( $"}),
    "quoted-subst": ('"$(' * 10000 + "x" + ')"' * 10000, True, 17, {'$("$'}),
    "subshells": ("( " * 10000 + "x" + " )" * 10000, True, 1, {"x"}),
    "parameters": ("echo " + "${a:-" * 10000 + "x" + "}" * 10000, True, 1, {"echo"}),
    "heredoc-shells": ("bash <<EOF\n" * 10000 + "x\nEOF\n", False, 9, {"bash"}),
    "assignments": ("a=1 && " * 5000 + "echo", True, 1, {"echo"}),
    "if-assignments": ("if x; then a=1; " * 2000 + "x;" + " fi;" * 2000, True, 2001, {"x"}),
}


@pytest.mark.parametrize("name", HUGE)
def test_huge_and_deeply_nested_scripts(name: str) -> None:
    script, parse_ok, n_commands, names = HUGE[name]
    with stack_budget(120):
        unguarded(script)
        result = parse_script(script)
    assert (result.parse_ok, len(result.commands)) == (parse_ok, n_commands)
    assert {c.name[:4] for c in result.commands} == names


def test_heredoc_fed_shells_nest_at_most_max_depth() -> None:
    """A heredoc read by ``bash`` inside another used to recurse once per level: 300 levels
    raised RecursionError (caught by parse_script, which then lost every command)."""
    script = "".join(f"bash <<E{k}\n" for k in range(300)) + "apt-get install x\n"
    script += "".join(f"E{k}\n" for k in reversed(range(300)))
    for result in unguarded(script)[:2]:
        assert [(c.name, c.in_nested_shell) for c in result.commands] == [("bash", False)] + [
            ("bash", True)
        ] * MAX_DEPTH
    assert len(parse_script(script).commands) == MAX_DEPTH + 1
    inner = "bash <<E1\nbash <<E2\napt-get install x\nE2\nE1\n"
    assert [c.name for c in parse_script(inner).commands] == ["bash", "bash", "apt-get"]


def test_assignments_in_a_long_chain_stay_sequential() -> None:
    """Whether an assignment runs once is decided walking down the tree: walking up from each
    assignment (``node.parent`` costs the node's depth) took 6 minutes for 4,000 ``a=1 &&``."""
    parsed = parse_script("a=1 && " * 3000 + "b=$a && x || a=2; echo")
    echo = parsed.commands[-1]
    assert len(parsed.assignments) == 3002
    assert (parsed.value_at("b", echo), parsed.value_at("a", echo)) == ("1", None)
    assert [a.sequential for a in parsed.assignments[-2:]] == [True, False]


def _values(script: str, *names: str) -> dict[str, str | None]:
    """Each name's value as seen by the script's last command."""
    parsed = parse_script(script)
    last = parsed.commands[-1]
    return {name: parsed.value_at(name, last) for name in names}


def test_assignments_in_script_order() -> None:
    script = 'deps="curl gnupg"; export B="$deps x" C=1 D; readonly E=\'$x\'; apt-get install $deps'
    parsed = parse_script(script)
    assert [(a.name, a.value, a.at, a.sequential) for a in parsed.assignments] == [
        ("deps", "curl gnupg", 0, True),
        ("B", "curl gnupg x", 1, True),
        ("C", "1", 1, True),
        ("E", None, 2, True),
    ]
    export, readonly, install = parsed.commands
    assert parsed.value_at("deps", install) == "curl gnupg"
    assert parsed.value_at("B", export) is None  # set by that very command, seen after it
    assert parsed.value_at("B", readonly) == "curl gnupg x"
    assert parsed.value_at("D", install) is None
    assert not parsed.assigns("D", install)
    assert parsed.assigns("deps", install)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("a=1 && b=${a}2; a+=3; echo", {"a": "13", "b": "12"}),
        ("a=1; a=$(date); b=$c; echo", {"a": None, "b": None}),
        ("a=1; if x; then a=2; fi; echo", {"a": None}),
        ("a=1; for a in x y; do :; done; echo", {"a": None}),
        ("a=1; x || a=2; echo", {"a": None}),
        ("a=1 || true; b=2 | cat; echo", {"a": "1", "b": None}),
        ("a=1; (a=2); echo", {"a": None}),
        ("a=1; read -r a < f; echo", {"a": None}),
        ("a=1; . /etc/os-release; b=2; echo", {"a": None, "b": "2"}),
        ("a=1; unset a; echo", {"a": None}),
        ("a=1; declare -a a=(x y); echo", {"a": None}),
        ("a=~/x; b=x:~/y; echo", {"a": None, "b": None}),
        ("a=1 echo", {"a": None}),
        ('set -eux -- curl "g nu"; echo', {"@": "curl g nu", "1": "curl", "2": "g nu", "3": ""}),
        ("set -- a; shift; echo", {"@": None, "1": None}),
        ("set -o pipefail; echo", {"@": None}),
    ],
)
def test_assignment_values(script: str, expected: dict[str, str | None]) -> None:
    assert _values(script, *expected) == expected


def test_nested_shells_keep_their_own_variables() -> None:
    parsed = parse_script("a=1; sh -c 'b=2; echo $a $b'; echo")
    inner = parsed.commands[1]
    assert inner.in_nested_shell
    assert (parsed.value_at("a", inner), parsed.value_at("b", inner)) == (None, "2")
    last = parsed.commands[-1]
    assert (parsed.value_at("a", last), parsed.value_at("b", last)) == ("1", None)


def test_assignments_are_only_recorded_by_tree_sitter_parses() -> None:
    parsed = parse_script("a=1; echo $a", dialect="cmd")
    assert parsed.assignments == ()
    assert Script([], set(), True, False, []).value_at("a", only("echo")) is None


# ---------------------------------------------------------------- ShellCheck (DF500)


def shellcheck_findings(text: str) -> list[tuple[str, Severity, tuple[int, int, int, int], str]]:
    result = lint_text(text, "Dockerfile", Settings().replace(select=("DF500",)))
    return [(f.code, f.severity, tuple(f.span), f.message) for f in result.findings]


needs_shellcheck = pytest.mark.skipif(not shellcheck_binary.available(), reason="ShellCheck is not installed")


@needs_shellcheck
def test_shellcheck_skips_a_run_too_big_and_says_so() -> None:
    """ShellCheck's cost grows faster than the script: 2,000 ``&&``-joined commands ran into the
    60 s timeout at 5.9 GB, and every DF500 finding of the file was dropped without a word."""
    chain = " && ".join(f"echo $x{i}" for i in range(shellcheck.MAX_COMMANDS + 1))
    long_line = "echo " + "a" * shellcheck.MAX_CHARS
    text = f"FROM alpine:3.20\nRUN {chain}\nRUN echo $HOME\nRUN {long_line}\n"
    assert shellcheck_findings(text) == [
        (
            "DF500",
            Severity.INFO,
            (2, 1, 2, 4),
            "ShellCheck skipped: this RUN has 201 commands (more than 200)",
        ),
        ("SC2086", Severity.INFO, (3, 10, 3, 15), "Double quote to prevent globbing and word splitting."),
        (
            "DF500",
            Severity.INFO,
            (4, 1, 4, 4),
            "ShellCheck skipped: this RUN has 65,541 characters (more than 65,536)",
        ),
    ]


def fake_shellcheck(tmp_path: Path, body: str) -> str:
    path = tmp_path / "shellcheck"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for ShellCheck")
@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("echo 'shellcheck: out of memory' >&2; exit 251", "ran out of memory (limit 1,024 MiB)"),
        ("echo 'shellcheck: internal error' >&2; exit 3", "shellcheck: internal error"),
        ("kill -9 $$", "killed by signal 9"),
        ("exec sleep 30", "timed out after 0.2 s"),
    ],
)
def test_shellcheck_failure_is_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, why: str
) -> None:
    monkeypatch.setattr(shellcheck_binary, "executable", lambda: fake_shellcheck(tmp_path, body))
    monkeypatch.setattr(shellcheck, "TIMEOUT", 0.2)
    text = "FROM alpine:3.20\nRUN echo $HOME\n\nRUN <<EOF\necho $HOME\nEOF\n"
    assert shellcheck_findings(text) == [
        (
            "DF500",
            Severity.INFO,
            (2, 1, 2, 4),
            f"ShellCheck failed: {why}; no ShellCheck findings for the 2 RUN instructions of this file",
        )
    ]


@needs_shellcheck
@pytest.mark.skipif(sys.platform != "linux", reason="the memory bound is set with prlimit")
def test_shellcheck_runs_with_a_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    if threading.active_count() > 1:
        pytest.skip("the bound is set only while the program runs one thread")
    monkeypatch.setattr(shellcheck, "MEMORY", 64 << 20)  # this script takes ShellCheck about 95 MB
    chain = " && ".join(f"echo $x{i}" for i in range(shellcheck.MAX_COMMANDS))
    assert shellcheck_findings(f"FROM alpine:3.20\nRUN {chain}\n") == [
        (
            "DF500",
            Severity.INFO,
            (2, 1, 2, 4),
            "ShellCheck failed: ran out of memory (limit 64 MiB); no ShellCheck findings for this RUN",
        )
    ]


# What each RUN has, declared to ShellCheck: SC2154 "referenced but not assigned" and SC2153
# "possible misspelling" are reported against it (hadolint's ShellcheckSpec, and what it gets wrong).
DECLARED_CASES = [
    # The proxy variables BuildKit passes to every RUN: a misspelt one is a near miss.
    ('FROM debian:12\nRUN echo "$RTTP_PROXY" "$https_proxy" "$all_proxy"\n', [("SC2153", (2, 11, 2, 22))]),
    ('FROM debian:12\nONBUILD RUN echo "$RTTP_PROXY"\n', [("SC2153", (2, 19, 2, 30))]),
    # A global ARG is not in scope in a stage that does not declare it again.
    ('ARG foo=bar\nFROM debian:12\nRUN echo "$foo"\n', [("SC2154", (3, 11, 3, 15))]),
    ('ARG foo=bar\nFROM debian:12\nARG foo\nRUN echo "$foo"\n', []),
    (
        'ARG foo=bar\nENV bar=1\nFROM debian:12\nONBUILD RUN echo "$foo" "$bar"\n',
        [("SC2154", (4, 19, 4, 23)), ("SC2154", (4, 26, 4, 30))],
    ),
    # Before any FROM (hadolint's snippets), the ARGs above are in scope, with a value or not.
    ('ARG foo=bar\nARG another_foo\nENV bar=10\nRUN echo "$foo" "$another_foo" "$bar"\n', []),
    # A stage built FROM another has its ARGs; predefined ARGs only once declared.
    ('FROM debian:12 AS base\nARG version\nFROM base\nRUN echo "$version"\n', []),
    ('FROM debian:12\nARG TARGETARCH\nRUN echo "$TARGETARC"\n', [("SC2153", (3, 11, 3, 21))]),
    # A trigger sees the image's ENV (set before or after it), no ARG, and earlier triggers' ARG/ENV.
    (
        'FROM debian:12\nARG foo\nENV bar=1\nONBUILD ARG qux\nONBUILD RUN echo "$foo" "$bar" "$baz" "$qux"\n'
        "ENV baz=1\n",
        [("SC2154", (5, 19, 5, 23))],
    ),
    # ...and the image's final SHELL, which images built from it inherit (hadolint: /bin/sh).
    ('FROM debian:12\nSHELL ["/bin/bash", "-c"]\nONBUILD RUN echo "$RANDOM"\n', []),
    ('FROM debian:12\nONBUILD RUN echo "$RANDOM"\nSHELL ["/bin/bash", "-c"]\n', []),
    ('FROM debian:12\nONBUILD RUN echo "$RANDOM"\n', [("SC3028", (2, 19, 2, 26))]),
    # A secret mounted as a variable.
    (
        'FROM debian:12\nRUN --mount=type=secret,id=t,env=token curl -H "$token" "$tokn" x\n',
        [("SC2154", (2, 58, 2, 63))],
    ),
    # Variables set in ways ShellCheck cannot follow: no SC2154 for that RUN.
    ('FROM debian:12\nRUN . /etc/os-release && echo "$version_codename"\n', []),
    ('FROM debian:12\nRUN export $(cat /env | xargs) && echo "$download"\n', [("SC2046", (2, 12, 2, 31))]),
    ('FROM debian:12\nRUN sh -c ". /etc/os-release" && echo "$download"\n', [("SC2154", (2, 40, 2, 49))]),
]


@needs_shellcheck
@pytest.mark.parametrize(("text", "expected"), DECLARED_CASES)
def test_shellcheck_is_told_the_variables_each_run_has(
    text: str, expected: list[tuple[str, tuple[int, ...]]]
) -> None:
    assert [(code, span) for code, _, span, _ in shellcheck_findings(text)] == expected


def test_each_script_declares_only_the_variables_it_names() -> None:
    """Every variable in scope before every script made ShellCheck's work the product of the two:
    300 ENV and 300 RUN ran into the 30 s timeout. A script is told the variables it names, the
    proxy variables among them, and ShellCheck's suggestion for a near miss."""
    rows = ["FROM debian:12", *(f"ENV VAR_{i}={i}" for i in range(300))]
    rows += [f'RUN echo "$VAR_{i}" && touch /tmp/f{i}' for i in range(300)]
    rows += ['RUN echo "$HTTP_PROXY" "$VAR_1X" "$VAR_299"']
    model = Model(parse("\n".join(rows) + "\n"))
    scripts, _ = shellcheck._scripts(model, lambda ins: [])
    assert [s.exports for s in scripts[:2]] == ["export VAR_0=", "export VAR_1="]
    assert scripts[-1].exports == "export HTTP_PROXY= VAR_1= VAR_299="


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row = row, [i]
        for j, y in enumerate(b, 1):
            row.append(min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x != y)))
    return row[-1]


def test_near_names_agree_with_comparing_every_name() -> None:
    """ShellCheck suggests the assigned name at the smallest distance (1 for a difference in case
    only), the first by name on a tie, within 2; the deletion index must find the same one."""
    rng = random.Random(2153)
    letters = "aAbB_1"
    names = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(1, 9))) for _ in range(300)})
    names += ["L" * 40, "L" * 39 + "M"]
    declared = [n for n in names if not n[0].isdigit()]
    model = Model(parse("FROM debian:12\n" + "".join(f"ARG {n}\n" for n in declared) + "RUN true\n"))
    scope = model.facts(model.stages[0].instructions[-1]).scope
    near = shellcheck._NearNames(model)
    refs = [*("".join(rng.choice(letters) for _ in range(rng.randint(1, 10))) for _ in range(500)), "L" * 41]
    for ref in refs:
        if ref[0].isdigit():
            continue
        options = [*declared, *shellcheck.PROXY_ARGS]
        scored = [(1 if n.lower() == ref.lower() else _levenshtein(ref, n), n) for n in options if n != ref]
        score, name = min(scored)
        assert near.best(ref, scope, shellcheck.PROXY_ARGS) == (name if score <= 2 else None), ref


# A few real RUN scripts (from the shared corpora) for the seeded fuzz below.
FUZZ_SEEDS = [
    "set -eux; apt-get update && apt-get install -y --no-install-recommends ca-certificates curl"
    " && rm -rf /var/lib/apt/lists/*",
    'case "$(dpkg --print-architecture)" in amd64) ARCH=x64 ;; arm64) ARCH=arm64 ;; *) exit 1 ;; esac'
    ' && curl -fsSL "https://x/node-$ARCH.tar.xz" | tar -xJ -C /usr/local --strip-components=1',
    "apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir -r /tmp/r.txt"
    " && apk del .build-deps",
    "cat <<EOF > /etc/x.conf\nkey=$(hostname)\nEOF\nbash -e <<'SH'\nmake | tee log\nSH\n",
    "su-exec app sh -c 'cd /app && npm ci && npm run build' && "
    'for f in $(ls /etc/*.conf); do sed -i "s/a/b/" "$f"; done',
    "export GOPATH=/go PATH=$PATH:/go/bin; go install github.com/x/y@v1.2.3 || { echo failed >&2; exit 1; }",
]


def test_seeded_fuzz_of_real_scripts() -> None:
    """The in-process fuzz of bench/fuzz_shell.py, small and seeded: truncations, flipped
    characters, injected quotes, heredoc openers and ``$(``, deep nesting. No parser path may
    raise, RecursionError included."""
    from bench.fuzz_shell import OPENERS, every_path, mutate

    rng = random.Random(1646)
    mutants = [mutate(rng, script, deepest=400) for script in FUZZ_SEEDS for _ in range(15)]
    for opener in OPENERS:
        script = rng.choice(FUZZ_SEEDS)
        k = rng.randint(0, len(script))
        mutants.append(script[:k] + opener * 400 + script[k:])
    for mutant in mutants:
        with stack_budget(120):
            every_path(mutant)


def test_shell_modules_import_only_modules_above_them() -> None:
    """The package's layering (see its docstring): no module imports one below it, so no cycles."""
    import ast

    import dfcheck.shell

    order = ["flags", "frame", "script", "quoting", "builder", "lexer", "treesitter", "parse", "__init__"]
    folder = Path(dfcheck.shell.__file__).parent
    assert sorted(p.stem for p in folder.glob("*.py")) == sorted([*order, "shellcheck", "shellcheck_binary"])
    for k, name in enumerate(order):
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            node.module.rsplit(".", 1)[-1]
            for node in tree.body  # module level only: imports inside functions are lazy
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dfcheck.shell.")
        }
        assert imported <= set(order[:k]), (name, imported - set(order[:k]))
