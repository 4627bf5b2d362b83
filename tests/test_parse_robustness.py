"""The parser never raises: fuzzed mutations, random bytes, pathological files, the whole corpus."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dfcheck.dockerfile.parse import Dockerfile, dump_buildkit, parse
from dfcheck.dockerfile.parse_json import to_json
from dfcheck.dockerfile.source import MAX_BYTES, Span, decode

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "parser"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

#: Corpus files BuildKit refuses before building, and why. Everything else in the corpus parses.
EXPECTED_REJECTIONS = {
    # deliberately broken
    "docker__compose/pkg__e2e__fixtures__wrong-composefile__service1__Dockerfile": "unknown instruction: WRONG",
    "moby__buildkit/frontend__dockerfile__parser__testfiles-negative__env_no_value__Dockerfile": (
        "ENV must have two arguments"
    ),
    "moby__buildkit/frontend__dockerfile__parser__testfiles-negative__only_comments__Dockerfile": (
        "file with no instructions"
    ),
    "moby__buildkit/frontend__dockerfile__parser__testfiles-negative__shykes-nested-json__Dockerfile": (
        "when using JSON array syntax, arrays must be comprised of strings only"
    ),
    # BuildKit parser test cases that only the parser proper accepts
    "moby__buildkit/frontend__dockerfile__parser__testfiles__flags__Dockerfile": "unknown flag: user",
    "moby__buildkit/frontend__dockerfile__parser__testfiles__health__Dockerfile": (
        "HEALTHCHECK requires at least one argument"
    ),
    "moby__buildkit/frontend__dockerfile__parser__testfiles__json__Dockerfile": "no build stage in current context",
    **{
        f"moby__buildkit/frontend__dockerfile__parser__testfiles__jeztah-invalid-json-{name}__Dockerfile": (
            "no build stage in current context"
        )
        for name in (
            "json-inside-string-double",
            "json-inside-string",
            "single-quotes",
            "unterminated-bracket",
            "unterminated-string",
        )
    },
}

SEEDS = [
    (FIXTURES / case / "Dockerfile").read_text(encoding="utf-8")
    for case in sorted(p.name for p in FIXTURES.iterdir())
]
PIECES = [
    "\\",
    "`",
    "\\\n",
    "`\n",
    '"',
    "'",
    "<<",
    "<<-",
    "<<EOF",
    "\nEOF\n",
    "EOF",
    "--",
    "--mount=",
    "=",
    "[",
    "]",
    '["a", 1]',
    "{",
    "${",
    "$",
    "#",
    "# escape=`\n",
    "# syntax=x\n",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "\x00",
    "\ufeff",
    "\u00a0",
    "\x85",
    "é",
    "\U0001f600",
    "\udcff",
    "ONBUILD ",
    "HEALTHCHECK ",
    "ENV ",
    "FROM ",
    "RUN ",
    "COPY ",
    "--interval=",
    "AS ",
]


def _check(dockerfile: Dockerfile, text: str, *, as_json: bool = True) -> None:
    """Every position must be a real, ordered span inside (or just after) the file."""
    last = max(len(dockerfile.lines), 1) + 1

    def ok(span: Span) -> None:
        assert 1 <= span.start_line <= span.end_line <= last
        assert span.start_col >= 1 and span.end_col >= 1
        assert span.start_line < span.end_line or span.start_col <= span.end_col

    for ins in dockerfile.walk():
        ok(ins.span)
        ok(ins.keyword_span)
        for token in ins.args:
            ok(token.span)
        for flag in ins.flags:
            ok(flag.span)
            ok(flag.value_span)
        for doc in ins.heredocs:
            ok(doc.marker)
            ok(doc.body_span)
    for error in dockerfile.errors:
        ok(error.span)
    dump_buildkit(dockerfile)
    if as_json:
        to_json(dockerfile)


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        pos = rng.randint(0, len(text))
        if op == 0:
            text = text[:pos] + rng.choice(PIECES) + text[pos:]
        elif op == 1:
            text = text[:pos] + text[pos + rng.randint(1, 20) :]
        elif op == 2:
            lines = text.split("\n")
            k = rng.randrange(len(lines))
            lines.insert(rng.randrange(len(lines) + 1), lines[k])
            text = "\n".join(lines)
        elif op == 3:
            text = text[:pos]
        elif op == 4:
            text = (
                text[:pos]
                + "".join(chr(rng.randint(0, 0x2FF)) for _ in range(rng.randint(1, 8)))
                + text[pos:]
            )
        else:
            other = rng.choice(SEEDS)
            start = rng.randint(0, len(other))
            text = text[:pos] + other[start : start + rng.randint(1, 80)] + text[pos:]
    return text


def test_fuzzed_mutations_never_raise() -> None:
    rng = random.Random(20240611)
    for _ in range(3000):
        text = _mutate(rng, rng.choice(SEEDS))
        _check(parse(text), text)


def test_random_bytes_never_raise() -> None:
    rng = random.Random(7)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        for text in (decode(data)[0], data.decode("utf-8", "surrogateescape")):
            _check(parse(text), text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "# only\n# comments\n",
        "# syntax=a\n# escape=`\n# check=skip=all\n",
        "\x00\x00\x00",
        "FROM a\x00b\nRUN \x00\n",
        "FROM a\nRUN <<EOF",
        "FROM a\nRUN <<EOF\n",
        "FROM a\nCOPY <<A <<B /x\nA\n",
        "FROM a\nRUN x \\",
        "\\",
        "`\n",
        "# escape=`\n`",
        "FROM a\nCMD " + "[" * 5000,
        "FROM a\nCMD " + "[" * 3000 + "]" * 3000,
        "FROM a\nRUN " + "$" * 1000 + "<<EOF ${",
        "FROM a\nRUN <<" + "'" * 999,
        "ONBUILD ONBUILD ONBUILD RUN <<EOF\nEOF\n",
        "FROM a\nENV " + "a=b " * 5000,
        "FROM a\nHEALTHCHECK --interval=" + "9" * 400 + "h CMD x\n",
        "FROM alpine:" + "${a:-" * 10_000 + "x" + "}" * 10_000 + "\n",
        "FROM a\nRUN <<EOF " + "${a:-" * 10_000 + "x" + "}" * 10_000 + "\necho\nEOF\n",
        "FROM a\nRUN <<EOF " + '${a:-"' * 5_000 + "x" + '"}' * 5_000 + "\necho\nEOF\n",
        "FROM a\nRUN <<EOF " + "x" * 60_000 + "\nEOF\n",
    ],
)
def test_pathological_inputs(text: str) -> None:
    _check(parse(text), text)


NESTED = "${a:-" * 10_000 + "x" + "}" * 10_000


def test_deep_nesting_in_a_heredoc_line_lexes() -> None:
    """BuildKit's lexer recurses on a Go stack that grows as needed: any depth lexes."""
    run = parse("FROM a\nRUN <<EOF " + NESTED + "\necho\nEOF\n").instructions[1]
    assert [(h.name, h.body) for h in run.heredocs] == [("EOF", "echo\n")]
    unclosed = parse("FROM a\nRUN <<EOF " + "${a:-" * 10_000 + "\necho\nEOF\n").instructions[1]
    assert unclosed.heredocs == [], "a line the lexer refuses has no heredocs"


