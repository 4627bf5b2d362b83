"""The ignore file and the context against Docker's own tables (moby/patternmatcher, ignorefile) and trees."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dfcheck.build import context, goregexp, ignore
from dfcheck.build.context import BuildContext
from dfcheck.build.ignore import IgnoreMatcher, IgnorePattern, find_ignore_file, read_ignore_file
from dfcheck.build.inventory import (
    LARGE_FILE_BYTES,
    ContextInventory,
    context_report,
    heavy_entries,
    inventory,
    secret_like_files,
)
from dfcheck.report.context_text import render_context_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "context"

# patternmatcher_test.go TestMatches: (pattern, path, expected). "inexact" rows of the Go table match
# only through a parent directory; MatchesOrParentMatches and the walker both say True for them.
MATCHES = [
    ("**", "file", True),
    ("**", "file/", True),
    ("**/", "file", True),
    ("**/", "file/", True),
    ("**", "/", True),
    ("**/", "/", True),
    ("**", "dir/file", True),
    ("**/", "dir/file", True),
    ("**", "dir/file/", True),
    ("**/", "dir/file/", True),
    ("**/**", "dir/file", True),
    ("**/**", "dir/file/", True),
    ("dir/**", "dir/file", True),
    ("dir/**", "dir/file/", True),
    ("dir/**", "dir/dir2/file", True),
    ("dir/**", "dir/dir2/file/", True),
    ("**/dir", "dir", True),
    ("**/dir", "dir/file", True),
    ("**/dir2/*", "dir/dir2/file", True),
    ("**/dir2/*", "dir/dir2/file/", True),
    ("**/dir2/**", "dir/dir2/dir3/file", True),
    ("**/dir2/**", "dir/dir2/dir3/file/", True),
    ("**file", "file", True),
    ("**file", "dir/file", True),
    ("**/file", "dir/file", True),
    ("**file", "dir/dir/file", True),
    ("**/file", "dir/dir/file", True),
    ("**/file*", "dir/dir/file", True),
    ("**/file*", "dir/dir/file.txt", True),
    ("**/file*txt", "dir/dir/file.txt", True),
    ("**/file*.txt", "dir/dir/file.txt", True),
    ("**/file*.txt*", "dir/dir/file.txt", True),
    ("**/**/*.txt", "dir/dir/file.txt", True),
    ("**/**/*.txt2", "dir/dir/file.txt", False),
    ("**/*.txt", "file.txt", True),
    ("**/**/*.txt", "file.txt", True),
    ("a**/*.txt", "a/file.txt", True),
    ("a**/*.txt", "a/dir/file.txt", True),
    ("a**/*.txt", "a/dir/dir/file.txt", True),
    ("a/*.txt", "a/dir/file.txt", False),
    ("a/*.txt", "a/file.txt", True),
    ("a/*.txt**", "a/file.txt", True),
    ("a[b-d]e", "ae", False),
    ("a[b-d]e", "ace", True),
    ("a[b-d]e", "aae", False),
    ("a[^b-d]e", "aze", True),
    (".*", ".foo", True),
    (".*", "foo", False),
    ("abc.def", "abcdef", False),
    ("abc.def", "abc.def", True),
    ("abc.def", "abcZdef", False),
    ("abc?def", "abcZdef", True),
    ("abc?def", "abcdef", False),
    ("**/foo/bar", "foo/bar", True),
    ("**/foo/bar", "dir/foo/bar", True),
    ("**/foo/bar", "dir/dir2/foo/bar", True),
    ("abc/**", "abc", False),
    ("abc/**", "abc/def", True),
    ("abc/**", "abc/def/ghi", True),
    ("**/.foo", ".foo", True),
    ("**/.foo", "bar.foo", False),
    ("a(b)c/def", "a(b)c/def", True),
    ("a(b)c/def", "a(b)c/xyz", False),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
    (
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        True,
    ),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    ("a\\\\", "a\\", True),
    ("a\\*b", "a*b", True),
]

# patternmatcher_test.go multiPatternTests.
MULTI = [
    (["**", "!util/docker/web"], "util/docker/web/foo", False),
    (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
    (
        ["**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"],
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        False,
    ),
    (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
]

# patternmatcher_test.go matchTests (Go's filepath.Match table): (pattern, path, match, bad syntax).
FILEPATH_MATCH = [
    ("abc", "abc", True, False),
    ("*", "abc", True, False),
    ("*c", "abc", True, False),
    ("a*", "a", True, False),
    ("a*", "abc", True, False),
    ("a*", "ab/c", True, False),
    ("a*/b", "abc/b", True, False),
    ("a*/b", "a/c/b", False, False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True, False),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True, False),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False, False),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False, False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True, False),
    ("a*b?c*x", "abxbbxdbxebxczzy", False, False),
    ("ab[c]", "abc", True, False),
    ("ab[b-d]", "abc", True, False),
    ("ab[e-g]", "abc", False, False),
    ("ab[^c]", "abc", False, False),
    ("ab[^b-d]", "abc", False, False),
    ("ab[^e-g]", "abc", True, False),
    ("a\\*b", "a*b", True, False),
    ("a\\*b", "ab", False, False),
    ("a?b", "a☺b", True, False),
    ("a[^a]b", "a☺b", True, False),
    ("a???b", "a☺b", False, False),
    ("a[^a][^a][^a]b", "a☺b", False, False),
    ("[a-ζ]*", "α", True, False),
    ("*[a-ζ]", "A", False, False),
    ("a?b", "a/b", False, False),
    ("a*b", "a/b", False, False),
    ("[\\]a]", "]", True, False),
    ("[\\-]", "-", True, False),
    ("[x\\-]", "x", True, False),
    ("[x\\-]", "-", True, False),
    ("[x\\-]", "z", False, False),
    ("[\\-x]", "x", True, False),
    ("[\\-x]", "-", True, False),
    ("[\\-x]", "a", False, False),
    ("[]a]", "]", False, True),
    ("[-]", "-", False, True),
    ("[x-]", "x", False, True),
    ("[x-]", "-", False, True),
    ("[x-]", "z", False, True),
    ("[-x]", "x", False, True),
    ("[-x]", "-", False, True),
    ("[-x]", "a", False, True),
    ("\\", "a", False, True),
    ("[a-b-c]", "a", False, True),
    ("[", "a", False, True),
    ("[^", "a", False, True),
    ("[^bc", "a", False, True),
    ("a[", "a", False, True),
    ("a[", "ab", False, True),
    ("*x", "xxx", True, False),
]

# patternmatcher_test.go compileTests: (pattern, match type, Go regexp for '/' paths).
EXACT, PREFIX, SUFFIX, REGEXP = range(4)
COMPILE = [
    ("*", REGEXP, "^[^/]*$"),
    ("file*", REGEXP, "^file[^/]*$"),
    ("*file", REGEXP, "^[^/]*file$"),
    ("a*/b", REGEXP, "^a[^/]*/b$"),
    ("**", SUFFIX, None),
    ("**/**", REGEXP, "^(.*/)?.*$"),
    ("dir/**", PREFIX, None),
    ("**/dir", SUFFIX, None),
    ("**/dir2/*", REGEXP, "^(.*/)?dir2/[^/]*$"),
    ("**/dir2/**", REGEXP, "^(.*/)?dir2/.*$"),
    ("**file", SUFFIX, None),
    ("**/file*txt", REGEXP, "^(.*/)?file[^/]*txt$"),
    ("**/**/*.txt", REGEXP, "^(.*/)?(.*/)?[^/]*\\.txt$"),
    ("a[b-d]e", REGEXP, "^a[b-d]e$"),
    (".*", REGEXP, "^\\.[^/]*$"),
    ("abc.def", EXACT, None),
    ("abc?def", REGEXP, "^abc[^/]def$"),
    ("**/foo/bar", SUFFIX, None),
    ("a(b)c/def", EXACT, None),
    ("a.|)$(}+{bc", EXACT, None),
    ("dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT, None),
]


def _plain(path: str) -> bool:
    """A path the walker could produce (no trailing slash, not the root)."""
    return not path.endswith("/")


@pytest.mark.parametrize(("pattern", "path", "expected"), MATCHES)
def test_patternmatcher_matches_table(pattern: str, path: str, expected: bool) -> None:
    matcher = IgnoreMatcher([pattern])
    assert matcher.matches(path) is expected
    if _plain(path):
        assert matcher.excluded(path) is expected


@pytest.mark.parametrize(("patterns", "path", "expected"), MULTI)
def test_patternmatcher_multi_pattern_table(patterns: list[str], path: str, expected: bool) -> None:
    matcher = IgnoreMatcher(patterns)
    assert matcher.matches(path) is expected
    assert matcher.excluded(path) is expected


@pytest.mark.parametrize(("pattern", "path", "expected", "bad"), FILEPATH_MATCH)
def test_filepath_match_table(pattern: str, path: str, expected: bool, bad: bool) -> None:
    matcher = IgnoreMatcher([pattern])
    assert (matcher.patterns[0].error is not None) is bad
    assert matcher.matches(path) is expected


@pytest.mark.parametrize(("pattern", "kind", "regexp"), COMPILE)
def test_compile_table(pattern: str, kind: int, regexp: str | None) -> None:
    got_kind, got_regexp = ignore._go_regexp(pattern)
    assert got_kind == kind
    if regexp is not None:
        assert got_regexp == regexp


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        (["*"], "fileutils.go", True),
        (["*.go"], "fileutils.go", True),
        (["!fileutils.go", "*.go"], "fileutils.go", True),
        (["*.go", "!fileutils.go"], "fileutils.go", False),
        (["docs", "!docs/README.md"], "docs/README.md", False),
        (["docs/", "!docs/README.md"], "docs/README.md", False),
        (["docs/*", "!docs/README.md"], "docs/README.md", False),
        (["docs", "!docs/README.md"], "docs/guide.md", True),
        (["*", "!keep"], "keep", False),
        (["*", "!keep"], "keep/deep/file", False),
        (["*", "!keep"], "other/file", True),
        (["**/*.md", "!README.md"], "README.md", False),
        (["**/*.md", "!README.md"], "docs/README.md", True),
        (["foo"], "foo/bar/baz", True),
        (["foo/bar"], "foo", False),
        ([], "anything", False),
        (["*.go"], ".", False),
    ],
)
def test_exclusion_order_and_parent_directories(patterns: list[str], path: str, expected: bool) -> None:
    assert IgnoreMatcher(patterns).excluded(path) is expected


def test_walker_and_stateless_matching_differ_as_in_docker() -> None:
    """fsutil's walker does not re-evaluate a pattern against parents the way MatchesOrParentMatches does."""
    matcher = IgnoreMatcher(["a/b", "!a"])
    assert matcher.excluded("a/b/c") is True
    assert matcher.matches("a/b/c") is False


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("^abc*", "abcd", True),  # Go reads the leading '^' as a second anchor
        ("^abc*", "^abcd", False),
        ("a^b", "a^b", True),  # no wildcard: compared as text
        ("a^b*", "a^bc", False),  # a mid-pattern anchor never matches
        ("a**b", "a/x/b", True),
        ("a**b", "axb", False),
        ("[[:digit:]]*", "7up", True),
        ("[[:digit:]]*", "up", False),
        ("\\d*", "1abc", True),  # Go regexp escape, not a literal 'd'
        ("\\d*", "dabc", False),
        ("src\\bin", "srcbin", False),  # \b is a word boundary: a Windows path never matches
        ("a\\ b", "a b", True),
        ("[*]", "[/*]", False),
        ("a[^x]b", "a/b", True),  # a negated class crosses '/', as in Go
    ],
)
def test_go_regexp_quirks(pattern: str, path: str, expected: bool) -> None:
    matcher = IgnoreMatcher([pattern])
    assert matcher.patterns[0].error is None
    assert matcher.matches(path) is expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("[Local-Only]/", "invalid character class range"),
        ("build\\output", "invalid escape sequence"),
        ("[z-a]", "invalid character class range"),
        ("[", "syntax error in pattern"),
        ("!", 'illegal exclusion pattern: "!"'),
        ("\\pL*", "not supported by dfcheck"),
    ],
)
def test_patterns_docker_rejects(pattern: str, message: str) -> None:
    matcher = IgnoreMatcher([pattern, "!x"])
    error = matcher.patterns[0].error
    assert error is not None and message in error
    assert not matcher.matches("Local-Only") and not matcher.excluded("build/output")


