"""BuildKit's ``instructions`` layer: the checks that reject a parsed file before any build step.

Messages follow BuildKit's wording so people can search for them; each error points at the
token at fault instead of the whole instruction.
"""

from __future__ import annotations

import re

from dfcheck.parse import (
    FLAG_TYPES,
    KNOWN_INSTRUCTIONS,
    Dockerfile,
    Instruction,
    ParseError,
)

_STAGE_NAME = re.compile(r"^[a-z][a-z0-9\-_.]*$")
_DURATION = re.compile(r"^([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$")
_UNIT_NS = {"ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}


def parse_duration(text: str) -> float | None:
    """Go's time.ParseDuration in nanoseconds, or None when Go would refuse it."""
    if text in ("0", "+0", "-0"):
        return 0.0
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    if not body or not _DURATION.match(body):
        return None
    total = 0.0
    for number, _frac, unit in re.findall(r"([0-9]*(\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)", body):
        if number in ("", "."):
            return None
        total += float(number) * _UNIT_NS[unit]
    return sign * total


def _suggest(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word.lower(), [c.lower() for c in choices], n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _flag_errors(ins: Instruction) -> list[ParseError]:
    allowed = FLAG_TYPES.get(ins.keyword, {})
    errors: list[ParseError] = []
    seen: set[str] = set()
    for flag in ins.flags:
        if not flag.raw.startswith("--"):
            errors.append(ParseError(f"arg should start with -- : {flag.raw}", flag.span, "instruction"))
            continue
        kind = allowed.get(flag.name)
        if kind is None:
            hint = _suggest(flag.name, list(allowed))
            errors.append(ParseError(f"unknown flag: {flag.name}{hint}", flag.span, "instruction"))
            continue
        if flag.name in seen and kind != "strings":
            errors.append(ParseError(f"duplicate flag specified: {flag.name}", flag.span, "instruction"))
        seen.add(flag.name)
        if kind == "bool":
            if flag.value is not None and flag.value == "":
                errors.append(ParseError(f"missing a value on flag: {flag.name}", flag.span, "instruction"))
            elif flag.value is not None and flag.value.lower() not in ("true", "false"):
                errors.append(
                    ParseError(
                        f"expecting boolean value for flag {flag.name}, not: {flag.value}",
                        flag.value_span,
                        "instruction",
                    )
                )
        elif flag.value is None:
            errors.append(ParseError(f"missing a value on flag: {flag.name}", flag.span, "instruction"))
    return errors


def _healthcheck_errors(ins: Instruction) -> list[ParseError]:
    errors: list[ParseError] = []
    if not ins.args:
        return [ParseError("HEALTHCHECK requires at least one argument", ins.keyword_span, "instruction")]
    kind = ins.args[0].value.upper()
    if kind == "NONE":
        if len(ins.args) != 1 or ins.flags:
            errors.append(ParseError("HEALTHCHECK NONE takes no arguments", ins.rest_span, "instruction"))
        return errors
    if kind != "CMD":
        return [
            ParseError(
                f'Unknown type "{ins.args[0].value}" in HEALTHCHECK (try CMD)',
                ins.args[0].span,
                "instruction",
            )
        ]
    if len(ins.args) < 2 or (len(ins.args) == 2 and not ins.is_json and not ins.args[1].value):
        errors.append(ParseError("Missing command after HEALTHCHECK CMD", ins.args[0].span, "instruction"))
    for flag in ins.flags:
        if flag.value is None:
            continue
        if flag.name == "retries":
            if not re.fullmatch(r"[+-]?\d+", flag.value):
                errors.append(
                    ParseError(
                        f'strconv.ParseInt: parsing "{flag.value}": invalid syntax',
                        flag.value_span,
                        "instruction",
                    )
                )
            elif int(flag.value) < 0:
                errors.append(
                    ParseError(
                        f"--retries cannot be negative ({int(flag.value)})", flag.value_span, "instruction"
                    )
                )
        elif flag.name in ("interval", "timeout", "start-period", "start-interval"):
            ns = parse_duration(flag.value)
            if ns is None:
                errors.append(
                    ParseError(f'time: invalid duration "{flag.value}"', flag.value_span, "instruction")
                )
            elif ns != 0 and ns < 1e6:
                errors.append(
                    ParseError(
                        f'Interval "{flag.name}" cannot be less than 1ms', flag.value_span, "instruction"
                    )
                )
    return errors


def _argument_errors(ins: Instruction) -> list[ParseError]:
    kw = ins.keyword
    n = len(ins.args)
    where = ins.rest_span if ins.rest else ins.keyword_span

    def err(message: str) -> list[ParseError]:
        return [ParseError(message, where, "instruction")]

    if kw == "FROM":
        if n == 3 and ins.args[1].value.lower() == "as":
            name = ins.args[2].value.lower()
            if not _STAGE_NAME.match(name):
                return [
                    ParseError(
                        f'invalid name for build stage: "{ins.args[2].value}", '
                        "name can't start with a number or contain symbols",
                        ins.args[2].span,
                        "instruction",
                    )
                ]
            return []
        if n != 1:
            return err("FROM requires either one or three arguments")
    elif kw in ("MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL") and n != 1:
        return err(f"{kw} requires exactly one argument")
    elif kw in ("ENV", "LABEL", "ARG", "EXPOSE", "VOLUME", "ONBUILD") and n == 0 and ins.valid:
        return err(f"{kw} requires at least one argument")
    elif kw in ("COPY", "ADD"):
        if n < 2 and ins.valid:
            return err(
                f"{kw} requires at least two arguments, but only one was provided. "
                "Destination could not be determined."
            )
    elif kw == "SHELL":
        if not ins.is_json:
            return err("SHELL requires the arguments to be in JSON form")
        if n == 0:
            return err("SHELL requires at least one argument")
    elif kw == "HEALTHCHECK":
        return _healthcheck_errors(ins)
    if kw in ("ENV", "LABEL", "ARG"):
        for pair in ins.pairs:
            if pair.key == "":
                return [ParseError(f"{kw} names can not be blank", pair.key_span, "instruction")]
    if kw == "VOLUME":
        for tok in ins.args:
            if not tok.value.strip():
                return [ParseError("VOLUME specified can not be an empty string", tok.span, "instruction")]
    return []


def _trigger_errors(ins: Instruction) -> list[ParseError]:
    trigger = ins.trigger
    if trigger is None:
        return []
    if trigger.keyword == "ONBUILD":
        return [
            ParseError(
                "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", trigger.keyword_span, "instruction"
            )
        ]
    if trigger.keyword in ("FROM", "MAINTAINER"):
        return [
            ParseError(
                f"{trigger.keyword} isn't allowed as an ONBUILD trigger", trigger.keyword_span, "instruction"
            )
        ]
    return validate_instruction(trigger)


def validate_instruction(ins: Instruction) -> list[ParseError]:
    if ins.keyword not in KNOWN_INSTRUCTIONS:
        hint = _suggest(ins.keyword_raw, list(KNOWN_INSTRUCTIONS))
        return [ParseError(f"unknown instruction: {ins.keyword_raw}{hint}", ins.keyword_span, "instruction")]
    return _flag_errors(ins) + _argument_errors(ins) + _trigger_errors(ins)


def validate(dockerfile: Dockerfile) -> list[ParseError]:
    errors: list[ParseError] = []
    for ins in dockerfile.instructions:
        errors.extend(validate_instruction(ins))
    return errors
