"""Variable substitution: exact values, any nesting depth, capped growth, patterns as fnmatch reads them."""

from __future__ import annotations

import fnmatch
import random
import re

import pytest

from dfcheck.dockerfile.model import Model
from dfcheck.dockerfile.parse import parse
from dfcheck.dockerfile.substitute import (
    MAX_VALUE,
    UNKNOWN,
    Expansion,
    Unknown,
    expand,
    unquote,
    variable_refs,
)

ENV = {"A": "alpha", "E": "", "P": "a/b/c.tar.gz"}


@pytest.mark.parametrize(
    "text,value,missing,used",
    [
        ("plain", "plain", [], []),
        ("$A-${A}", "alpha-alpha", [], ["A", "A"]),
        ("${N:-x}${E:-y}${E-z}${A:+set}${N+set}", "xyset", [], ["N", "E", "E", "A", "N"]),
        ("${N}$N", "", ["N", "N"], ["N", "N"]),
        ("${N:?}${A?}", "alpha", ["N"], ["N", "A"]),
        ("'$A' \"$A\" \\$A", "$A alpha $A", [], ["A"]),
        ("${N:-${N:-${A}}}", "alpha", [], ["N"]),
        ("${P#*/}|${P##*/}|${P%.*}|${P%%.*}", "b/c.tar.gz|c.tar.gz|a/b/c.tar|a/b/c", [], ["P"] * 4),
        ("${P/[ab]/X}|${P//[!.]/_}", "X/b/c.tar.gz|_____.___.__", [], ["P", "P"]),
        ("${A", "${A", [], []),
        ("${1}|$|${A b}", "|$|alpha", [], ["A"]),
    ],
)
def test_expand(text: str, value: str, missing: list[str], used: list[str]) -> None:
    assert expand(text, ENV) == Expansion(value, missing, used)


def test_keep_quotes_and_unquote() -> None:
    assert expand("'a' \"$A\"", ENV, keep_quotes=True).value == "'a' \"alpha\""
    assert unquote("'$A' \"b\" c\\ d") == "$A b c d"


@pytest.mark.parametrize("depth", [500, 10_000])
def test_any_nesting_depth_expands(depth: int) -> None:
    text = "${a:-" * depth + "x" + "}" * depth
    assert expand(text, {}).value == "x"
    assert expand(text, {"a": "set"}).value == "set"
    unclosed = "${a:-" * depth + "x"
    assert expand(unclosed, {}).value == unclosed


def test_nested_words_report_nothing() -> None:
    """Only the outermost text reports names, as before the explicit stack."""
    assert expand("${A:-${N}${M:?}}", ENV) == Expansion("alpha", [], ["A"])


def test_doubling_values_become_unknown_past_the_cap() -> None:
    scope: dict[str, str] = {"A1": "x"}
    for level in range(2, 25):
        scope[f"A{level}"] = expand(f"${{A{level - 1}}}${{A{level - 1}}}", scope).value
    assert len(scope["A21"]) == MAX_VALUE
    assert scope["A22"] is UNKNOWN and scope["A24"] is UNKNOWN
    result = expand("pre-$A24-post", scope)
    assert result.value == "" and isinstance(result.value, Unknown)
    assert result.missing == ["A24"]
    assert expand("${N:-${A23}}", scope).missing == ["A23"]


def test_deep_nesting_of_literal_text_is_bounded() -> None:
    """Each level copies its word once more; past the cap the value is unknown, not slow."""
    depth = 3000
    text = "${a:-" + "y${a:-" * depth + "x" + "}" * (depth + 1)
    assert expand(text, {}).value is UNKNOWN
    small = "${a:-" + "y${a:-" * 50 + "x" + "}" * 51
    assert expand(small, {}).value == "y" * 50 + "x"


def test_a_huge_pattern_or_replacement_is_unknown() -> None:
    scope = {"V": "ab" * 40_000}
    assert expand("${V//a/" + "z" * 20 + "}", scope).value is UNKNOWN
    assert expand("${V#*b}", scope).value is UNKNOWN
    assert expand("${V:-a}", scope).value == scope["V"]


def test_the_model_keeps_unknown_values_unknown() -> None:
    rows = ["ARG A1=x", *(f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(2, 25)), "FROM alpine:$A24"]
    model = Model(parse("\n".join(rows) + "\n"))
    assert model.global_scope["A24"] is UNKNOWN


