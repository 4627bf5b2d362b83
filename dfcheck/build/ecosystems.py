"""Language package managers as data: the files an install reads, the commands that install, fetch
or build, and where each tool keeps its download cache.

The cache-ordering analysis (:mod:`dfcheck.build.ordering`), the cache rules and ``dfcheck cache``
all read this one table, so a new ecosystem is one :class:`Ecosystem` entry plus the lines of
:func:`operation` that recognise its commands.
"""

from __future__ import annotations

import fnmatch

from dfcheck.build.packages import operands
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy
from dfcheck.shell import Command


class Ecosystem(NamedTuple):
    name: str
    #: Files that declare the dependencies (globs), in the order a message names them.
    manifests: tuple[str, ...]
    #: Lock files the install reads when present.
    lockfiles: tuple[str, ...]
    #: Other files the install reads when present (registry configuration, tool versions).
    extras: tuple[str, ...]
    #: Where the tool keeps downloads (``~/`` is the user's home), for cache mounts.
    cache_dirs: tuple[str, ...]
    #: The command a message suggests for installing the dependencies alone.
    install: str
    #: Environment variables that move the download cache (``VAR`` or ``VAR/sub``).
    cache_env: tuple[str, ...] = ()

    @property
    def described(self) -> str:
        """The files to copy first, in words: ``package.json package-lock.json``, ``the *.csproj
        and *.sln files``."""
        names = [n for n in (*self.manifests, *self.lockfiles) if "*" not in n]
        patterns = [n for n in self.manifests if "*" in n][:2]
        return " ".join(names) if names else "the " + " and ".join(patterns) + " files"

    def is_manifest(self, name: str) -> bool:
        return _matches(name, self.manifests)


