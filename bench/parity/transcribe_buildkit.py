"""Transcribe BuildKit's build-check tests into buildkit_cases.json.

Usage: python bench/parity/transcribe_buildkit.py --git-dir BUILDKIT_GIT_DIR [--rev HEAD] [--out FILE]

Reads ``frontend/dockerfile/dockerfile_check_test.go`` (called ``dockerfile_lint_test.go`` before
BuildKit commit 2939b5b2f split the integration tests) from a BuildKit git directory and turns every
``checkLinterWarnings(t, sb, &lintTestParams{...})`` call into one case, numbered per test function.
A small evaluator understands the Go the tests use: raw and interpreted string literals,
``[]byte(...)``, ``fmt.Appendf``/``fmt.Sprintf`` (%s %q %d), ``integration.UnixOrWindows(unix,
windows)`` (the Unix value is taken: the cases are transcribed as they run on Linux), local
variables, the ``makeLintWarning`` closure, struct, slice and map literals.

What a case asserts, from the harness (``checkLinterWarnings`` runs two sub-tests, both on the
builtin and on the client frontend; no lint test is limited to one frontend):

- ``warntype=unmarshal`` runs the lint subrequest (what ``docker build --check`` does): it lints
  every stage and must return exactly ``UnmarshalWarnings`` when the test gives them, else
  ``Warnings``, compared by rule name, description, URL and detail after sorting by start line.
  That list is this file's ``expected``, because dfcheck, like ``--check``, lints every stage.
- ``warntype=progress`` builds the default target (the last stage) and must stream exactly
  ``Warnings``, compared by ``LintFormatShort`` (rule, detail, start line), description, URL and
  level. When that list differs from ``expected`` it is kept as ``expected_build``.
- ``BuildErr`` / ``StreamBuildErrRegexp`` say the build (and, for ``BuildErr``, the lint
  subrequest) must fail: kept as ``build_error``.

Lines: the tests assert start lines only, and only through the progress stream: the lint
subrequest's warnings are compared on rule, description, URL and detail (``checkLintWarning``), so a
warning that appears only in ``UnmarshalWarnings`` has ``line_asserted: false`` (its line is what
the test author wrote; testLegacyKeyValueFormat:3 gives lines 3 and 4 for instructions on lines 5
and 6). ``end_line`` is the last line of the instruction that
starts on ``line`` (BuildKit reports a node's range), or ``line`` itself for NoEmptyContinuation,
whose location is the line the continued instruction ends on.

``build_args`` come from the ``build-arg:NAME`` frontend attributes (BUILDKIT_DOCKERFILE_CHECK
among them); a ``.dockerignore`` the test writes beside the Dockerfile is kept as ``dockerignore``
(the build context holds just those two files). ``testBaseImagePlatformMismatch`` is left out: it
pushes an image to a registry and lints a Dockerfile that names it (InvalidBaseImagePlatform needs
the pulled image's platform), which no static linter can see.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TEST_FILE = "frontend/dockerfile/dockerfile_check_test.go"
OLD_TEST_FILE = "frontend/dockerfile/dockerfile_lint_test.go"
SKIPPED_FUNCTIONS = {
    "testBaseImagePlatformMismatch": "pushes an image to a registry and lints a Dockerfile built on it; "
    "InvalidBaseImagePlatform needs the pulled image's platform",
}


class Tok:
    __slots__ = ("kind", "line", "value")

    def __init__(self, kind: str, value: Any, line: int) -> None:
        self.kind, self.value, self.line = kind, value, line

    def __repr__(self) -> str:
        return f"{self.kind}:{self.value!r}@{self.line}"


_GO_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def tokenize(src: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n, line = 0, len(src), 1
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif src.startswith("//", i):
            while i < n and src[i] != "\n":
                i += 1
        elif src.startswith("/*", i):
            j = src.index("*/", i)
            line += src.count("\n", i, j)
            i = j + 2
        elif c == "`":
            j = src.index("`", i + 1)
            toks.append(Tok("str", src[i + 1 : j].replace("\r", ""), line))
            line += src.count("\n", i, j)
            i = j + 1
        elif c == '"':
            out = []
            i += 1
            while src[i] != '"':
                if src[i] == "\\":
                    d = src[i + 1]
                    if d in _GO_ESCAPES:
                        out.append(_GO_ESCAPES[d])
                        i += 2
                    elif d in "xuU":
                        width = {"x": 2, "u": 4, "U": 8}[d]
                        out.append(chr(int(src[i + 2 : i + 2 + width], 16)))
                        i += 2 + width
                    else:
                        raise SyntaxError(f"escape \\{d} at line {line}")
                else:
                    out.append(src[i])
                    i += 1
            toks.append(Tok("str", "".join(out), line))
            i += 1
        elif c.isalpha() or c == "_":
            m = re.match(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*", src[i:])
            assert m
            toks.append(Tok("id", m.group(), line))
            i += len(m.group())
        elif c.isdigit():
            m = re.match(r"0[oO]?[0-7]+|\d+", src[i:])
            assert m
            text = m.group()
            toks.append(
                Tok("num", int(text, 8) if text.startswith("0") and len(text) > 1 else int(text), line)
            )
            i += len(text)
        else:
            for sym in (":=", "...", "&&", "||", "==", "!="):
                if src.startswith(sym, i):
                    toks.append(Tok("sym", sym, line))
                    i += len(sym)
                    break
            else:
                toks.append(Tok("sym", c, line))
                i += 1
    return toks


class Unsupported(Exception):
    pass


class Regexp(str):
    """A regexp.MustCompile(...) value."""


def go_format(fmt: str, args: list[Any]) -> str:
    out = []
    it = iter(args)
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        verb = fmt[i + 1]
        i += 2
        if verb == "%":
            out.append("%")
        elif verb in "sv":
            out.append(str(next(it)))
        elif verb == "d":
            out.append(str(int(next(it))))
        elif verb == "q":
            out.append(json.dumps(str(next(it)), ensure_ascii=False))
        else:
            raise Unsupported(f"format verb %{verb}")
    return "".join(out)


class Closure:
    def __init__(self, params: list[str], body_start: int, ev: Evaluator) -> None:
        self.params, self.body_start, self.ev = params, body_start, ev

    def call(self, args: list[Any]) -> Any:
        saved = dict(self.ev.env)
        self.ev.env.update(zip(self.params, args, strict=True))
        try:
            value, _ = self.ev.expr(self.body_start)
        finally:
            self.ev.env = saved
        return value


class Evaluator:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.env: dict[str, Any] = {}

    def sym(self, i: int, s: str) -> bool:
        return i < len(self.toks) and self.toks[i].kind == "sym" and self.toks[i].value == s

    def expect(self, i: int, s: str) -> int:
        if not self.sym(i, s):
            raise Unsupported(f"expected {s!r} at {self.toks[i]!r}")
        return i + 1

    def args(self, i: int) -> tuple[list[Any], int]:
        i = self.expect(i, "(")
        out: list[Any] = []
        while not self.sym(i, ")"):
            value, i = self.expr(i)
            out.append(value)
            if self.sym(i, ","):
                i += 1
        return out, i + 1

    def skip_type(self, i: int) -> int:
        """Skip a type: []T, map[K]V, *T, T, func(...) T."""
        while self.sym(i, "[") or self.sym(i, "*"):
            i = i + 2 if self.sym(i, "[") else i + 1
        t = self.toks[i]
        if t.kind == "id" and t.value == "map":
            i = self.expect(i + 1, "[")
            i = self.skip_type(i)
            i = self.expect(i, "]")
            return self.skip_type(i)
        return i + 1

    def composite(self, i: int, kind: str) -> tuple[Any, int]:
        i = self.expect(i, "{")
        items: list[Any] = []
        fields: dict[str, Any] = {}
        while not self.sym(i, "}"):
            if self.sym(i, "{"):
                value, i = self.composite(i, "struct")
                items.append(value)
            elif self.toks[i].kind in ("id", "str") and self.sym(i + 1, ":") and kind in ("struct", "map"):
                key = self.toks[i].value
                value, i = self.expr(i + 2)
                fields[key] = value
            else:
                value, i = self.expr(i)
                items.append(value)
            if self.sym(i, ","):
                i += 1
        i += 1
        if kind == "slice":
            return items, i
        return fields, i

    def expr(self, i: int) -> tuple[Any, int]:
        t = self.toks[i]
        if t.kind == "str":
            value: Any = t.value
            i += 1
            while self.sym(i, "+"):
                rhs, i = self.expr(i + 1)
                value += rhs
            return value, i
        if t.kind == "num":
            return t.value, i + 1
        if t.kind == "sym" and t.value == "&":
            return self.expr(i + 1)
        if t.kind == "sym" and t.value == "[":  # []T{...} or []byte(x)
            j = self.skip_type(i)
            if self.sym(j, "("):
                args, j = self.args(j)
                return args[0], j
            return self.composite(j, "slice")
        if t.kind == "id":
            name = t.value
            if name == "map":
                j = self.skip_type(i)
                return self.composite(j, "map")
            if name == "func":
                j = self.expect(i + 1, "(")
                params = []
                while not self.sym(j, ")"):
                    params.append(self.toks[j].value)
                    j = self.skip_type(j + 1)
                    if self.sym(j, ","):
                        j += 1
                j += 1
                while not self.sym(j, "{"):
                    j += 1
                j += 1
                if self.toks[j].value != "return":
                    raise Unsupported("closure without a single return")
                depth, k = 1, j
                while depth:
                    k += 1
                    if self.sym(k, "{"):
                        depth += 1
                    elif self.sym(k, "}"):
                        depth -= 1
                return Closure(params, j + 1, self), k + 1
            if name in ("true", "false"):
                return name == "true", i + 1
            if name == "nil":
                return None, i + 1
            if (self.sym(i + 1, "{") and name[:1].isupper()) or name in (
                "lintTestParams",
                "expectedLintWarning",
            ):
                return self.composite(i + 1, "struct")
            if self.sym(i + 1, "("):
                args, j = self.args(i + 1)
                if name == "integration.UnixOrWindows":
                    return args[0], j
                if name == "fmt.Appendf":
                    return go_format(args[1], args[2:]), j
                if name == "fmt.Sprintf":
                    return go_format(args[0], args[1:]), j
                if name == "regexp.MustCompile":
                    return Regexp(args[0]), j
                if name == "regexp.QuoteMeta":
                    return re.escape(args[0]), j
                if name in self.env and isinstance(self.env[name], Closure):
                    return self.env[name].call(args), j
                raise Unsupported(f"call of {name}")
            if name in self.env:
                return self.env[name], i + 1
            raise Unsupported(f"unknown name {name} at line {t.line}")
        raise Unsupported(f"cannot evaluate {t!r}")


def instruction_end(lines: list[str], start: int) -> int:
    """Last line (1-based) of the instruction that starts on line ``start``: continuations, heredocs."""
    idx = start - 1
    text = lines[idx]
    end = idx
    while end < len(lines) - 1 and lines[end].rstrip().endswith("\\"):
        end += 1
    heredocs = re.findall(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?", " ".join(lines[idx : end + 1]))
    if heredocs and re.match(r"\s*(RUN|COPY|ADD)\b", text, re.I):
        for word in heredocs:
            end += 1
            while end < len(lines) and lines[end].strip() != word:
                end += 1
    return end + 1


def warnings_out(
    dockerfile: str, warnings: list[dict[str, Any]], asserted: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """``asserted``: the warnings whose start line the test checks (the progress stream's)."""
    lines = dockerfile.split("\n")
    checked = {(w["RuleName"], w["Detail"], w["Line"]) for w in (warnings if asserted is None else asserted)}
    out = []
    for w in sorted(warnings, key=lambda w: (w["Line"], w["Detail"])):
        line = w["Line"]
        if 1 <= line <= len(lines):
            end = line if w["RuleName"] == "NoEmptyContinuation" else instruction_end(lines, line)
        else:
            end = line
        out.append(
            {
                "rule": w["RuleName"],
                "line": line,
                "end_line": end,
                "detail": w["Detail"],
                "line_asserted": (w["RuleName"], w["Detail"], line) in checked,
            }
        )
    return out


def transcribe(src: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    toks = tokenize(src)
    ev = Evaluator(toks)
    cases: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    func = ""
    index = 0
    subtest = ""
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "id" and t.value == "func" and i + 1 < len(toks) and toks[i + 1].kind == "id":
            func = toks[i + 1].value
            index = 0
            subtest = ""
            ev.env = {}
            i += 2
            continue
        if t.kind == "id" and t.value == "t.Run" and toks[i + 2].kind == "str":
            subtest = toks[i + 2].value
        if (t.kind == "id" and ev.sym(i + 1, ":=")) or (
            t.kind == "id" and ev.sym(i + 1, "=") and t.value in ev.env
        ):
            try:
                value, j = ev.expr(i + 2)
            except (Unsupported, IndexError, StopIteration):
                i += 1
                continue
            ev.env[t.value] = value
            i = j
            continue
        if (
            t.kind == "id"
            and t.value == "checkLinterWarnings"
            and ev.sym(i + 1, "(")
            and toks[i + 2].value == "t"
        ):
            index += 1
            case_id = f"{func}:{index}"
            if func in SKIPPED_FUNCTIONS:
                skipped.append({"id": case_id, "line": t.line, "reason": SKIPPED_FUNCTIONS[func]})
                i += 1
                continue
            # checkLinterWarnings(t, sb, &lintTestParams{...})
            j = ev.expect(i + 1, "(")
            while not ev.sym(j, "&"):
                j += 1
            params, j = ev.expr(j)
            j = ev.expect(j, ")")
            cases.append(make_case(case_id, t.line, params, subtest))
            subtest = ""
            i = j
            continue
        i += 1
    return cases, skipped


def make_case(case_id: str, line: int, p: dict[str, Any], subtest: str) -> dict[str, Any]:
    dockerfile = p["Dockerfile"]
    attrs = p.get("FrontendAttrs") or {}
    build_args = {k.split(":", 1)[1]: v for k, v in attrs.items() if k.startswith("build-arg:")}
    other_attrs = {k: v for k, v in attrs.items() if not k.startswith("build-arg:")}
    warnings = p.get("Warnings") or []
    unmarshal = p.get("UnmarshalWarnings")
    expected = warnings_out(dockerfile, unmarshal if unmarshal is not None else warnings, warnings)
    build = warnings_out(dockerfile, warnings)
    notes: list[str] = []
    case: dict[str, Any] = {"id": case_id, "dockerfile": dockerfile, "build_args": build_args}
    if p.get("DockerIgnore") is not None:
        case["dockerignore"] = p["DockerIgnore"]
        notes.append("the build context holds this .dockerignore beside the Dockerfile")
    case["expected"] = expected
    if build != expected:
        case["expected_build"] = build
        notes.append(
            "building the default target (last stage) streams only expected_build; the lint "
            "subrequest (--check), which lints every stage, returns expected"
        )
    unchecked = [w for w in expected if not w["line_asserted"]]
    if unchecked:
        notes.append(
            "the lint subrequest's warnings are compared without their lines (checkLintWarning "
            "compares rule, description, URL and detail), so the lines of "
            + ", ".join(f"{w['rule']}@{w['line']}" for w in unchecked)
            + " are the test's, unchecked"
        )
        text_lines = dockerfile.split("\n")
        for w in unchecked:
            word = w["detail"].split('"')[1].split()[0] if w["detail"].count('"') >= 2 else ""
            at = w["line"]
            if word and not (
                1 <= at <= len(text_lines) and text_lines[at - 1].lstrip().upper().startswith(word)
            ):
                hits = [n + 1 for n, t in enumerate(text_lines) if t.lstrip().upper().startswith(word + " ")]
                notes.append(
                    f"line {at} of {w['rule']} holds no {word} instruction"
                    + (f" (the Dockerfile has {word} on line {', '.join(map(str, hits))})" if hits else "")
                )
    if p.get("BuildErr"):
        case["build_error"] = {"message": p["BuildErr"], "line": p.get("BuildErrLocation")}
        notes.append("the build and the lint subrequest must fail with build_error")
    elif p.get("StreamBuildErrRegexp") is not None:
        case["build_error"] = {"regexp": str(p["StreamBuildErrRegexp"]), "line": p.get("BuildErrLocation")}
        notes.append("the build must fail (regexp); the lint subrequest still succeeds")
    if "BUILDKIT_DOCKERFILE_CHECK" in build_args:
        notes.append(
            "BUILDKIT_DOCKERFILE_CHECK build argument: it replaces the # check= directive of the file"
        )
    plain_args = {k: v for k, v in build_args.items() if k != "BUILDKIT_DOCKERFILE_CHECK"}
    if plain_args:
        notes.append(
            f"built with build arguments {plain_args}; InvalidDefaultArgInFrom judges the ARG's "
            "default value, not the value given"
        )
    lines = dockerfile.split("\n")
    leading = 0
    while leading < len(lines) and lines[leading].startswith("#"):
        leading += 1
    for n, text in enumerate(lines):
        m = re.match(r"#\s*check\s*=\s*(\S+)", text)
        if not m:
            continue
        if n < leading:
            where = f"file directive on line {n + 1}"
        else:
            nxt = next(
                (k for k in range(n + 1, len(lines)) if lines[k].strip() and not lines[k].startswith("#")),
                None,
            )
            where = (
                f"comment on line {n + 1}, merged into the linter configuration of the instruction on line "
                f"{nxt + 1 if nxt is not None else '?'} only (BuildKit reads # check= in an instruction's "
                "preceding comments)"
            )
        notes.append(f"{where}: {m.group(0)}")
        if "experimental=" in m.group(1):
            notes.append("enables an experimental check (skip=all does not turn experimental checks off)")
    if other_attrs:
        notes.append(f"frontend attributes {other_attrs}")
    if subtest:
        notes.append(f"sub-test {subtest!r}")
    case["notes"] = "; ".join(notes)
    case["source"] = f"line {line}"
    return case


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--out", default=str(HERE / "buildkit_cases.json"))
    args = ap.parse_args()

    def git(*a: str) -> str:
        return subprocess.run(
            ["git", f"--git-dir={args.git_dir}", *a], check=True, capture_output=True, text=True
        ).stdout

    files = git("ls-tree", "--name-only", args.rev, "frontend/dockerfile/").split()
    path = TEST_FILE if TEST_FILE in files else OLD_TEST_FILE
    commit = git("rev-parse", args.rev).strip()
    cases, skipped = transcribe(git("show", f"{args.rev}:{path}"))
    ruleset = git("show", f"{args.rev}:frontend/dockerfile/linter/ruleset.go")
    rules = []
    for block in re.split(r"\n\tRule\w+ = LinterRule", ruleset)[1:]:
        name = re.search(r'Name:\s*"(\w+)"', block)
        if name:
            rules.append(
                {
                    "name": name.group(1),
                    "experimental": bool(re.search(r"^\s*Experimental:\s*true", block, re.M)),
                    "deprecated": bool(re.search(r"^\s*Deprecated:\s*true", block, re.M)),
                }
            )
    Path(args.out).write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
    meta = {
        "buildkit_commit": commit,
        "test_file": path,
        "cases": len(cases),
        "skipped": skipped,
        "rules": rules,
    }
    (Path(args.out).parent / "buildkit_meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{len(cases)} cases from {path} at {commit[:12]}; skipped {[s['id'] for s in skipped]}")


if __name__ == "__main__":
    main()
