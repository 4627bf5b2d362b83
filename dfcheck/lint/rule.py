"""Rule base class, the registry it fills, and rule pages.

A rule is a class with a stable ``code``, a readable ``name`` and a ``check`` generator; defining
the class registers it. Its page (``<code>_<name>.md`` beside the module) is its documentation,
its SARIF help and its test suite at once.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Fix, Related, Severity

if TYPE_CHECKING:
    from dfcheck.lint.engine import RuleContext

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


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    enabled_by_default: ClassVar[bool] = True
    #: Rules about the image that ships (USER, HEALTHCHECK, CMD, secrets) look only at stages the
    #: target needs; build-only stages are not shipped.
    shipped_stages_only: ClassVar[bool] = False
    #: Default options, overridable under ``[tool.dfcheck.rules.<name>]``.
    options: ClassVar[dict[str, Any]] = {}
    tags: ClassVar[tuple[str, ...]] = ()
    precision: ClassVar[str] = "high"
    #: CVSS-like score for SARIF ``security-severity`` (security rules only).
    security_severity: ClassVar[float | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            if cls.code in REGISTRY and REGISTRY[cls.code] is not cls:
                raise RuntimeError(f"rule code {cls.code} defined twice")
            REGISTRY[cls.code] = cls

    @classmethod
    def category(cls) -> str:
        return CATEGORIES.get(cls.code[:3], "other")

    @classmethod
    def page(cls) -> RulePage:
        return load_page(cls)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        ctx: RuleContext,
        span: Span,
        message: str,
        *,
        fix: Fix | None = None,
        related: tuple[Related, ...] = (),
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            path=ctx.path,
            span=span,
            fix=fix,
            related=related,
            aliases=self.aliases,
            category=self.category(),
        )


class PageCase(NamedTuple):
    """One fenced ``dockerfile`` block of a page with what it must produce.

    Pages are not read when linting, so PageCase and RulePage are named tuples: a dataclass costs
    about 0.5 ms of start-up to create.
    """

    title: str
    text: str
    expect: list[tuple[int, int, int, int]] | None
    settings: dict[str, str]


class RulePage(NamedTuple):
    code: str
    title: str
    markdown: str
    sections: dict[str, str]
    cases: list[PageCase]

    @property
    def short_description(self) -> str:
        first = self.sections.get("What it does", "").strip().split("\n\n")[0]
        return " ".join(first.split())


#: Patterns of page parsing, compiled on first use (re caches them) rather than at every start.
_SECTION = r"(?m)^## +(.+?)\s*$"
_FENCE = r"(?s)```dockerfile\n(.*?)```\n?((?:<!--.*?-->\s*)*)"
_DIRECTIVE = r"(?s)<!--\s*([\w-]+):\s*(.*?)\s*-->"
_RANGE = r"(\d+):(\d+)-(\d+):(\d+)"


def parse_page(code: str, markdown: str) -> RulePage:
    title = markdown.split("\n", 1)[0].lstrip("# ").strip()
    parts = re.split(_SECTION, markdown)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    cases: list[PageCase] = []
    for name, body in sections.items():
        for match in re.finditer(_FENCE, body + "\n"):
            settings = dict(re.findall(_DIRECTIVE, match.group(2)))
            expect_text = settings.pop("expect", None)
            expect: list[tuple[int, int, int, int]] | None
            if expect_text is None:
                expect = [] if name == "Use instead" else None
            elif expect_text.strip() == "none":
                expect = []
            else:
                expect = [(int(a), int(b), int(c), int(d)) for a, b, c, d in re.findall(_RANGE, expect_text)]
            cases.append(PageCase(name, match.group(1), expect, settings))
    body_md = re.sub(_DIRECTIVE, "", markdown)
    return RulePage(code, title, re.sub(r"\n{3,}", "\n\n", body_md), sections, cases)


_pages: dict[type[Rule], RulePage] = {}


def load_page(rule: type[Rule]) -> RulePage:
    """The rule's page, read once (rule pages feed docs, SARIF help and tests)."""
    if rule not in _pages:
        module_file = getattr(sys.modules[rule.__module__], "__file__", None) or ""
        md = Path(module_file).with_suffix(".md")
        text = md.read_text(encoding="utf-8") if md.is_file() else f"# {rule.code} {rule.name}\n"
        _pages[rule] = parse_page(rule.code, text)
    return _pages[rule]


HOMEPAGE = "https://github.com/dfcheck/dfcheck"


def help_uri(rule: type[Rule]) -> str:
    """The rule's page in the repository, derived from its module (``rules/<category>/<module>.md``)."""
    prefix = "dfcheck.rules."
    if not rule.__module__.startswith(prefix):
        return HOMEPAGE
    page = rule.__module__[len(prefix) :].replace(".", "/")
    return f"{HOMEPAGE}/blob/main/rules/{page}.md"


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
        import dfcheck.rules as pkg

        for directory in pkg.__path__:
            if os.path.isdir(directory):
                _import_tree(pkg.__name__, directory)
            else:  # a zip or frozen install
                import pkgutil

                for info in pkgutil.walk_packages([directory], prefix=pkg.__name__ + "."):
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
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
            setattr(parent, stem, module)
        elif not dot and os.path.isfile(os.path.join(path, "__init__.py")):
            importlib.import_module(f"{package}.{entry}")
            _import_tree(f"{package}.{entry}", path)


def resolve(token: str) -> list[type[Rule]]:
    """Rules named by a code, a code prefix, a name or an alias (case-insensitive)."""
    rules = load_rules()
    key = token.strip()
    upper = key.upper()
    if upper in rules:
        return [rules[upper]]
    by_name = [r for r in rules.values() if r.name == key.lower()]
    if by_name:
        return by_name
    by_alias = [r for r in rules.values() if any(a.lower() == key.lower() for a in r.aliases)]
    if by_alias:
        return by_alias
    if re.fullmatch(r"DF\d{0,3}", upper):
        return [r for c, r in sorted(rules.items()) if c.startswith(upper)]
    return []
