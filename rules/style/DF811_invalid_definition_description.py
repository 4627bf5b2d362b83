"""A comment right above ``FROM ... AS name`` or ``ARG NAME`` is shown as its description."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext


class InvalidDefinitionDescriptionRule(Rule):
    code = "DF811"
    name = "invalid-definition-description"
    severity = Severity.INFO
    summary = "The comment above a stage or ARG does not start with its name"
    aliases = ("InvalidDefinitionDescription",)
    enabled_by_default = False

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        comments = {c.line: c for c in ctx.dockerfile.comments}
        directive_lines = {d.span.start_line for d in ctx.dockerfile.directives.values()}
        for ins in ctx.dockerfile.instructions:
            if ins.keyword == "FROM" and len(ins.args) == 3:
                names = [ins.args[2].value.lower()]
            elif ins.keyword == "ARG":
                names = [p.key for p in ins.pairs]
            else:
                continue
            comment = comments.get(ins.line - 1)
            if not names or comment is None or comment.line in directive_lines:
                continue
            if comment.text.split(" ", 1)[0] not in names:
                example = names[0] if len(names) == 1 else "<arg_key>"
                yield self.finding(
                    ctx,
                    comment.span,
                    f"comment for {ins.keyword} should follow the format '# {example} <description>'; "
                    "separate other comments with an empty line",
                )
