"""The default-on lessons and the catalogue rules: their fixes, tables and helpers, exactly."""

from __future__ import annotations

import pytest

from dfcheck.build.base_images import lookup, runs_as_root
from dfcheck.build.eol import releases
from dfcheck.build.secrets import literal_secret
from dfcheck.build.startup import interactive, launch, process, server
from dfcheck.dockerfile.model import ImageRef, Model
from dfcheck.dockerfile.parse import parse
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import SAFE, UNSAFE, Finding
from dfcheck.lint.fixes import apply_fixes
from dfcheck.shell import Word
from tests.conftest import lint, positions


def fixed(text: str, finding: Finding) -> str:
    """``text`` with the finding's fix applied."""
    assert finding.fix is not None
    return apply_fixes(text, [finding.fix])


def test_unsorted_packages_fix_keeps_the_layout() -> None:
    text = (
        "FROM debian:12\n"
        "RUN apt-get install -y --no-install-recommends \\\n"
        "    git \\\n"
        "    curl --no-install-suggests \\\n"
        "    ca-certificates\n"
    )
    (finding,) = lint(text, ("DF817",))
    assert finding.fix is not None and finding.fix.applicability == SAFE
    assert fixed(text, finding) == (
        "FROM debian:12\n"
        "RUN apt-get install -y --no-install-recommends \\\n"
        "    ca-certificates \\\n"
        "    curl --no-install-suggests \\\n"
        "    git\n"
    )
    assert lint(fixed(text, finding), ("DF817",)) == []


def test_heredoc_errexit_fix_starts_the_script_with_set_e() -> None:
    text = "FROM alpine:3.20\nRUN <<EOF\napk add curl\ncurl --version\nEOF\n"
    (finding,) = lint(text, ("DF512",))
    assert finding.fix is not None and finding.fix.applicability == UNSAFE
    assert fixed(text, finding) == "FROM alpine:3.20\nRUN <<EOF\nset -e\napk add curl\ncurl --version\nEOF\n"
    assert lint(fixed(text, finding), ("DF512",)) == []


@pytest.mark.parametrize(
    "run,flag",
    [("RUN npm ci", "--omit=dev"), ("RUN yarn install", "--production"), ("RUN pnpm i", "--prod")],
)
def test_dev_dependencies_fix_adds_the_production_flag(run: str, flag: str) -> None:
    text = f'FROM node:22-alpine\n{run}\nCMD ["node", "server.js"]\n'
    (finding,) = lint(text, ("DF119",))
    assert fixed(text, finding) == f'FROM node:22-alpine\n{run} {flag}\nCMD ["node", "server.js"]\n'
    assert lint(fixed(text, finding), ("DF119",)) == []


@pytest.mark.parametrize(
    "cmd,problem",
    [
        ('CMD ["node" "a.js"]', "a comma is missing between two strings"),
        ("CMD ['node', 'a.js']", "JSON strings take double quotes"),
        ('CMD ["node", "a.js",]', "a comma ends the list"),
        ("CMD [node, a.js]", "every element must be a double-quoted string"),
        ('CMD ["echo", "close the brackets"', "the closing bracket is missing"),
        ('CMD ["echo", "no quote!]', "a string is not closed"),
    ],
)
def test_invalid_json_exec_form_says_the_json_is_invalid(cmd: str, problem: str) -> None:
    """Regression: invalid JSON got "use the exec form", which is what the author tried to write."""
    (finding,) = lint(f"FROM node:22\n{cmd}\n", ("DF201",))
    assert "not valid JSON" in finding.message and problem in finding.message
    assert "use the exec form" not in finding.message


@pytest.mark.parametrize(
    "image,user",
    [
        ("node:22-alpine", "root"),
        ("gcr.io/distroless/static-debian12", "root"),
        ("gcr.io/distroless/static-debian12:nonroot", "nonroot"),
        ("mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled", "nonroot"),
        ("mcr.microsoft.com/dotnet/aspnet:8.0", "root"),
        ("public.ecr.aws/docker/library/python:3.12", "root"),
        ("bitnami/nginx:1.27", "nonroot"),
        ("postgres:16", "drops"),
        ("php:8.3-fpm", "root"),
    ],
)
def test_base_image_users(image: str, user: str) -> None:
    info = lookup(ImageRef.parse(image))
    assert info is not None and info.user == user