def test_onbuild_triggers_see_what_an_image_built_from_this_one_sees() -> None:
    """A trigger runs right after the FROM of a child image: with this image's final SHELL,
    WORKDIR, USER and ENV (also those set after the ONBUILD), no ARG, and the ARG and ENV of the
    triggers before it."""
    text = (
        "FROM debian:12\n"
        "ARG VERSION=1\n"
        "ENV A=1\n"
        "ONBUILD RUN echo first\n"
        "ONBUILD ARG B\n"
        "ONBUILD ENV C=$A\n"
        "ONBUILD RUN echo last\n"
        'SHELL ["/bin/bash", "-c"]\n'
        "WORKDIR /app\n"
        "USER app\n"
        "ENV D=4\n"
    )
    model = Model(parse(text))
    first, last = (
        ins.trigger for ins in model.stages[0].instructions if ins.trigger and ins.trigger.keyword == "RUN"
    )
    assert first is not None and last is not None
    assert dict(model.facts(first).scope) == {"A": "1", "D": "4"}
    assert dict(model.facts(last).scope) == {"A": "1", "D": "4", "B": "", "C": "1"}
    facts = model.facts(last)
    assert (facts.shell, facts.dialect, facts.workdir, facts.user) == (
        ("/bin/bash", "-c"),
        "bash",
        "/app",
        "app",
    )
    assert facts.onbuild is last.parent


def test_instructions_before_any_from_see_the_args_above_them() -> None:
    """hadolint's snippets: an ARG without a value is declared too (as in a stage), not only
    those with one."""
    model = Model(parse("ARG A=1\nARG B\nRUN echo\n"))
    run = model.stages[0].instructions[0]
    assert dict(model.facts(run).scope) == {"A": "1", "B": ""}
    assert model.global_scope == {"A": "1"}


def _fnmatch_reference(op: str, value: str, word: str) -> str:
    """The brute-force definition the dynamic programming must agree with."""
    if op in ("#", "##"):
        ks = [k for k in range(len(value) + 1) if fnmatch.fnmatchcase(value[:k], word)]
        return value if not ks else value[max(ks) :] if op == "##" else value[min(ks) :]
    if op in ("%", "%%"):
        ks = [k for k in range(len(value) + 1) if fnmatch.fnmatchcase(value[k:], word)]
        return value if not ks else value[: min(ks)] if op == "%%" else value[: max(ks)]
    pattern, _, repl = word.partition("/")
    out, i, done = [], 0, False
    while i < len(value):
        if done:
            out.append(value[i:])
            break
        ends = [j for j in range(len(value), i, -1) if fnmatch.fnmatchcase(value[i:j], pattern)]
        if ends:
            out.append(repl)
            i = ends[0]
            done = op == "/"
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def test_patterns_agree_with_fnmatch() -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        value = "".join(rnd.choice("abc-]/*") for _ in range(rnd.randint(0, 9)))
        word = "".join(rnd.choice("ab*?[]!-c/") for _ in range(rnd.randint(0, 6)))
        for op in ("#", "##", "%", "%%", "/", "//"):
            if op == "/" and word.startswith("/"):
                continue  # that spells the ``//`` operator
            got = expand("${V" + op + word + "}", {"V": value}).value
            assert got == _fnmatch_reference(op, value, word), (op, value, word)


_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def _refs_reference(text: str, escape: str) -> list[tuple[str, int, int, str]]:
    """The regular-expression definition (quadratic on ``${a${a...``) the scanner must agree with."""
    refs, i, quote = [], 0, ""
    while i < len(text):
        ch = text[i]
        if ch == escape and quote != "'":
            i += 2
            continue
        if ch in ("'", '"') and quote in ("", ch):
            quote = "" if quote else ch
        elif ch == "$" and quote != "'":
            m = _REF.match(text, i)
            if m:
                refs.append((m.group(1) or m.group(3), m.start(), m.end(), m.group(2) or ""))
                i = m.end()
                continue
        i += 1
    return refs


def test_variable_refs_agree_with_the_regex_definition() -> None:
    rnd = random.Random(11)
    pieces = ["$", "{", "}", "a", "B_1", ":-", "'", '"', "\\", "`", " ", "${a", "$b"]
    for _ in range(5000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 16)))
        for escape in ("\\", "`"):
            assert variable_refs(text, escape) == _refs_reference(text, escape), text


def test_variable_refs_of_unclosed_braces() -> None:
    text = "${a" * 20_000
    assert variable_refs(text) == []
    assert variable_refs(text + "}") == [("a", 0, 60_001, "${a" * 19_999)]
