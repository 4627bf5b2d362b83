"""The HTML report in a real headless Chromium: its self-check, hostile input, and a screenshot.

Loaded with ``#selftest``, the page clicks its own severity filters and a rule link, records
what stayed visible, any script error, console error, CSP violation or ``alert()``, and writes
the result into the DOM, which ``--dump-dom`` hands back. Skipped when no Chromium is installed.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.shared_report import (
    CACHE_EXTRAS,
    XSS,
    pin_rules,
    render,
    shared_options,
    shared_report,
    xss_report,
)

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str | None:
    explicit = os.environ.get("DFCHECK_CHROMIUM")
    if explicit:
        return explicit
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


BROWSER = _browser()
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium binary found")


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_rules(monkeypatch)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    command = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def selftest(page: Path, tmp_path: Path) -> tuple[dict[str, Any], str]:
    done = chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", page.as_uri() + "#selftest")
    match = re.search(r'<pre id="selftest-result">(.*?)</pre>', done.stdout, re.S)
    assert match, f"no self-test result in the page (exit {done.returncode}):\n{done.stderr[-2000:]}"
    return json.loads(html.unescape(match.group(1))), done.stdout


def test_filters_help_and_hostile_input_in_a_real_browser(tmp_path: Path) -> None:
    report = xss_report()
    page = tmp_path / "report.html"
    page.write_text(render("html", report), encoding="utf-8")
    result, dom = selftest(page, tmp_path)

    assert result["errors"] == []
    assert result["alerts"] == []
    assert result["scripts"] == 2, "an injected <script> element made it into the page"
    severities = Counter(f.severity.label for r in report.files for f in r.findings)
    total = sum(severities.values())
    assert result["findings"] == result["initial"] == result["restored"] == total
    assert result["without"] == {
        sev: total - severities[sev] for sev in ("error", "warning", "info", "style")
    }
    assert result["none"] == 0
    assert result["marksOff"] == result["marks"] > 0
    assert result["help"] == {"code": "DF001", "shown": True, "closed": True}
    assert html.escape(XSS, quote=False) in dom


def test_screenshot(tmp_path: Path) -> None:
    artifacts = Path(os.environ.get("DFCHECK_ARTIFACTS") or tmp_path / "artifacts")
    artifacts.mkdir(parents=True, exist_ok=True)
    page = artifacts / "dfcheck-report.html"
    page.write_text(render("html", shared_report()), encoding="utf-8")
    shot = artifacts / "dfcheck-report.png"
    shot.unlink(missing_ok=True)
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", page.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1600)
    assert len(data) > 30_000, "the screenshot looks blank"


def test_self_check_notices_injected_script_and_network(tmp_path: Path) -> None:
    """The negative control: had escaping failed, the CSP blocks the script and the check says so."""
    page = tmp_path / "report.html"
    injected = '<main><script>alert(1)</script><img src="http://example.invalid/x.png">'
    page.write_text(render("html").replace("<main>", injected, 1), encoding="utf-8")
    result, _ = selftest(page, tmp_path)
    assert result["alerts"] == []
    assert result["scripts"] == 3
    assert any(e.startswith("csp: script-src") for e in result["errors"])
    assert any(e.startswith("csp: img-src") for e in result["errors"])


def test_cache_view_in_a_real_browser(tmp_path: Path) -> None:
    """The layer-cache view: each line status has its own colour, and the stage table, history,
    chart and suggestion diff are laid out (not collapsed to nothing)."""
    page = tmp_path / "history.html"
    page.write_text(render("html", shared_report()), encoding="utf-8")
    result, _ = selftest(page, tmp_path)
    assert result["errors"] == []
    assert set(result["cache"]) == {"reused", "heat1", "heat4", "meta"}
    assert len(set(result["cache"].values())) == 4, result["cache"]
    assert all(result["visible"].values()), result["visible"]

    extras = {"Dockerfile": {**CACHE_EXTRAS["Dockerfile"], "history": None}}
    plain = tmp_path / "change.html"
    plain.write_text(render("html", shared_report(), shared_options(extras=extras)), encoding="utf-8")
    result, _ = selftest(plain, tmp_path)
    assert result["errors"] == []
    assert set(result["cache"]) == {"reused", "rerun", "meta"}
    assert len(set(result["cache"].values())) == 3, result["cache"]
    visible = result["visible"]
    assert visible[".cache-stages"] and visible["pre.diff"] and not visible[".cache-history"]
