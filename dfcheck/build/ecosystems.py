"""Language package managers: their manifests, the commands that install from them, and caches.

Both the cache-ordering rules and the cache analyzer's suggestions need the same facts: which
files a dependency install reads (so they can be copied first), which commands install, and where
each tool keeps its download cache (so a ``--mount=type=cache`` can be suggested).
"""

from __future__ import annotations

from typing import NamedTuple

from dfcheck.shell import Command


class Ecosystem(NamedTuple):
    name: str
    manifests: tuple[str, ...]
    cache_targets: tuple[str, ...]


NPM = Ecosystem(
    "npm",
    (
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        ".npmrc",
        ".yarnrc.yml",
    ),
    (
        "/root/.npm",
        "/usr/local/share/.cache/yarn",
        "/root/.cache/yarn",
        "/root/.local/share/pnpm/store",
        "/pnpm/store",
    ),
)
PYTHON = Ecosystem(
    "python",
    (
        "requirements.txt",
        "pyproject.toml",
        "poetry.lock",
        "Pipfile",
        "Pipfile.lock",
        "uv.lock",
        "setup.py",
        "setup.cfg",
    ),
    ("/root/.cache/pip", "/root/.cache/uv", "/root/.cache/pypoetry"),
)
GO = Ecosystem("go", ("go.mod", "go.sum"), ("/go/pkg/mod", "/root/go/pkg/mod", "/root/.cache/go-build"))
CARGO = Ecosystem(
    "cargo", ("Cargo.toml", "Cargo.lock"), ("/usr/local/cargo/registry", "/root/.cargo/registry")
)
MAVEN = Ecosystem("maven", ("pom.xml",), ("/root/.m2",))
GRADLE = Ecosystem(
    "gradle",
    ("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties"),
    ("/root/.gradle", "/home/gradle/.gradle"),
)
BUNDLER = Ecosystem("bundler", ("Gemfile", "Gemfile.lock"), ("/usr/local/bundle/cache",))
COMPOSER = Ecosystem("composer", ("composer.json", "composer.lock"), ("/root/.composer/cache", "/tmp/cache"))

ALL = (NPM, PYTHON, GO, CARGO, MAVEN, GRADLE, BUNDLER, COMPOSER)


def _has_package_args(cmd: Command, skip: int) -> bool:
    """``npm install express`` adds a package; ``npm install`` installs from the manifest."""
    return any(not w.text.startswith("-") for w in cmd.args[skip:])


def manifest_install(cmd: Command) -> Ecosystem | None:
    """The ecosystem whose manifest this command installs dependencies from, if it does."""
    name, sub = cmd.name, cmd.subcommand
    if name == "npm" and sub in ("ci", "install", "i", "clean-install"):
        return NPM if sub in ("ci", "clean-install") or not _has_package_args(cmd, 1) else None
    if name == "yarn" and (sub in (None, "install")):
        return NPM
    if name == "pnpm" and sub in ("install", "i") and not _has_package_args(cmd, 1):
        return NPM
    if name in ("pip", "pip3") and sub == "install" and cmd.flag_value("-r", "--requirement"):
        return PYTHON
    if name in ("poetry", "pipenv") and sub in ("install", "sync"):
        return PYTHON
    if name == "uv" and (sub == "sync" or (sub == "pip" and cmd.flag_value("-r", "--requirement"))):
        return PYTHON
    if name == "go" and sub == "mod" and any(w.text == "download" for w in cmd.args):
        return GO
    if name == "cargo" and sub in ("fetch", "build", "install") and not cmd.has_flag("--path"):
        return CARGO if sub != "install" else None
    if name in ("mvn", "mvnw", "./mvnw") and cmd.args:
        return MAVEN
    if name in ("gradle", "gradlew", "./gradlew") and cmd.args:
        return GRADLE
    if name == "bundle" and sub in ("install", None):
        return BUNDLER
    if name == "composer" and sub in ("install", "update"):
        return COMPOSER
    if name == "go" and sub in ("build", "install", "test", "generate"):
        return GO
    return None


def is_build_that_fetches(cmd: Command, ecosystem: Ecosystem) -> bool:
    """Commands that download dependencies as a side effect of building (go build, cargo build, mvn)."""
    if ecosystem is GO:
        return cmd.subcommand in ("build", "install", "test", "generate")
    if ecosystem is CARGO:
        return cmd.subcommand == "build"
    return ecosystem in (MAVEN, GRADLE)
