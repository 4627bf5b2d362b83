"""One open document linted: its findings as LSP diagnostics, and what code actions and hovers ask.

Everything here runs in a worker thread on an immutable snapshot (the text of one version), so a
result is never mixed with a later edit; the server publishes it only if the document is still
at that version.
"""

from __future__ import annotations

import posixpath
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp

from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.pages import help_uri
from dfcheck.lint.registry import REGISTRY
from dfcheck.server.fixes import QuickFix, quick_fix
from dfcheck.server.hover import rule_of, rule_url
from dfcheck.server.positions import Lines

if TYPE_CHECKING:
    from dfcheck.build.cache import CacheModel
    from dfcheck.build.ordering import Ordering
    from dfcheck.dockerfile.parse import Dockerfile
    from dfcheck.lint.config import Settings
    from dfcheck.lint.engine import Linter

DOCKERFILE, DOCKERIGNORE = "dockerfile", "dockerignore"
#: Files whose change alters the findings of other documents: configuration and ignore files.
CONFIG_FILES = frozenset({"pyproject.toml", ".dfcheck.toml", ".hadolint.yaml", ".hadolint.yml"})
SOURCE = "dfcheck"

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.STYLE: lsp.DiagnosticSeverity.Hint,
}
#: Rules whose findings point at text that does nothing (editors fade it) or at deprecated syntax
#: (editors strike it through), by rule name.
_TAGS = {
    "unused-ignore": lsp.DiagnosticTag.Unnecessary,
    "pointless-command": lsp.DiagnosticTag.Unnecessary,
    "empty-continuation": lsp.DiagnosticTag.Unnecessary,
    "redundant-target-platform": lsp.DiagnosticTag.Unnecessary,
    "unused-stage": lsp.DiagnosticTag.Unnecessary,
    "maintainer-deprecated": lsp.DiagnosticTag.Deprecated,
    "legacy-key-value-format": lsp.DiagnosticTag.Deprecated,
}


_DESCRIBED: dict[str, tuple[lsp.CodeDescription, list[lsp.DiagnosticTag] | None]] = {}


def _describe(finding: Finding) -> tuple[lsp.CodeDescription, list[lsp.DiagnosticTag] | None]:
    """The link and tags of a finding's code, worked out once per code (a file can have hundreds
    of findings of one rule)."""
    found = _DESCRIBED.get(finding.code)
    if found is None:
        rule = rule_of(finding)
        tag = _TAGS.get(rule.name) if rule is not None else None
        found = _DESCRIBED[finding.code] = (
            lsp.CodeDescription(href=rule_url(finding)),
            [tag] if tag else None,
        )
    return found


def file_name(uri: str) -> str:
    return posixpath.basename(unquote(urlparse(uri).path))


def kind_of(uri: str, language_id: str | None = None) -> str | None:
    """Is the document a Dockerfile, an ignore file, or neither (then the server leaves it alone)?"""
    name = file_name(uri).lower()
    if name == ".dockerignore" or name.endswith(".dockerignore"):
        return DOCKERIGNORE
    if language_id == "dockerfile":
        return DOCKERFILE
    if language_id not in (None, "", "plaintext"):
        return None  # the editor knows better (Dockerfile.md is Markdown)
    stem = name.split(".", 1)[0]
    if stem in ("dockerfile", "containerfile") or name.endswith((".dockerfile", ".containerfile")):
        return DOCKERFILE
    return None


def uri_path(uri: str) -> Path | None:
    """The file behind a ``file:`` URI (None for unsaved buffers and other schemes)."""
    if not uri.startswith("file:"):
        return None
    from pygls.uris import to_fs_path

    path = to_fs_path(uri)
    return Path(path) if path else None


