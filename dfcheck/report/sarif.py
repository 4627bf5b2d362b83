"""SARIF 2.1.0: one run for all files, the whole rulebook in ``tool.driver.rules``.

Built from sarif-om objects and serialised by :func:`to_json`, which writes each attrs field
under its schema property name and drops defaults, except for the levels code scanning reads
(``jschema_to_python`` drops an explicit ``level: "warning"`` and writes a suppression's
``status`` as ``state``, so it is not used).
"""

from __future__ import annotations

import os
from typing import Any, TextIO

import dfcheck
from dfcheck.dockerfile.source import LineIndex, Span
from dfcheck.lint.finding import DISPLAY_ONLY, FileResult, Finding, Report, Severity
from dfcheck.lint.pages import HOMEPAGE
from dfcheck.report import RenderOptions
from dfcheck.report._common import RuleInfo, iter_findings, relative_path, rule_infos, sorted_files
from dfcheck.report.plain import json_text, surrogate_bytes

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"

LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.STYLE: "note",
}

#: (class name, attribute) pairs written even when equal to the schema default: consumers that
#: map levels to severities should not have to know that SARIF's default level is "warning".
ALWAYS_WRITTEN = {("Result", "level"), ("ReportingConfiguration", "level")}
#: sarif-om 1.0.4 names a suppression's ``status`` after a pre-release draft's ``state``.
RENAMED = {("Suppression", "state"): "status"}
#: Written first, for people reading the file; the rest follow in sarif-om's field order.
LEADING_KEYS = (
    *("$schema", "id", "name", "version", "ruleId", "ruleIndex", "level", "message", "locations"),
    *("artifactLocation", "startLine", "startColumn", "endLine", "endColumn"),
)


def to_json(obj: Any) -> Any:
    """sarif-om objects -> JSON-ready data, with schema property names and defaults dropped."""
    import attr

    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        cls_name = type(obj).__name__
        for field in attr.fields(type(obj)):
            value = getattr(obj, field.name)
            if (cls_name, field.name) not in ALWAYS_WRITTEN:
                if value is None:
                    continue
                default = field.default
                if isinstance(default, attr.Factory):  # type: ignore[arg-type]
                    default = default.factory()
                if default is not attr.NOTHING and value == default:
                    continue
            name = RENAMED.get((cls_name, field.name), field.metadata["schema_property_name"])
            out[name] = to_json(value)
        return {k: out[k] for k in LEADING_KEYS if k in out} | out
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items()}
    return obj


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    out.write(json_text(to_json(build_log(report, options))))


def build_log(report: Report, options: RenderOptions) -> Any:
    import sarif_om as om

    rules = rule_infos(report)
    index = {info.code: i for i, info in enumerate(rules)}
    indexes: dict[str, LineIndex] = {}
    results = [
        _result(
            om,
            finding,
            artifact_uri(finding.path or result.path, options),
            index,
            _fixes(om, finding, result, indexes, options),
        )
        for result, finding in iter_findings(report, options.root)
    ]
    notifications = [
        om.Notification(
            message=om.Message(text=result.error),
            level="error",
            locations=[_location(om, artifact_uri(result.path, options), None)],
        )
        for result in sorted_files(report, options.root)
        if result.error
    ]
    invocation = om.Invocation(
        execution_successful=not notifications,
        tool_execution_notifications=notifications or None,
    )
    driver = om.ToolComponent(
        name="dfcheck",
        version=dfcheck.__version__,
        semantic_version=dfcheck.__version__,
        information_uri=HOMEPAGE,
        rules=[_descriptor(om, info) for info in rules],
    )
    run = om.Run(
        tool=om.Tool(driver=driver),
        invocations=[invocation],
        results=results,
        column_kind="unicodeCodePoints",
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=_root_uri(options))},
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def artifact_uri(path: str, options: RenderOptions) -> str:
    """The report-relative path as a URI reference, as SARIF requires: percent-encoded UTF-8, and a
    file name byte that was not UTF-8 as itself (``%FF``), so every path has an exact, valid URI."""
    from urllib.parse import quote

    rel = relative_path(path, options.root)
    try:
        data = rel.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = surrogate_bytes(rel)
    return quote(data, safe="/!$&'()*+,;=@")


