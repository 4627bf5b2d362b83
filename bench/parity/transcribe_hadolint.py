"""Transcribe hadolint's own rule tests into hadolint_cases.json, checked against the real binary.

Usage: python bench/parity/transcribe_hadolint.py --git-dir HADOLINT_GIT_DIR [--rev HEAD]
                                                  [--hadolint PATH] [--out-dir DIR]

Reads the Haskell specs straight from a hadolint git directory (``git show REV:path``; a bare
clone or a mirror is enough): every ``test/Hadolint/Rule/*Spec.hs``, ``test/Hadolint/PragmaSpec.hs``
and ``test/RegressionSpec.hs``. A small evaluator understands the Haskell the specs use (string
literals with escapes and string gaps, lists, ``Text.unlines``, ``let`` bindings of snippets and of
the rule code, ``$``) and turns each assertion into one case, numbered in source order per file:

    ruleCatches C t              fires, at least one C                 (``count`` absent)
    ruleCatchesNot C t           does not fire                          (``count`` 0)
    onBuildRuleCatches C t       exactly one C, RUNs wrapped in ONBUILD (``count`` 1)
    onBuildRuleCatchesNot C t    no C, RUNs wrapped in ONBUILD          (``count`` 0)
    assertChecks t (failsWith N C)                                      (``count`` N)
    assertChecks t failsShellcheck / passesShellcheck   rule "SC": any ShellCheck code

The Dockerfile text is what hadolint's test helpers parse: the snippet, ONBUILD-wrapped for the
onBuild helpers (the helper wraps each RUN instruction in ONBUILD; here the keyword is put in front
of the RUN line), plus the newline the helper appends (``parseText (dockerfile <> "\\n")``).

Cases whose ``?config`` is not ``def`` (label schemas, trusted registries, strict labels, ignored
rules), cases that assert nothing about one rule, and cases whose rule code is garbled in the spec
are written to hadolint_excluded.json with the reason. Every other case is run through the hadolint
binary (``--no-fail -f json -``, from an empty directory with HOME pointing there so that no
configuration file is found); the ones it passes go to hadolint_cases.json, the ones it fails to
hadolint_excluded.json (reason "binary"). DL1001 and DL3057 have severity "ignore" by default, which
the binary's output drops while the specs (``Hadolint.Process.run``) still see the failure, so the
binary runs with ``--warning DL1001 --warning DL3057``: that changes their level, not whether they
fire.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

HELPERS = {
    "ruleCatches": (False, True),
    "ruleCatchesNot": (False, False),
    "onBuildRuleCatches": (True, True),
    "onBuildRuleCatchesNot": (True, False),
}
ASSERTS = {"assertChecks": False, "assertOnBuildChecks": True}


# --------------------------------------------------------------------------- Haskell tokens


class Tok:
    __slots__ = ("kind", "line", "value")

    def __init__(self, kind: str, value: Any, line: int) -> None:
        self.kind, self.value, self.line = kind, value, line

    def __repr__(self) -> str:
        return f"{self.kind}:{self.value!r}@{self.line}"


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "r": "\r", "&": "", "a": "\a", "0": "\0"}
_SYMBOLS = ("<>", "++", "==", "$", "[", "]", "(", ")", ",", "=", ".", "?", "{", "}", "\\", "|", ">", "<")


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
        elif src.startswith("{-", i):
            j = src.index("-}", i)
            line += src.count("\n", i, j)
            i = j + 2
        elif src.startswith("--", i) and (i + 2 >= n or src[i + 2] in " -\n" or src[i + 2].isalnum()):
            while i < n and src[i] != "\n":
                i += 1
        elif c == '"':
            start_line = line
            i += 1
            out = []
            while True:
                c = src[i]
                if c == '"':
                    i += 1
                    break
                if c == "\n":
                    raise SyntaxError(f"newline in string at line {line}")
                if c == "\\":
                    d = src[i + 1]
                    if d.isspace():  # string gap: backslash, white space, backslash
                        j = i + 1
                        while src[j].isspace():
                            if src[j] == "\n":
                                line += 1
                            j += 1
                        if src[j] != "\\":
                            raise SyntaxError(f"bad string gap at line {line}")
                        i = j + 1
                        continue
                    if d.isdigit() and d != "0":
                        m = re.match(r"\d+", src[i + 1 :])
                        assert m
                        out.append(chr(int(m.group())))
                        i += 1 + len(m.group())
                        continue
                    if d not in _ESCAPES:
                        raise SyntaxError(f"unknown escape \\{d} at line {line}")
                    out.append(_ESCAPES[d])
                    i += 2
                    continue
                out.append(c)
                i += 1
            toks.append(Tok("str", "".join(out), start_line))
        elif c.isalpha() or c == "_":
            m = re.match(r"(?:[A-Z][A-Za-z0-9_']*\.)*[A-Za-z_][A-Za-z0-9_']*", src[i:])
            assert m
            toks.append(Tok("id", m.group(), line))
            i += len(m.group())
        elif c.isdigit():
            m = re.match(r"\d+", src[i:])
            assert m
            toks.append(Tok("num", int(m.group()), line))
            i += len(m.group())
        else:
            for sym in _SYMBOLS:
                if src.startswith(sym, i):
                    toks.append(Tok("sym", sym, line))
                    i += len(sym)
                    break
            else:
                toks.append(Tok("sym", c, line))
                i += 1
    return toks


class Unparsed(Exception):
    pass


class Evaluator:
    """Evaluates the expressions the specs pass as Dockerfiles (strings, lists, Text.unlines)."""

    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.env: dict[str, Any] = {}

    def peek(self, i: int) -> Tok | None:
        return self.toks[i] if i < len(self.toks) else None

    def is_sym(self, i: int, sym: str) -> bool:
        t = self.peek(i)
        return t is not None and t.kind == "sym" and t.value == sym

    def expr(self, i: int) -> tuple[Any, int]:
        value, i = self.app(i)
        while self.is_sym(i, "<>") or self.is_sym(i, "++"):
            rhs, i = self.app(i + 1)
            if isinstance(value, str) and isinstance(rhs, str):
                value += rhs
            elif isinstance(value, list) and isinstance(rhs, list):
                value = [*value, *rhs]
            else:
                raise Unparsed("<> of mixed types")
        return value, i

    def app(self, i: int) -> tuple[Any, int]:
        t = self.peek(i)
        if t is not None and t.kind == "id" and t.value in ("Text.unlines", "unlines", "T.unlines"):
            if self.is_sym(i + 1, "$"):
                lines, i = self.expr(i + 2)
            else:
                lines, i = self.term(i + 1)
            if not isinstance(lines, list):
                raise Unparsed("unlines of a non-list")
            return "".join(line + "\n" for line in lines), i
        return self.term(i)

    def term(self, i: int) -> tuple[Any, int]:
        t = self.peek(i)
        if t is None:
            raise Unparsed("end of file")
        if t.kind == "str":
            return t.value, i + 1
        if t.kind == "sym" and t.value == "(":
            value, i = self.expr(i + 1)
            if not self.is_sym(i, ")"):
                raise Unparsed("expected )")
            return value, i + 1
        if t.kind == "sym" and t.value == "[":
            items: list[Any] = []
            i += 1
            if self.is_sym(i, "]"):
                return items, i + 1
            while True:
                item, i = self.expr(i)
                items.append(item)
                if self.is_sym(i, ","):
                    i += 1
                    continue
                if self.is_sym(i, "]"):
                    return items, i + 1
                raise Unparsed("expected , or ]")
        if t.kind == "id" and t.value in self.env:
            return self.env[t.value], i + 1
        raise Unparsed(f"cannot evaluate {t!r}")


def onbuild_wrap(text: str) -> str:
    """Put ONBUILD in front of every RUN instruction (hadolint wraps the parsed Run in OnBuild)."""
    out = []
    continuing = False
    for line in text.split("\n"):
        stripped = line.lstrip()
        if not continuing and stripped and not stripped.startswith("#"):
            word = stripped.split(None, 1)[0]
            if word.upper() == "RUN":
                indent = line[: len(line) - len(stripped)]
                line = f"{indent}ONBUILD {stripped}"
        if continuing and (not stripped or stripped.startswith("#")):
            out.append(line)
            continue
        continuing = line.rstrip().endswith("\\")
        out.append(line)
    return "\n".join(out)


def transcribe(name: str, src: str) -> list[dict[str, Any]]:
    """Every assertion of one spec file, in source order."""
    toks = tokenize(src)
    ev = Evaluator(toks)
    file_config: str | None = None  # None: def
    config: str | None = None
    seen_it = False
    cases: list[dict[str, Any]] = []

    def config_text(i: int) -> tuple[str | None, int]:
        """``?config = EXPR``: None for plain ``def``, else the source of the expression."""
        j = i
        assert ev.is_sym(j, "=")
        j += 1
        t = ev.peek(j)
        if t is not None and t.kind == "id" and t.value == "def" and not ev.is_sym(j + 1, "{"):
            return None, j + 1
        line = t.line if t else 0
        parts = []
        depth = 0
        while j < len(toks):
            t = toks[j]
            if t.kind == "sym" and t.value in "{[(":
                depth += 1
            elif t.kind == "sym" and t.value in "}])":
                depth -= 1
            parts.append(json.dumps(t.value) if t.kind == "str" else str(t.value))
            j += 1
            if depth == 0 and t.kind == "sym" and t.value == "}":
                break
            if depth == 0 and j < len(toks) and toks[j].line != line and parts[-1] != "def":
                break
        return " ".join(parts), j

    def add(rule: str, text: str, onbuild: bool, fires: bool, count: int | None, line: int, how: str) -> None:
        body = onbuild_wrap(text) if onbuild else text
        case: dict[str, Any] = {
            "id": f"{name}:{len(cases) + 1}",
            "rule": rule,
            "dockerfile": body + "\n",
            "fires": fires,
            "onbuild": onbuild,
        }
        if count is not None:
            case["count"] = count
        case["_line"] = line
        case["_how"] = how
        if config is not None:
            case["_config"] = config
        cases.append(case)

    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "sym" and t.value == "?" and ev.peek(i + 1) and toks[i + 1].value == "config":
            value, i = config_text(i + 2)
            if seen_it:
                config = value
            else:
                file_config = config = value
            continue
        if t.kind == "id" and t.value == "it":
            seen_it = True
            config = file_config
            i += 1
            continue
        # a binding NAME = EXPR (let blocks; the rule code or a snippet)
        if (
            t.kind == "id"
            and ev.is_sym(i + 1, "=")
            and not (i > 0 and toks[i - 1].kind == "sym" and toks[i - 1].value in ("?", "{", ","))
        ):
            try:
                value, j = ev.expr(i + 2)
            except (Unparsed, RecursionError):
                i += 1
                continue
            ev.env[t.value] = value
            i = j
            continue
        if t.kind == "id" and t.value in HELPERS:
            onbuild, fires = HELPERS[t.value]
            code, j = ev.term(i + 1)
            if ev.is_sym(j, "$"):
                j += 1
            text, j = ev.expr(j)
            count = None if (fires and not onbuild) else (1 if fires else 0)
            add(code, text, onbuild, fires, count, t.line, t.value)
            i = j
            continue
        if t.kind == "id" and t.value in ASSERTS:
            onbuild = ASSERTS[t.value]
            text, j = ev.expr(i + 1)
            chk = ev.peek(j)
            assert chk is not None
            if chk.kind == "id" and chk.value in ("failsShellcheck", "passesShellcheck"):
                fires = chk.value == "failsShellcheck"
                add("SC", text, onbuild, fires, None if fires else 0, t.line, f"{t.value} {chk.value}")
                i = j + 1
                continue
            if chk.kind == "id" and chk.value == "passesAllEnabled":
                add("*", text, onbuild, False, 0, t.line, f"{t.value} passesAllEnabled")
                i = j + 1
                continue
            if ev.is_sym(j, "(") and ev.peek(j + 1) and toks[j + 1].value == "failsWith":
                n = toks[j + 2].value
                code = toks[j + 3].value
                add(code, text, onbuild, n > 0, n, t.line, f"{t.value} (failsWith {n})")
                i = j + 5
                continue
            if ev.is_sym(j, "(") and ev.peek(j + 1) and toks[j + 1].value == "assertBool":
                add("*", text, onbuild, False, 0, t.line, f"{t.value} (assertBool ... . null)")
                i = j + 1
                continue
            raise Unparsed(f"{name}:{t.line}: unknown checker {chk!r}")
        i += 1
    return cases


def spec_files(git_dir: str, rev: str) -> list[str]:
    out = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "--name-only", rev, "test"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    rule_specs = sorted(p for p in out if p.startswith("test/Hadolint/Rule/") and p.endswith("Spec.hs"))
    return rule_specs + [p for p in ("test/Hadolint/PragmaSpec.hs", "test/RegressionSpec.hs") if p in out]


def git_show(git_dir: str, rev: str, path: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{rev}:{path}"], check=True, capture_output=True, text=True
    ).stdout


# --------------------------------------------------------------------------- the binary


#: Rules that fire only with a configuration (or on a parse error), to list every code the binary knows.
PROBES: list[tuple[str, tuple[str, ...], str]] = [
    ("DL1000", (), "FOO bar\n"),
    ("DL3026", ("--trusted-registry", "docker.io"), "FROM random.com/debian\n"),
    ("DL3049", ("--require-label", "foo:text"), "FROM a:1\n"),
    ("DL3050", ("--require-label", "required:text", "--strict-labels"), "FROM a:1\nLABEL other=bar\n"),
    ("DL3051", ("--require-label", "e:text"), 'FROM a:1\nLABEL e=""\n'),
    ("DL3052", ("--require-label", "e:url"), 'FROM a:1\nLABEL e="x"\n'),
    ("DL3053", ("--require-label", "e:rfc3339"), 'FROM a:1\nLABEL e="x"\n'),
    ("DL3054", ("--require-label", "e:spdx"), 'FROM a:1\nLABEL e="x"\n'),
    ("DL3055", ("--require-label", "e:hash"), 'FROM a:1\nLABEL e="x"\n'),
    ("DL3056", ("--require-label", "e:semver"), 'FROM a:1\nLABEL e="x"\n'),
    ("DL3058", ("--require-label", "e:email"), 'FROM a:1\nLABEL e="x"\n'),
]


def run_binary(hadolint: str, text: str, cwd: str, extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    env["HOME"] = cwd
    env["XDG_CONFIG_HOME"] = cwd
    out = subprocess.run(
        [hadolint, "--no-fail", "-f", "json", "--warning", "DL1001", "--warning", "DL3057", *extra, "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    try:
        return json.loads(out.stdout or "[]")
    except json.JSONDecodeError:
        return [{"code": "<no json>", "message": out.stdout + out.stderr, "line": 0}]


def binary_verdict(case: dict[str, Any], findings: list[dict[str, Any]]) -> tuple[bool, str]:
    rule = case["rule"]
    if rule == "SC":
        hits = [f for f in findings if f["code"].startswith("SC")]
    elif rule == "*":
        hits = findings
    else:
        hits = [f for f in findings if f["code"] == rule]
    n = len(hits)
    expected = case.get("count")
    if expected is None:
        ok = n >= 1
        want = "at least 1"
    else:
        ok = n == expected
        want = f"exactly {expected}"
    got = ", ".join(f"{f['code']}@{f['line']}" for f in findings) or "nothing"
    return ok, f"spec expects {want} {rule}, hadolint 2.15.1 reports {n} (all findings: {got})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git-dir", required=True, help="hadolint git directory (bare is fine)")
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--hadolint", default=str(Path(sys.executable).parent / "hadolint"))
    ap.add_argument("--out-dir", default=str(HERE))
    args = ap.parse_args()

    commit = subprocess.run(
        ["git", f"--git-dir={args.git_dir}", "rev-parse", args.rev],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    version = subprocess.run([args.hadolint, "--version"], capture_output=True, text=True).stdout.strip()

    all_cases: list[dict[str, Any]] = []
    for path in spec_files(args.git_dir, args.rev):
        name = path.rsplit("/", 1)[1]
        all_cases.extend(transcribe(name, git_show(args.git_dir, args.rev, path)))

    runnable: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for case in all_cases:
        if "_config" in case:
            excluded.append({**case, "reason": f"non-default configuration: ?config = {case['_config']}"})
        elif case["rule"] == "*":
            excluded.append({**case, "reason": "asserts that no rule at all fires, not about one rule"})
        elif not re.fullmatch(r"DL\d{4}|SC", case["rule"]):
            excluded.append(
                {**case, "reason": f"garbled rule code {case['rule']!r} in the spec: asserts nothing"}
            )
        else:
            runnable.append(case)

    with tempfile.TemporaryDirectory() as cwd, ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
        outputs = list(pool.map(lambda c: run_binary(args.hadolint, c["dockerfile"], cwd), runnable))
        probed = [run_binary(args.hadolint, text, cwd, extra) for _, extra, text in PROBES]

    kept: list[dict[str, Any]] = []
    for case, findings in zip(runnable, outputs, strict=True):
        ok, detail = binary_verdict(case, findings)
        if ok:
            kept.append(case)
        else:
            excluded.append({**case, "reason": f"binary: {detail}"})

    def public(case: dict[str, Any], extra: tuple[str, ...] = ()) -> dict[str, Any]:
        keys = ("id", "rule", "dockerfile", "fires", "onbuild", "count", *extra)
        out = {k: case[k] for k in keys if k in case}
        out["source"] = f"line {case['_line']}: {case['_how']}"
        return out

    order = {c["id"]: n for n, c in enumerate(all_cases)}
    excluded.sort(key=lambda c: order[c["id"]])
    out_dir = Path(args.out_dir)
    (out_dir / "hadolint_cases.json").write_text(
        json.dumps([public(c) for c in kept], indent=1, ensure_ascii=False) + "\n"
    )
    (out_dir / "hadolint_excluded.json").write_text(
        json.dumps([public(c, ("reason",)) for c in excluded], indent=1, ensure_ascii=False) + "\n"
    )
    known = sorted({f["code"] for out in [*outputs, *probed] for f in out if f["code"].startswith("DL")})
    missing_probes = [
        code for (code, _, _), out in zip(PROBES, probed, strict=True) if code not in {f["code"] for f in out}
    ]
    meta = {
        "hadolint_commit": commit,
        "binary": version,
        "transcribed": len(all_cases),
        "kept": len(kept),
        "excluded": len(excluded),
        "dl_codes_reported_by_binary": known,
        "dl_codes_how": "codes the binary reported on the kept cases (default configuration) and on"
        " probes for the rules that need a configuration (--trusted-registry, --require-label,"
        " --strict-labels) or a parse error",
        "probes_not_reported": missing_probes,
    }
    (out_dir / "hadolint_meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    by_reason: dict[str, int] = {}
    for c in excluded:
        key = c["reason"].split(":")[0]
        by_reason[key] = by_reason.get(key, 0) + 1
    print(
        f"{len(all_cases)} cases transcribed from hadolint {commit[:12]}; {len(kept)} kept; excluded {by_reason}"
    )
    for c in excluded:
        if c["reason"].startswith("binary"):
            print(f"  {c['id']} {c['rule']} fires={c['fires']}: {c['reason']}")


if __name__ == "__main__":
    main()