def test_read_ignore_file_docker_table() -> None:
    content = "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! "
    patterns = read_ignore_file(content)
    shown = [("!" if p.exclusion else "") + p.pattern for p in patterns]
    assert shown == ["test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "!", "!"]
    assert [p.line for p in patterns] == [1, 2, 3, 5, 7, 8, 9]
    assert [p.error is not None for p in patterns] == [False] * 5 + [True, True]


@pytest.mark.parametrize(
    ("line", "exclusion", "pattern"),
    [
        ("./foo", False, "foo"),
        ("foo/../bar", False, "bar"),
        ("../foo", False, "../foo"),
        ("/../foo", False, "foo"),
        ("//foo//bar/", False, "foo/bar"),
        ("  spaced  \t", False, "spaced"),
        (" # not a comment", False, "# not a comment"),
        ("!  ./keep/", True, "keep"),
        ("!!bang", True, "!bang"),
        ("\\!literal", False, "\\!literal"),
        ("foo\\bar", False, "foo\\bar"),
        (".", False, "."),
        ("/", False, "/"),
        ("x\x1c", False, "x\x1c"),  # not whitespace to Go
        ("x\u3000", False, "x"),  # ideographic space is
    ],
)
def test_read_ignore_file_cleaning(line: str, exclusion: bool, pattern: str) -> None:
    (only,) = read_ignore_file(line)
    assert (only.exclusion, only.pattern) == (exclusion, pattern)


def test_read_ignore_file_lines_comments_bom_and_crlf() -> None:
    text = "\ufeff# comment\r\nfoo\r\n\r\n   \r\nbar\rbaz\n#also comment\n"
    patterns = read_ignore_file(text)
    assert [(p.line, p.pattern) for p in patterns] == [(2, "foo"), (5, "bar\rbaz")]
    assert patterns[0].text == "foo"


def test_read_ignore_file_windows_separators() -> None:
    assert [p.pattern for p in read_ignore_file("a\\b\\..\\c\n\\abs\\x\n")] == ["a\\b\\..\\c", "\\abs\\x"]
    windows = read_ignore_file("a\\b\\..\\c\n\\abs\\x\n!.\\keep\\*.txt\n", windows=True)
    shown = [(p.exclusion, p.pattern) for p in windows]
    assert shown == [(False, "a/c"), (False, "abs/x"), (True, "keep/*.txt")]


def test_no_pattern_excludes_the_root_or_outside() -> None:
    matcher = IgnoreMatcher(["**"])
    assert [matcher.excluded(p) for p in (".", "", "/", "..", "../x", "x")] == [False] * 5 + [True]


def test_find_ignore_file_precedence(tmp_path: Path) -> None:
    specific = FIXTURES / "specific"
    assert find_ignore_file(specific, None) == specific / ".dockerignore"
    assert find_ignore_file(specific, specific / "Dockerfile") == specific / ".dockerignore"
    named = specific / "docker" / "app.Dockerfile"
    assert find_ignore_file(specific, named) == specific / "docker" / "app.Dockerfile.dockerignore"
    assert find_ignore_file(tmp_path, None) is None
    (tmp_path / "Dockerfile.dockerignore").write_text("")
    assert find_ignore_file(tmp_path, tmp_path / "Dockerfile") == tmp_path / "Dockerfile.dockerignore"


def test_dockerfile_specific_ignore_replaces_the_context_one() -> None:
    specific = FIXTURES / "specific"
    plain = context.load(specific)
    named = context.load(specific, specific / "docker" / "app.Dockerfile")
    assert [p.pattern for p in named.patterns] == ["*.md"]
    assert plain.matcher.excluded("notes.txt") and not plain.matcher.excluded("README.md")
    assert named.matcher.excluded("README.md") and not named.matcher.excluded("notes.txt")


def walk(root: Path, patterns: list[str] | None = None, **options: Any) -> ContextInventory:
    """The inventory of ``root`` under ``patterns`` (default: the root's own ignore file)."""
    build = context.load(root) if patterns is None else BuildContext(root, None, IgnoreMatcher(patterns))
    return inventory(build, **options)


def test_walk_fixture_tree() -> None:
    root = FIXTURES / "basic"
    found = walk(root, measure_excluded=True)
    assert found.included_paths == [
        ".dockerignore",
        "README.md",
        "app.py",
        "docs/README.md",
        "requirements.txt",
        "src/main.py",
        "src/util/helpers.py",
    ]
    assert found.pruned_dirs == ["docs/img", "node_modules"]
    assert found.excluded_count == 6
    assert found.included_bytes == sum(f.size for f in found.included)
    assert found.included_bytes == sum((root / p).stat().st_size for p in found.included_paths)
    assert found.pattern_hits == {0: 1, 1: 1, 2: 4, 3: 1, 4: 1, 5: 1, 6: 0}
    assert found.errors == []
    assert found.largest_dirs[0][0] == "src"
    assert found.dir_files == {"docs": 1, "src": 2, "src/util": 1}


def test_walk_without_measuring_keeps_totals_of_what_was_walked() -> None:
    found = walk(FIXTURES / "basic", top=2)
    assert found.included_count == 7 and len(found.largest_files) == 2
    assert found.excluded_count == 3


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _reference_excluded(patterns: list[str], path: str) -> bool:
    """MatchesUsingParentResults down the path, every pattern tried: no pruning, no candidate filter."""
    compiled = [(p.exclusion, ignore.compile_pattern(p.pattern)) for p in IgnoreMatcher(patterns).patterns]
    parts = path.split("/")
    parent: list[bool] = []
    matched = False
    for depth in range(1, len(parts) + 1):
        current = "/".join(parts[:depth])
        matched, info = False, []
        for i, (exclusion, pattern) in enumerate(compiled):
            hit = bool(parent and parent[i])
            if not hit and exclusion == matched:
                hit = bool(pattern.test(current))
            info.append(hit)
            if hit:
                matched = not exclusion
        parent = info
    return matched


PATTERN_SETS = [
    ["node_modules", "*.log"],
    ["docs", "!docs/README.md", "**/*.md", "!README.md"],
    ["*", "!src", "src/**/*.pyc", "!src/keep/*.pyc"],
    ["**", "!**/*.py", "vendor"],
    ["a/b", "!a", "a/b/c"],
    ["vendor/*/", "!vendor/x*/keep", "**/tmp"],
    ["[a-c]*", "![b]*/deep", "**/deep/**"],
    ["**/deep", "b/deep/one.txt", "!**/one.txt", "**/more/two.py", "!b/deep/more", "c/keep.txt"],
    ["a/b/c/d.txt", "**/c", "!a/b/c/d.txt", "**/b/c", "!**/x.py", "a/x.py", "*.log", "!app.log"],
    ["src/main.py", "src/*.py", "**/main.py", "!src/main.py", "**/src/main.py", "!**/keep", "src"],
]


@pytest.mark.parametrize("patterns", PATTERN_SETS)
def test_walk_agrees_with_reference_matching(tmp_path: Path, patterns: list[str]) -> None:
    files = [
        "README.md",
        "app.log",
        "a/b/c/d.txt",
        "a/x.py",
        "b/deep/one.txt",
        "b/deep/more/two.py",
        "c/keep.txt",
        "docs/README.md",
        "docs/guide.md",
        "docs/img/logo.png",
        "node_modules/pkg/index.js",
        "src/main.py",
        "src/cache.pyc",
        "src/keep/x.pyc",
        "src/sub/tmp/y.pyc",
        "vendor/xlib/keep",
        "vendor/xlib/drop",
        "vendor/ylib/keep",
        "tmp/t.txt",
    ]
    _tree(tmp_path, dict.fromkeys(files, "x"))
    expected = sorted(f for f in files if not _reference_excluded(patterns, f))
    assert walk(tmp_path, patterns).included_paths == expected
    matcher = IgnoreMatcher(patterns)
    assert [f for f in files if not matcher.excluded(f)] == [f for f in files if f in expected]


def test_exception_reach_decides_pruning() -> None:
    matcher = IgnoreMatcher(["docs", "!docs/README.md", "build", "!build/**/*.whl", "cache", "!*.keep"])
    assert matcher.might_reinclude_under("docs")
    assert not matcher.might_reinclude_under("docs/img")
    assert matcher.might_reinclude_under("build/a/b")
    assert not matcher.might_reinclude_under("cache")
    assert not IgnoreMatcher(["x"]).might_reinclude_under("x")


def test_symlinks_are_entries_and_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _tree(outside, {"big.bin": "x" * 1000})
    root = tmp_path / "ctx"
    _tree(root, {"app/main.py": "print()"})
    (root / "app" / "loop").symlink_to("..")
    (root / "escape").symlink_to(outside)
    (root / "dangling").symlink_to(root / "missing")
    found = walk(root, [])
    assert found.included_paths == ["app/loop", "app/main.py", "dangling", "escape"]
    assert {f.path: f.size for f in found.included}["escape"] == len(os.readlink(root / "escape"))
    assert found.errors == []


def test_unreadable_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"ok/a.txt": "a", "locked/b.txt": "b", "private/c.txt": "c"})
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(path) in ("locked", "private"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(context.os, "scandir", scandir)
    found = walk(tmp_path, ["private", "!private/*.keep"])
    assert found.included_paths == ["ok/a.txt"]
    assert found.errors == ["locked: Permission denied"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_directory_on_disk(tmp_path: Path) -> None:
    _tree(tmp_path, {"locked/b.txt": "b", "c.txt": "c"})
    (tmp_path / "locked").chmod(0)
    try:
        found = walk(tmp_path, [])
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert found.included_paths == ["c.txt"]
    assert found.errors == ["locked: Permission denied"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("app.py", ["app.py"]),
        ("/app.py", ["app.py"]),
        ("./src/../app.py", ["app.py"]),
        ("../app.py", ["app.py"]),
        ("src", ["src/main.py", "src/util/helpers.py"]),
        ("src/", ["src/main.py", "src/util/helpers.py"]),
        ("*.py", ["app.py"]),
        ("src/*.py", ["src/main.py"]),
        ("*/main.py", ["src/main.py"]),
        ("s*", ["src/main.py", "src/util/helpers.py"]),
        ("src/*/*.py", ["src/util/helpers.py"]),
        ("[a-r]*.txt", ["requirements.txt"]),
        ("debug.log", []),
        ("node_modules", []),
        ("docs", ["docs/README.md"]),
        ("docs/guide.md", []),
        ("missing*", []),
        ("nope", []),
        ("src/[", []),
        ("app\\.py", []),
    ],
)
def test_files_a_source_reads(source: str, expected: list[str]) -> None:
    build = context.load(FIXTURES / "basic")
    assert [f.path for f in build.files(source)] == expected


def test_files_a_source_reads_under_each_ignore_file() -> None:
    basic = context.load(FIXTURES / "basic")
    assert [f.path for f in basic.files(".")] == walk(FIXTURES / "basic").included_paths
    specific = FIXTURES / "specific"
    everything = [".dockerignore", "README.md", "docker/app.Dockerfile.dockerignore"]
    assert [f.path for f in context.load(specific).files("*")] == everything
    named = context.load(specific, specific / "docker" / "app.Dockerfile").files("*")
    assert [f.path for f in named] == [".dockerignore", "docker/app.Dockerfile.dockerignore", "notes.txt"]


def test_secret_like_files(tmp_path: Path) -> None:
    key_text = "-----BEGIN RSA " + "PRIVATE KEY-----\nabc\n"
    _tree(
        tmp_path,
        {
            ".env": "TOKEN=1",
            ".env.production": "TOKEN=2",
            ".env.example": "TOKEN=",
            "config/.env.sample": "TOKEN=",
            "home/.ssh/id_rsa": key_text,
            "home/.ssh/id_rsa.pub": "ssh-rsa AAAA",
            "home/.ssh/id_ed25519": key_text,
            "tls/server.pem": key_text,
            "tls/ca.pem": "-----BEGIN CERTIFICATE-----\n",
            "tls/server.key": "k",
            "tls/bundle.p12": "p",
            ".aws/credentials": "[default]",
            "web/.npmrc": "//registry.npmjs.org/:_authToken=abc",
            "web/sub/.npmrc": "registry=https://registry.npmjs.org/",
            ".pypirc": "[pypi]\nPassword = x",
            ".git-credentials": "https://u:p@example.com",
            ".netrc": "machine x login y password z",
            ".kube/config": "apiVersion: v1",
            "clusters/prod.kubeconfig": "apiVersion: v1",
            "gcp/sa.json": '{"type": "service_account", "private_key": "x"}',
            "gcp/settings.json": '{"theme": "dark"}',
            "package.json": '{"private_key": "not a key"}',
            "ignored/.env": "TOKEN=3",
        },
    )
    build = BuildContext(tmp_path, None, IgnoreMatcher(["ignored"]))
    assert secret_like_files(build, inventory(build).included) == [
        ".aws/credentials",
        ".env",
        ".env.production",
        ".git-credentials",
        ".kube/config",
        ".netrc",
        ".pypirc",
        "clusters/prod.kubeconfig",
        "gcp/sa.json",
        "home/.ssh/id_ed25519",
        "home/.ssh/id_rsa",
        "tls/bundle.p12",
        "tls/server.key",
        "tls/server.pem",
        "web/.npmrc",
    ]


def test_heavy_entries(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main",
            ".git/objects/ab/cdef": "x" * 300,
            "node_modules/a/index.js": "x" * 400,
            "node_modules/a/node_modules/b/index.js": "x" * 100,
            "node_modules/a/build/out.js": "x",
            ".venv/pyvenv.cfg": "home = /usr",
            ".venv/lib/site.py": "x" * 50,
            "venv-not/lib.py": "x",
            "pkg/__pycache__/a.pyc": "x" * 10,
            "pkg/sub/__pycache__/b.pyc": "x" * 10,
            "build/lib.o": "x" * 30,
            "excluded/target/t": "x",
            "src/app.py": "x",
        },
    )
    with open(tmp_path / "src" / "model.bin", "wb") as handle:
        handle.truncate(LARGE_FILE_BYTES + 1)
    heavy = heavy_entries(walk(tmp_path, ["excluded"]))
    found = [(e.path, e.kind, e.files) for e in heavy]
    assert found == [
        ("src/model.bin", "large-file", 1),
        ("node_modules", "dependencies", 3),
        (".git", "vcs", 2),
        (".venv", "virtualenv", 2),
        ("build", "build-output", 1),
        ("**/__pycache__", "cache", 2),
    ]
    assert heavy[1].bytes == 501