def test_unknown_and_windows_images_are_unknown() -> None:
    assert lookup(ImageRef.parse("registry.example.com/team/base:1")) is None
    assert lookup(ImageRef.parse("mcr.microsoft.com/windows/servercore:ltsc2022")) is None


def test_entrypoints_that_drop_root() -> None:
    redis = lookup(ImageRef.parse("redis:7"))
    assert redis is not None
    assert not runs_as_root(redis, None) and not runs_as_root(redis, "redis-server")
    assert not runs_as_root(redis, "--appendonly") and not runs_as_root(redis, "/etc/redis.conf")
    assert runs_as_root(redis, "sh")


@pytest.mark.parametrize(
    "image,expected",
    [
        ("python:3.8-slim-buster", [("Python", "3.8"), ("Debian", "10")]),
        ("node:gallium-alpine3.16", [("Node.js", "16"), ("Alpine", "3.16")]),
        ("node:0.10", [("Node.js", "0")]),
        ("arm64v8/ruby:2.6-buster", [("Ruby", "2.6"), ("Debian", "10")]),
        ("golang:1.22.5-bookworm", [("Go", "1.22"), ("Debian", "12")]),
        ("ubuntu:focal-20240101", [("Ubuntu", "20.04")]),
        ("debian:bullseye-slim", [("Debian", "11")]),
        ("python:3", []),
        ("node:lts", []),
        ("ghcr.io/acme/python:3.8", []),
    ],
)
def test_end_of_life_releases_from_tags(image: str, expected: list[tuple[str, str]]) -> None:
    assert [(r.product, r.version) for r in releases(ImageRef.parse(image))] == expected


def test_node_versions_older_than_the_table_ended_before_its_oldest() -> None:
    (old,) = releases(ImageRef.parse("node:0.12"))
    assert old.before and old.date == "2018-04-30"


