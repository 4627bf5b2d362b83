"""Module-level regular expressions compiled when first used, not when their module is imported.

A cold ``dfcheck check`` imports about 60 modules and 75 rules whose patterns were compiled at
import: about 6 ms, nearly half of it for patterns the file in hand never reaches (a rule's
``--chmod`` syntax when no COPY has ``--chmod``). ``_X = lazy(r"...")`` defers the compile to the
first call; after it the pattern's methods are the object's own attributes, so a call costs what
a call on the compiled pattern costs.
"""

from __future__ import annotations

import re
from typing import Any, cast

_METHODS = ("match", "search", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class _CompiledOnFirstUse:
    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        """Reached only for an attribute the object lacks: the first use of the pattern, or one of
        its other attributes (``pattern``, ``groups``)."""
        if name.startswith("__"):  # copy, pickle and the like probe for hooks
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done at the first use of the result."""
    return cast("re.Pattern[str]", _CompiledOnFirstUse(pattern, flags))
