"""Turning off certificate checks lets anyone on the network path replace what the build downloads."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import is_pip, operands
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command, Word

_FALSE = frozenset({"false", "0", "no", "off"})
#: Environment variables that disable verification; None means "any non-empty value".
_ENV: dict[str, frozenset[str] | None] = {
    "PYTHONHTTPSVERIFY": frozenset({"0"}),
    "NODE_TLS_REJECT_UNAUTHORIZED": frozenset({"0"}),
    "NPM_CONFIG_STRICT_SSL": _FALSE,
    "npm_config_strict_ssl": _FALSE,
    "GIT_SSL_NO_VERIFY": None,
    "PIP_TRUSTED_HOST": None,
    "GOINSECURE": None,
    "CURL_INSECURE": None,
}


def _env_disables(key: str, value: str) -> bool:
    if key not in _ENV:
        return False
    allowed = _ENV[key]
    value = value.strip().strip("'\"")
    return bool(value) if allowed is None else value.lower() in allowed


def _flags(cmd: Command) -> Iterator[tuple[Word, str]]:
    texts = [w.text for w in cmd.args]
    for i, word in enumerate(cmd.args):
        t = word.text
        low = t.lower()
        if cmd.name == "curl" and (
            t == "--insecure" or (t.startswith("-") and not t.startswith("--") and "k" in t)
        ):
            yield word, "`curl -k` accepts any certificate"
        elif cmd.name == "wget" and t == "--no-check-certificate":
            yield word, "`wget --no-check-certificate` accepts any certificate"
        elif is_pip(cmd) and t.split("=", 1)[0] == "--trusted-host":
            yield word, "`pip --trusted-host` accepts plain HTTP and any certificate for that host"
        elif cmd.name in ("npm", "yarn", "pnpm") and low.replace(" ", "") in (
            "--strict-ssl=false",
            "--strict-ssl=0",
        ):
            yield word, f"`{cmd.name}` with strict-ssl off accepts any certificate"
        elif (
            cmd.name == "git"
            and low.replace(" ", "").startswith("http.sslverify=")
            and low.split("=")[1] in _FALSE
        ):
            yield word, "git with `http.sslVerify=false` accepts any certificate"
        elif (
            "sslverify=" in low
            and cmd.name in ("yum", "dnf", "yum-config-manager")
            and low.rsplit("=", 1)[1] in _FALSE
        ):
            yield word, f"`{cmd.name}` with sslverify off accepts any certificate"
        elif (
            i + 1 < len(texts) and low in ("strict-ssl", "http.sslverify") and texts[i + 1].lower() in _FALSE
        ):
            words = [w.text for w in operands(cmd)]
            if (cmd.name in ("npm", "yarn", "pnpm") and "set" in words) or (
                cmd.name == "git" and "config" in words
            ):
                yield word, f"`{cmd.name}` configured to accept any certificate"


class TlsVerificationDisabledRule(Rule):
    code = "DF620"
    name = "tls-verification-disabled"
    severity = Severity.ERROR
    summary = "TLS certificate verification turned off"
    aliases = ("CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4", "CKV2_DOCKER_5", "CKV2_DOCKER_6",
               "CKV2_DOCKER_12", "CKV2_DOCKER_13", "CKV2_DOCKER_14", "CKV2_DOCKER_15", "CKV2_DOCKER_16",
               "CKV2_DOCKER_18")  # fmt: skip
    security_severity = 7.4
    requires_instructions = frozenset({"ARG", "ENV", "RUN"})

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        for ins in ctx.all_instructions("ENV", "ARG"):
            for pair in ins.pairs:
                if pair.has_value and _env_disables(pair.key, pair.value):
                    yield self._env(ctx, pair.key, pair.key_span)
        for ins in ctx.all_instructions("RUN"):
            for cmd in ctx.commands(ins):
                for word in cmd.assignments:
                    key, _, value = word.text.partition("=")
                    if _env_disables(key, value):
                        yield self._env(ctx, key, word.span)
                if cmd.name == "export":
                    for word in cmd.args:
                        key, eq, value = word.text.partition("=")
                        if eq and _env_disables(key, value):
                            yield self._env(ctx, key, word.span)
                for word, why in _flags(cmd):
                    yield self.finding(ctx, word.span, f"{why}: fix the CA bundle instead")

    def _env(self, ctx: RuleContext, key: str, span: Span) -> Finding:
        return self.finding(
            ctx, span, f"`{key}` turns off TLS certificate verification: fix the CA bundle instead"
        )
