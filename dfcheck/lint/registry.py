"""The rulebook's index: loading the rule modules, and naming rules by code, prefix, name or alias.

Every place that accepts rule names — ``--select``/``--ignore``, config keys, severity overrides,
ignore comments, BuildKit's ``# check=skip=`` — matches through :func:`token_matches`, so a token
means the same thing everywhere.
"""

from __future__ import annotations

import importlib
import itertools
import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dfcheck.lint.rule import Rule

CATEGORIES = {
    "DF0": "syntax",
    "DF1": "cache",
    "DF2": "entrypoint",
    "DF3": "healthcheck",
    "DF4": "context",
    "DF5": "shell",
    "DF6": "security",
    "DF7": "reproducibility",
    "DF8": "style",
}

REGISTRY: dict[str, type[Rule]] = {}

_CODE_PREFIX = re.compile(r"DF\d{0,3}", re.I)
#: The rulebook package; imported by name so the registry does not depend on it at import time.
RULES_PACKAGE = "dfcheck.rules"


def register(rule: type[Rule]) -> None:
    """Called for each Rule subclass that defines a code; a code can be defined once only."""
    if rule.code in REGISTRY and REGISTRY[rule.code] is not rule:
        raise RuntimeError(f"rule code {rule.code} defined twice")
    REGISTRY[rule.code] = rule


def token_matches(token: str, code: str, name: str, aliases: tuple[str, ...]) -> bool:
    """Does ``token`` name this rule? An exact code, name or alias, a code prefix (``DF1``, ``DF``),
    or ``ALL``.

    Case does not matter. Findings of external checkers (ShellCheck's ``SC2086``) carry their own
    code, which matches exactly.
    """
    key = token.strip().upper()
    if key in ("ALL", "*"):
        return True
    if key in (code.upper(), name.upper()) or any(key == a.upper() for a in aliases):
        return True
    return bool(_CODE_PREFIX.fullmatch(key)) and code.upper().startswith(key)


def rules_matching(token: str) -> list[type[Rule]]:
    """The rules ``token`` names, in code order; [] when it names none."""
    return [r for c, r in sorted(load_rules().items()) if token_matches(token, r.code, r.name, r.aliases)]


_loaded = False


def load_rules() -> dict[str, type[Rule]]:
    """Import every rule module once; defining a Rule subclass registers it.

    Start-up grows with the rulebook, so the rule tree is listed directly and each module is
    executed from its file by the standard source loader (byte-code cache included), skipping the
    ``sys.path`` search that ``pkgutil.walk_packages`` + ``import_module`` repeat for every module
    (about 0.05 ms a module, measured with bench/run_bench.py).
    """
    global _loaded
    if not _loaded:
        package = importlib.import_module(RULES_PACKAGE)
        for directory in package.__path__:
            if os.path.isdir(directory):
                _import_tree(RULES_PACKAGE, directory)
            else:  # a zip or frozen install
                import pkgutil

                for info in pkgutil.walk_packages([directory], prefix=RULES_PACKAGE + "."):
                    importlib.import_module(info.name)
        _loaded = True
    return REGISTRY


def _import_tree(package: str, directory: str) -> None:
    """Import the modules and subpackages below ``directory`` in walk_packages' order (by name, depth first)."""
    from importlib.util import module_from_spec, spec_from_file_location

    parent = sys.modules[package]
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry)
        stem, dot, suffix = entry.partition(".")
        if suffix == "py" and stem != "__init__":
            name = f"{package}.{stem}"
            if name in sys.modules:
                continue
            spec = spec_from_file_location(name, path)
            assert spec is not None and spec.loader is not None
            module = module_from_spec(spec)
            sys.modules[name] = module
            known = len(REGISTRY)
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
            setattr(parent, stem, module)
            # The rules this module registered are the registry's newest entries (dicts keep order).
            _check_placement(list(itertools.islice(reversed(REGISTRY.values()), len(REGISTRY) - known)), path)
        elif not dot and os.path.isfile(os.path.join(path, "__init__.py")):
            importlib.import_module(f"{package}.{entry}")
            _import_tree(f"{package}.{entry}", path)


def _check_placement(defined: list[type[Rule]], path: str) -> None:
    """A rule module is ``<category>/<code>_<snake name>.py`` for the one rule it defines."""
    folder = os.path.basename(os.path.dirname(path))
    stem = os.path.splitext(os.path.basename(path))[0]
    for rule in defined:
        expected = f"{rule.code}_{rule.name.replace('-', '_')}"
        category = CATEGORIES.get(rule.code[:3], "")
        if stem != expected or folder != category:
            raise RuntimeError(
                f"rule {rule.code} {rule.name} must live in rules/{category}/{expected}.py, not {folder}/{stem}.py"
            )
