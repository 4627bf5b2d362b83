"""RUN scripts as a flat list of simple commands with exact positions.

Rules ask questions such as "which ``apt-get install`` lacks ``-y``?" and point at the flag or the
package, so every command and word keeps a :class:`~dfcheck.dockerfile.source.Span` in the Dockerfile, even
inside ``sh -c '...'`` bodies and across continuation lines.

Parser choice, measured with ``bench/shell_parsers.py`` on the shared corpus (1,646 Dockerfiles,
4,979 POSIX shell-form RUN scripts, 2.36 MB; CPU time, best of 3; Python 3.11; bytecode cached):

========================  ========  =========  ==================  =================
candidate                 import    parse all  clean               command agreement
========================  ========  =========  ==================  =================
bashlex 0.18              84 ms     5.64 s     90.22 % (487 fail)  99.84 %
tree-sitter-bash 0.25     8 ms      0.22 s     99.90 % (5 fail)    (reference)
hand-written lexer        6 ms      0.81 s     never fails         99.96 %
this package, end to end  12 ms     0.97 s     99.90 %             (reference)
========================  ========  =========  ==================  =================

"clean": bashlex raised nothing, or tree-sitter's tree has no ERROR/MISSING node. "command
agreement": the sorted first words of all simple commands match tree-sitter's, on scripts both
parse. "this package" includes building every Command and Word (spans are located lazily).

bashlex rejects 9.8 % of real, valid scripts: ``case`` statements (349), ``&&``/``||`` inside
``$( )`` (115), array assignments (19), heredocs (3); ``$(( ))`` fails too. Its import alone costs
ten times tree-sitter's. tree-sitter-bash rejects 5: two cmd.exe
scripts, one truncated script, and two ``RUN <<EOT bash`` (a heredoc before the command name,
which its grammar lacks). So tree-sitter-bash is the parser, imported on first use; the
hand-written lexer covers what it rejects, Windows shells, and runaway parses, so a rule never
loses its commands because a script is unusual. tree-sitter-bash also misreads some valid
scripts without reporting an error; the walk repairs the cases seen in the corpus.

Modules, each importing only those above it:

- ``flags``: which flags take a value, per program (shared with :mod:`dfcheck.build.packages`);
- ``frame``: a piece of text being parsed and how it maps to Dockerfile positions;
- ``script``: the result types, :class:`Word`, :class:`Command`, :class:`Assignment`, :class:`Script`;
- ``quoting``: scanning quotes and expansions, quote removal;
- ``builder``: word ranges to commands (wrappers, nested shells, pipelines, variables);
- ``lexer``: the fallback lexer, POSIX and Windows;
- ``treesitter``: the grammar loader and the walk over tree-sitter's tree;
- ``parse``: :func:`parse_script`, the entry point choosing between them;
- ``shellcheck``: the optional ShellCheck run behind rule DF500.

Nesting (substitutions, nested shells) is followed at most ``builder.MAX_NESTING`` frames deep and
every scanner is a loop, so no input exhausts the Python stack and parse time stays linear
(``bench/scaling_shell.py``, ``bench/fuzz_shell.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfcheck.shell.script import Assignment, Command, Script, Word

if TYPE_CHECKING:
    from dfcheck.shell.parse import parse_script

__all__ = ["Assignment", "Command", "Script", "Word", "parse_script"]


def __getattr__(name: str) -> object:
    """``parse_script`` imports the parsers on first use: rules importing the result types do not."""
    if name != "parse_script":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from dfcheck.shell.parse import parse_script

    globals()[name] = parse_script
    return parse_script