def _root_uri(options: RenderOptions) -> str:
    uri = options.root.absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _descriptor(om: Any, info: RuleInfo) -> Any:
    properties: dict[str, Any] = {
        "tags": sorted({info.category, *info.tags}),
        "precision": info.precision,
    }
    if info.security_severity is not None:
        properties["security-severity"] = f"{info.security_severity:.1f}"
    return om.ReportingDescriptor(
        id=info.code,
        name=info.name,
        short_description=om.MultiformatMessageString(text=info.summary),
        full_description=om.MultiformatMessageString(text=info.description),
        help=om.MultiformatMessageString(text=info.markdown, markdown=info.markdown),
        help_uri=info.help_uri,
        default_configuration=om.ReportingConfiguration(level=LEVELS[info.severity], enabled=info.enabled),
        properties=properties,
    )


def _region(om: Any, span: Span) -> Any:
    return om.Region(
        start_line=span.start_line,
        start_column=span.start_col,
        end_line=span.end_line,
        end_column=span.end_col,
    )


def _location(om: Any, uri: str, span: Span | None, **extra: Any) -> Any:
    physical = om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=SRCROOT),
        region=_region(om, span) if span is not None else None,
    )
    return om.Location(physical_location=physical, **extra)


def _result(om: Any, finding: Finding, uri: str, index: dict[str, int], fixes: list[Any] | None) -> Any:
    related = [
        _location(om, uri, r.span, id=i, message=om.Message(text=r.message))
        for i, r in enumerate(finding.related, start=1)
    ]
    return om.Result(
        rule_id=finding.code,
        rule_index=index[finding.code],
        level=LEVELS[finding.severity],
        message=om.Message(text=finding.message),
        locations=[_location(om, uri, finding.span)],
        related_locations=related or None,
        fixes=fixes,
    )


def _fixes(
    om: Any, finding: Finding, result: FileResult, indexes: dict[str, LineIndex], options: RenderOptions
) -> list[Any] | None:
    """``fixes[]``: one artifact change per file the fix edits. Replacements carry both the
    region's lines and columns and its ``charOffset``/``charLength``, except for display-only fixes:
    viewers apply only fixes with offsets, and those are shown, never applied. A file the fix
    creates is a change of that file replacing nothing."""
    fix = finding.fix
    if fix is None:
        return None
    path = finding.path or result.path
    if path not in indexes:
        indexes[path] = LineIndex(result.text)
    lines = indexes[path]
    offsets = fix.applicability != DISPLAY_ONLY
    changes: dict[str, list[Any]] = {}
    for edit in fix.edits:
        target = os.path.join(os.path.dirname(path), edit.file) if edit.file else path
        span = lines.span(edit.start, edit.end) if not edit.file else Span(1, 1, 1, 1)
        region = om.Region(
            start_line=span.start_line,
            start_column=span.start_col,
            end_line=span.end_line,
            end_column=span.end_col,
            char_offset=edit.start if offsets else None,
            char_length=edit.end - edit.start if offsets else None,
        )
        replacement = om.Replacement(
            deleted_region=region, inserted_content=om.ArtifactContent(text=edit.content)
        )
        changes.setdefault(artifact_uri(target, options), []).append(replacement)
    artifact_changes = [
        om.ArtifactChange(
            artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=SRCROOT), replacements=items
        )
        for uri, items in changes.items()
    ]
    return [
        om.Fix(
            description=om.Message(text=fix.title),
            artifact_changes=artifact_changes,
            properties={"applicability": fix.applicability},
        )
    ]