def test_context_report_and_text() -> None:
    root = FIXTURES / "basic"
    report = context_report_json(root)
    assert report["version"] == 1
    assert report["ignore_file"] == ".dockerignore"
    assert (report["included_files"], report["excluded_files"]) == (7, 6)
    assert report["included"][0] == ".dockerignore"
    dead = [p["pattern"] for p in report["patterns"] if p["dead"]]
    assert dead == ["never-there"]
    assert report["patterns"][3] == {
        "line": 5,
        "pattern": "README.md",
        "exclusion": True,
        "matched": 1,
        "dead": False,
        "error": None,
    }
    assert report["secrets"] == [] and report["errors"] == []
    text = render_context_text(report)
    assert text.startswith(f"Build context {root} (ignore file: .dockerignore)\n  sent:     7 files")
    assert "  line   5  !README.md                     re-includes 1 path\n" in text
    assert "  line   8  never-there                    matches nothing\n" in text
    assert "        31 B  src/  (2 files)\n" in text and "Files sent:\n  .dockerignore\n" in text


def test_context_report_names_pattern_errors(tmp_path: Path) -> None:
    _tree(tmp_path, {".dockerignore": "ok\n[\n", "ok": "x", "a.txt": "y"})
    report = context_report(tmp_path)
    assert "included" not in report
    assert report["errors"] == [".dockerignore:2: syntax error in pattern"]
    assert [p["dead"] for p in report["patterns"]] == [False, False]
    assert "error: syntax error in pattern" in render_context_text(report)


