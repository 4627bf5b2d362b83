"""A password typed into a RUN line is in the image history and the build cache of every stage."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import pairwise

from dfcheck.build.packages import is_pip
from dfcheck.dockerfile.model import narrow
from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import ChainState, Rule, RuleContext
from dfcheck.regex import lazy
from dfcheck.shell import Command, Script, Word

#: ``scheme://user:password@host``; group 1 is the password.
_URL_CREDENTIALS = lazy(r"[A-Za-z][\w+.-]*://[^/\s:@'\"]*:([^/\s@'\"]+)@[\w\[]")
#: ``scheme://TOKEN@host``: a user name alone, a credential only when it is a build argument's.
_URL_TOKEN_USER = lazy(r"[A-Za-z][\w+.-]*://([^/\s:@'\"]+)@[\w\[]")
#: ``Authorization: Bearer <token>`` (also ``token``, ``Basic``), and GitLab's ``PRIVATE-TOKEN: <token>``.
_AUTH_HEADER = lazy(
    r"(?i)(?:authorization:\s*(?:bearer|token|basic)|private-token:|x-api-key:)\s*([^\s'\"]+)"
)
_NPMRC_TOKEN = lazy(r"(?:_authToken|_auth|_password|npmAuthToken)\s*[=:]\s*['\"]?([^\s'\"]+)")
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
#: ``$NAME`` or ``${NAME}``: the whole value is one variable.
_REFERENCE = lazy(r"\$\{?(\w+)\}?")


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


def _flag_secret(word: Word, flag: str, after: str = "", ok: Callable[[str], bool] = _literal) -> Span | None:
    """The span of a flag value ``ok`` accepts (``-pSECRET``, ``--password=SECRET`` or its own word)."""
    text, raw = word.text, word.raw
    prefix = flag + "=" if flag.startswith("--") and text.startswith(flag + "=") else flag
    value = text[len(prefix) :] if text.startswith(prefix) else text
    if after:
        value = value.partition(after)[2]
    if not ok(value):
        return None
    start = raw.find(value)
    return narrow(word.span, raw, start, start + len(value)) if start >= 0 else word.span


def _flag_hits(
    cmd: Command, flags: tuple[str, ...], what: str, ok: Callable[[str], bool], after: str = ""
) -> Iterator[Hit]:
    """Values of ``flags`` that ``ok`` accepts; with ``after``, only the part after that separator counts."""
    for i in range(len(cmd.args)):
        for flag in flags:
            word = _value_after(cmd.args, i, flag)
            span = _flag_secret(word, flag, after, ok) if word is not None else None
            if span is not None:
                yield span, what
                break


def _command_hits(cmd: Command, ok: Callable[[str], bool] = _literal) -> Iterator[Hit]:
    """Credentials ``cmd`` is given, where ``ok`` accepts the value: written out (``_literal``) or
    a build argument's (``SecretInRunRule._build_arg``)."""
    texts = [w.text for w in cmd.args]
    if cmd.name in _URL_PROGRAMS or is_pip(cmd):
        for word in cmd.args:
            m = _URL_CREDENTIALS.search(word.raw)
            if m and ok(m.group(1)):
                yield _part(word, m), "a password in a URL"
            elif ok is not _literal:
                m = _URL_TOKEN_USER.search(word.raw)
                if m and ok(m.group(1)):
                    yield _part(word, m), "a token in a URL"
    if cmd.name in ("curl", "wget"):
        for word in cmd.args:
            m = _AUTH_HEADER.search(word.raw)
            if m and ok(m.group(1)):
                yield _part(word, m), "an Authorization header"
    if cmd.name == "curl":
        yield from _flag_hits(
            cmd, ("-u", "--user", "--proxy-user", "-U"), "a `curl --user` password", ok, ":"
        )
    if cmd.name == "wget":
        yield from _flag_hits(cmd, ("--password", "--http-password", "--ftp-password"), "a wget password", ok)
    if cmd.name in _LOGIN and "login" in texts:
        yield from _flag_hits(cmd, ("--password", "-p"), f"a `{cmd.name} login` password", ok)
    if cmd.name in _MYSQL:
        for i, t in enumerate(texts):
            if (t.startswith("-p") and len(t) > 2) or t.startswith("--password="):
                span = _flag_secret(cmd.args[i], "--password" if t.startswith("--") else "-p", ok=ok)
                if span is not None:
                    yield span, f"a `{cmd.name}` password"
    if cmd.name == "sshpass":
        yield from _flag_hits(cmd, ("-p",), "an `sshpass -p` password", ok)
    if cmd.name == "aws" and texts[:2] == ["configure", "set"] and len(texts) >= 4:
        key = texts[2].rsplit(".", 1)[-1]
        if key in _AWS_KEYS and ok(texts[3]):
            yield cmd.args[3].span, f"an AWS key (`{texts[2]}`)"
    if cmd.name == "git" and "config" in texts and ok is _literal:
        for i, t in enumerate(texts[:-1]):
            if re.fullmatch(r"credential\.(?:.+\.)?helper", t) and texts[i + 1].startswith("store"):
                yield cmd.args[i + 1].span, _STORE
    if cmd.name in ("npm", "pnpm", "yarn") and "config" in texts and "set" in texts:
        for i, t in enumerate(texts):
            key, eq, value = t.partition("=")
            if not re.search(r"_authToken|_auth|_password|npmAuthToken", key):
                continue
            if eq and ok(value):
                yield _flag_secret(cmd.args[i], key + "=", ok=ok) or cmd.args[i].span, "a registry token"
            elif not eq and i + 1 < len(texts) and ok(texts[i + 1]):
                yield cmd.args[i + 1].span, "a registry token"
    if cmd.name in ("echo", "printf"):
        for word in cmd.args:
            m = _NPMRC_TOKEN.search(word.raw)
            if m and ok(m.group(1)):
                yield _part(word, m), "a registry token"
    batch = any(t.startswith("-") and not t.startswith("--") and "b" in t for t in texts)
    if cmd.name == "htpasswd" and batch:
        words = cmd.positional({"-C", "-r"})
        if len(words) >= 2 and ok(words[-1].text):
            yield words[-1].span, "an `htpasswd -b` password"


