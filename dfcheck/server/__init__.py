"""``dfcheck server``: a language server over stdio (diagnostics, quick fixes, hovers with cache hints).

The server sits at the top layer beside ``cli/``: it reads the engine (``lint/``), the cache model
(``build/``) and the source model (``dockerfile/``), and nothing below imports it. pygls and
lsprotocol come with the optional ``dfcheck[lsp]`` extra, so this module imports neither: it only
checks that they are there before :mod:`dfcheck.server.app` is loaded.
"""

from __future__ import annotations

import sys

INSTALL_HINT = "pip install 'dfcheck[lsp]'"


def main() -> int:
    """Run the server until the client sends ``exit``; the exit code the protocol asks for.

    Without the ``lsp`` extra this is a one-line error and exit code 2, like any usage error.
    """
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        print(f"dfcheck: error: the language server needs the lsp extra: {INSTALL_HINT}", file=sys.stderr)
        return 2
    from dfcheck.server.app import serve

    return serve()
