"""ARG and ENV values are stored in the image config and history: no place for credentials."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfcheck.build.secrets import literal_secret
from dfcheck.dockerfile.model import Stage, is_secret_name
from dfcheck.dockerfile.parse import Instruction, KeyValue
from dfcheck.dockerfile.substitute import variable_refs
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

#: A GPG key id or fingerprint: public, although held in a ``..._KEY`` variable.
FINGERPRINT = lazy(r"^(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40})$")
_RUNTIME = (
    "pass it when the container starts instead (`docker run --env-file`, Compose or Kubernetes secrets, "
    "or a `{name}_FILE` variable naming a mounted secret file)"
)


def _judged(ctx: RuleContext, ins: Instruction, pair: KeyValue) -> bool | None:
    """None for a pair this rule leaves alone (no secret name, an empty ENV, a key fingerprint, a
    literal secret that DF608 reports), else whether its value is written as a literal."""
    if not is_secret_name(pair.key):
        return None
    value = ctx.model.unquote(pair.value) if pair.has_value else ""
    if ins.keyword == "ENV" and not value.strip():
        return None
    expanded = ctx.model.expand(pair.value, ins).replace(" ", "") if pair.has_value else ""
    if FINGERPRINT.match(expanded) and not re.search("(?i)token|pass|secret", pair.key):
        return None
    literal = bool(value) and not variable_refs(pair.value, ctx.dockerfile.escape)
    if literal and literal_secret(pair.key, value):
        return None  # DF608 (hardcoded-secret) reports it as an error
    return literal


class SecretInArgOrEnvRule(Rule):
    code = "DF604"
    name = "secret-in-arg-or-env"
    severity = Severity.WARNING
    summary = "A credential is passed through ARG or ENV in the shipped image"
    instructions = frozenset({"ARG", "ENV"})
    aliases = ("SecretsUsedInArgOrEnv", "DL3064", "DS031", "DS-0031", "AVD-DS-0031")
    judged_stages = "shipped"
    security_severity = 7.5

    def __init__(self) -> None:
        #: Secret-like ARGs of the stage being walked, reported at its end: by then it is known
        #: whether an ENV hands them on to the running container.
        self.args: list[tuple[KeyValue, bool]] = []
        self.fed: dict[str, str] = {}

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        for pair in ins.pairs:
            if ins.keyword == "ENV":
                for name, *_ in variable_refs(pair.value, ctx.dockerfile.escape):
                    self.fed.setdefault(name, pair.key)
            literal = _judged(ctx, ins, pair)
            if literal is None:
                continue
            if ins.keyword == "ARG":
                self.args.append((pair, literal))
                continue
            what = (
                f"hard-codes a value for {pair.key}"
                if literal
                else f"stores {pair.key} in the image's environment"
            )
            yield self.finding(
                ctx,
                pair.key_span,
                f"ENV {what}, which `docker inspect` shows to anyone with the image; "
                + _RUNTIME.format(name=pair.key),
            )

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        """Global ARGs belong to no stage but to every build of the file, whatever its target."""
        for ins in ctx.model.global_args:
            for pair in ins.pairs:
                if _judged(ctx, ins, pair) is not None:
                    secret = pair.key.lower()
                    yield self.finding(
                        ctx,
                        pair.key_span,
                        f"global ARG {pair.key} takes a credential as a build argument, which build logs and "
                        f"provenance attestations record; use a secret: `RUN --mount=type=secret,id={secret},"
                        f"env={pair.key}` (`docker build --secret id={secret},env={pair.key}`)",
                    )

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        for pair, literal in self.args:  # literal as _judged read it: ARG KEY="" sets no value
            what = (
                f"hard-codes a value for {pair.key}" if literal else f"passes {pair.key} as a build argument"
            )
            env = self.fed.get(pair.key)
            if env is not None:
                advice = f"it only sets ENV {env}, a secret for run time: " + _RUNTIME.format(name=env)
            else:
                secret = pair.key.lower()
                advice = (
                    f"give it to the RUN that needs it with `RUN --mount=type=secret,id={secret},env={pair.key}` "
                    f"(`docker build --secret id={secret},env={pair.key}`)"
                )
            yield self.finding(ctx, pair.key_span, f"ARG {what}, which the image history records; {advice}")
        self.args = []
        self.fed = {}
