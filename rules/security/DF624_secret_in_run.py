"""A password typed into a RUN line is in the image history and the build cache of every stage."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from dfcheck.build.packages import is_pip
from dfcheck.dockerfile.model import narrow
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Script, Word

#: ``scheme://user:password@host``; group 1 is the password.
_URL_CREDENTIALS = re.compile(r"[A-Za-z][\w+.-]*://[^/\s:@'\"]*:([^/\s@'\"]+)@[\w\[]")
_NPMRC_TOKEN = re.compile(r"(?:_authToken|_auth|_password|npmAuthToken)\s*[=:]\s*['\"]?([^\s'\"]+)")
_URL_PROGRAMS = frozenset(
    {"curl", "wget", "git", "npm", "npx", "yarn", "pnpm", "uv", "poetry", "pipenv", "gem", "bundle",
     "composer", "helm", "go"}
)  # fmt: skip
_LOGIN = frozenset({"docker", "podman", "buildah", "nerdctl", "skopeo", "helm", "oras"})
_MYSQL = frozenset({"mysql", "mysqladmin", "mysqldump", "mysqlimport", "mysqlshow", "mysqlcheck", "mariadb",
                    "mariadb-admin", "mariadb-dump"})  # fmt: skip
_AWS_KEYS = ("aws_secret_access_key", "aws_access_key_id", "aws_session_token")
_STORE = (
    "`credential.helper store` writes git credentials in plain text to ~/.git-credentials in the layer: "
    "pass them with `RUN --mount=type=secret` and a helper that does not store them"
)
_KEPT = " is kept in the image history and the build cache: pass it with `RUN --mount=type=secret`"
Hit = tuple[Span, str]


def _literal(text: str) -> bool:
    """A value written out, not a placeholder filled at build time (``$TOKEN``, ``$(cat ...)``)."""
    return bool(text) and not re.search(r"[$`<>{}]|^\*+$", text)


def _part(word: Word, group: re.Match[str]) -> Span:
    """The span of a regex group found in ``word.raw``."""
    return narrow(word.span, word.raw, group.start(1), group.end(1))


def _value_after(args: tuple[Word, ...], i: int, flag: str) -> Word | None:
    """The value of ``flag`` given as ``args[i]``: ``--flag=v``, ``-fv`` or a separate word."""
    t = args[i].text
    if t == flag:
        return args[i + 1] if i + 1 < len(args) else None
    if t.startswith(flag + "=" if flag.startswith("--") else flag):
        return args[i]
    return None


def _flag_secret(word: Word, flag: str, after: str = "") -> Span | None:
    """The span of a literal flag value (``-pSECRET``, ``--password=SECRET`` or its own word)."""
    text, raw = word.text, word.raw
    prefix = flag + "=" if flag.startswith("--") and text.startswith(flag + "=") else flag
    value = text[len(prefix) :] if text.startswith(prefix) else text
    if after:
        value = value.partition(after)[2]
    if not _literal(value):
        return None
    start = raw.find(value)
    return narrow(word.span, raw, start, start + len(value)) if start >= 0 else word.span


def _flag_hits(cmd: Command, flags: tuple[str, ...], what: str, after: str = "") -> Iterator[Hit]:
    """Literal values of ``flags``; with ``after``, only the part after that separator counts."""
    for i in range(len(cmd.args)):
        for flag in flags:
            word = _value_after(cmd.args, i, flag)
            span = _flag_secret(word, flag, after) if word is not None else None
            if span is not None:
                yield span, what
                break


def _command_hits(cmd: Command) -> Iterator[Hit]:
    texts = [w.text for w in cmd.args]
    if cmd.name in _URL_PROGRAMS or is_pip(cmd):
        for word in cmd.args:
            m = _URL_CREDENTIALS.search(word.raw)
            if m and _literal(m.group(1)):
                yield _part(word, m), "a password in a URL"
    if cmd.name == "curl":
        yield from _flag_hits(cmd, ("-u", "--user", "--proxy-user", "-U"), "a `curl --user` password", ":")
    if cmd.name == "wget":
        yield from _flag_hits(cmd, ("--password", "--http-password", "--ftp-password"), "a wget password")
    if cmd.name in _LOGIN and "login" in texts:
        yield from _flag_hits(cmd, ("--password", "-p"), f"a `{cmd.name} login` password")
    if cmd.name in _MYSQL:
        for i, t in enumerate(texts):
            if (t.startswith("-p") and len(t) > 2) or t.startswith("--password="):
                span = _flag_secret(cmd.args[i], "--password" if t.startswith("--") else "-p")
                if span is not None:
                    yield span, f"a `{cmd.name}` password"
    if cmd.name == "sshpass":
        yield from _flag_hits(cmd, ("-p",), "an `sshpass -p` password")
    if cmd.name == "aws" and texts[:2] == ["configure", "set"] and len(texts) >= 4:
        key = texts[2].rsplit(".", 1)[-1]
        if key in _AWS_KEYS and _literal(texts[3]):
            yield cmd.args[3].span, f"an AWS key (`{texts[2]}`)"
    if cmd.name == "git" and "config" in texts:
        for i, t in enumerate(texts[:-1]):
            if re.fullmatch(r"credential\.(?:.+\.)?helper", t) and texts[i + 1].startswith("store"):
                yield cmd.args[i + 1].span, _STORE
    if cmd.name in ("npm", "pnpm", "yarn") and "config" in texts and "set" in texts:
        for i, t in enumerate(texts):
            key, eq, value = t.partition("=")
            if not re.search(r"_authToken|_auth|_password|npmAuthToken", key):
                continue
            if eq and _literal(value):
                yield _flag_secret(cmd.args[i], key + "=") or cmd.args[i].span, "a registry token"
            elif not eq and i + 1 < len(texts) and _literal(texts[i + 1]):
                yield cmd.args[i + 1].span, "a registry token"
    if cmd.name in ("echo", "printf"):
        for word in cmd.args:
            m = _NPMRC_TOKEN.search(word.raw)
            if m and _literal(m.group(1)):
                yield _part(word, m), "a registry token"
    batch = any(t.startswith("-") and not t.startswith("--") and "b" in t for t in texts)
    if cmd.name == "htpasswd" and batch:
        words = cmd.positional({"-C", "-r"})
        if len(words) >= 2 and _literal(words[-1].text):
            yield words[-1].span, "an `htpasswd -b` password"


def _piped_password(script: Script) -> Iterator[Hit]:
    """``echo 'root:secret' | chpasswd`` and ``echo secret | passwd --stdin root``."""
    for pipe in script.pipelines:
        for feed, sink in pairwise(pipe):
            if feed.name not in ("echo", "printf") or sink.pipeline_index != feed.pipeline_index + 1:
                continue
            if sink.name == "chpasswd" and not sink.has_flag("-e", "--encrypted"):
                for word in feed.args:
                    m = re.search(r"[^\s:]+:([^\s:\\'\"]+)", word.raw)
                    if m and _literal(m.group(1)) and not word.text.startswith("-"):
                        yield _part(word, m), "a password piped into `chpasswd`"
            elif sink.name == "passwd":
                for word in feed.args:
                    if not word.text.startswith("-") and _literal(word.text):
                        yield word.span, "a password piped into `passwd`"
                        break


class SecretInRunRule(Rule):
    code = "DF624"
    name = "secret-in-run"
    severity = Severity.ERROR
    summary = "A credential is written out in a RUN command"
    aliases = ("CKV2_DOCKER_17",)
    security_severity = 7.5

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        shipped = ctx.ships(ctx.facts(ins).stage)
        for script in ctx.scripts(ins):
            hits = [h for cmd in script.commands for h in _command_hits(cmd)]
            for span, what in hits + list(_piped_password(script)):
                message = what if what is _STORE else f"{what[0].upper()}{what[1:]}{_KEPT}"
                finding = self.finding(ctx, span, message)
                yield finding if shipped else finding._replace(severity=Severity.WARNING)
