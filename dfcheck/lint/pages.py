"""Rule pages: each rule's documentation, SARIF help and test suite in one markdown file.

A page lives beside its rule module (``rules/<category>/<code>_<name>.md``); its ``dockerfile``
blocks with ``<!-- expect: ... -->`` comments run as tests (tests/test_rule_pages.py), and so
does its "Fix" section: the Example, fixed, must equal that section's block.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dfcheck.records import NamedTuple

if TYPE_CHECKING:
    from dfcheck.lint.rule import Rule


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
    #: The "Fix" section's ``dockerfile`` block: the Example with the rule's fixes applied.
    fixed: str | None = None
    #: Files the fix creates beside the Dockerfile, from the "Fix" section's other blocks
    #: (```` ```dockerignore ```` is the ``.dockerignore`` it writes).
    fixed_files: dict[str, str] | None = None

    @property
    def short_description(self) -> str:
        first = self.sections.get("What it does", "").strip().split("\n\n")[0]
        return " ".join(first.split())


#: Patterns of page parsing, compiled on first use (re caches them) rather than at every start.
_SECTION = r"(?m)^## +(.+?)\s*$"
_FENCE = r"(?s)```dockerfile\n(.*?)```\n?((?:<!--.*?-->\s*)*)"
_CREATED = r"(?s)```dockerignore\n(.*?)```"
_DIRECTIVE = r"(?s)<!--\s*([\w-]+):\s*(.*?)\s*-->"
_RANGE = r"(\d+):(\d+)-(\d+):(\d+)"


def parse_page(code: str, markdown: str) -> RulePage:
    title = markdown.split("\n", 1)[0].lstrip("# ").strip()
    parts = re.split(_SECTION, markdown)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    cases: list[PageCase] = []
    fixed: str | None = None
    fixed_files: dict[str, str] | None = None
    for name, body in sections.items():
        if name == "Fix":
            block = re.search(_FENCE, body + "\n")
            fixed = block.group(1) if block else None
            created = re.search(_CREATED, body)
            fixed_files = {".dockerignore": created.group(1)} if created else None
            continue
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
    return RulePage(code, title, re.sub(r"\n{3,}", "\n\n", body_md), sections, cases, fixed, fixed_files)


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
