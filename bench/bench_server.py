"""How long does ``dfcheck server`` take to re-lint a Dockerfile after an edit?

    .venv/bin/python bench/bench_server.py                   # 300 instructions, median of 50 edits
    .venv/bin/python bench/bench_server.py --shape installs  # 300 apt-get RUNs and ENVs: the worst case
    .venv/bin/python bench/bench_server.py --instructions 600 --edits 100

The server runs in this process with its real protocol stack: pygls reads framed JSON-RPC from a
stream this script feeds and writes framed JSON back to it, so parsing each didChange, linting,
converting the findings and serialising publishDiagnostics are all inside the measured time. The
document is a generated multi-stage application Dockerfile (apt-get, pip and npm installs, COPYs,
ENV, LABEL, HEALTHCHECK...) in a temporary build context with a few files; each edit changes one
package of an ``apt-get install`` in the middle of the file. ``--shape installs`` uses bench/scaling.py's
shape instead (two RUNs of ``apt-get update && apt-get install ...`` for each ENV, about 400
findings), where rules and the shell parser cost most. The debounce is set to 0 (the server's
default waits 100 ms after the last keystroke on purpose), and ShellCheck does not run on edits
(only on open and save), so the figure is the work the server does per edit. Target: median
<= 50 ms. Besides wall time, the process's CPU time over the same interval is printed: on a busy
machine (the load average is shown) it is much less disturbed than wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

_STAGE = [
    "FROM python:3.12-slim AS deps{i}",
    "ARG PIP_INDEX_URL",
    "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1",
    "WORKDIR /app",
    "RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev{i} "
    "&& rm -rf /var/lib/apt/lists/*",
    "COPY requirements.txt ./",
    "RUN pip install --no-cache-dir -r requirements.txt",
    "FROM node:22-alpine AS web{i}",
    "WORKDIR /web",
    "COPY package.json package-lock.json ./",
    "RUN npm ci",
    "COPY src/ ./src/",
    "RUN npm run build && npm prune --omit=dev",
    "FROM python:3.12-slim AS app{i}",
    "LABEL org.opencontainers.image.title=app{i} org.opencontainers.image.source=https://example.com/app",
    "RUN groupadd -r app && useradd -r -g app app",
    "COPY --from=deps{i} /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages",
    "COPY --from=web{i} /web/dist /app/static",
    "COPY . /app",
    "WORKDIR /app",
    "EXPOSE 8000",
    "USER app",
    'HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://localhost:8000\')"]',
    'CMD ["gunicorn", "app:app", "--bind", "0.0.0.0:8000"]',
]


def dockerfile(instructions: int, shape: str = "app") -> str:
    """A Dockerfile of exactly ``instructions`` instructions: stages of the template above, or
    scaling.py's install-heavy shape."""
    if shape == "installs":
        from scaling import installs

        return installs(instructions - 1)
    rows: list[str] = []
    i = 0
    while len(rows) < instructions:
        rows += [line.format(i=i) for line in _STAGE]
        i += 1
    return "\n".join(rows[:instructions]) + "\n"


