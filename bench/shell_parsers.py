"""Compare shell parsers for RUN scripts on a corpus of Dockerfiles.

Usage: python bench/shell_parsers.py [CORPUS_DIR] [--repeat N]

The RUN extraction here is deliberately quick and rough (it is not dfcheck's front end): it joins
continuation lines, drops comment lines inside them, strips RUN flags, skips exec form and Windows
shells, and splices heredoc bodies back in the way BuildKit hands them to the shell. Every
candidate gets the same scripts, which is all a comparison needs.

"clean" means the parser accepted the script: bashlex raised nothing, tree-sitter reported no
ERROR or MISSING node. "agreement" compares, per script, the sorted first words of every simple
command (outside nested ``sh -c`` bodies) with tree-sitter's, on scripts both parsed cleanly.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z0-9_.-]+)\2")
_RUN_FLAG = re.compile(r"\s*--[a-z-]+(=\S*)?")
_ESCAPE = re.compile(r"#\s*escape\s*=\s*(\S)", re.I)


def dockerfiles(corpus: Path) -> list[Path]:
    manifest = corpus / "MANIFEST.tsv"
    if manifest.exists():
        rows = manifest.read_text(encoding="utf-8").splitlines()[1:]
        return [corpus / row.split("\t", 1)[0] for row in rows if row.strip()]
    return sorted(
        p for p in corpus.rglob("*") if p.is_file() and not p.name.endswith((".dockerignore", ".md"))
    )


def run_scripts(text: str) -> Iterator[tuple[str, bool]]:
    """Yield (script, is_windows) for each shell-form RUN of one Dockerfile."""
    lines = text.replace("\r\n", "\n").split("\n")
    escape = "\\"
    for line in lines[:5]:
        m = _ESCAPE.match(line.strip())
        if m:
            escape = m.group(1)
    windows = False
    i = 0
    while i < len(lines):
        logical = lines[i]
        i += 1
        while logical.rstrip().endswith(escape) and i < len(lines):
            logical = logical.rstrip()[:-1]
            while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                i += 1
            if i < len(lines):
                logical += lines[i]
                i += 1
        keyword, _, rest = logical.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            windows = False
        elif keyword == "SHELL":
            windows = any(w in rest.lower() for w in ("powershell", "pwsh", "cmd"))
        if keyword != "RUN":
            continue
        while True:
            m = _RUN_FLAG.match(rest)
            if not m or not m.group().strip():
                break
            rest = rest[m.end() :]
        rest = rest.strip()
        if rest.startswith("["):
            continue
        for m in _HEREDOC.finditer(rest):
            strip, delim = m.group(1) == "-", m.group(3)
            body: list[str] = []
            while i < len(lines):
                line = lines[i]
                i += 1
                if (line.lstrip("\t") if strip else line) == delim:
                    break
                body.append(line)
            if rest[: m.start()].strip() == "" and rest[m.end() :].strip() == "":
                rest = "\n".join(body) + "\n"
            else:
                rest = rest + "\n" + "\n".join(body) + "\n" + delim
        yield rest, windows or escape == "`"


def import_ms(module: str, runs: int = 5) -> float:
    """Best import time over fresh interpreters, bytecode cached as in an installed package."""
    code = f"import time; t = time.process_time(); import {module}; print(time.process_time() - t)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    best = float("inf")
    for _ in range(runs + 1):  # the first run writes the bytecode
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
        )
        best = min(best, float(out.stdout) * 1000)
    return best


_BASHLEX_ERRORS = (
    ("type = {pattern}", "case statement"),
    ("unexpected token ')'", "&& or || inside $( )"),
    ("arithmetic expansion", "$(( ))"),
    ("unexpected token '('", "array assignment"),
    ("here-document", "heredoc"),
)


def bashlex_failure(script: str) -> str | None:
    """What bashlex chokes on, from its error message; None when it parses."""
    import bashlex

    try:
        bashlex.parse(script)
    except Exception as exc:
        message = str(exc)
        return next((what for needle, what in _BASHLEX_ERRORS if needle in message), "other")
    return None


def bashlex_names(script: str) -> list[str] | None:
    import bashlex

    names: list[str] = []

    class Visitor(bashlex.ast.nodevisitor):
        def visitcommand(self, node: Any, parts: Any) -> None:
            words = [p for p in parts if p.kind == "word" and not _is_assignment(p.word)]
            if words and words[0].word not in ("[", "[["):
                names.append(words[0].word)

    try:
        for tree in bashlex.parse(script):
            Visitor().visit(tree)
    except Exception:
        return None
    return sorted(names)


def _is_assignment(word: str) -> bool:
    return re.match(r"[A-Za-z_][A-Za-z0-9_]*=", word) is not None


def treesitter_parse(script: str) -> bool:
    from dfcheck.shell.treesitter import ts_parser

    parser = ts_parser()
    return not parser.parse(script.encode("utf-8", "surrogatepass")).root_node.has_error


def first_words(commands: Any) -> list[str]:
    """The word each command starts with as written, wrappers included, as bashlex would see it."""
    return sorted(
        next(w.raw for w in c.words if not _is_assignment(w.raw)) for c in commands if not c.in_nested_shell
    )


def fallback_names(script: str) -> list[str]:
    from dfcheck.shell.builder import Builder
    from dfcheck.shell.frame import Frame, line_map
    from dfcheck.shell.lexer import parse_fallback
    from dfcheck.shell.parse import parse_posix

    builder = Builder(parse_posix)
    parse_fallback(Frame(script, line_map(script)), builder)
    return first_words(builder.commands)


def dfcheck_names(script: str) -> tuple[bool, list[str]]:
    from dfcheck.shell import parse_script

    result = parse_script(script)
    return result.parse_ok, first_words(result.commands)


def timed(fn: Callable[[str], Any], scripts: list[str], repeat: int) -> tuple[float, list[Any]]:
    best = float("inf")
    results: list[Any] = []
    for _ in range(repeat):
        start = time.process_time()
        results = [fn(s) for s in scripts]
        best = min(best, time.process_time() - start)
    return best, results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--repeat", type=int, default=3, help="runs per candidate; the best is reported")
    ap.add_argument("--show-failures", action="store_true", help="print scripts tree-sitter rejects")
    args = ap.parse_args()

    files = dockerfiles(Path(args.corpus))
    scripts: list[str] = []
    windows = 0
    for path in files:
        for script, is_windows in run_scripts(path.read_bytes().decode("utf-8", "replace")):
            if is_windows:
                windows += 1
            else:
                scripts.append(script)
    print(f"{len(files)} Dockerfiles, {len(scripts)} POSIX RUN scripts ({windows} Windows RUNs skipped)")
    print(f"{sum(map(len, scripts)) / 1e6:.2f} MB of script text; CPU time, best of {args.repeat} runs\n")

    # Warm the lazy imports so parse times do not include them.
    bashlex_names("true")
    treesitter_parse("true")

    t_bl, bl = timed(bashlex_names, scripts, args.repeat)
    t_ts, ts = timed(treesitter_parse, scripts, args.repeat)
    t_fb, fb = timed(fallback_names, scripts, args.repeat)
    t_df, df = timed(dfcheck_names, scripts, args.repeat)

    reference = [names if ok else None for ok, names in df]
    usable = [i for i, r in enumerate(reference) if r is not None]

    def agreement(results: list[list[str] | None]) -> str:
        both = [i for i in usable if results[i] is not None]
        same = sum(1 for i in both if results[i] == reference[i])
        return f"{100 * same / max(len(both), 1):.2f} %"

    def clean(flags: list[bool]) -> str:
        return f"{100 * sum(flags) / max(len(flags), 1):.2f} % ({len(flags) - sum(flags)} fail)"

    rows = [
        ("bashlex", import_ms("bashlex"), t_bl, clean([r is not None for r in bl]), agreement(bl)),
        ("tree-sitter-bash", import_ms("tree_sitter, tree_sitter_bash"), t_ts, clean(ts), "(reference)"),
        ("hand-written lexer", import_ms("dfcheck.shell.lexer"), t_fb, "n/a (never fails)", agreement(fb)),
        ("dfcheck.shell (all)", import_ms("dfcheck.shell.parse, tree_sitter, tree_sitter_bash"), t_df,
         clean([ok for ok, _ in df]), "(reference)"),
    ]  # fmt: skip
    header = ("candidate", "import", "parse all", "clean", "command agreement")
    print(f"{header[0]:<22}{header[1]:>10}{header[2]:>12}  {header[3]:<22}{header[4]}")
    for name, imp, total, ok, agree in rows:
        print(f"{name:<22}{imp:>7.0f} ms{total:>10.2f} s  {ok:<22}{agree}")

    print("\nbashlex failures by construct:")
    causes = Counter(cause for cause in map(bashlex_failure, scripts) if cause)
    for cause, count in causes.most_common():
        print(f"  {count:5}  {cause}")

    if args.show_failures:
        for script, ok in zip(scripts, ts, strict=True):
            if not ok:
                print("\n--- tree-sitter rejects:\n" + script)


if __name__ == "__main__":
    main()
