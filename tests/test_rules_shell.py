"""RUN-script rules: helpers of dfcheck.build.packages, Windows stages, fixes, ONBUILD and nested shells."""

from __future__ import annotations

import pytest

from dfcheck.build.packages import covers, install_targets, removes, rpm_pinned, verb
from dfcheck.lint.finding import SAFE, UNSAFE
from dfcheck.lint.fixes import apply_fixes
from dfcheck.shell import parse_script
from tests.conftest import lint, positions


@pytest.mark.parametrize(
    "target,path,expected",
    [
        ("/var/lib/apt", "/var/lib/apt/lists", True),
        ("/var/lib/apt/lists", "/var/lib/apt", False),
        ("/root/.cache", "~/.cache/pip", True),
        ("/home/app/.cache/pip", "~/.cache/pip", True),
        ("/tmp/pip", "~/.cache/pip", False),
    ],
)
def test_cache_mount_covers(target: str, path: str, expected: bool) -> None:
    assert covers(target, path) is expected


@pytest.mark.parametrize(
    "script,expected",
    [
        ("rm -rf /var/lib/apt/lists/*", True),
        ("rm -rf /var/lib/apt/lists*", True),
        ("rm -rf /var/lib/{apt,dpkg}/", True),
        ("rm -rf /var/lib/ap", False),
        ("echo /var/lib/apt/lists", False),
    ],
)
def test_removes(script: str, expected: bool) -> None:
    assert removes(parse_script(script).commands, "/var/lib/apt/lists") is expected


@pytest.mark.parametrize(
    "script,expected",
    [
        ("dnf -y in curl", ("in", "install")),
        ("microdnf up-min", ("up-min", "upgrade-minimal")),
        ("yum --setopt=x=1 erase vim", ("erase", "remove")),
        ("zypper -n dup", ("dup", "dist-upgrade")),
        ("apt-get in curl", ("in", "in")),
        ("dnf", None),
    ],
)
def test_package_manager_verbs_have_one_name(script: str, expected: tuple[str, str] | None) -> None:
    (cmd,) = parse_script(script).commands
    found = verb(cmd)
    assert (None if found is None else (found[0].text, found[1])) == expected


def test_install_targets_understand_abbreviations() -> None:
    (cmd,) = parse_script("zypper -n in curl git").commands
    assert [w.text for w in install_targets(cmd, ("install",)) or []] == ["curl", "git"]


@pytest.mark.parametrize(
    "package,expected",
    [
        ("python3-devel", False),
        ("httpd-2.4.62", True),
        ("x.rpm", True),
        ("@development", True),
        ("gcc", False),
    ],
)
def test_rpm_pinned(package: str, expected: bool) -> None:
    assert rpm_pinned(package) is expected


def test_windows_stage_without_shell_is_not_posix() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN curl -k https://example.com | findstr x && cd C:\\app && sudo x\n"
    )
    assert lint(text, ("DF5", "DF62", "DF7")) == []


def test_fix_inserts_flag_after_subcommand() -> None:
    findings = lint("FROM debian:12\nRUN apt-get install --no-install-recommends curl=1\n", ("DF504",))
    (finding,) = findings
    assert finding.fix is not None and finding.fix.applicability == SAFE
    fixed = apply_fixes("FROM debian:12\nRUN apt-get install --no-install-recommends curl=1\n", [finding.fix])
    assert fixed == "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=1\n"


def test_onbuild_and_nested_shell_are_judged() -> None:
    text = "FROM debian:12\nONBUILD RUN sh -c 'apt-get install --no-install-recommends curl=1'\n"
    assert positions(lint(text, ("DF504",))) == [(2, 28, 2, 35)]


def test_pin_rule_reports_once_per_command() -> None:
    text = "FROM alpine:3.20\nRUN apk add --no-cache a b c d e\n"
    findings = lint(text, ("DF723",))
    assert positions(findings) == [(2, 24, 2, 25)]
    assert "and 2 more" in findings[0].message


def test_hadolint_ids_select_the_rules() -> None:
    text = "FROM debian:12\nRUN apt install curl\n"
    assert {f.code for f in lint(text, ("DL3027", "DL3014"))} == {"DF504", "DF506"}


def test_escape_directive_or_windows_platform_marks_a_windows_stage() -> None:
    for text in (
        "# escape=`\nFROM myregistry.io/build-agent:1\nRUN curl -k https://example.com\n",
        "FROM --platform=windows/amd64 myregistry.io/build-agent:1\nRUN curl -k https://example.com\n",
    ):
        assert lint(text, ("DF620",)) == []
    shell = '# escape=`\nFROM myregistry.io/agent:1\nSHELL ["/bin/bash", "-c"]\nRUN curl -k https://x\n'
    assert positions(lint(shell, ("DF620",))) == [(4, 10, 4, 12)]


