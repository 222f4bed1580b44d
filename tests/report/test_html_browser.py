"""The HTML reports in headless Chromium (issue 17's acceptance): the golden reports of the
shipped fixtures (an estimate of every fixture spec, the support-bot diff; byte-equal to
what the command prints, tests/test_golden.py) and a page of hostile names, each at 1280
and 375 CSS pixels wide. Each must make no request but for itself, log no console error
or warning, run no script, and overflow nothing; the screenshots are kept in
$COSTGATE_ARTIFACTS (default tests/artifacts/html/, git-ignored) for a human to look at.

Chromium comes from the distribution (.ci/run installs Debian's ``chromium``); without it
these tests skip, unless COSTGATE_REQUIRE_CHROMIUM=1 (set by .ci/run), when they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import GOLDEN, TESTS
from report.browser import chromium, load
from report.test_calibrate_report import result as calibrated_result
from report.test_html import _hostile_estimate, _hostile_gate

from costgate.report.html_calibrate import to_html as calibrate_html
from costgate.report.html_estimate import to_html as estimate_html
from costgate.report.html_gate import to_html as gate_html

WIDTHS = (1280, 375)
PNG = b"\x89PNG\r\n\x1a\n"


def _binary() -> str:
    found = chromium()
    if found is None:
        if os.environ.get("COSTGATE_REQUIRE_CHROMIUM") == "1":
            pytest.fail("COSTGATE_REQUIRE_CHROMIUM=1 but no chromium on PATH (apt-get install chromium)")
        pytest.skip("no chromium on PATH: apt-get install -y --no-install-recommends chromium "
                    "(or set COSTGATE_CHROMIUM to a Chromium binary)")
    return found


def _artifacts() -> Path:
    out = Path(os.environ.get("COSTGATE_ARTIFACTS") or TESTS / "artifacts") / "html"
    out.mkdir(parents=True, exist_ok=True)
    return out


def _page(name: str, tmp_path: Path) -> Path:
    if name == "hostile.html":
        path = tmp_path / name
        path.write_text(estimate_html([_hostile_estimate()]), encoding="utf-8")
        return path
    if name == "hostile-diff.html":
        path = tmp_path / name
        path.write_text(gate_html(_hostile_gate()), encoding="utf-8")
        return path
    if name == "calibrate.html":  # a hand-built calibration whose records name a hostile call
        path = tmp_path / name
        path.write_text(calibrate_html(calibrated_result()), encoding="utf-8")
        return path
    return GOLDEN / name


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["estimate-fixtures.html", "fixture-diff.html", "hostile.html", "hostile-diff.html",
                                  "calibrate.html"])
def test_report_renders_cleanly_in_chromium(name, width, tmp_path):
    binary = _binary()
    page = _page(name, tmp_path)
    report = load(page, width, tmp_path / "profile", binary)
    (_artifacts() / f"{page.stem}-{width}.png").write_bytes(report.png)
    assert report.requests == [report.url], "the page requested something besides itself"
    assert report.console == []
    assert report.layout["scripts"] == 0
    assert report.layout["scrollWidth"] <= report.layout["innerWidth"] == width
    assert report.layout["overflowing"] == []
    assert report.layout["clipped"] == [], "chart text cut off at the chart's edge"
    assert report.png.startswith(PNG) and report.layout["height"] > 300


def test_printed_reports_fit_the_paper(tmp_path):
    """With the print style sheet at an A4 page's printable width (about 720 CSS pixels),
    nothing overflows: no scroll boxes hide a table's columns on paper."""
    binary = _binary()
    for name in ("estimate-fixtures.html", "fixture-diff.html"):
        report = load(GOLDEN / name, 720, tmp_path / name, binary, media="print")
        (_artifacts() / f"{Path(name).stem}-print.png").write_bytes(report.png)
        assert report.console == [] and report.requests == [report.url]
        assert report.layout["scrollWidth"] <= 720 and report.layout["overflowing"] == []
        assert report.layout["clipped"] == []


def test_the_checks_see_requests_console_errors_scripts_and_overflow(tmp_path):
    """The same checks on a page that breaks every rule (a test that cannot fail is a defect):
    an image from 127.0.0.1 (a closed port: nothing leaves the machine), a script logging
    an error, and a box wider than the window."""
    binary = _binary()
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png">'
                   '<script>console.error("boom")</script><div style="width:2000px">wide</div>'
                   '<svg viewBox="0 0 100 20" width="100"><text x="90" y="10">cut off here</text></svg></body></html>',
                   encoding="utf-8")
    report = load(bad, 375, tmp_path / "profile", binary)
    assert "http://127.0.0.1:9/x.png" in report.requests
    assert any("boom" in line for line in report.console)
    assert report.layout["scripts"] == 1
    assert report.layout["scrollWidth"] > 375 and report.layout["overflowing"]
    assert report.layout["clipped"] == ["cut off here"]