def _piped_password(script: Script, ok: Callable[[str], bool] = _literal) -> Iterator[Hit]:
    """``echo 'root:secret' | chpasswd`` and ``echo secret | passwd --stdin root``."""
    for pipe in script.pipelines:
        for feed, sink in pairwise(pipe):
            if feed.name not in ("echo", "printf") or sink.pipeline_index != feed.pipeline_index + 1:
                continue
            if sink.name == "chpasswd" and not sink.has_flag("-e", "--encrypted"):
                for word in feed.args:
                    m = re.search(r"[^\s:]+:([^\s:\\'\"]+)", word.raw)
                    if m and ok(m.group(1)) and not word.text.startswith("-"):
                        yield _part(word, m), "a password piped into `chpasswd`"
            elif sink.name == "passwd":
                for word in feed.args:
                    if not word.text.startswith("-") and ok(word.text):
                        yield word.span, "a password piped into `passwd`"
                        break


def _from_args(args: frozenset[str], script: Script, cmd: Command | None) -> Callable[[str], bool]:
    """Accepts ``$NAME`` / ``${NAME}`` when NAME is one of the build arguments ``args`` (and the
    script did not set it itself, ``NAME=$(cat /run/secrets/x)``)."""

    def ok(text: str) -> bool:
        m = _REFERENCE.fullmatch(text)
        return m is not None and m.group(1) in args and (cmd is None or not script.assigns(m.group(1), cmd))

    return ok


class SecretInRunRule(Rule):
    code = "DF624"
    name = "secret-in-run"
    severity = Severity.ERROR
    summary = "A credential is written out in a RUN command, or taken from a build argument"
    aliases = ("CKV2_DOCKER_17",)
    instructions = frozenset({"ARG", "ENV"})
    security_severity = 7.5
    #: ARG and ENV are only remembered: findings are on RUNs.
    requires_instructions = frozenset({"RUN"})

    def __init__(self) -> None:
        #: Names whose value, at this point of the stage chain, comes from an ARG.
        self.build_args: ChainState[frozenset[str]] = ChainState(frozenset())

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        stage = ctx.facts(ins).stage
        if stage is not None and ins.parent is None:
            names = self.build_args.get(stage)
            keys = {pair.key for pair in ins.pairs}
            self.build_args.set(stage, names | keys if ins.keyword == "ARG" else names - keys)
        return iter(())

    def check_run(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        facts = ctx.facts(ins)
        shipped = ctx.ships(facts.stage)
        mounted = {m.fields.get("env") for m in ctx.mounts(ins) if m.type == "secret"}
        args = (self.build_args.get(facts.stage) if facts.stage is not None else frozenset()) - mounted
        for script in ctx.scripts(ins):
            found = [h for cmd in script.commands for h in _command_hits(cmd)] + list(_piped_password(script))
            for span, what in found:
                message = what if what is _STORE else f"{what[0].upper()}{what[1:]}{_KEPT}"
                yield self._graded(ctx, span, message, shipped)
            if not args:
                continue
            for cmd in script.commands:
                for span, what in _command_hits(cmd, _from_args(args, script, cmd)):
                    yield self._graded(ctx, span, self._from_arg(ctx, span, what, cmd), shipped)
            for span, what in _piped_password(script, _from_args(args, script, None)):
                yield self._graded(ctx, span, self._from_arg(ctx, span, what, None), shipped)

    def _graded(self, ctx: RuleContext, span: Span, message: str, shipped: bool) -> Finding:
        finding = self.finding(ctx, span, message)
        return finding if shipped else finding._replace(severity=Severity.WARNING)

    @staticmethod
    def _from_arg(ctx: RuleContext, span: Span, what: str, cmd: Command | None) -> str:
        line = ctx.dockerfile.lines[span.start_line - 1] if span.start_line == span.end_line else ""
        m = re.search(r"\w+", line[span.start_col - 1 : span.end_col - 1])
        name = m.group(0) if m else "TOKEN"
        stores = cmd is not None and (
            cmd.name in ("echo", "printf") or "config" in [w.text for w in cmd.args]
        )
        where = "`docker history` shows its value" + (
            " and this command writes it into the layer" if stores else ""
        )
        secret = name.lower()
        return (
            f"{what[0].upper()}{what[1:]} comes from the build argument `{name}`: {where}; pass it with "
            f"`RUN --mount=type=secret,id={secret},env={name}` (and `docker build --secret id={secret},env={name}`)"
        )
