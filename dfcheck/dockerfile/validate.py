"""BuildKit's ``instructions`` layer: the checks that reject a parsed file before any build step.

For each instruction this runs BuildKit's checks in BuildKit's order and reports the first one
that fails, as ``docker build`` would (BuildKit then stops; we go on with the next instruction).
Messages follow BuildKit's wording so people can search for them; each error points at the
token at fault instead of the whole instruction. The contents of an ONBUILD trigger are not
checked: BuildKit only checks them when a child image is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dfcheck.dockerfile.lexer import GO_SPACE, go_lower, go_quote, is_heredoc_marker
from dfcheck.dockerfile.nodes import FLAG_TYPES, KNOWN_INSTRUCTIONS, Dockerfile, Flag, Instruction, ParseError
from dfcheck.dockerfile.source import Span
from dfcheck.regex import lazy

_STAGE_NAME = lazy(r"[a-z][a-z0-9\-_.]*\Z")
_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
_MAX_DURATION = 1 << 63
_INTERVAL_FLAGS = ("interval", "timeout", "start-period", "start-interval")


class _Reject(Exception):
    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.error = ParseError(message, span, "instruction")


def _time_quote(text: str) -> str:
    """The quoting of Go's time package: non-ASCII and control bytes as ``\\xNN``."""
    out = ['"']
    for ch in text:
        if ch < " " or ord(ch) >= 0x80:
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape"))
        else:
            out.append("\\" + ch if ch in '"\\' else ch)
    out.append('"')
    return "".join(out)


def go_duration(text: str) -> int:
    """Go's time.ParseDuration in nanoseconds; raises ValueError with Go's message."""
    orig = _time_quote(text)
    s = text
    neg = False
    if s[:1] in ("-", "+"):
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f"time: invalid duration {orig}")
    total = 0
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise ValueError(f"time: invalid duration {orig}")
        i = 0
        while i < len(s) and "0" <= s[i] <= "9":
            i += 1
        whole = int(s[:i]) if i else 0
        if whole > _MAX_DURATION:
            raise ValueError(f"time: invalid duration {orig}")
        pre = i > 0
        s = s[i:]
        frac, scale, post = 0, 1.0, False
        if s[:1] == ".":
            s = s[1:]
            i = 0
            overflow = False
            while i < len(s) and "0" <= s[i] <= "9":
                if not overflow:
                    if frac > (_MAX_DURATION - 1) // 10:
                        overflow = True
                    else:
                        frac = frac * 10 + int(s[i])
                        scale *= 10
                i += 1
            post = i > 0
            s = s[i:]
        if not pre and not post:
            raise ValueError(f"time: invalid duration {orig}")
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise ValueError(f"time: missing unit in duration {orig}")
        unit_name, s = s[:i], s[i:]
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise ValueError(f"time: unknown unit {_time_quote(unit_name)} in duration {orig}")
        if whole > _MAX_DURATION // unit:
            raise ValueError(f"time: invalid duration {orig}")
        value = whole * unit
        if frac > 0:
            value += int(float(frac) * (float(unit) / scale))
            if value > _MAX_DURATION:
                raise ValueError(f"time: invalid duration {orig}")
        total += value
        if total > _MAX_DURATION:
            raise ValueError(f"time: invalid duration {orig}")
    if not neg and total > _MAX_DURATION - 1:
        raise ValueError(f"time: invalid duration {orig}")
    return -total if neg else total


def parse_duration(text: str) -> float | None:
    """Go's time.ParseDuration in nanoseconds, or None when Go would refuse it."""
    try:
        return float(go_duration(text))
    except ValueError:
        return None


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _suggest(word: str, choices: list[str], case_sensitive: bool) -> str:
    """BuildKit's suggest.WrapError: the closest choice within edit distance 2, if any."""
    value = word if case_sensitive else word.lower()
    match, best = "", 3
    for choice in choices:
        option = choice if case_sensitive else choice.lower()
        if option == value:
            return ""
        if abs(len(option) - len(value)) >= best:
            continue
        distance = _levenshtein(value, option)
        if distance < best:
            best = distance
            if case_sensitive or (word != word.lower() and word != word.upper()):
                match = option
            else:
                match = option.lower() if word == word.lower() else option.upper()
    return f" (did you mean {match}?)" if match else ""


def _parse_flags(ins: Instruction, allowed: dict[str, str]) -> None:
    """BuildKit's BFlags.Parse: the first unknown, repeated or malformed flag."""
    seen: set[str] = set()
    for flag in ins.flags:
        kind = allowed.get(flag.name)
        if kind is None:
            hint = _suggest(flag.name, sorted(allowed), case_sensitive=True)
            raise _Reject(f"unknown flag: {flag.name}{hint}", flag.span)
        if flag.name in seen and kind != "strings":
            raise _Reject(f"duplicate flag specified: {flag.name}", flag.span)
        seen.add(flag.name)
        if kind == "bool":
            if flag.value == "":
                raise _Reject(f"missing a value on flag: {flag.name}", flag.span)
            if flag.value is not None and flag.value.lower() not in ("true", "false"):
                raise _Reject(
                    f"expecting boolean value for flag {flag.name}, not: {flag.value}", flag.value_span
                )
        elif flag.value is None:
            raise _Reject(f"missing a value on flag: {flag.name}", flag.span)


