"""Valid but unreasonable HEALTHCHECK timing: probes that hammer the service or can never finish."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.dockerfile.parse import Instruction
from dfcheck.dockerfile.validate import parse_duration
from dfcheck.lint.finding import Finding, Severity
from dfcheck.lint.rule import Rule, RuleContext

SECOND = 1e9
DEFAULT_NS = 30 * SECOND


class HealthcheckTimingRule(Rule):
    code = "DF305"
    name = "healthcheck-timing"
    severity = Severity.WARNING
    summary = "HEALTHCHECK interval, timeout, start period or retries are unreasonable"
    instructions = frozenset({"HEALTHCHECK"})
    options = {"min_interval_seconds": 5, "max_start_period_seconds": 600, "max_retries": 10}

    def check_instruction(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        hc = ins
        values = {f.name: f for f in hc.flags if f.value is not None}
        ns = {name: parse_duration(f.value or "") for name, f in values.items() if name != "retries"}
        interval = ns.get("interval") or DEFAULT_NS
        timeout = ns.get("timeout") or DEFAULT_NS
        min_interval = ctx.option(self, "min_interval_seconds") * SECOND
        if "interval" in values and ns["interval"] and ns["interval"] < min_interval:
            yield self.finding(
                ctx,
                values["interval"].value_span,
                f"probing every {values['interval'].value} puts steady load on the service and the "
                f"daemon; use {ctx.option(self, 'min_interval_seconds')}s or more",
            )
        if "timeout" in values and timeout > interval:
            yield self.finding(
                ctx,
                values["timeout"].value_span,
                f"timeout {values['timeout'].value} is longer than the interval "
                f"({values['interval'].value if 'interval' in values else '30s default'}): a hung probe "
                "overlaps the next one",
            )
        period = ns.get("start-period")
        if period and period > ctx.option(self, "max_start_period_seconds") * SECOND:
            yield self.finding(
                ctx,
                values["start-period"].value_span,
                f"a start period of {values['start-period'].value} hides a broken container for that "
                "long after every start",
            )
        retries = values.get("retries")
        if (
            retries
            and (retries.value or "").isdigit()
            and int(retries.value or 0) > ctx.option(self, "max_retries")
        ):
            yield self.finding(
                ctx,
                retries.value_span,
                f"{retries.value} retries times the interval is how long an outage goes unnoticed",
            )
