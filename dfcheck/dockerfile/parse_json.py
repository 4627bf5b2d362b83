"""The parsed model as JSON for tooling (``dfcheck parse --format json``).

Every position is a span with 1-based lines and columns, end column exclusive. ``arguments`` are
the strings BuildKit hands to the instruction; ``pairs`` add the key/value view of ENV, LABEL and
ARG; ``errors`` are the findings ``dfcheck parse`` prints, with ``kind`` telling the parser proper
("syntax") from BuildKit's instructions layer ("instruction").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dfcheck.dockerfile.nodes import Dockerfile, Instruction

SCHEMA_VERSION = 1


def _instruction(ins: Instruction) -> dict[str, Any]:
    out: dict[str, Any] = {
        "keyword": ins.keyword,
        "keyword_raw": ins.keyword_raw,
        "span": ins.span.to_dict(),
        "keyword_span": ins.keyword_span.to_dict(),
        "form": "exec" if ins.is_json else "shell",
        "valid": ins.valid,
        "flags": [
            {
                "name": f.name,
                "value": f.value,
                "raw": f.raw,
                "span": f.span.to_dict(),
                "value_span": f.value_span.to_dict(),
            }
            for f in ins.flags
        ],
        "arguments": [{"value": t.value, "span": t.span.to_dict()} for t in ins.args],
        "heredocs": [
            {
                "name": h.name,
                "body": h.body,
                "expand": h.expand,
                "chomp": h.chomp,
                "fd": h.fd,
                "marker_span": h.marker.to_dict(),
                "body_span": h.body_span.to_dict(),
            }
            for h in ins.heredocs
        ],
    }
    if ins.pairs:
        out["pairs"] = [
            {
                "key": p.key,
                "value": p.value,
                "legacy": p.legacy,
                "has_value": p.has_value,
                "key_span": p.key_span.to_dict(),
                "value_span": p.value_span.to_dict(),
            }
            for p in ins.pairs
        ]
    if ins.trigger is not None:
        out["trigger"] = _instruction(ins.trigger)
    if ins.comments:
        out["comments"] = ins.comments
    if ins.empty_continuation_lines:
        out["empty_continuation_lines"] = ins.empty_continuation_lines
    return out


def to_json(dockerfile: Dockerfile) -> dict[str, Any]:
    return _document(dockerfile, [_instruction(i) for i in dockerfile.instructions])


def _document(dockerfile: Dockerfile, instructions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "escape": dockerfile.escape,
        "directives": [
            {"name": d.name, "value": d.value, "span": d.span.to_dict(), "value_span": d.value_span.to_dict()}
            for d in dockerfile.directives.values()
        ],
        "instructions": instructions,
        "comments": [{"text": c.text, "span": c.span.to_dict()} for c in dockerfile.comments],
        "errors": [
            {"message": e.message, "kind": e.kind, "span": e.span.to_dict()} for e in dockerfile.errors
        ],
    }


def json_chunks(dockerfile: Dockerfile) -> Iterator[str]:
    """The text of ``json.dumps(to_json(dockerfile), indent=2, ensure_ascii=False)`` and a newline,
    in pieces of one instruction each: the document is about 25 times the size of the Dockerfile,
    so a 5 MB file's is never held whole, nor the objects of every instruction at once."""
    import json

    instructions = dockerfile.instructions
    head = json.dumps(_document(dockerfile, []), indent=2, ensure_ascii=False)
    if not instructions:
        yield head + "\n"
        return
    # Keys are quoted without a backslash, so this is the key and not text inside a string value.
    before, after = head.split('"instructions": []', 1)
    yield before + '"instructions": ['
    for i, ins in enumerate(instructions):
        body = json.dumps(_instruction(ins), indent=2, ensure_ascii=False)
        yield ("," if i else "") + "\n    " + body.replace("\n", "\n    ")
    yield "\n  ]" + after + "\n"