class Linted:
    """The findings of one version of one document, with what code actions and hovers need."""

    def __init__(
        self,
        uri: str,
        version: int | None,
        text: str,
        kind: str,
        encoding: str,
        findings: list[Finding],
        settings: Settings | None = None,
        path: Path | None = None,
    ) -> None:
        self.uri = uri
        self.version = version
        self.text = text
        self.kind = kind
        self.encoding = encoding
        self.findings = findings
        self.settings = settings
        self.path = path
        self.lines = Lines(text)
        #: One diagnostic per finding, in the same order, then any about the document as a whole.
        self.diagnostics = [self.diagnostic(f) for f in findings]

    @cached_property
    def fixes(self) -> list[QuickFix | None]:
        """The findings' quick fixes, by position in ``findings`` (worked out on the first code action)."""
        return [quick_fix(f) for f in self.findings]

    def range(self, start: int, end: int) -> lsp.Range:
        a, b = self.lines.position(start, self.encoding), self.lines.position(end, self.encoding)
        return lsp.Range(lsp.Position(*a), lsp.Position(*b))

    def diagnostic(self, finding: Finding) -> lsp.Diagnostic:
        related = [
            lsp.DiagnosticRelatedInformation(
                lsp.Location(self.uri, self.range(*self.lines.offsets(r.span))), r.message
            )
            for r in finding.related
        ]
        link, tags = _describe(finding)
        return lsp.Diagnostic(
            range=self.range(*self.lines.offsets(finding.span)),
            message=finding.message,
            severity=_SEVERITY[finding.severity],
            code=finding.code,
            code_description=link,
            source=SOURCE,
            tags=tags,
            related_information=related or None,
        )

    def at(self, start: int, end: int, *, hover: bool = False) -> list[int]:
        """Indices of the findings whose range meets ``[start, end]``: for a code action a cursor
        at either edge of a finding meets it; a hover is over a character, so only a finding
        holding that character (or an empty one right there) does."""
        hits = []
        for i, finding in enumerate(self.findings):
            first, last = self.lines.offsets(finding.span)
            if hover and first < last:
                last -= 1
            if first <= end and start <= last:
                hits.append(i)
        return hits

    @cached_property
    def dockerfile(self) -> Dockerfile:
        from dfcheck.dockerfile.parse import parse

        return parse(self.text)

    @cached_property
    def cache(self) -> tuple[CacheModel, Ordering | None]:
        """The cache model and the cache-ordering view, built on the first cache hover."""
        from dfcheck.build.cache import CacheModel
        from dfcheck.build.ordering import analyse

        context = None
        if self.path is not None and self.path.parent.is_dir():
            from dfcheck.build.context import load

            try:
                context = load(self.path.parent, self.path)
            except OSError:  # an unreadable ignore file: the model without the context
                context = None
        settings = self.settings
        model = CacheModel(
            self.dockerfile,
            build_args=dict(settings.build_args) if settings else None,
            target=settings.target if settings else None,
            context=context,
        )
        return model, analyse(model.semantics, context)


def lint_dockerfile(
    linter: Linter, uri: str, version: int | None, text: str, encoding: str, *, shellcheck: bool
) -> Linted:
    """Lint a Dockerfile's text as ``dfcheck check`` would lint the file (its configuration, its
    build context), ShellCheck only when asked (it runs an external process per file)."""
    from dfcheck.lint.config import ConfigError
    from dfcheck.lint.engine import lint_text

    path = uri_path(uri)
    try:
        settings = linter.settings_for(path)
    except ConfigError as exc:
        return problem(uri, version, text, DOCKERFILE, encoding, f"configuration: {exc}", "config")
    if not shellcheck and settings.shellcheck:
        settings = settings.replace(shellcheck=False)
    display = str(path) if path is not None else uri
    result = lint_text(text, display, settings, path)
    mine = [f for f in result.findings if f.path == display]
    elsewhere = [f for f in result.findings if f.path != display]
    linted = Linted(uri, version, text, DOCKERFILE, encoding, mine, settings=settings, path=path)
    linted.diagnostics += [_elsewhere(linted, f) for f in elsewhere]
    if result.error:
        linted.diagnostics.append(_whole_first_line(linted, result.error, "error"))
    return linted