class _Client:
    """The client side of the in-process connection: frames requests for the server's reader and
    reads the frames the server writes, resolving whoever waits for them."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader
        self.buffer = b""
        self.waiting: dict[Any, asyncio.Future[Any]] = {}
        self.next_id = 0

    def send(self, method: str, params: Any, *, request: bool = False) -> asyncio.Future[Any] | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        future = None
        if request:
            self.next_id += 1
            message["id"] = self.next_id
            future = self.waiting[self.next_id] = asyncio.get_running_loop().create_future()
        body = json.dumps(message).encode()
        self.reader.feed_data(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return future

    def published(self, version: int) -> asyncio.Future[Any]:
        future = self.waiting[("diagnostics", version)] = asyncio.get_running_loop().create_future()
        return future

    # The server's writer.
    def write(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, rest = self.buffer.split(b"\r\n\r\n", 1)
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            if len(rest) < length:
                return
            message = json.loads(rest[:length])
            self.buffer = rest[length:]
            key = message.get("id")
            if message.get("method") == "textDocument/publishDiagnostics":
                key = ("diagnostics", message["params"].get("version"))
            elif "method" in message and key is not None:  # a request from the server (registration)
                self.send_response(key)
                continue
            future = self.waiting.pop(key, None)
            if future is not None and not future.done():
                future.set_result(message)

    def send_response(self, msg_id: Any) -> None:
        body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "result": None}).encode()
        self.reader.feed_data(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def close(self) -> None:
        pass


async def measure(text: str, edits: int, folder: Path) -> tuple[list[float], list[float], int]:
    from pygls.io_ import run_async

    from dfcheck.server.app import server

    reader = asyncio.StreamReader()
    client = _Client(reader)
    server.protocol.set_writer(client)
    stop = threading.Event()
    task = asyncio.create_task(
        run_async(stop_event=stop, reader=reader, protocol=server.protocol, logger=logging.getLogger("bench"))
    )
    capabilities = {"textDocument": {"publishDiagnostics": {"versionSupport": True}}}
    init = client.send(
        "initialize",
        {
            "processId": None,
            "rootUri": folder.as_uri(),
            "capabilities": capabilities,
            "initializationOptions": {"debounce": 0},
        },
        request=True,
    )
    assert init is not None
    await init
    client.send("initialized", {})
    uri = (folder / "Dockerfile").as_uri()
    first = client.published(1)
    client.send(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}},
    )
    count = len((await first)["params"]["diagnostics"])
    lines = text.split("\n")
    middle = next(n for n in range(len(lines) // 2, len(lines)) if "apt-get install -y " in lines[n])
    times, cpu = [], []
    for version in range(2, edits + 2):
        edited = list(lines)
        edited[middle] = edited[middle].replace("install -y ", f"install -y extra{version} ")
        done = client.published(version)
        start, start_cpu = time.perf_counter(), time.process_time()
        client.send(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": "\n".join(edited)}],
            },
        )
        await done
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    shutdown = client.send("shutdown", None, request=True)
    assert shutdown is not None
    await shutdown
    stop.set()
    reader.feed_eof()
    await task
    return times, cpu, count


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instructions", type=int, default=300)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--shape", choices=("app", "installs"), default="app")
    parser.add_argument("--target-ms", type=float, default=50.0)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "bench"))
    text = dockerfile(args.instructions, args.shape)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / ".git").mkdir()
        for name, content in {
            "requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n",
            "package.json": "{}",
            "package-lock.json": "{}",
            "src/index.js": "",
            "app.py": "",
            ".dockerignore": ".git\nnode_modules\n",
        }.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(content)
        (folder / "Dockerfile").write_text(text)
        load = os.getloadavg()[0]
        times, cpu, count = asyncio.run(measure(text, args.edits, folder))
        load = max(load, os.getloadavg()[0])
    ms = sorted(t * 1000 for t in times)
    median = statistics.median(ms)
    print(
        f"{args.instructions} instructions ({args.shape}), {count} findings; "
        f"didChange -> publishDiagnostics over {len(ms)} edits:"
    )
    print(
        f"  wall: median {median:.1f} ms, min {ms[0]:.1f} ms, p90 {ms[int(len(ms) * 0.9) - 1]:.1f} ms, max {ms[-1]:.1f} ms"
    )
    print(f"  CPU:  median {statistics.median(cpu) * 1000:.1f} ms (this process, all threads)")
    cores = os.cpu_count() or 1
    if load > cores:
        print(f"  warning: load average {load:.1f} on {cores} CPUs: other processes inflate the wall times")
    verdict = "meets" if median <= args.target_ms else "MISSES"
    print(f"  {verdict} the target of {args.target_ms:.0f} ms at the median")
    return 0 if median <= args.target_ms else 1


if __name__ == "__main__":
    sys.exit(main())
