"""Console entry point: the fast path for ``dfcheck check``, typer for everything else."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from dfcheck.cli.fastpath import run

        code = run(sys.argv[1:])
        if code is None:
            from dfcheck.cli.app import main as typer_main

            typer_main()
            return
    except KeyboardInterrupt:
        print("dfcheck: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(2)
    sys.exit(code)