def test_deep_nesting_lints_with_every_rule() -> None:
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import lint_text

    text = f"FROM alpine:{NESTED}\nARG B={NESTED}\nCOPY {NESTED} /x\nRUN echo $B\n"
    settings = Settings().replace(extend_select=("DF",), shellcheck=False)
    result = lint_text(text, "Dockerfile", settings)
    assert not result.error


def test_ten_thousand_line_continuation() -> None:
    text = "FROM a\nRUN echo start \\\n" + "    && echo step \\\n" * 10_000 + "    && echo end\n"
    dockerfile = parse(text)
    run = dockerfile.instructions[1]
    assert (run.line, run.end_line) == (2, 10_003)
    assert run.args[0].span == Span(2, 5, 10_003, 16)
    assert dockerfile.ok


def test_a_file_of_the_largest_size_read_parses() -> None:
    block = (
        "# syntax=docker/dockerfile:1\n"
        "FROM debian:bookworm-slim AS build\n"
        "# build dependencies\n"
        "ENV LANG=C.UTF-8 \\\n    PATH=/usr/local/bin:$PATH\n"
        "RUN set -eux; \\\n"
        "    apt-get update; \\\n"
        "    apt-get install -y --no-install-recommends ca-certificates curl gnupg make gcc; \\\n"
        "    curl -fsSL https://example.com/release.tar.gz -o /tmp/release.tar.gz; \\\n"
        "    tar -xzf /tmp/release.tar.gz -C /usr/src; \\\n"
        "    rm -rf /var/lib/apt/lists/* /tmp/release.tar.gz\n"
        "COPY --from=build --chown=app:app /usr/src/app /app\n"
        "RUN <<EOF\nmake -C /app install\nEOF\n"
        'HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/"]\n'
        'CMD ["/app/run", "--port", "8080"]\n\n'
    )
    copies = MAX_BYTES // len(block)
    text = block * copies
    dockerfile = parse(text)
    assert len(text) > MAX_BYTES - len(block)
    assert dockerfile.ok
    assert len(dockerfile.instructions) == 7 * copies


def test_a_line_over_64_kib_is_an_error_not_a_crash() -> None:
    dockerfile = parse("FROM a\nRUN echo " + "x" * 200_000 + "\n")
    assert [e.message for e in dockerfile.errors] == [
        "dockerfile line greater than max allowed size of 65535"
    ]


def _corpus_files() -> list[Path]:
    return sorted(
        p
        for p in CORPUS.glob("*/*")
        if p.is_file()
        and not p.name.endswith(".dockerignore")
        and p.name not in ("MANIFEST.tsv", "README.md")
    )


@pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason="shared corpus not present")
def test_corpus_parses_and_only_broken_files_are_rejected() -> None:
    files = _corpus_files()
    assert len(files) == 1646
    texts = [(str(p.relative_to(CORPUS)), decode(p.read_bytes())[0]) for p in files]
    parsed = [(name, parse(text)) for name, text in texts]
    rejected = {name: d.errors[0].message for name, d in parsed if d.errors}
    assert rejected == EXPECTED_REJECTIONS
    for (_, text), (_, dockerfile) in zip(texts, parsed, strict=True):
        _check(dockerfile, text, as_json=False)