def _is_glob(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern or "[" in pattern


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    """``fnmatchcase`` against each pattern; the literal ones (most) are compared as strings, since
    compiling all of them to regular expressions costs a cold start about a millisecond."""
    return any(name == p or (_is_glob(p) and fnmatch.fnmatchcase(name, p)) for p in patterns)


NPM = Ecosystem(
    "npm",
    ("package.json",),
    ("package-lock.json", "npm-shrinkwrap.json"),
    (".npmrc",),
    ("~/.npm",),
    "npm ci",
    ("npm_config_cache", "NPM_CONFIG_CACHE"),
)
YARN = Ecosystem(
    "yarn",
    ("package.json",),
    ("yarn.lock",),
    (".yarnrc.yml", ".yarnrc", ".npmrc"),
    ("/usr/local/share/.cache/yarn", "~/.cache/yarn", "~/.yarn/berry/cache"),
    "yarn install --frozen-lockfile",
    ("YARN_CACHE_FOLDER",),
)
PNPM = Ecosystem(
    "pnpm",
    ("package.json",),
    ("pnpm-lock.yaml",),
    ("pnpm-workspace.yaml", ".npmrc"),
    ("~/.local/share/pnpm/store", "/pnpm/store"),
    "pnpm install --frozen-lockfile",
    ("PNPM_HOME/store", "PNPM_STORE_DIR"),
)
BUN = Ecosystem(
    "bun",
    ("package.json",),
    ("bun.lockb", "bun.lock"),
    ("bunfig.toml",),
    ("~/.bun/install/cache",),
    "bun install --frozen-lockfile",
)
PIP = Ecosystem(
    "pip",
    ("requirements*.txt",),
    (),
    ("constraints*.txt",),
    ("~/.cache/pip",),
    "pip install -r requirements.txt",
    ("PIP_CACHE_DIR",),
)
POETRY = Ecosystem(
    "poetry",
    ("pyproject.toml",),
    ("poetry.lock",),
    ("poetry.toml",),
    ("~/.cache/pypoetry",),
    "poetry install --no-root",
    ("POETRY_CACHE_DIR",),
)
PIPENV = Ecosystem(
    "pipenv", ("Pipfile",), ("Pipfile.lock",), (), ("~/.cache/pipenv",), "pipenv install --deploy"
)
UV = Ecosystem(
    "uv",
    ("pyproject.toml",),
    ("uv.lock",),
    (".python-version",),
    ("~/.cache/uv",),
    "uv sync --frozen --no-install-project",
    ("UV_CACHE_DIR",),
)
PDM = Ecosystem("pdm", ("pyproject.toml",), ("pdm.lock",), (), ("~/.cache/pdm",), "pdm install --no-self")
CONDA = Ecosystem(
    "conda",
    ("environment.yml", "environment.yaml"),
    ("conda-lock.yml",),
    (),
    ("/opt/conda/pkgs",),
    "conda env create -f environment.yml",
)
GO = Ecosystem(
    "go",
    ("go.mod",),
    ("go.sum",),
    ("go.work", "go.work.sum"),
    ("/go/pkg/mod", "~/go/pkg/mod", "~/.cache/go-build"),
    "go mod download",
    ("GOMODCACHE", "GOPATH/pkg/mod", "GOCACHE"),
)
CARGO = Ecosystem(
    "cargo",
    ("Cargo.toml",),
    ("Cargo.lock",),
    (),
    ("/usr/local/cargo/registry", "~/.cargo/registry"),
    "cargo fetch",
    ("CARGO_HOME/registry", "CARGO_HOME"),
)
MAVEN = Ecosystem(
    "maven",
    ("pom.xml",),
    (),
    (".mvn", "settings.xml"),
    ("~/.m2",),
    "mvn dependency:go-offline",
    ("MAVEN_CONFIG",),
)
GRADLE = Ecosystem(
    "gradle",
    ("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"),
    ("gradle.lockfile",),
    ("gradle.properties", "gradle", "gradlew", "libs.versions.toml"),
    ("~/.gradle", "/home/gradle/.gradle"),
    "gradle dependencies",
    ("GRADLE_USER_HOME",),
)
DOTNET = Ecosystem(
    "dotnet",
    ("*.csproj", "*.fsproj", "*.vbproj", "*.sln", "*.slnx"),
    ("packages.lock.json",),
    (
        "Directory.Packages.props",
        "Directory.Build.props",
        "Directory.Build.targets",
        "NuGet.config",
        "nuget.config",
        "NuGet.Config",
        "global.json",
    ),
    ("~/.nuget/packages",),
    "dotnet restore",
    ("NUGET_PACKAGES",),
)
BUNDLER = Ecosystem(
    "bundler",
    ("Gemfile", "*.gemspec"),
    ("Gemfile.lock",),
    (".ruby-version",),
    ("/usr/local/bundle/cache",),
    "bundle install",
    ("BUNDLE_PATH", "GEM_HOME"),
)
COMPOSER = Ecosystem(
    "composer",
    ("composer.json",),
    ("composer.lock",),
    ("auth.json",),
    ("~/.composer/cache", "/tmp/cache"),
    "composer install --no-scripts --no-autoloader",
    ("COMPOSER_CACHE_DIR", "COMPOSER_HOME/cache"),
)
MIX = Ecosystem(
    "mix", ("mix.exs",), ("mix.lock",), (), ("~/.hex", "~/.mix"), "mix deps.get", ("HEX_HOME", "MIX_HOME")
)

ALL = (NPM, YARN, PNPM, BUN, PIP, POETRY, PIPENV, UV, PDM, CONDA, GO, CARGO, MAVEN, GRADLE, DOTNET, BUNDLER,
       COMPOSER, MIX)  # fmt: skip
_READ = {p for eco in ALL for p in (*eco.manifests, *eco.lockfiles, *eco.extras)}
_READ_NAMES = frozenset(p for p in _READ if not _is_glob(p))
_READ_GLOBS = tuple(sorted(p for p in _READ if _is_glob(p)))


def read_by_any(name: str) -> bool:
    """Is ``name`` (a file name, no directory) one of the files some ecosystem's install reads?"""
    return name in _READ_NAMES or any(fnmatch.fnmatchcase(name, p) for p in _READ_GLOBS)


class Operation(NamedTuple):
    """What one command does with an ecosystem's dependencies.

    ``kind`` is ``install`` (reads the manifests, installs the dependencies: cheap to order before
    the sources), ``fetch`` (only downloads them), ``build`` (builds the project and downloads
    what is missing as a side effect: it must follow the sources, so only its downloads are
    avoidable) or ``tool`` (installs a named tool with the ecosystem's installer, ``cargo install
    ripgrep``: it reads no manifest, but downloads as much). ``needs_source``: the command also reads the project itself (``pip install .``,
    ``poetry install`` without ``--no-root``), so it cannot simply move above the source copy.
    ``files``: the manifest files it names (``pip install -r requirements/prod.txt``), relative to
    its working directory; empty when it reads the ecosystem's default files.
    """

    ecosystem: Ecosystem
    kind: str
    command: Command
    needs_source: bool = False
    files: tuple[str, ...] = ()


_PIP = lazy(r"pip[0-9.]*")
_PYTHON = lazy(r"python[0-9.]*")


def _has_package_args(cmd: Command, skip: int) -> bool:
    """``npm install express`` adds a package; ``npm install`` installs from the manifest."""
    return any(not w.text.startswith("-") for w in operands(cmd)[skip:])


def _pip_operation(cmd: Command, args: list[str]) -> Operation | None:
    if not args or args[0] not in ("install", "wheel"):
        return None
    files = tuple(cmd.flag_values("-r", "--requirement"))
    words = [w for w in args[1:] if not w.startswith("-")]
    if files:
        return Operation(PIP, "install", cmd, files=files)
    local = [
        w
        for w in (*words, *cmd.flag_values("-e", "--editable"))
        if w.startswith((".", "/")) and "://" not in w
    ]
    projects = [w.split("[", 1)[0].rstrip("/") for w in local if not w.endswith((".whl", ".tar.gz", ".zip"))]
    if projects:
        base = "" if projects[0] in (".", "") else projects[0] + "/"
        names = ("pyproject.toml", "setup.py", "setup.cfg")
        return Operation(PIP, "install", cmd, needs_source=True, files=tuple(base + n for n in names))
    return None


def operation(cmd: Command, name: str | None = None) -> Operation | None:
    """What ``cmd`` does with dependencies, or None. ``name`` is its program after variable
    substitution (``$PIP install`` with ``PIP=pip3``), when the caller knows it."""
    program, *lead = (name or cmd.name).split() or [cmd.name]
    program = program.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
    words = [*lead, *(w.text for w in operands(cmd))]
    if program == "php" and words and words[0].endswith("composer.phar"):
        program, words = "composer", words[1:]
    sub = words[0] if words else None
    if program == "npm" and (
        sub in ("ci", "clean-install") or (sub in ("install", "i") and not _has_package_args(cmd, 1))
    ):
        return Operation(NPM, "install", cmd)
    if program == "yarn" and (sub is None or sub == "install"):
        return Operation(YARN, "install", cmd)
    if program == "yarn" and words[:2] == ["workspaces", "focus"]:
        return Operation(YARN, "install", cmd)
    if program == "pnpm" and sub in ("install", "i") and not _has_package_args(cmd, 1):
        return Operation(PNPM, "install", cmd)
    if program == "pnpm" and sub == "fetch":
        return Operation(PNPM, "fetch", cmd)
    if program == "bun" and sub in ("install", "i") and not _has_package_args(cmd, 1):
        return Operation(BUN, "install", cmd)
    if _PIP.fullmatch(program):
        return _pip_operation(cmd, words)
    if _PYTHON.fullmatch(program) and words[:1] == ["pip"] and cmd.flag_value("-m") in (None, "pip"):
        return _pip_operation(cmd, words[1:])
    if program == "uv" and sub == "pip":
        return _pip_operation(cmd, words[1:])
    if program == "uv" and sub == "sync":
        return Operation(UV, "install", cmd, needs_source=not cmd.has_flag("--no-install-project"))
    if program == "poetry" and sub in ("install", "sync"):
        return Operation(POETRY, "install", cmd, needs_source=not cmd.has_flag("--no-root", "--only-root"))
    if program == "pipenv" and sub in ("install", "sync") and not _has_package_args(cmd, 1):
        return Operation(PIPENV, "install", cmd)
    if program == "pdm" and sub in ("install", "sync"):
        return Operation(PDM, "install", cmd, needs_source=not cmd.has_flag("--no-self"))
    if program in ("conda", "mamba", "micromamba") and words[:2] in (["env", "create"], ["env", "update"]):
        return Operation(CONDA, "install", cmd, files=tuple(cmd.flag_values("-f", "--file")))
    if program == "go" and words[:2] == ["mod", "download"]:
        return Operation(GO, "fetch", cmd)
    if program == "go" and words[:2] == ["mod", "tidy"]:
        return Operation(GO, "build", cmd)
    if (
        program == "go"
        and sub in ("build", "install", "test", "generate", "vet")
        and cmd.flag_value("-mod") != "vendor"
    ):
        return Operation(GO, "build", cmd)
    if program == "cargo" and sub == "fetch":
        return Operation(CARGO, "fetch", cmd)
    if program == "cargo" and words[:2] == ["chef", "cook"]:
        return Operation(CARGO, "fetch", cmd)
    if program == "cargo" and sub == "install" and not cmd.has_flag("--path"):
        return Operation(CARGO, "tool", cmd)
    if program == "cargo" and sub in ("build", "test", "rustc", "install"):
        return Operation(CARGO, "build", cmd)
    if program in ("mvn", "mvnw") and words:
        offline = any(w.startswith(("dependency:go-offline", "dependency:resolve")) for w in words)
        return Operation(MAVEN, "fetch" if offline else "build", cmd)
    if program in ("gradle", "gradlew") and words:
        fetch = all(
            w in ("dependencies", "--refresh-dependencies", "resolveDependencies", "downloadDependencies")
            or w.startswith("-")
            for w in words
        )
        return Operation(GRADLE, "fetch" if fetch else "build", cmd)
    projects = tuple(w for w in words[1:] if DOTNET.is_manifest(w.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]))
    if program == "dotnet" and sub == "restore":
        return Operation(DOTNET, "fetch", cmd, files=projects)
    if (
        program == "dotnet"
        and sub in ("build", "publish", "test", "pack", "run")
        and not cmd.has_flag("--no-restore")
    ):
        return Operation(DOTNET, "build", cmd, files=projects)
    if program in ("nuget", "nuget.exe") and sub == "restore":
        return Operation(DOTNET, "fetch", cmd, files=projects)
    if program == "bundle" and sub in (None, "install"):
        return Operation(BUNDLER, "install", cmd)
    if program == "composer" and sub in ("install", "update"):
        return Operation(COMPOSER, "install", cmd)
    if program == "mix" and sub == "deps.get":
        return Operation(MIX, "fetch", cmd)
    return None
