"""Code actions: a quick fix per fixable finding, ignore comments at three scopes, and fix-all.

Edits are computed on code-point offsets of the linted text (:class:`~dfcheck.server.fixes.TextEdit`)
and converted to the client's position encoding last.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lsprotocol import types as lsp

from dfcheck.regex import lazy
from dfcheck.server.documents import Linted
from dfcheck.server.fixes import SAFE, UNSAFE, TextEdit, compatible
from dfcheck.server.hover import rule_of

FIX_ALL = "source.fixAll.dfcheck"
KINDS = [lsp.CodeActionKind.QuickFix, FIX_ALL]

#: A dfcheck ignore comment on its own line; group "codes" ends where a new code is appended.
_PRAGMA_LINE = lazy(
    r"^\s*#\s*dfcheck\s+(?:(?P<scope>global|stage)\s+)?ignore\s*=\s*(?P<codes>[^#]*?)\s*(?:#.*)?$", re.I
)


def wanted(kind: str, only: list[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for ``source.fixAll`` includes ``source.fixAll.dfcheck``."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def code_actions(
    linted: Linted, start: int, end: int, only: list[str] | None, versioned: bool
) -> list[lsp.CodeAction]:
    actions: list[lsp.CodeAction] = []
    if wanted(lsp.CodeActionKind.QuickFix, only):
        for i in linted.at(start, end):
            actions += _for_finding(linted, i, versioned)
    if wanted(FIX_ALL, only):
        safe = [f for f in linted.fixes if f is not None and f.applicability == SAFE]
        if safe:
            edit = workspace_edit(linted, compatible(safe), versioned)
            actions.append(lsp.CodeAction("Fix all safe dfcheck problems", kind=FIX_ALL, edit=edit))
    return actions


def _for_finding(linted: Linted, i: int, versioned: bool) -> Iterator[lsp.CodeAction]:
    finding, fix, diagnostic = linted.findings[i], linted.fixes[i], linted.diagnostics[i]
    if fix is not None and fix.applicability in (SAFE, UNSAFE):
        title = f"{fix.title} ({finding.code}{', unsafe fix' if fix.applicability == UNSAFE else ''})"
        yield lsp.CodeAction(
            title,
            kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=fix.applicability == SAFE,
            edit=workspace_edit(linted, list(fix.edits), versioned),
        )
    rule = rule_of(finding)
    if rule is not None and rule.after_suppression:
        return  # judged after ignore comments are applied (DF002): a comment cannot silence it
    for scope, edit in _ignore_edits(linted, finding.code, finding.span.start_line):
        yield lsp.CodeAction(
            f"Ignore {finding.code} for this {scope}",
            kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=workspace_edit(linted, [edit], versioned),
        )


def _ignore_edits(linted: Linted, code: str, line: int) -> Iterator[tuple[str, TextEdit]]:
    """The edits that add ``code`` to an ignore comment for the instruction, the stage and the file
    holding ``line``: appended to a dfcheck comment already there, else a new comment line."""
    dockerfile = linted.dockerfile
    instructions = dockerfile.instructions
    target = next((ins for ins in instructions if ins.span.start_line <= line <= ins.span.end_line), None)
    if target is not None:
        yield "instruction", _add_code(linted, code, None, _comment_block(linted, target.line), target.line)
    froms = [ins for ins in instructions if ins.keyword == "FROM"]
    stage = next((ins for ins in reversed(froms) if ins.line <= line), None)
    if stage is not None:
        after = stage.span.end_line + 1
        last = next((ins.line - 1 for ins in froms if ins.line > stage.line), linted.lines.count)
        yield "stage", _add_code(linted, code, "stage", range(after, last + 1), after)
    top = max((d.span.end_line for d in dockerfile.directives.values()), default=0)
    if top == 0 and linted.text.startswith("#!"):
        top = 1
    yield "file", _add_code(linted, code, "global", range(1, linted.lines.count + 1), top + 1)


def _comment_block(linted: Linted, line: int) -> range:
    """The comment lines right above ``line``, which ignore comments for that instruction can sit on."""
    first = line
    while first > 1 and linted.lines.line_text(first - 2).lstrip().startswith("#"):
        first -= 1
    return range(first, line)


def _add_code(linted: Linted, code: str, scope: str | None, search: range, insert_at: int) -> TextEdit:
    """Append ``code`` to the first ignore comment of ``scope`` on the lines ``search``, or insert
    ``# dfcheck [scope ]ignore=code`` as line ``insert_at`` (indented like the line it pushes down)."""
    lines = linted.lines
    for number in search:
        match = _PRAGMA_LINE.match(lines.line_text(number - 1))
        if match and (match.group("scope") or "").lower() == (scope or ""):
            at = lines.offset(number, match.end("codes") + 1)
            return TextEdit(at, at, ("," if match.group("codes") else "") + code)
    at = lines.offset(insert_at, 1)
    following = lines.line_text(insert_at - 1) if insert_at <= lines.count else ""
    indent = following[: len(following) - len(following.lstrip())] if scope is None else ""
    comment = f"{indent}# dfcheck {scope + ' ' if scope else ''}ignore={code}"
    if at == len(linted.text) and linted.text and not linted.text.endswith("\n"):
        return TextEdit(at, at, "\n" + comment)
    return TextEdit(at, at, comment + "\n")


def workspace_edit(linted: Linted, edits: list[TextEdit], versioned: bool) -> lsp.WorkspaceEdit:
    """One document's edits; tied to the linted version when the client accepts versioned edits,
    so a client whose buffer moved on refuses them instead of applying them in the wrong place."""
    text_edits: list[lsp.TextEdit] = [lsp.TextEdit(linted.range(e.start, e.end), e.content) for e in edits]
    if versioned and linted.version is not None:
        document = lsp.OptionalVersionedTextDocumentIdentifier(linted.uri, linted.version)
        return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(document, list(text_edits))])
    return lsp.WorkspaceEdit(changes={linted.uri: text_edits})
