"""Extra checks for the syntax, entrypoint, security, reproducibility and style rules."""

from __future__ import annotations

import pytest

from dfcheck.dockerfile.model import is_git_source, is_secret_name, split_port
from dfcheck.dockerfile.substitute import variable_refs
from tests.conftest import lint, positions

STAGES = """\
FROM golang:1.22 AS build
USER root
CMD go run .
FROM alpine:3.20
USER app
CMD ["/app"]
"""


def test_shipped_rules_follow_the_target() -> None:
    assert positions(lint(STAGES, ("DF601", "DF201"))) == []
    found = lint(STAGES, ("DF601", "DF201"), target="build")
    assert sorted((f.code, f.span.start_line) for f in found) == [("DF201", 3), ("DF601", 2)]


def test_onbuild_triggers_are_judged_as_shipped_in_every_stage() -> None:
    # The trigger runs in, and ships with, every image built FROM the stage; the stage's own
    # instructions are judged only where the stage ships.
    text = (
        "FROM fedora:41 AS base\nONBUILD RUN dnf install -y gcc-14.2.1\nONBUILD CMD make\n"
        'RUN dnf install -y make-4.4.1\nCMD make\nFROM scratch\nCMD ["/app"]\n'
    )
    found = lint(text, ("DF113", "DF201"))
    assert sorted((f.code, f.span.start_line) for f in found) == [("DF113", 2), ("DF201", 3)]


def test_hadolint_ignore_comments_reach_aliased_rules() -> None:
    text = "# hadolint ignore=DL3006\nFROM ubuntu\nFROM debian\n"
    assert positions(lint(text, ("DF701",))) == [(3, 6, 3, 12)]


@pytest.mark.parametrize(
    "comment,suppressed",
    [
        ("# hadolint ignore=DL3001,DL3002", True),
        ("# hadolint ignore = DL3001 , DL3002 # why", True),
        ("# hadolint ignore=crazy,DL3002", False),
        ("# hadolint ignore=DL3001 DL3002", False),
        ("# hadolint ignore=dl3002", False),
        ("# dfcheck ignore=crazy,DL3002", True),
    ],
)
def test_hadolint_ignore_comments_hadolint_drops_are_dropped(comment: str, suppressed: bool) -> None:
    text = f"FROM scratch\n{comment}\nUSER root\n"
    assert (lint(text, ("DF601",)) == []) is suppressed


def test_build_args_resolve_base_images() -> None:
    text = "ARG BASE\nFROM $BASE\n"
    assert [f.code for f in lint(text, ("DF014", "DF701"))] == ["DF014"]
    # DF701 sees the image the build argument gives; DF014, like BuildKit, still warns that the
    # ARG has no default.
    found = lint(text, ("DF014", "DF701"), build_args={"BASE": "ubuntu"})
    assert [(f.code, f.severity.name) for f in found] == [("DF014", "WARNING"), ("DF701", "WARNING")]


@pytest.mark.parametrize(
    "text,refs",
    [
        ("$A ${B:-x} \\$C '$D' \"$E\"", [("A", ""), ("B", ":-x"), ("E", "")]),
        ("${A}${B}", [("A", ""), ("B", "")]),
        ("$1 $", []),
    ],
)
def test_variable_refs(text: str, refs: list[tuple[str, str]]) -> None:
    assert [(name, mod) for name, _, _, mod in variable_refs(text)] == refs


def test_port_and_source_helpers() -> None:
    assert split_port("127.0.0.1:8080:80/udp") == ("127.0.0.1", "8080", "80", "udp")
    assert split_port("80") == ("", "", "80", None)
    assert is_git_source("https://github.com/moby/buildkit.git#v0.16.0")
    assert is_git_source("git@github.com:org/repo")
    assert not is_git_source("https://example.com/archive.tar.gz")


@pytest.mark.parametrize(
    "name,secret",
    [
        ("DB_PASSWORD", True),
        ("GITHUB_TOKEN", True),
        ("GPG_KEY", False),
        ("PASSWORD_FILE", False),
        ("secret_File_name", False),
        ("AUTH_MODULE_VERSION", False),
        ("AWS_ACCESS_KEY_ID", True),
        ("MONKEY", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_spdx_fallback_without_packaging(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from dfcheck.rules.style.DF815_invalid_label_value import spdx

    real_import = builtins.__import__

    def no_packaging(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("packaging"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_packaging)
    assert spdx("Apache-2.0 OR MIT")
    assert not spdx("MIT License")


CASING = "FROM scratch as base\ncopy Dockerfile .\n"


@pytest.mark.parametrize(
    "text,build_args,expected",
    [
        ("#check=skip=all\n" + CASING, {}, []),
        # The build argument replaces the file's directive.
        ("#check=skip=all\n" + CASING, {"BUILDKIT_DOCKERFILE_CHECK": "skip=DF807"}, [("DF805", 2)]),
        ("#check=error=true\n" + CASING, {"BUILDKIT_DOCKERFILE_CHECK": "skip=all"}, []),
        # A check comment above an instruction applies to it only; a space ends its value.
        (
            "FROM scratch as base\nENV A=1\n# check=skip=DF807 // on purpose\ncopy a .\ncopy b .\n",
            {},
            [("DF805", 1), ("DF807", 5)],
        ),
        # An empty `#` ends the comment block; only the first check comment counts.
        ("FROM scratch AS base\nENV A=1\n# check=skip=DF807\n#\ncopy a .\n", {}, [("DF807", 5)]),
        ("FROM scratch\nENV A=1\n# check=skip=DF805\n# check=skip=DF807\ncopy a .\n", {}, [("DF807", 5)]),
        # An option BuildKit rejects leaves the configuration as it was.
        ("FROM scratch\nENV A=1\n# check=skip=DF807;bogus\ncopy a .\n", {}, [("DF807", 4)]),
    ],
)
def test_check_configuration(text: str, build_args: dict[str, str], expected: list[tuple[str, int]]) -> None:
    found = lint(text, ("DF805", "DF807"), build_args=build_args)
    assert sorted((f.code, f.span.start_line) for f in found) == expected


def test_check_error_true_makes_buildkit_checks_errors_from_the_build_argument() -> None:
    found = lint(CASING, ("DF805",), build_args={"BUILDKIT_DOCKERFILE_CHECK": "error=true"})
    assert [f.severity.name for f in found] == ["ERROR"]
