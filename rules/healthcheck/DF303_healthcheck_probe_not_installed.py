"""A HEALTHCHECK that calls curl in an image without curl marks every container unhealthy."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build import images
from dfcheck.dockerfile.model import Stage, program_name
from dfcheck.dockerfile.source import Span
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

PROBES = frozenset({"curl", "wget", "nc", "ncat", "netcat", "grpc_health_probe", "pg_isready", "redis-cli"})
INSTALLERS = frozenset({"apk", "apt-get", "apt", "yum", "dnf", "microdnf", "zypper", "tdnf"})


def installed_by(ctx: RuleContext, chain: list[Stage], tool: str) -> bool:
    """Does any step of the chain install or copy ``tool`` (package install, COPY of the binary)?"""
    for stage in chain:
        for ins in stage.instructions:
            if ins.keyword in ("COPY", "ADD") and any(program_name(t.value) == tool for t in ins.args):
                return True
            for script in ctx.scripts(ins):
                for cmd in script.commands:
                    if cmd.name in INSTALLERS and any(
                        w.text == tool or w.text.startswith((tool + "=", tool + "-")) for w in cmd.args
                    ):
                        return True
                    if cmd.name in ("curl", "wget") and any(tool in w.text for w in cmd.args):
                        return True
    return False


def probe(chain: list[Stage]) -> tuple[str, Span] | None:
    """(program, span) the last HEALTHCHECK of the stage chain runs first."""
    checks = [i for s in chain for i in s.instructions if i.keyword == "HEALTHCHECK"]
    if not checks or not checks[-1].args or checks[-1].args[0].value.upper() != "CMD":
        return None
    hc = checks[-1]
    if hc.is_json:
        argv = hc.args[1:]
        return (program_name(argv[0].value), argv[0].span) if argv else None
    from dfcheck.shell import parse_script

    rest = hc.args[1] if len(hc.args) > 1 else None
    if rest is None:
        return None
    offset = hc.rest.find(rest.value)
    script = parse_script(rest.value, hc.rest_map.sub(offset, offset + len(rest.value)))
    for cmd in script.commands:
        if cmd.name in PROBES:
            return cmd.name, cmd.name_span
    return None


class ProbeNotInstalledRule(Rule):
    code = "DF303"
    name = "healthcheck-probe-not-installed"
    severity = Severity.ERROR
    summary = "HEALTHCHECK runs a program the image does not contain"
    requires_instructions = frozenset({"HEALTHCHECK"})

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        found = probe(chain)
        if found is None:
            return
        tool, span = found
        known = images.tools(chain[0].base) if chain[0].parent is None else None
        if known is None or tool in known or installed_by(ctx, chain, tool):
            return
        base = chain[0].base.raw or "scratch"
        have = ", ".join(sorted(t for t in known if t != "sh")) or "no such tools"
        yield self.finding(
            ctx,
            span,
            f"HEALTHCHECK runs '{tool}', which '{base}' does not contain ({have}) and no step installs: "
            "the probe fails and the container never becomes healthy",
        )