def context_report_json(root: Path) -> dict[str, Any]:
    """The report after a JSON round trip, which it must survive unchanged."""
    report = context_report(root, None, True)
    assert json.loads(json.dumps(report)) == report
    return report


def test_ignore_pattern_is_the_documented_shape() -> None:
    assert IgnorePattern("!x", True, 3, "x") == IgnorePattern(text="!x", exclusion=True, line=3, pattern="x")


def test_many_patterns_compile_only_what_a_path_meets(monkeypatch: pytest.MonkeyPatch) -> None:
    """10,000 patterns cost a parse each; a regex is translated and compiled when first tried."""
    translated: list[str] = []
    real = ignore.translate

    def translate(source: str) -> str:
        translated.append(source)
        return real(source)

    monkeypatch.setattr(ignore, "translate", translate)
    ignore.compile_pattern.cache_clear()
    text = "".join(f"dir{i}/*.log\n!dir{i}/keep{i}.log\n**/tmp{i}\n" for i in range(3334))
    matcher = IgnoreMatcher(read_ignore_file(text))
    assert len(matcher.patterns) == 10002 and translated == []
    assert matcher.excluded("dir7/x.log") and not matcher.excluded("dir7/keep7.log")
    assert matcher.excluded("src/tmp12/a.py") and not matcher.excluded("src/a.log")
    assert translated == ["^dir7/[^/]*\\.log$"]


def test_negated_classes_stay_negated_in_python() -> None:
    """A complement over all of Unicode makes re.compile 70 times slower."""
    assert goregexp.translate("^a[^/]*$") == "^a[^\\U0000002f]*\\Z"
    assert goregexp.translate("\\D[^\\d]") == "[^\\U00000030-\\U00000039][^\\U00000030-\\U00000039]"
    assert IgnoreMatcher(["a[^x]b"]).matches("a/b")