@pytest.mark.parametrize(
    "name,value,what",
    [
        ("GH", "ghp_0123456789abcdefghijABCDEFGHIJ0123456789", "a GitHub token"),
        ("KEY_ID", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("DATABASE_URL", "postgres://app:Xq7pL2vR@db/app", "a password in a URL"),
        ("SA_PASSWORD", "Test@12345", "a password"),
        ("API_SECRET", "Xk9mQ2vL8pR4tZ7wB1nY", "a random-looking value"),
        ("DB_PASSWORD", "changeme", None),
        ("DATABASE_URL", "postgres://app:password@db/app", None),
        ("TOKEN_ENDPOINT", "https://auth.example.com/oauth2/token", None),
        ("NODE_VERSION", "22.11.0", None),
        ("SSH_AUTH_SOCK", "/run/host-services/ssh-auth.sock", None),
        ("GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D", None),
        ("API_KEY", "$NPM_TOKEN", None),
    ],
)
def test_literal_secrets(name: str, value: str, what: str | None) -> None:
    assert literal_secret(name, value) == what


def _start(text: str) -> tuple[list[str], bool]:
    argv, init = process(launch(Model(parse(text)).shipped_chain))
    return [w.text for w in argv], init


def test_start_command_follows_entrypoint_scripts_and_wrappers() -> None:
    assert _start('FROM node:22\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["npm", "start"]\n') == (
        ["npm", "start"],
        False,
    )
    assert _start('FROM node:22\nENTRYPOINT ["/sbin/tini", "--"]\nCMD ["npm", "start"]\n') == (
        ["npm", "start"],
        True,
    )
    assert _start("FROM node:22\nCMD cd /app && exec gosu node node server.js\n") == (
        ["node", "server.js"],
        False,
    )
    assert _start('FROM node:22\nCMD ["sh", "-c", "exec yarn start"]\n') == (["yarn", "start"], False)


def test_entrypoint_resets_an_inherited_cmd_but_not_its_own_stage_cmd() -> None:
    base = 'FROM node:22 AS base\nCMD ["npm", "start"]\n'
    assert _start(base + 'FROM base\nENTRYPOINT ["node"]\n') == (["node"], False)
    assert _start('FROM node:22\nCMD ["server.js"]\nENTRYPOINT ["node"]\n') == (["node", "server.js"], False)


@pytest.mark.parametrize(
    "argv,service",
    [
        ("gunicorn app:app", "gunicorn"),
        ("npm run start", "npm run start"),
        ("npm run build", None),
        ("python -m uvicorn main:app", "python -m uvicorn"),
        ("python manage.py runserver 0.0.0.0:8000", "manage.py runserver"),
        ("java -jar app.jar", "java -jar"),
        ("dotnet App.dll", "dotnet"),
        ("bundle exec rails server", "rails server"),
        ("php-fpm8.2 -F", "php-fpm8.2"),
        ("python worker.py", None),
        ("fastapi run app/main.py --port 80", "fastapi run"),
        ("fastapi dev --host 0.0.0.0 src/app", "fastapi dev"),
        ("uv run fastapi dev --host 0.0.0.0 src/app", "fastapi dev"),
        ("poetry run gunicorn app:app", "gunicorn"),
        ("uv run pytest", None),
        ("ng serve --host 0.0.0.0", "ng serve"),
        ("ng build", None),
    ],
)
def test_known_servers(argv: str, service: str | None) -> None:
    words = _start(f"FROM python:3.12\nCMD {argv}\n")[0]
    assert server([Word(w, w, Span(1, 1, 1, 1)) for w in words]) == service


def test_fastapi_cli_image_is_a_service() -> None:
    """``fastapi run`` (the FastAPI CLI, astral-sh/uv-docker-example) starts a server: the image
    lost its DF301 finding when the rule was narrowed to services (found by the issue 8 corpus diff)."""
    text = (
        "FROM python:3.12-slim\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        'CMD ["fastapi", "run", "app/main.py", "--port", "80"]\n'
    )
    findings = lint(text, ("DF301",))
    assert positions(findings) == [(1, 1, 1, 5)]
    assert "it starts `fastapi run`" in findings[0].message
    assert (
        lint(text.replace("CMD", "HEALTHCHECK CMD curl -f http://localhost/ || exit 1\nCMD"), ("DF301",))
        == []
    )


@pytest.mark.parametrize("cmd,expected", [("bash", True), ("python3", True), ("php -a", True),
                                         ("sleep infinity", True), ("python3 app.py", False),
                                         ("node server.js", False), ("bash -l", True)])  # fmt: skip
def test_shells_and_repls_are_not_applications(cmd: str, expected: bool) -> None:
    argv, _ = process(launch(Model(parse(f"FROM python:3.12\nCMD {cmd}\n")).shipped_chain))
    assert interactive(argv) is expected


@pytest.mark.parametrize(
    ("arg", "what"),
    [
        ('ARG API_TOKEN=""', "passes API_TOKEN as a build argument"),
        ("ARG API_TOKEN=''", "passes API_TOKEN as a build argument"),
        ("ARG API_TOKEN", "passes API_TOKEN as a build argument"),
        ("ARG API_TOKEN=changeme", "hard-codes a value for API_TOKEN"),
    ],
)
def test_secret_arg_with_an_empty_default_hard_codes_nothing(arg: str, what: str) -> None:
    """An empty default (``ARG KEY=""``) is a build argument, not a hard-coded value (the corpus
    diff of issue 8 found the quotes read as a value)."""
    findings = lint(f"FROM alpine:3.20\n{arg}\nRUN echo ${{API_TOKEN}} > /dev/null\n", ("DF604",))
    assert [f.message.split(",")[0] for f in findings] == [f"ARG {what}"]