def _where(ins: Instruction) -> Span:
    return ins.rest_span if ins.rest else ins.keyword_span


def _csv_error(value: str) -> str | None:
    """What encoding/csv would say of one record (go-csvvalue), or None when it reads."""
    pos, n = 0, len(value)
    while True:
        if pos < n and value[pos] == '"':
            pos += 1
            while True:
                close = value.find('"', pos)
                if close < 0:
                    return 'extraneous or missing " in quoted-field'
                pos = close + 1
                if pos < n and value[pos] == '"':
                    pos += 1
                    continue
                break
            if pos == n:
                return None
            if value[pos] != ",":
                return 'extraneous or missing " in quoted-field'
            pos += 1
            continue
        comma = value.find(",", pos)
        field = value[pos:] if comma < 0 else value[pos:comma]
        if '"' in field:
            return 'bare " in non-quoted-field'
        if comma < 0:
            return None
        pos = comma + 1


def _run_flag_errors(ins: Instruction) -> None:
    """The RUN hooks: --network and --security values, --mount as far as BuildKit reads it early."""
    for flag in ins.flags_of("device"):
        problem = _csv_error(flag.value or "")
        if problem:
            raise _Reject(f"failed to parse csv devices: {problem}", flag.span)
    for flag in ins.flags_of("mount"):
        problem = _csv_error(flag.value or "")
        if problem:
            raise _Reject(f"failed to parse csv mounts: {problem}", flag.span)
        for item in (flag.value or "").split(","):
            key, eq, value = item.partition("=")
            dollar = value.find("$")
            if eq and key.lower() == "from" and dollar != -1 and dollar != len(value) - 1:
                raise _Reject(
                    "'from' doesn't support variable expansion, define alias stage instead", flag.value_span
                )
    network = ins.flag("network")
    if network is not None and network.value not in ("default", "none", "host"):
        raise _Reject(f"invalid network mode {go_quote(network.value or '')}", network.value_span)
    security = ins.flag("security")
    if security is not None and security.value not in ("sandbox", "insecure"):
        raise _Reject(f"security {go_quote(security.value or '')} is not valid", security.value_span)


def _healthcheck(ins: Instruction) -> None:
    if not ins.args:
        raise _Reject("HEALTHCHECK requires at least one argument", ins.keyword_span)
    kind = ins.args[0].value.upper()
    if kind == "NONE":
        if len(ins.args) > 1:
            raise _Reject("HEALTHCHECK NONE takes no arguments", _where(ins))
        return
    _parse_flags(ins, FLAG_TYPES["HEALTHCHECK"])
    if kind != "CMD":
        raise _Reject(f"Unknown type {go_quote(kind)} in HEALTHCHECK (try CMD)", ins.args[0].span)
    if len(ins.args) < 2:
        raise _Reject("Missing command after HEALTHCHECK CMD", ins.args[0].span)
    last: dict[str, Flag] = {f.name: f for f in ins.flags}
    for name in _INTERVAL_FLAGS:
        flag = last.get(name)
        if flag is None or not flag.value:
            continue
        try:
            ns = go_duration(flag.value)
        except ValueError as exc:
            raise _Reject(str(exc), flag.value_span) from None
        if ns != 0 and ns < 1_000_000:
            raise _Reject(f"Interval {go_quote(name)} cannot be less than 1ms", flag.value_span)
    retries = last.get("retries")
    if retries is not None and retries.value:
        value = retries.value
        if not re.fullmatch(r"[+-]?[0-9]+", value):
            raise _Reject(f"strconv.ParseInt: parsing {go_quote(value)}: invalid syntax", retries.value_span)
        number = int(value)
        if not -(2**31) <= number < 2**31:
            raise _Reject(
                f"strconv.ParseInt: parsing {go_quote(value)}: value out of range", retries.value_span
            )
        if number < 0:
            raise _Reject(f"--retries cannot be negative ({number})", retries.value_span)


def _sources_and_dest(ins: Instruction) -> None:
    if len(ins.args) < 2:
        raise _Reject(
            f"{ins.keyword} requires at least two arguments, but only one was provided. "
            "Destination could not be determined.",
            _where(ins),
        )
    _parse_flags(ins, FLAG_TYPES[ins.keyword])
    if is_heredoc_marker(ins.args[-1].value):
        raise _Reject(f"{ins.keyword} cannot accept a heredoc as a destination", ins.args[-1].span)


