"""Time ``dfcheck cache --history N`` on a generated repository, and ``dfcheck context`` on a big tree.

Usage: python bench/bench_cache.py [--commits N] [--files N] [--repeat N]

The repository holds a multi-stage Node/Go Dockerfile with an ignore file; each generated commit
touches one to four files (sources, manifests, docs, ignored logs, now and then the Dockerfile).
The history replay runs the real command line in a subprocess, start-up included; the target is
200 commits in 5 s or less. The context tree comes from bench_context.generate (100,000 files,
target 3 s); ``dfcheck context`` is timed end to end, also in a subprocess.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_context import generate  # noqa: E402

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG NODE=20
FROM node:${NODE}-alpine AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci
COPY web/ .
RUN npm run build

FROM golang:1.22 AS api
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /out/api ./cmd/api

FROM alpine:3.20
ARG GIT_SHA
RUN apk add --no-cache ca-certificates
COPY --from=api /out/api /usr/local/bin/api
COPY --from=web /web/dist /srv/www
LABEL org.opencontainers.image.revision=$GIT_SHA
ENTRYPOINT ["api"]
"""
IGNORE = "**/*.log\nnode_modules\ndocs\n"
POOL = [
    "web/src/app.js",
    "web/src/view.js",
    "web/package.json",
    "web/package-lock.json",
    "cmd/api/main.go",
    "internal/db/db.go",
    "internal/http/server.go",
    "go.mod",
    "go.sum",
    "docs/guide.md",
    "logs/run.log",
    "README.md",
]
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def make_repo(root: Path, commits: int) -> None:
    """``commits`` commits through one ``git fast-import`` stream (fast, and deterministic)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    rng = random.Random(4)
    lines: list[bytes] = []

    def blob(path: str, text: str) -> None:
        data = text.encode()
        lines.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    dockerfile = DOCKERFILE
    for n in range(commits):
        lines.append(b"commit refs/heads/main\n")
        lines.append(f"committer bench <bench@example.com> {1_700_000_000 + n * 60} +0000\n".encode())
        message = f"change {n}".encode()
        lines.append(b"data %d\n%s\n" % (len(message), message))
        if n == 0:
            blob("Dockerfile", dockerfile)
            blob(".dockerignore", IGNORE)
            for path in POOL:
                blob(path, f"{path} 0\n")
            continue
        for path in rng.sample(POOL, rng.randint(1, 4)):
            blob(path, f"{path} {n}\n")
        if n % 25 == 0:
            dockerfile = dockerfile.replace("apk add --no-cache", "apk add --no-cache -q", 1)
            blob("Dockerfile", dockerfile + f"# revision {n}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(lines), check=True, env=ENV)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)


def timed(args: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    dfcheck = [sys.executable, "-m", "dfcheck"]
    work = Path(tempfile.mkdtemp(prefix="dfcheck-bench-cache-"))
    try:
        repo = work / "repo"
        make_repo(repo, args.commits)
        history = timed(
            [*dfcheck, "cache", str(repo / "Dockerfile"), "--history", str(args.commits), "-f", "json"],
            args.repeat,
        )
        print(f"dfcheck cache --history {args.commits}       {history:6.3f} s  (target 5 s)")
        tree = work / "tree"
        tree.mkdir()
        generate(tree, args.files)
        context = timed([*dfcheck, "context", str(tree), "-f", "json"], args.repeat)
        print(f"dfcheck context ({args.files:,} files)   {context:6.3f} s  (target 3 s)")
        print(f"cpu count {os.cpu_count()}, python {sys.version.split()[0]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