def _elsewhere(linted: Linted, finding: Finding) -> lsp.Diagnostic:
    """A finding in another file that the Dockerfile's build reads (an invalid pattern of its
    ``.dockerignore``, DF406): shown on the Dockerfile's first line, since the build it describes
    fails, with the place in the other file as related information."""
    other = Path(finding.path)
    diagnostic = _whole_first_line(
        linted, f"{other.name}:{finding.span.start_line}: {finding.message}", finding.code
    )
    diagnostic.severity = _SEVERITY[finding.severity]
    diagnostic.code_description = _describe(finding)[0]
    try:
        lines = Lines(other.read_bytes().decode("utf-8", "replace"))
    except OSError:
        return diagnostic
    start, end = lines.offsets(finding.span)
    where = lsp.Range(
        lsp.Position(*lines.position(start, linted.encoding)),
        lsp.Position(*lines.position(end, linted.encoding)),
    )
    diagnostic.related_information = [
        lsp.DiagnosticRelatedInformation(lsp.Location(other.as_uri(), where), f"the line in {other.name}")
    ]
    return diagnostic


def problem(
    uri: str, version: int | None, text: str, kind: str, encoding: str, message: str, code: str
) -> Linted:
    """A document that could not be linted: one error on its first line says why."""
    linted = Linted(uri, version, text, kind, encoding, [])
    linted.diagnostics.append(_whole_first_line(linted, message, code))
    return linted


def _whole_first_line(linted: Linted, message: str, code: str) -> lsp.Diagnostic:
    end = len(linted.lines.line_text(0))
    return lsp.Diagnostic(
        range=linted.range(0, end),
        message=message,
        severity=lsp.DiagnosticSeverity.Error,
        code=code,
        source=SOURCE,
    )


def lint_ignore_file(uri: str, version: int | None, text: str, encoding: str) -> Linted:
    """An ignore file's patterns that Docker rejects (the build fails) and, for a context's own
    ``.dockerignore``, the ones that match nothing in the context beside it."""
    from dfcheck.build.context import BuildContext
    from dfcheck.build.ignore import matcher_for

    matcher = matcher_for(text)
    linted = Linted(uri, version, text, DOCKERIGNORE, encoding, [])
    path = uri_path(uri)
    hits: dict[int, int] | None = None
    if path is not None and path.name == ".dockerignore" and path.parent.is_dir():
        try:
            hits = BuildContext(path.parent, path, matcher).walk().hits
        except OSError:
            hits = None
    invalid = REGISTRY.get("DF406")
    for i, pattern in enumerate(matcher.patterns):
        line = linted.lines.line_text(pattern.line - 1)
        first = linted.lines.offset(pattern.line, len(line) - len(line.lstrip()) + 1)
        where = linted.range(first, linted.lines.offset(pattern.line, len(line.rstrip()) + 1))
        if pattern.error:
            message = (
                f"'{line.strip()}' is not a valid pattern ({pattern.error}): Docker stops the build when it "
                "sends the context; fix the line or delete it"
            )
            link = lsp.CodeDescription(href=help_uri(invalid)) if invalid is not None else None
            code = invalid.code if invalid is not None else "invalid-pattern"
            linted.diagnostics.append(
                lsp.Diagnostic(where, message, lsp.DiagnosticSeverity.Error, code, link, source=SOURCE)
            )
        elif hits is not None and not hits.get(i):
            message = "Matches nothing in the build context (or earlier patterns already decide every path it matches)"
            linted.diagnostics.append(
                lsp.Diagnostic(
                    where,
                    message,
                    lsp.DiagnosticSeverity.Hint,
                    "dead-pattern",
                    source=SOURCE,
                    tags=[lsp.DiagnosticTag.Unnecessary],
                )
            )
    return linted
