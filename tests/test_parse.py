"""The BuildKit-exact front end: fixtures with expected dumps and errors, and exact spans.

Each ``fixtures/parser/<case>/`` holds a ``Dockerfile``, the ``errors`` dfcheck must report
(``start-end kind: message``, one per line) and, when BuildKit's parser proper accepts the file,
the ``dump`` BuildKit's ``Node.Dump`` prints for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dfcheck.cli.app import app
from dfcheck.dockerfile.lexer import go_quote, parse_heredoc
from dfcheck.dockerfile.parse import Dockerfile, Instruction, dump_buildkit, parse
from dfcheck.dockerfile.parse_json import to_json
from dfcheck.dockerfile.source import Span
from dfcheck.dockerfile.validate import go_duration, parse_duration

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "parser"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _span(s: Span) -> tuple[int, int, int, int]:
    return (s.start_line, s.start_col, s.end_line, s.end_col)


def _errors(dockerfile: Dockerfile) -> list[str]:
    return [
        f"{e.span.start_line}:{e.span.start_col}-{e.span.end_line}:{e.span.end_col} {e.kind}: {e.message}"
        for e in dockerfile.errors
    ]


def _one(text: str) -> Instruction:
    dockerfile = parse(text)
    return dockerfile.instructions[-1]


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    folder = FIXTURES / case
    dockerfile = parse((folder / "Dockerfile").read_text(encoding="utf-8"))
    assert _errors(dockerfile) == (folder / "errors").read_text(encoding="utf-8").splitlines()
    if (folder / "dump").exists():
        assert dump_buildkit(dockerfile) == (folder / "dump").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_fixture_through_cli(case: str) -> None:
    folder = FIXTURES / case
    result = CliRunner().invoke(app, ["parse", "--format", "buildkit", str(folder / "Dockerfile")])
    expected_errors = (folder / "errors").read_text(encoding="utf-8")
    assert result.exit_code == (1 if expected_errors else 0)
    if (folder / "dump").exists():
        assert result.stdout == (folder / "dump").read_text(encoding="utf-8")


# --- spans -------------------------------------------------------------------------------------


def test_instruction_keyword_and_argument_spans() -> None:
    ins = _one("FROM alpine:3.20 AS base\n")
    assert _span(ins.span) == (1, 1, 1, 25)
    assert _span(ins.keyword_span) == (1, 1, 1, 5)
    assert [(t.value, _span(t.span)) for t in ins.args] == [
        ("alpine:3.20", (1, 6, 1, 17)),
        ("AS", (1, 18, 1, 20)),
        ("base", (1, 21, 1, 25)),
    ]


def test_leading_whitespace_and_tabs_count_one_column_each() -> None:
    ins = _one("FROM x\n \t RUN\techo hi  \n")
    assert _span(ins.keyword_span) == (2, 4, 2, 7)
    assert _span(ins.span) == (2, 4, 2, 17)
    assert [(t.value, _span(t.span)) for t in ins.args] == [("echo hi", (2, 8, 2, 15))]


def test_flag_and_value_spans() -> None:
    ins = _one("FROM a\nCOPY --from=build --link /a /b\n")
    assert [(f.name, f.value, _span(f.span)) for f in ins.flags] == [
        ("from", "build", (2, 6, 2, 18)),
        ("link", None, (2, 19, 2, 25)),
    ]
    assert _span(ins.flags[0].value_span) == (2, 13, 2, 18)
    assert [(t.value, _span(t.span)) for t in ins.args] == [("/a", (2, 26, 2, 28)), ("/b", (2, 29, 2, 31))]


def test_argument_spanning_continuation_lines() -> None:
    ins = _one("FROM a\nRUN apt-get install \\\n    curl \\\n# note\n\n    git\n")
    assert ins.args[0].value == "apt-get install     curl     git"
    assert _span(ins.args[0].span) == (2, 5, 6, 8)
    assert _span(ins.span) == (2, 1, 6, 8)
    assert ins.empty_continuation_lines == [5]
    # A position inside the joined text maps back to its physical line.
    assert ins.rest_map.position(ins.rest.index("curl")) == (3, 5)
    assert ins.rest_map.position(ins.rest.index("git")) == (6, 5)


def test_continuation_word_split_across_lines() -> None:
    ins = _one("FROM a\nCOPY sr\\\nc /dst\n")
    assert [(t.value, _span(t.span)) for t in ins.args] == [("src", (2, 6, 3, 2)), ("/dst", (3, 3, 3, 7))]


def test_escape_token_on_its_own_line() -> None:
    ins = _one("FROM a\nRUN echo a \\\n\\\n  b\n")
    assert ins.args[0].value == "echo a   b"
    assert _span(ins.span) == (2, 1, 4, 4)


def test_env_pair_spans_new_and_legacy_form() -> None:
    ins = _one('FROM a\nENV A=1 B="two words"\n')
    assert [(p.key, p.value, _span(p.key_span), _span(p.value_span), p.legacy) for p in ins.pairs] == [
        ("A", "1", (2, 5, 2, 6), (2, 7, 2, 8), False),
        ("B", '"two words"', (2, 9, 2, 10), (2, 11, 2, 22), False),
    ]
    legacy = _one("FROM a\nENV PATH /usr/bin:$PATH\n")
    assert [(p.key, p.value, _span(p.key_span), _span(p.value_span), p.legacy) for p in legacy.pairs] == [
        ("PATH", "/usr/bin:$PATH", (2, 5, 2, 9), (2, 10, 2, 24), True)
    ]


def test_arg_pairs_with_and_without_default() -> None:
    ins = _one("ARG A B=2\n")
    assert [(p.key, p.value, p.has_value, _span(p.key_span)) for p in ins.pairs] == [
        ("A", "", False, (1, 5, 1, 6)),
        ("B", "2", True, (1, 7, 1, 8)),
    ]


def test_exec_form_token_spans_include_the_quotes() -> None:
    ins = _one('FROM a\nCMD [ "echo", "a\\"b" ] trailing\n')
    assert ins.is_json
    assert [(t.value, _span(t.span)) for t in ins.args] == [("echo", (2, 7, 2, 13)), ('a"b', (2, 15, 2, 21))]


def test_healthcheck_argument_spans() -> None:
    ins = _one('FROM a\nHEALTHCHECK --retries=3 CMD ["curl", "-f"]\n')
    assert [(t.value, _span(t.span)) for t in ins.args] == [
        ("CMD", (2, 25, 2, 28)),
        ("curl", (2, 30, 2, 36)),
        ("-f", (2, 38, 2, 42)),
    ]
    shell = _one("FROM a\nHEALTHCHECK CMD   curl -f x\n")
    assert [(t.value, _span(t.span)) for t in shell.args] == [
        ("CMD", (2, 13, 2, 16)),
        ("curl -f x", (2, 19, 2, 28)),
    ]


def test_heredoc_marker_body_and_instruction_spans() -> None:
    dockerfile = parse("FROM a\nRUN <<EOF cat\nline one\nline two\nEOF\nCOPY <<-X /x\n\tbody\n\tX\nCMD x\n")
    run, copy = dockerfile.instructions[1], dockerfile.instructions[2]
    (doc,) = run.heredocs
    assert (doc.name, doc.expand, doc.chomp, doc.fd) == ("EOF", True, False, 0)
    assert doc.body == "line one\nline two\n"
    assert _span(doc.marker) == (2, 5, 2, 10)
    assert _span(doc.body_span) == (3, 1, 4, 9)
    assert doc.body_map.position(doc.body.index("two")) == (4, 6)
    assert _span(run.span) == (2, 1, 5, 4)
    (chomped,) = copy.heredocs
    assert chomped.body == "\tbody\n"
    assert chomped.content == "body\n"
    assert _span(copy.span) == (6, 1, 8, 3)
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN", "COPY", "CMD"]


def test_several_heredocs_are_read_in_order() -> None:
    ins = _one("FROM a\nCOPY <<X <<Y /d\nY\nX\nX\nY\n")
    assert [(h.name, h.body, _span(h.marker), _span(h.body_span)) for h in ins.heredocs] == [
        ("X", "Y\n", (2, 6, 2, 9), (3, 1, 3, 2)),
        ("Y", "X\n", (2, 10, 2, 13), (5, 1, 5, 2)),
    ]
    assert _span(ins.span) == (2, 1, 6, 2)


def test_empty_heredoc_body_span_is_empty() -> None:
    ins = _one("FROM a\nRUN <<E\nE\n")
    assert ins.heredocs[0].body == ""
    assert _span(ins.heredocs[0].body_span) == (3, 1, 3, 1)


def test_heredoc_in_onbuild_belongs_to_the_trigger() -> None:
    dockerfile = parse("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n")
    onbuild = dockerfile.instructions[1]
    assert onbuild.trigger is not None
    assert onbuild.trigger.heredocs[0].body == "echo hi\n"
    assert _span(onbuild.trigger.heredocs[0].marker) == (2, 13, 2, 18)
    assert _span(onbuild.span) == (2, 1, 4, 4)
    assert _span(onbuild.trigger.keyword_span) == (2, 9, 2, 12)
    assert onbuild.trigger.parent is onbuild
    assert dockerfile.walk() == [dockerfile.instructions[0], onbuild, onbuild.trigger]


def test_crlf_lines_do_not_count_the_carriage_return() -> None:
    dockerfile = parse("\ufeffFROM alpine\r\nRUN echo one \\\r\n    two\r\nLABEL a=b\r\n")
    run = dockerfile.instructions[1]
    assert dump_buildkit(dockerfile) == '(from "alpine")\n(run "echo one     two")\n(label "a" "b" "=")\n'
    assert _span(dockerfile.instructions[0].span) == (1, 1, 1, 12)
    assert _span(run.args[0].span) == (2, 5, 3, 8)
    assert _span(run.span) == (2, 1, 3, 8)
    assert dockerfile.lines[1] == "RUN echo one \\"


def test_crlf_heredoc_terminator_and_body() -> None:
    ins = _one("FROM a\r\nRUN <<EOF\r\necho x\r\nEOF\r\n")
    assert ins.heredocs[0].body == "echo x\r\n"
    assert _span(ins.span) == (2, 1, 4, 4)


def test_unicode_columns_are_code_points() -> None:
    ins = _one('FROM a\nLABEL café="☕ naïve" x=1\n')
    assert [(p.key, _span(p.key_span), _span(p.value_span)) for p in ins.pairs] == [
        ("café", (2, 7, 2, 11), (2, 12, 2, 21)),
        ("x", (2, 22, 2, 23), (2, 24, 2, 25)),
    ]


def test_directive_and_comment_spans() -> None:
    dockerfile = parse("  # escape = `\n# syntax=docker/dockerfile:1\n\n# hello\nFROM a\n")
    escape = dockerfile.directives["escape"]
    assert (escape.value, _span(escape.span), _span(escape.value_span)) == (
        "`",
        (1, 3, 1, 15),
        (1, 14, 1, 15),
    )
    assert _span(dockerfile.directives["syntax"].value_span) == (2, 10, 2, 29)
    assert dockerfile.escape == "`"
    assert [(c.text, _span(c.span)) for c in dockerfile.comments] == [
        ("escape = `", (1, 3, 1, 15)),
        ("syntax=docker/dockerfile:1", (2, 1, 2, 29)),
        ("hello", (4, 1, 4, 8)),
    ]
    # BuildKit's PrevComment leaves directives out; a blank line does not start over.
    assert dockerfile.instructions[0].comments == ["hello"]
    assert parse("# a\n\n  # b\nFROM x\n").instructions[0].comments == ["a", "# b"]


def test_onbuild_trigger_spans() -> None:
    ins = _one("FROM a\nONBUILD COPY --chown=1 src dst\n")
    trigger = ins.trigger
    assert trigger is not None
    assert _span(trigger.keyword_span) == (2, 9, 2, 13)
    assert _span(trigger.flags[0].span) == (2, 14, 2, 23)
    assert [(t.value, _span(t.span)) for t in trigger.args] == [
        ("src", (2, 24, 2, 27)),
        ("dst", (2, 28, 2, 31)),
    ]


def test_windows_escape_paths_and_continuation_spans() -> None:
    dockerfile = parse("# escape=`\nFROM a\nCOPY C:\\src `\n  C:\\dst\\\n")
    copy = dockerfile.instructions[1]
    assert [(t.value, _span(t.span)) for t in copy.args] == [
        ("C:\\src", (3, 6, 3, 12)),
        ("C:\\dst\\", (4, 3, 4, 10)),
    ]


# --- parser behaviour --------------------------------------------------------------------------


def test_directives_need_to_come_first_and_stop_at_a_blank_line() -> None:
    assert parse("# escape=`\nFROM a\n").escape == "`"
    assert parse("\n# escape=`\nFROM a\n").escape == "\\"
    assert parse("# comment\n# escape=`\nFROM a\n").escape == "\\"
    assert parse("FROM a\n# escape=`\n").escape == "\\"
    assert parse("# ESCAPE=`\nFROM a\n").escape == "`"


def test_check_and_syntax_directives_after_a_shebang() -> None:
    dockerfile = parse("#!/usr/bin/env buildctl\n# check=skip=all\n# escape=`\nFROM a\n")
    assert dockerfile.directives["check"].value == "skip=all"
    assert "escape" not in dockerfile.directives
    assert dockerfile.escape == "\\"


def test_instruction_comments_are_reset_by_an_empty_comment() -> None:
    dockerfile = parse("# one\n# two\nFROM a\n# three\n#\n# four\nRUN x\n")
    assert [i.comments for i in dockerfile.instructions] == [["one", "two"], ["four"]]


def test_single_quoted_array_is_shell_form() -> None:
    ins = _one("FROM a\nCMD ['a', 'b']\n")
    assert not ins.is_json
    assert [t.value for t in ins.args] == ["['a', 'b']"]


def test_json_strings_with_surrogate_escapes_become_replacement_characters() -> None:
    ins = _one('FROM a\nCMD ["\\ud83d\\ude00", "\\ud800"]\n')
    assert [t.value for t in ins.args] == ["\U0001f600", "\ufffd"]


def test_json_number_overflow_is_shell_form_like_go() -> None:
    ins = _one("FROM a\nCMD [1e400]\n")
    assert not ins.is_json
    assert not parse("FROM a\nCMD [1e400]\n").errors


def test_copy_link_keeps_the_source_argument() -> None:
    ins = _one("FROM a\nCOPY --link src dst\n")
    assert [f.raw for f in ins.flags] == ["--link"]
    assert [t.value for t in ins.args] == ["src", "dst"]


def test_flag_quotes_and_escapes_are_removed_like_buildkit() -> None:
    ins = _one("FROM a\nRUN --mount=type=secret,id=\"a b\" --mount='x=\\'y' true\n")
    assert [f.value for f in ins.flags] == ["type=secret,id=a b", "x='y"]
    assert ins.args[0].value == "true"


def test_non_ascii_flags_are_dumped_byte_by_byte_like_buildkit() -> None:
    dockerfile = parse("FROM a\nCOPY --chown=José a b\n")
    copy = dockerfile.instructions[1]
    assert copy.flags[0].value == "José"
    assert dump_buildkit(dockerfile).splitlines()[1] == '(copy ["--chown=JosÃ©"] "a" "b")'


def test_heredoc_markers_like_buildkit() -> None:
    for word in (
        "<<EOF",
        "<<'EOF'",
        '<<"EOF"',
        "<<-EOF",
        "<<-'EOF'",
        '<<-"EOF"',
        '<<EO"F"',
        "<< EOF",
        "<<- EOF",
    ):
        parsed = parse_heredoc(word)
        assert parsed is not None and parsed[0] == "EOF", word
    for word in ("", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh", "<<''"):
        assert parse_heredoc(word) is None, word
    assert parse_heredoc("<<eo'f'") == ("eof", False, False, 0)
    assert parse_heredoc("<<eo\\'f") == ("eo'f", True, False, 0)
    assert parse_heredoc("<<'e'o\\'f") == ("eo'f", False, False, 0)
    assert parse_heredoc("<<'one two'") == ("one two", False, False, 0)
    assert parse_heredoc("<<$EOF") == ("$EOF", True, False, 0)
    assert parse_heredoc("12<<-X") == ("X", True, True, 12)


def test_heredocs_only_in_run_copy_add_and_not_in_exec_form() -> None:
    dockerfile = parse('FROM a\nUSER <<X\nRUN ["<<Y"]\nRUN echo "<<Z" \'<<W\'\nRUN <<V\nV\n')
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "USER", "RUN", "RUN", "RUN"]
    assert [len(i.heredocs) for i in dockerfile.instructions] == [0, 0, 0, 0, 1]


def test_heredoc_not_detected_when_the_line_does_not_lex() -> None:
    dockerfile = parse("FROM a\nRUN <<EOF echo 'unterminated\nRUN echo next\n")
    assert [len(i.heredocs) for i in dockerfile.instructions] == [0, 0, 0]


def test_heredoc_followed_immediately_by_next_instruction() -> None:
    dockerfile = parse("FROM a\nRUN <<EOF\necho\nEOF\nRUN echo after\n")
    assert [(i.keyword, i.line) for i in dockerfile.instructions] == [("FROM", 1), ("RUN", 2), ("RUN", 5)]
    assert dockerfile.ok


def test_unterminated_heredoc_reports_the_marker() -> None:
    dockerfile = parse("FROM a\nRUN cat <<EOF\nno end")
    assert _errors(dockerfile) == ["2:9-2:14 syntax: unterminated heredoc"]
    assert dockerfile.instructions[1].heredocs[0].body == "no end"


def test_unknown_instruction_is_parsed_with_an_empty_argument() -> None:
    dockerfile = parse("FROM a\nFOO bar baz\n")
    assert dump_buildkit(dockerfile).splitlines()[1] == '(foo "")'
    assert _errors(dockerfile) == ["2:1-2:4 instruction: unknown instruction: FOO (did you mean FROM?)"]


def test_instructions_before_the_first_from() -> None:
    assert not parse("ARG V=1\nFROM a:$V\n").errors
    assert _errors(parse("ARG V=1\nRUN x\nFROM a\n")) == [
        "2:1-2:4 instruction: no build stage in current context"
    ]


def test_long_line_fails_like_bufio_scanner() -> None:
    text = "FROM a\nLABEL x=" + "a" * 65536 + "\n"
    assert _errors(parse(text)) == [
        f"2:1-2:{len(text.splitlines()[1]) + 1} syntax: dockerfile line greater than max allowed size of 65535"
    ]
    assert not parse("FROM a\nLABEL x=" + "a" * 65526 + "\n").errors


def test_no_instructions() -> None:
    assert _errors(parse("")) == ["1:1-1:2 syntax: file with no instructions"]
    assert _errors(parse("# escape=`\n\n")) == ["2:1-2:2 syntax: file with no instructions"]


def test_empty_keyword_from_an_escape_at_end_of_file() -> None:
    dockerfile = parse("FROM a\n\\\n")
    assert dump_buildkit(dockerfile) == '(from "a")\n("")\n'
    assert _errors(dockerfile) == ["2:1-2:2 instruction: unknown instruction: "]


# --- Go compatibility helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("plain", '"plain"'),
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("\t\n\x00\x7f", '"\\t\\n\\x00\\x7f"'),
        ("é☃\u00a0\u200b\U0001f600", '"é☃\\u00a0\\u200b😀"'),
        ("\U000e0001", '"\\U000e0001"'),
        ("\udcff", '"\\xff"'),
    ],
)
def test_go_quote(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("0", 0),
        ("-0", 0),
        ("1h30m", 5_400_000_000_000),
        ("1.5s", 1_500_000_000),
        (".5s", 500_000_000),
        ("5.s", 5_000_000_000),
        ("-1.5ms", -1_500_000),
        ("+2us", 2_000),
        ("3µs", 3_000),
        ("1ns", 1),
        ("2562047h", 2562047 * 3600 * 10**9),
    ],
)
def test_go_duration(text: str, ns: int) -> None:
    assert go_duration(text) == ns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("5", 'time: missing unit in duration "5"'),
        ("1x", 'time: unknown unit "x" in duration "1x"'),
        ("1e3s", 'time: unknown unit "e" in duration "1e3s"'),
        (".s", 'time: invalid duration ".s"'),
        ("3000000h", 'time: invalid duration "3000000h"'),
        ("1é", 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'),
    ],
)
def test_go_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("\\", "\\\\").replace(".", "\\.") + "$"):
        go_duration(text)
    assert parse_duration(text) is None


def test_json_output_has_spans_and_errors() -> None:
    data = to_json(parse("# escape=`\nFROM a\nCOPY --from=b x y\nFOO\n"))
    assert data["escape"] == "`"
    assert data["directives"][0]["value_span"] == {
        "start_line": 1,
        "start_col": 10,
        "end_line": 1,
        "end_col": 11,
    }
    copy = data["instructions"][1]
    assert copy["flags"][0]["value_span"] == {"start_line": 3, "start_col": 13, "end_line": 3, "end_col": 14}
    assert [a["value"] for a in copy["arguments"]] == ["x", "y"]
    assert data["errors"][0]["kind"] == "instruction"


def test_cli_reads_invalid_utf8_and_nul_like_buildkit(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"\xef\xbb\xbfFROM a\nRUN echo \xff\x00\n")
    result = CliRunner().invoke(app, ["parse", "--format", "buildkit", str(path)])
    assert result.exit_code == 0
    assert result.stdout == '(from "a")\n(run "echo \\xff\\x00")\n'
    as_json = CliRunner().invoke(app, ["parse", str(path)])
    assert as_json.exit_code == 0
    assert '"echo \\udcff\\u0000"' in as_json.stdout


def test_mount_values_split_as_buildkits_csv_reader_does() -> None:
    """Values without quotes or line breaks are split on commas without importing csv; the others
    go through csv. Both give what BuildKit's CSV reader gives (checked against csv on 200,000
    random values while writing the fast path)."""
    import csv
    import random

    from dfcheck.dockerfile.model import Mount

    assert Mount.parse("type=cache,target=/root/.npm,sharing=locked").fields == {
        "type": "cache",
        "target": "/root/.npm",
        "sharing": "locked",
    }
    assert Mount.parse('type=secret,"id=a,b",required').fields == {
        "type": "secret",
        "id": "a,b",
        "required": "true",
    }
    assert Mount.parse("").fields == {}
    assert Mount.parse("").type == "bind"
    rng = random.Random(1646)
    for _ in range(5000):
        value = "".join(rng.choice('ab=,"\r\n \t') for _ in range(rng.randint(0, 10)))
        try:
            parts = next(csv.reader([value]))
        except (csv.Error, StopIteration):
            parts = value.split(",")
        expected = {}
        for part in parts:
            key, eq, val = part.partition("=")
            expected[key.strip().lower()] = val if eq else "true"
        assert Mount.parse(value).fields == expected, value
