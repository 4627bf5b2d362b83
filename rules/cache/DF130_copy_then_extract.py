"""COPY an archive and unpack it with RUN: the packed archive stays in a layer forever."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.model import ARCHIVE_SUFFIXES, Stage, path_basename
from dfcheck.dockerfile.parse import Token
from dfcheck.lint.finding import Finding, Related, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.shell import Command

UNPACKERS = frozenset({"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat"})


def extracts(cmd: Command) -> bool:
    if cmd.name == "tar":
        return any(
            w.text in ("--extract", "--get") or (w.text.startswith("-") and "x" in w.text) for w in cmd.args
        )
    return cmd.name in UNPACKERS


class CopyThenExtractRule(Rule):
    code = "DF130"
    name = "copy-then-extract"
    severity = Severity.INFO
    summary = "An archive is COPYed and then unpacked by RUN instead of ADD"
    aliases = ("DL3010",)
    requires_instructions = frozenset({"COPY"})

    def check_stage(self, ctx: RuleContext, stage: Stage) -> Iterator[Finding]:
        archives: dict[str, Token] = {}
        reported: set[str] = set()
        for ins in stage.instructions:
            if ins.keyword == "COPY" and ins.flag("from") is None and len(ins.args) >= 2 and not ins.heredocs:
                dest = ins.args[-1]
                if dest.value.strip("\"'").endswith(ARCHIVE_SUFFIXES):
                    archives[path_basename(dest.value)] = dest
                else:
                    for src in ins.args[:-1]:
                        if src.value.strip("\"'").endswith(ARCHIVE_SUFFIXES):
                            archives[path_basename(src.value)] = src
            for script in ctx.scripts(ins):
                for cmd in script.commands:
                    if not extracts(cmd):
                        continue
                    for word in cmd.args:
                        name = path_basename(word.text)
                        if word.text.startswith("-") or name not in archives or name in reported:
                            continue
                        reported.add(name)
                        yield self.finding(
                            ctx,
                            archives[name].span,
                            f"'{name}' is copied and then unpacked by '{cmd.name}' (line "
                            f"{cmd.span.start_line}): the archive stays in the COPY layer; "
                            "ADD unpacks local tar archives in one step",
                            related=(Related(cmd.span, "unpacked here"),),
                        )