def _from(ins: Instruction) -> None:
    args = ins.args
    if len(args) == 3 and args[1].value.casefold() == "as":
        if not _STAGE_NAME.match(go_lower(args[2].value)):
            raise _Reject(
                f"invalid name for build stage: {go_quote(args[2].value)}, "
                "name can't start with a number or contain symbols",
                args[2].span,
            )
    elif len(args) != 1:
        raise _Reject("FROM requires either one or three arguments", _where(ins))
    _parse_flags(ins, FLAG_TYPES["FROM"])


def _exactly_one(ins: Instruction, parse_flags: bool = True) -> None:
    if len(ins.args) != 1:
        raise _Reject(f"{ins.keyword} requires exactly one argument", _where(ins))
    if parse_flags:
        _parse_flags(ins, {})


def _at_least_one(ins: Instruction) -> None:
    if not ins.args:
        raise _Reject(f"{ins.keyword} requires at least one argument", _where(ins))
    _parse_flags(ins, {})


def _key_values(ins: Instruction) -> None:
    _parse_flags(ins, {})
    if not ins.pairs:
        raise _Reject(f"{ins.keyword} requires at least one argument", _where(ins))
    for pair in ins.pairs:
        if not pair.key:
            raise _Reject(f"{ins.keyword} names can not be blank", pair.key_span)


def _arg(ins: Instruction) -> None:
    _at_least_one(ins)
    for pair in ins.pairs:
        if pair.has_value and not pair.key:
            raise _Reject("ARG names can not be blank", pair.key_span)


def _volume(ins: Instruction) -> None:
    _at_least_one(ins)
    for token in ins.args:
        if not token.value.strip(GO_SPACE):
            raise _Reject("VOLUME specified can not be an empty string", token.span)


def _shell(ins: Instruction) -> None:
    _parse_flags(ins, {})
    if not ins.args:
        raise _Reject("SHELL requires at least one argument", _where(ins))
    if not ins.is_json:
        raise _Reject("SHELL requires the arguments to be in JSON form", _where(ins))


def _onbuild(ins: Instruction) -> None:
    if ins.trigger is None:
        raise _Reject("ONBUILD requires at least one argument", _where(ins))
    _parse_flags(ins, {})
    trigger = ins.trigger.keyword_raw.upper()
    if trigger == "ONBUILD":
        raise _Reject("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", ins.trigger.keyword_span)
    if trigger in ("MAINTAINER", "FROM"):
        raise _Reject(f"{trigger} isn't allowed as an ONBUILD trigger", ins.trigger.keyword_span)


def _run(ins: Instruction) -> None:
    _parse_flags(ins, FLAG_TYPES["RUN"])
    _run_flag_errors(ins)


_CHECKS: dict[str, Callable[[Instruction], None]] = {
    "ADD": _sources_and_dest,
    "ARG": _arg,
    "CMD": lambda ins: _parse_flags(ins, {}),
    "COPY": _sources_and_dest,
    "ENTRYPOINT": lambda ins: _parse_flags(ins, {}),
    "ENV": _key_values,
    "EXPOSE": _at_least_one,
    "FROM": _from,
    "HEALTHCHECK": _healthcheck,
    "LABEL": _key_values,
    "MAINTAINER": _exactly_one,
    "ONBUILD": _onbuild,
    "RUN": _run,
    "SHELL": _shell,
    "STOPSIGNAL": lambda ins: _exactly_one(ins, parse_flags=False),
    "USER": _exactly_one,
    "VOLUME": _volume,
    "WORKDIR": _exactly_one,
}


def validate_instruction(ins: Instruction) -> list[ParseError]:
    """The error BuildKit's ParseInstruction would return for ``ins``, if any."""
    check = _CHECKS.get(ins.keyword)
    try:
        if check is None:
            hint = _suggest(ins.keyword_raw, list(KNOWN_INSTRUCTIONS), case_sensitive=False)
            raise _Reject(f"unknown instruction: {ins.keyword_raw}{hint}", ins.keyword_span)
        check(ins)
    except _Reject as reject:
        return [reject.error]
    return []


#: BuildKit's error for an instruction other than ARG before the first FROM (rule DF009 reports it).
NO_STAGE = "no build stage in current context"


def validate(dockerfile: Dockerfile) -> list[ParseError]:
    """Instruction errors for every instruction the parser accepted.

    Also BuildKit's check that nothing but ARG comes before the first FROM.
    """
    errors: list[ParseError] = []
    stage_seen = False
    reported_stage = False
    for ins in dockerfile.instructions:
        if not ins.valid:
            continue
        found = validate_instruction(ins)
        errors.extend(found)
        if ins.keyword == "FROM":
            stage_seen = True
        elif not found and not stage_seen and ins.keyword != "ARG" and not reported_stage:
            reported_stage = True
            errors.append(ParseError(NO_STAGE, ins.keyword_span, "instruction"))
    return errors
