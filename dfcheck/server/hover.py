"""Hover text: what a finding means and how to fix it, and what a step's layer cache depends on.

The cache hover reads the same model as ``dfcheck cache`` (:class:`~dfcheck.build.cache.CacheModel`)
and the cache-ordering view DF101/DF151 read (:mod:`dfcheck.build.ordering`), so what the editor
says about a step is what the command line and the rules say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfcheck.dockerfile.model import PROXY_ARGS
from dfcheck.lint.finding import Finding
from dfcheck.lint.registry import REGISTRY

if TYPE_CHECKING:
    from dfcheck.build.cache import CacheModel, Step
    from dfcheck.build.ordering import Ordering
    from dfcheck.dockerfile.model import Stage
    from dfcheck.dockerfile.parse import Instruction
    from dfcheck.lint.rule import Rule
    from dfcheck.server.fixes import QuickFix

#: Earlier steps listed as the ones that can rebuild a step, nearest first.
MAX_CAUSES = 6
#: Variables named one by one before the rest is counted.
MAX_NAMES = 8


def rule_of(finding: Finding) -> type[Rule] | None:
    """The rule behind a finding: its code, or for an external checker's code (``SC2086``) the
    rule that ran it, named in its aliases."""
    for code in (finding.code, *finding.aliases):
        rule = REGISTRY.get(code)
        if rule is not None:
            return rule
    return None


def rule_url(finding: Finding) -> str:
    from dfcheck.lint.pages import HOMEPAGE, help_uri

    if finding.code.startswith("SC") and finding.code[2:].isdigit():
        return f"https://www.shellcheck.net/wiki/{finding.code}"
    rule = rule_of(finding)
    return help_uri(rule) if rule is not None else HOMEPAGE


def finding_hover(finding: Finding, fix: QuickFix | None) -> str:
    """The rule's summary, the message, the fix (automatic, or the page's "Use instead"), a link."""
    rule = rule_of(finding)
    summary = rule.summary if rule is not None else finding.name
    out = [f"**{finding.code}** `{finding.name}` ({finding.severity.label}): {summary}", "", finding.message]
    if fix is not None and fix.applicability != "display-only":  # a placeholder is no fix to offer
        out += ["", f"**Fix** ({fix.applicability}): {fix.title}"]
    elif rule is not None:
        use_instead = rule.page().sections.get("Use instead", "").strip()
        if use_instead:
            out += ["", "**Use instead**", "", use_instead]
    out += ["", f"[{finding.code} documentation]({rule_url(finding)})"]
    return "\n".join(out)


def cache_hover(cache: CacheModel, ordering: Ordering | None, ins: Instruction) -> str | None:
    """What the cache key of the COPY/ADD/RUN ``ins`` depends on, and which earlier steps rebuild it."""
    if ins.keyword not in ("COPY", "ADD", "RUN"):
        return None
    stage = cache.model.stage_of(ins)
    if stage is None:
        return None
    step = next((s for s in cache.steps[stage.index] if s.ins is ins), None)
    if step is None:
        return None
    out = [f"**Layer cache** of this `{ins.keyword_raw}` ({_stage(stage)})", ""]
    if stage.index not in cache.needed:
        out += ["The target does not need this stage, so the step is not built.", ""]
    out += ["Its cache key is the previous step's key plus:", *_inputs(cache, step)]
    out += [
        "",
        "It re-runs when an earlier step misses. Earlier steps whose inputs change without an edit here:",
    ]
    causes = _causes(cache, stage, step)
    out += causes[:MAX_CAUSES] or ["- none: only an edit of the Dockerfile or a build arg rebuilds it"]
    if len(causes) > MAX_CAUSES:
        out.append(f"- and {len(causes) - MAX_CAUSES} more before them")
    for problem in ordering.problems if ordering is not None else ():
        if any(run is ins for run, _ in problem.operations):
            copy = problem.copy.ins
            out += [
                "",
                f"**{problem.rule}**: `{_head(copy)}` (line {copy.line}) copies sources before this "
                f"{problem.work}, so every source edit re-runs it; copy {' '.join(problem.manifests) or 'the manifests'} "
                "first.",
            ]
    return "\n".join(out)


def _inputs(cache: CacheModel, step: Step) -> list[str]:
    ins = step.ins
    escape = cache.dockerfile.escape
    if ins.keyword == "RUN":
        out = ["- its text (heredoc bodies included; the shell expands variables, not BuildKit)"]
        names = sorted(n for n in cache.model.scope_at(ins) if n not in PROXY_ARGS)
        if names:
            out.append(f"- the values of the ARG/ENV variables in scope: {_names(names)}")
    else:
        from dfcheck.build.steps import variable_names

        out = [f"- its text after ARG/ENV substitution{_used(variable_names(ins.original, escape))}"]
    context = cache.context
    ignored = context is not None and context.ignore_file is not None
    for read in step.reads:
        where = (
            "the whole build context"
            if read.source.strip("./") == ""
            else f"`{read.source}` in the build context"
        )
        notes = [n for n, on in (("after .dockerignore", ignored), ("less --exclude", read.excludes)) if on]
        verb = "bind-mounted files of" if ins.keyword == "RUN" else "the content of"
        count = ""
        if context is not None:
            try:
                files = len(context.files(read.source, read.excludes))
            except OSError:
                files = -1
            count = f": {files} file{'' if files == 1 else 's'} now" if files >= 0 else ""
        out.append(f"- {verb} {where}{' (' + ', '.join(notes) + ')' if notes else ''}{count}")
    for index, how in step.stage_reads:
        out.append(
            f"- the result of {_stage(cache.model.stages[index])} (`{how}`): it rebuilds when that stage does"
        )
    if step.remote:
        out.append("- the content of its remote source, which an unpinned URL or branch can change upstream")
    return out


def _causes(cache: CacheModel, stage: Stage, step: Step) -> list[str]:
    """Earlier steps of the image (the stage and the stages it is built FROM) with inputs from
    outside the Dockerfile, nearest first."""
    chain = []
    node: Stage | None = stage
    while node is not None:
        chain.append(node)
        node = node.parent
    out: list[str] = []
    for current in chain:
        steps = cache.steps[current.index]
        if current is stage:
            steps = steps[: step.position]
        for earlier in reversed(steps):
            what = _changes(cache, current, earlier)
            if what:
                out.append(f"- line {earlier.line} `{_head(earlier.ins)}`: {what}")
    return out


def _changes(cache: CacheModel, stage: Stage, step: Step) -> str:
    if step.position == 0:
        if stage.parent is not None or stage.base.is_scratch:
            return ""
        return "a new image for the base reference (when it is pulled again)"
    parts = []
    for read in step.reads:
        parts.append(
            "any file of the context" if read.source.strip("./") == "" else f"files under `{read.source}`"
        )
    parts += [f"{_stage(cache.model.stages[i])} rebuilding" for i, _ in step.stage_reads]
    if step.remote:
        parts.append("its remote source changing upstream")
    return ", ".join(parts)


def _stage(stage: Stage) -> str:
    """A stage as BuildKit's progress output names it: its name, or ``stage-N``."""
    return f"stage `{stage.name}`" if stage.name else f"stage-{stage.index}"


def _head(ins: Instruction) -> str:
    text = " ".join(ins.original.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _names(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:MAX_NAMES])
    return shown + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def _used(names: set[str]) -> str:
    return f" (uses {_names(sorted(names))})" if names else ""
