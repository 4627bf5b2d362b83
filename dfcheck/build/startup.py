"""What the shipped image runs: the ENTRYPOINT and CMD its config ends up with, as shell words.

BuildKit resets an inherited CMD when a stage sets ENTRYPOINT (a CMD set earlier in the same stage
stays), and a shell-form ENTRYPOINT ignores CMD. Rules about the container's main process (a
package manager as PID 1, a service without a health check, an entrypoint that drops root) ask
here rather than re-reading the chain.
"""

from __future__ import annotations

import re

from dfcheck.dockerfile.model import Stage, exec_runs_shell, program_name
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import TextMap
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy
from dfcheck.shell import Script, Word, parse_script

#: Init processes that forward signals and reap zombies for the command they start.
INITS = frozenset({"tini", "tini-static", "dumb-init", "catatonit", "s6-svscan", "init", "supervisord"})
#: An ENTRYPOINT script that prepares the container and then runs its CMD (``exec "$@"``).
_ENTRYPOINT_SCRIPT = lazy(r"entrypoint|\.sh$", re.I)
#: Wrappers that run the command in their own place (``exec``) or as another user: (name, operands).
_WRAPPERS = {"exec": 0, "env": 0, "nohup": 0, "gosu": 1, "su-exec": 1, "s6-setuidgid": 1, "chpst": 0}


class Launch(NamedTuple):
    """The ENTRYPOINT and CMD in force for the image (None: the base image's, or none)."""

    entrypoint: Instruction | None
    cmd: Instruction | None

    @property
    def main(self) -> Instruction | None:
        """The instruction naming the program that runs: the ENTRYPOINT when set, else the CMD."""
        return self.entrypoint or self.cmd


def launch(chain: list[Stage]) -> Launch:
    entrypoint: Instruction | None = None
    cmd: Instruction | None = None
    for stage in chain:
        cmd_here = False
        for ins in stage.instructions:
            if ins.keyword == "CMD":
                cmd, cmd_here = ins, True
            elif ins.keyword == "ENTRYPOINT":
                entrypoint = ins
                if not cmd_here:
                    cmd = None
    return Launch(entrypoint, cmd)


def words(ins: Instruction) -> list[Word]:
    """The words of the command ``ins`` runs: ``CMD npm start``, ``["npm", "start"]`` and
    ``["sh", "-c", "exec npm start"]`` all give ``npm start``; a shell script gives its last command."""
    if not ins.is_json:
        return _last_command(parse_script(ins.rest, ins.rest_map))
    argv = [Word(t.value, t.value, t.span) for t in ins.args]
    if len(argv) >= 3 and exec_runs_shell(ins.args[:1]) and argv[1].text == "-c":
        token = ins.args[2]
        span = token.span
        tmap = TextMap()
        exact = span.start_line == span.end_line and span.end_col - span.start_col == len(token.value) + 2
        tmap.add(len(token.value), span.start_line, span.start_col + 1)
        found = _last_command(parse_script(token.value, tmap))
        return found if exact else [Word(w.text, w.raw, span) for w in found]
    return argv


def _last_command(script: Script) -> list[Word]:
    commands = [c for c in script.commands if not c.in_substitution]
    if not commands:
        return []
    cmd = commands[-1]
    return list(cmd.words[len(cmd.words) - len(cmd.args) - 1 :])


def process(start: Launch) -> tuple[list[Word], bool]:
    """The container's argv (exec-form ENTRYPOINT followed by CMD), wrappers such as ``exec`` and
    ``gosu user`` peeled off, and whether an init process (tini, dumb-init) runs it. An ENTRYPOINT
    script given a CMD (``docker-entrypoint.sh``) is taken to ``exec "$@"``: the CMD is what runs."""
    if start.entrypoint is None:
        return peel(words(start.cmd)) if start.cmd is not None else ([], False)
    argv, init = peel(words(start.entrypoint))
    if not start.entrypoint.is_json or start.cmd is None:
        return argv, init
    cmd = words(start.cmd)
    if not argv or (len(argv) == 1 and _ENTRYPOINT_SCRIPT.search(argv[0].text)):
        rest, init_cmd = peel(cmd)
        return rest, init or init_cmd
    return argv + cmd, init


def peel(argv: list[Word]) -> tuple[list[Word], bool]:
    init = False
    while argv:
        name = program_name(argv[0].text)
        if name in INITS:
            init = True
            rest = argv[1:]
            cut = next((i for i, w in enumerate(rest) if w.text == "--"), None)
            argv = rest[cut + 1 :] if cut is not None else [w for w in rest if not w.text.startswith("-")]
        elif name in _WRAPPERS:
            rest = [w for w in argv[1:] if not w.text.startswith("-")]
            if name == "env":
                rest = [w for w in rest if "=" not in w.text]
            argv = rest[_WRAPPERS[name] :]
        else:
            break
    return argv, init


