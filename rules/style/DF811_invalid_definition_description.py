"""A comment right above ``FROM ... AS name`` or ``ARG NAME`` is shown as its description."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Token
from dfcheck.lint.finding import Finding, Related, Severity
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
                names, token = [ins.args[2].value.lower()], ins.args[2]
            elif ins.keyword == "ARG" and ins.pairs:
                names, token = [p.key for p in ins.pairs], Token(ins.pairs[0].key, ins.pairs[0].key_span)
            else:
                continue
            # An empty `#` ends the comment block in BuildKit, so nothing describes the instruction.
            comment = comments.get(ins.line - 1)
            if comment is None or not comment.text or comment.line in directive_lines:
                continue
            if comment.text.split(" ", 1)[0] not in names:
                example = names[0] if len(names) == 1 else "<arg_key>"
                yield self.finding(
                    ctx,
                    token.span,
                    f"comment for {ins.keyword} should follow the format '# {example} <description>'; "
                    "separate other comments with an empty line",
                    related=(Related(comment.span, "the comment taken as its description"),),
                )
