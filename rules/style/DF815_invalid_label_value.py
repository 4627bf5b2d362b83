"""Schema labels typed url, rfc3339, spdx, hash, semver or email must hold such a value."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from dfcheck.dockerfile.model import expand_known
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy

SEMVER = lazy(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
SPDX_ID = lazy(r"^(?:LicenseRef-[\w.-]+|[A-Za-z0-9][\w.-]*\+?)$")


def rfc3339(value: str) -> bool:
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$", value, re.IGNORECASE):
        return False
    try:
        from datetime import datetime

        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def spdx(value: str) -> bool:
    try:
        from packaging.licenses import canonicalize_license_expression
    except ImportError:
        return all(SPDX_ID.match(t) for t in re.split(r"\s+(?:AND|OR|WITH)\s+", value.strip("() ")))
    try:
        canonicalize_license_expression(value)
    except ValueError:
        return False
    return True


CHECKS: dict[str, tuple[Callable[[str], bool], str, str]] = {
    "url": (lambda v: bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$", v)), "DL3052", "a valid URL"),
    "rfc3339": (rfc3339, "DL3053", "an RFC 3339 time (2024-05-01T12:00:00Z)"),
    "spdx": (spdx, "DL3054", "an SPDX license identifier"),
    "hash": (lambda v: bool(re.match(r"^(?:[0-9a-f]{7}|[0-9a-f]{40})$", v)), "DL3055", "a git commit hash"),
    "semver": (lambda v: bool(SEMVER.match(v)), "DL3056", "a semantic version"),
    "email": (lambda v: bool(re.match(r"^[^@\s<>]+@[^@\s<>]+$", v)), "DL3058", "an email address"),
}


class InvalidLabelValueRule(Rule):
    code = "DF815"
    name = "invalid-label-value"
    severity = Severity.WARNING
    summary = "A label value does not match its type in the label schema"
    instructions = frozenset({"LABEL"})
    aliases = ("DL3052", "DL3053", "DL3054", "DL3055", "DL3056", "DL3058")

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        schema = ctx.settings.label_schema
        for pair in ins.pairs:
            kind = schema.get(ctx.model.unquote(pair.key), "").lower()
            value = expand_known(ctx.model, pair.value, ins)
            if kind not in CHECKS or not value:
                continue
            test, _, what = CHECKS[kind]
            if not test(value):
                yield self.finding(ctx, pair.value_span, f"label '{pair.key}' is not {what}: '{value}'")
