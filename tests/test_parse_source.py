"""Positions (TextMap, LineIndex) and reading a Dockerfile (read_dockerfile)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from dfcheck.dockerfile.parse import parse
from dfcheck.dockerfile.source import MAX_BYTES, LineIndex, Span, TextMap, read_dockerfile


def test_textmap_one_segment_and_many() -> None:
    one = TextMap(3, 5, 10)
    assert one.position(0) == (3, 5) and one.position(99) == (3, 14)
    assert one.span(2, 4) == Span(3, 7, 3, 9)
    assert one.span(4, 4) == Span(3, 9, 3, 10)
    many = TextMap()
    many.add(4, 2, 3)
    many.add(6, 3, 1)
    assert many.position(3) == (2, 6) and many.position(4) == (3, 1)
    assert many.span(2, 7) == Span(2, 5, 3, 4)
    assert many.sub(5, 8).span(0, 3) == Span(3, 2, 3, 5)
    assert many.sub(1, 3).span(0, 2) == Span(2, 4, 2, 6)
    assert many.sub(2, 9).position(2) == (3, 1)


def test_textmap_empty_first_segment_is_shadowed() -> None:
    tmap = TextMap()
    tmap.add(0, 7, 7)
    tmap.add(3, 8, 1)
    assert tmap.position(0) == (8, 1)


def test_rest_map_of_a_continued_instruction() -> None:
    ins = parse("FROM a\nRUN echo a \\\n  && echo b\n").instructions[1]
    assert ins.rest_map.span(0, len(ins.rest)) == Span(2, 5, 3, 12)
    assert ins.rest_span == Span(2, 5, 3, 12)


TEXT = "FROM a\r\nRUN echo 😀x\t🎉y\nLABEL é=1"


def test_line_index_code_point_columns() -> None:
    index = LineIndex(TEXT)
    x = TEXT.index("x")
    assert index.position(0) == (1, 1)
    assert index.position(TEXT.index("\r")) == (1, 7)
    assert index.position(x) == (2, 11)
    assert index.offset(2, 11) == x
    assert index.position(TEXT.index("y")) == (2, 14)
    assert index.position(len(TEXT)) == (3, 10)
    assert index.span(x, x + 3) == Span(2, 11, 2, 14)
    assert index.span(x, x) == Span(2, 11, 2, 11)
    assert index.offsets(Span(2, 11, 2, 14)) == (x, x + 3)


def test_line_index_spans_past_a_line_end_take_the_newline() -> None:
    index = LineIndex("ab\ncd\n")
    assert index.offset(1, 4) == 3 and index.offset(1, 99) == 3
    assert index.offsets(Span(1, 1, 1, 4)) == (0, 3)
    assert index.span(0, 3) == Span(1, 1, 2, 1)
    assert index.offset(9, 1) == 6


def test_line_index_utf16_columns() -> None:
    index = LineIndex(TEXT)
    emoji, x, tab, party, y = (TEXT.index(c) for c in ("😀", "x", "\t", "🎉", "y"))
    assert index.utf16(emoji) == (1, 9)
    assert index.utf16(x) == (1, 11)
    assert index.utf16(tab) == (1, 12)
    assert index.utf16(party) == (1, 13)
    assert index.utf16(y) == (1, 15)
    assert index.utf16(TEXT.index("é")) == (2, 6)
    for offset in range(len(TEXT) + 1):
        if TEXT[offset - 1 : offset + 1] != "\r\n":  # between CR and LF: no LSP position
            assert index.from_utf16(*index.utf16(offset)) == offset
    assert index.from_utf16(1, 10) == emoji, "the second unit of a pair means the emoji"
    assert index.from_utf16(0, 99) == TEXT.index("\r"), "past the end: before CR LF"
    assert index.from_utf16(1, 99) == y + 1
    assert index.from_utf16(7, 0) == len(TEXT)


def test_line_index_utf16_agrees_with_encoding() -> None:
    text = "a😀b\n\t🎉🎉c\r\nd" * 3
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        line, character = index.utf16(offset)
        start = text.rfind("\n", 0, offset) + 1
        assert line == text.count("\n", 0, offset)
        assert character == len(text[start:offset].encode("utf-16-le")) // 2


def test_read_a_file(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"\xef\xbb\xbfFROM a\nRUN echo \xff\n")
    text, message = read_dockerfile(str(path))
    assert text == "FROM a\nRUN echo \ufffd\n"
    assert message == f"{path}:2:10: invalid UTF-8 at byte 16 (replaced, linted anyway)"
    text, message = read_dockerfile(str(path), "shown", keep_bytes=True)
    assert text == "\ufeffFROM a\nRUN echo \udcff\n" and message == ""


def test_read_refuses(tmp_path: Path) -> None:
    binary = tmp_path / "bin"
    binary.write_bytes(b"\x7fELF\x00\x01")
    assert read_dockerfile(str(binary)) == (None, f"{binary}:1:1: binary file (NUL byte)")
    assert read_dockerfile(str(binary), keep_bytes=True)[0] == "\x7fELF\x00\x01"
    big = tmp_path / "big"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    assert read_dockerfile(str(big), "b") == (None, "b:1:1: file is larger than 5 MB")
    assert read_dockerfile(str(tmp_path)) == (None, f"{tmp_path}:1:1: not a regular file")
    missing = tmp_path / "nope"
    assert read_dockerfile(str(missing)) == (None, f"{missing}:1:1: cannot read: No such file or directory")
    assert read_dockerfile("a\0b", "x") == (None, "x:1:1: cannot read: embedded null byte")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "x.Dockerfile"
    os.mkfifo(fifo)
    assert read_dockerfile(str(fifo)) == (None, f"{fifo}:1:1: not a regular file")


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_read_stdin_with_the_same_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b"FROM a\n"))
    assert read_dockerfile("-") == ("FROM a\n", "")
    monkeypatch.setattr(sys, "stdin", _Stdin(b"#" * (MAX_BYTES + 10)))
    assert read_dockerfile("-", "stdin.Dockerfile") == (
        None,
        "stdin.Dockerfile:1:1: file is larger than 5 MB",
    )
