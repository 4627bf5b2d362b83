"""``dfcheck rules`` and ``dfcheck rule CODE``: the rulebook rendered from the rule pages."""

from __future__ import annotations

import json
from typing import Any

from dfcheck.lint.pages import help_uri
from dfcheck.lint.registry import RuleInfo, load_rules, rule_class, rules_matching
from dfcheck.lint.rule import Rule


def rule_record(rule: type[Rule]) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "category": rule.category(),
        "severity": rule.severity.label,
        "enabled_by_default": rule.enabled_by_default,
        "aliases": list(rule.aliases),
        "summary": rule.summary,
        "options": rule.options,
        "fix": rule.fix_safety,
        "url": help_uri(rule),
    }


def render_rules(fmt: str, only: list[RuleInfo] | None = None) -> str:
    """The rulebook, or the ``only`` rules (what a prefix such as ``DF1`` matched), in code order."""
    rules = (
        sorted((rule_class(r) for r in only), key=lambda r: r.code)
        if only is not None
        else [r for _, r in sorted(load_rules().items())]
    )
    if fmt == "json":
        return json.dumps({"version": 1, "rules": [rule_record(r) for r in rules]}, indent=2) + "\n"
    if fmt == "markdown":
        lines = [
            "| Code | Name | Category | Severity | Default | Fix | Aliases |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in rules:
            lines.append(
                f"| {r.code} | {r.name} | {r.category()} | {r.severity.label} | "
                f"{'on' if r.enabled_by_default else 'opt-in'} | {r.fix_safety or ''} | {', '.join(r.aliases)} |"
            )
        return "\n".join(lines) + "\n"
    if fmt != "text":
        raise ValueError(f"unknown format '{fmt}' (text, json, markdown)")
    out = []
    for r in rules:
        aliases = f"  ({', '.join(r.aliases)})" if r.aliases else ""
        default = "" if r.enabled_by_default else "  [opt-in]"
        out.append(
            f"{r.code}  {r.name:<36} {r.category():<15} {r.severity.label:<8}{default}{aliases}".rstrip()
        )
    return "\n".join(out) + "\n"


def render_rule(token: str, fmt: str) -> str:
    found = rules_matching(token)
    if len(found) != 1:
        raise LookupError(
            f"no rule named '{token}'" if not found else f"'{token}' matches {len(found)} rules"
        )
    rule = rule_class(found[0])
    page = rule.page()
    if fmt == "json":
        record = rule_record(rule)
        record["markdown"] = page.markdown
        record["sections"] = page.sections
        return json.dumps(record, indent=2) + "\n"
    if fmt in ("markdown", "text"):
        header = (
            f"{rule.code} {rule.name} — {rule.category()}, {rule.severity.label}"
            f"{', opt-in' if not rule.enabled_by_default else ''}"
            f"{'; aliases: ' + ', '.join(rule.aliases) if rule.aliases else ''}\n\n"
        )
        return (header if fmt == "text" else "") + page.markdown.rstrip() + "\n"
    raise ValueError(f"unknown format '{fmt}' (text, json, markdown)")