@pytest.mark.parametrize(
    "script,expected",
    [
        ("rm -rf ~/.npm", True),
        ("rm -rf $HOME/.npm/*", True),
        ("rm -rf /home/node/.npm", True),
        ("rm -rf /root/.npm/_cacache", False),
        ("rm -rf /tmp/.npm", False),
    ],
)
def test_removes_home_paths(script: str, expected: bool) -> None:
    assert removes(parse_script(script).commands, "~/.npm/x") is expected


@pytest.mark.parametrize(
    "target,fires",
    [("/go/pkg/mod", False), ("/go/pkg/mod/cache", False), ("/go", False), ("/go/src", True)],
)
def test_cache_mount_inside_the_cache_counts(target: str, fires: bool) -> None:
    text = f"FROM golang:1.23\nRUN --mount=type=cache,target={target} go mod download\n"
    assert bool(lint(text, ("DF118",))) is fires


def test_cache_mount_fix_covers_every_run_of_the_stage() -> None:
    text = "FROM rust:1.82 AS build\nRUN cargo fetch\nRUN cargo build --release\n"
    (finding,) = lint(text, ("DF118",))
    assert finding.fix is not None and finding.fix.applicability == UNSAFE
    mount = "--mount=type=cache,target=/usr/local/cargo/registry"
    assert apply_fixes(text, [finding.fix]) == (
        f"FROM rust:1.82 AS build\nRUN {mount} cargo fetch\nRUN {mount} cargo build --release\n"
    )
    assert [(r.span.start_line, r.span.start_col) for r in finding.related] == [(3, 11)]


def test_cache_mount_for_a_user_switched_inside_the_run() -> None:
    text = "FROM node:22\nRUN gosu app npm ci\n"
    (finding,) = lint(text, ("DF118",))
    assert (
        finding.fix is None
        and "in the home directory of `app` (which the Dockerfile does not say), with `uid=` set"
        in finding.message
    )
    assert "<" not in finding.message


@pytest.mark.parametrize(
    "text,mount",
    [
        ("FROM node:22\nUSER node\nRUN npm ci\n", "target=/home/node/.npm,uid=1000`"),
        (
            "FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\nRUN npm ci\n",
            "target=/home/app/.npm,uid=1001`",
        ),
        (
            "FROM alpine:3.20\nRUN adduser -D -h /srv/app web\nUSER web\nRUN npm ci\n",
            "target=/srv/app/.npm` with `uid=`",
        ),
    ],
)
def test_cache_mount_in_the_home_of_a_known_user(text: str, mount: str) -> None:
    """Regression: the suggestion had unfilled placeholders (``<home of node>``) for non-root users."""
    (finding,) = lint(text, ("DF118",))
    assert mount in finding.message and "<" not in finding.message


def test_secret_in_run_is_an_error_only_where_it_ships() -> None:
    text = (
        "FROM alpine:3.20 AS build\nRUN echo 'root:pw1' | chpasswd\n"
        "FROM alpine:3.20\nRUN echo 'root:pw2' | chpasswd\n"
    )
    findings = lint(text, ("DF624",))
    assert [(f.span.start_line, f.severity.label) for f in findings] == [(2, "warning"), (4, "error")]
    assert {f.code for f in lint(text, ("CKV2_DOCKER_17",))} == {"DF624"}


def test_apt_snapshot_needs_an_apt_flag_not_any_capital_s() -> None:
    text = "FROM debian:12\nRUN curl -fsSL https://x -o /x && apt-get install -y curl\n"
    assert positions(lint(text, ("DF720",))) == [(2, 54, 2, 58)]
    snapshot = "FROM ubuntu:24.04\nRUN apt-get install -y -S 20240301T000000Z curl\n"
    assert lint(snapshot, ("DF720",)) == []


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ('deps="curl gnupg"; apt-get install -y --no-install-recommends $deps', [(2, 67, 2, 72)]),
        ('set -- curl wget && apt-get install -y --no-install-recommends "$@"', [(2, 68, 2, 72)]),
        ('deps="curl=7.8"; apt-get install -y --no-install-recommends $deps', []),
        ('deps="$(cat /deps)"; apt-get install -y --no-install-recommends $deps', []),
        ('deps="$UNKNOWN curl"; apt-get install -y --no-install-recommends ${deps}', []),
        ("for deps in curl; do :; done; apt-get install -y --no-install-recommends $deps", []),
    ],
)
def test_pin_rules_read_variables_the_script_set(run: str, expected: list[tuple[int, int, int, int]]) -> None:
    assert positions(lint(f"FROM debian:12\nRUN {run}\n", ("DF720",))) == expected


def test_script_assignment_overrides_env() -> None:
    text = "FROM alpine:3.20\nENV P=curl\nRUN P=$(cat f); apk add $P\nRUN apk add $P\n"
    assert positions(lint(text, ("DF723",))) == [(4, 13, 4, 15)]