#: Programs that serve network requests as soon as they start.
_SERVERS = frozenset(
    [
        "nginx",
        "httpd",
        "httpd-foreground",
        "apache2-foreground",
        "caddy",
        "traefik",
        "haproxy",
        "envoy",
        "gunicorn",
        "uvicorn",
        "hypercorn",
        "daphne",
        "waitress-serve",
        "uwsgi",
        "puma",
        "unicorn",
        "thin",
        "passenger",
        "rackup",
        "pm2-runtime",
        "http-server",
        "redis-server",
        "postgres",
        "mysqld",
        "mariadbd",
        "mongod",
        "memcached",
        "grafana-server",
        "prometheus",
        "php-fpm",
        "lighttpd",
        "varnishd",
        "catalina.sh",
        "code-server",
    ]
)
#: Program -> first operand that makes it start a server (``rails server``, ``flask run``).
_SUBCOMMANDS = {
    "rails": ("server", "s"), "flask": ("run",), "streamlit": ("run",), "next": ("start",),
    "nuxt": ("start",), "hugo": ("server",), "mkdocs": ("serve",), "jupyter": ("notebook", "lab"),
    "deno": ("serve", "run"), "symfony": ("serve", "server:start"), "artisan": ("serve", "octane:start"),
    "fastapi": ("run", "dev"), "ng": ("serve",),
}  # fmt: skip
#: Program -> subcommand that runs the next word in the project's environment (``bundle exec``, ``uv run``).
_RUNNERS = {"bundle": "exec", "uv": "run", "poetry": "run", "pipenv": "run"}
#: ``npm start``, ``yarn serve``, ``pnpm run dev``: package scripts that conventionally start a server.
_PACKAGE_MANAGERS = frozenset({"npm", "yarn", "pnpm", "bun"})
_SERVER_SCRIPTS = frozenset({"start", "serve", "dev", "prod", "production", "preview", "start:prod"})
_PYTHON_MODULES = frozenset(
    {"uvicorn", "gunicorn", "hypercorn", "flask", "http.server", "streamlit", "daphne"}
)


def server(argv: list[Word]) -> str | None:
    """What starts a network service in ``argv``, shown as written (``gunicorn``, ``java -jar``),
    or None when nothing says so."""
    if not argv:
        return None
    name = program_name(argv[0].text)
    texts = [w.text for w in argv[1:]]
    operands = [t for t in texts if not t.startswith("-")]
    if name in _RUNNERS and texts[:1] == [_RUNNERS[name]]:
        return server(argv[2:])
    if name in _SERVERS or re.fullmatch(r"php-fpm[\d.]*", name):
        return name
    if name in _PACKAGE_MANAGERS and operands:
        script = operands[1] if operands[0] == "run" and len(operands) > 1 else operands[0]
        return (
            f"{name} {' '.join(operands[: 2 if operands[0] == 'run' else 1])}"
            if script in _SERVER_SCRIPTS
            else None
        )
    if name in _SUBCOMMANDS and operands and operands[0] in _SUBCOMMANDS[name]:
        return f"{name} {operands[0]}"
    if name == "node" and any(re.search(r"\.[cm]?[jt]s$|^[\w./-]+$", t) for t in operands):
        return "node"
    if re.fullmatch(r"java\d*", name) and "-jar" in texts:
        return "java -jar"
    if name == "dotnet" and operands and operands[0].endswith(".dll"):
        return "dotnet"
    if name == "php" and "-S" in texts:
        return "php -S"
    if re.fullmatch(r"python[\d.]*", name):
        if (
            "-m" in texts
            and texts.index("-m") + 1 < len(texts)
            and texts[texts.index("-m") + 1] in _PYTHON_MODULES
        ):
            return f"python -m {texts[texts.index('-m') + 1]}"
        if operands[:2] in (["manage.py", "runserver"], ["./manage.py", "runserver"]):
            return "manage.py runserver"
    return None


#: Programs that, started without a script or operand, wait for a user at a prompt (or, for build
#: tools, print their usage): the default command of an image meant to be built upon.
SHELLS_AND_REPLS = frozenset(
    [
        "sh",
        "bash",
        "ash",
        "dash",
        "zsh",
        "fish",
        "ksh",
        "pwsh",
        "powershell",
        "cmd",
        "irb",
        "jshell",
        "ghci",
        "erl",
        "iex",
        "julia",
        "r",
        "swift",
        "lua",
        "scala",
        "groovysh",
        "mongosh",
        "psql",
        "mysql",
        "redis-cli",
        "node",
        "bun",
        "deno",
        "dotnet",
        "perl",
        "php",
        "ruby",
        "mvn",
        "gradle",
        "sbt",
        "lein",
    ]
)


def interactive(argv: list[Word]) -> bool:
    """A shell or REPL waiting for input (``bash``, ``python3``, ``node``, ``php -a``) or a
    command that only keeps the container alive (``sleep infinity``, ``tail -f /dev/null``): the
    command of a base or development image, not of an application."""
    if not argv:
        return True
    name = program_name(argv[0].text)
    if name == "sleep" or (name == "tail" and "-f" in [w.text for w in argv[1:]]):
        return True
    operands = [w.text for w in argv[1:] if not w.text.startswith("-")]
    if name in SHELLS_AND_REPLS or re.fullmatch(r"(?:python|pypy)[\d.]*", name):
        flags = {w.text for w in argv[1:] if w.text.startswith("-")}
        return not operands and not flags & {"-c", "-m", "-e", "-S", "-r"}
    return bool(re.fullmatch(r"perl[\d.]*", name)) and [w.text for w in argv[1:]] == ["-de0"]
