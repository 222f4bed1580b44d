"""The HTML reports from hand-built records (tests/report/results.py): escaping of every
string a pull request controls, the page's promises (no script, no URL, a CSP), the
accessibility structure of each chart, and figures equal to the markdown report's."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal as D
from html import unescape
from html.parser import HTMLParser

from helpers import GOLDEN, ROOT
from hypothesis import given
from hypothesis import strategies as st
from report.results import ANALYSIS, ANALYSIS_WHAT_IF, ESTIMATE, GATE_RESULT

from costgate.estimate.results import Analysis, Extras, Projection
from costgate.report import estimate as estimate_report
from costgate.report import gate as gate_report
from costgate.report.html import CSP, CSS
from costgate.report.html_estimate import to_html as estimate_html
from costgate.report.html_gate import to_html as gate_html
from costgate.report.svg import BUDGET, MUTED, PALETTE, Chart, Row, Value, axis_money, bars, esc, nice_step, num

HOSTILE = '<script>alert(1)</script>"onload=alert(2) \'x\' &amp;'


class Page(HTMLParser):
    """Tags, attributes, and the text of every table cell, by table."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _md_tables(text: str) -> list[list[list[str]]]:
    """Markdown pipe tables as rows of cells (separator rows dropped)."""
    tables: list[list[list[str]]] = []
    last = False
    for line in text.splitlines():
        row = line.startswith("|")
        if row and not re.fullmatch(r"[|:\- ]+", line):
            if not last:
                tables.append([])
            tables[-1].append([c.strip().replace("\\", "") for c in line.strip("|").split("|")])
        last = row
    return tables


def _hostile_estimate():
    call = dataclasses.replace(ESTIMATE.calls[1], name=HOSTILE,
                               models=tuple(dataclasses.replace(m, model=HOSTILE + m.model)
                                            for m in ESTIMATE.calls[1].models))
    e = dataclasses.replace(ESTIMATE, feature=HOSTILE, spec_file=HOSTILE + ".yaml",
                            calls=(ESTIMATE.calls[0], call), by_model=((HOSTILE, D(1)),))
    return Analysis(e, Extras(projection=Projection(D("0.1"), (D(1),) * 12, D(2), None),
                              levers=tuple(dataclasses.replace(lv, call=HOSTILE, description=HOSTILE,
                                                               trade_off=HOSTILE, removes=HOSTILE)
                                           for lv in ANALYSIS_WHAT_IF.extras.levers or ())))


def _hostile_gate():
    f = GATE_RESULT.features[0]
    feature = dataclasses.replace(f, feature=HOSTILE, spec_file=HOSTILE, base_spec_file=HOSTILE,
                                  after=dataclasses.replace(f.after, feature=HOSTILE))
    return dataclasses.replace(GATE_RESULT, base=HOSTILE, head=HOSTILE, features=(feature, *GATE_RESULT.features[1:]),
                               config_changed=True, config_file=HOSTILE, pricing_error=HOSTILE)


def test_every_string_a_pull_request_writes_is_escaped():
    for text in (estimate_html([_hostile_estimate()]), gate_html(_hostile_gate())):
        assert "<script" not in text.lower()
        assert '"onload=' not in text and "'x'" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=alert(2) &#x27;x&#x27; &amp;amp;" in text
        tags = {t for t, _ in Page(text).tags}
        assert "script" not in tags
        assert all(not k.startswith("on") for _, attrs in Page(text).tags for k in attrs)


def test_the_page_loads_nothing_and_runs_nothing():
    for text in (estimate_html([ANALYSIS_WHAT_IF]), gate_html(GATE_RESULT)):
        assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in text
        assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        assert not re.search(r"(?i)https?:|//[a-z]|src=|href=|@import|url\(", text)
        assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">")


def test_the_same_records_give_the_same_bytes():
    assert estimate_html([ANALYSIS, ANALYSIS_WHAT_IF]) == estimate_html([ANALYSIS, ANALYSIS_WHAT_IF])
    assert gate_html(GATE_RESULT) == gate_html(GATE_RESULT)
    assert "2026-11-01" in gate_html(GATE_RESULT)


def test_each_chart_is_labelled_and_has_its_numbers_as_a_table():
    text = estimate_html([ANALYSIS, ANALYSIS_WHAT_IF]) + gate_html(GATE_RESULT)
    charts = text.split('<div class="chart">')[1:]
    assert len(charts) == 3 + 4 + 2  # by call, by model, tokens (+ savings); gate: features, the changed one
    assert text.count("<figure") == text.count("<svg") == len(charts)
    for chart in charts:
        chart = chart.split("</details>")[0]
        tags = dict(Page(chart).tags)
        figure, svg = tags["figure"], tags["svg"]
        assert figure["role"] == svg["role"] == "img"
        title_id, desc_id = (svg["aria-labelledby"] or "").split()
        title = re.search(f'<title id="{title_id}">([^<]+)</title>', chart)
        desc = re.search(f'<desc id="{desc_id}">([^<]+)</desc>', chart)
        assert title and desc and figure["aria-label"] == f"{unescape(title[1])}. {unescape(desc[1])}"
        assert "<figcaption>" in chart
        figure_end, table = chart.index("</figure>"), chart.index("<table>")
        assert figure_end < chart.index("<details><summary>") < table  # the numbers, outside the image
    ids = re.findall(r' id="([^"]+)"', text.split("<!DOCTYPE html>")[1])
    assert len(ids) == len(set(ids))


def test_headings_form_an_outline():
    levels = [int(t[1]) for t, _ in Page(estimate_html([ANALYSIS, ANALYSIS_WHAT_IF])).tags if re.fullmatch(r"h\d", t)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))  # never skips a level going down


def test_hand_computed_figures():
    """route $0.765 and answer $173.394 a month (results.py): the total $174.159 shows as
    $174.16, so the parts are apportioned to $0.77 + $173.39 (largest remainder)."""
    tables = Page(estimate_html([ANALYSIS])).tables
    calls = tables[0]
    assert [r[8] for r in calls[1:]] == ["$0.77", "$173.39"]
    assert [r[6] for r in calls[1:]] == ["$0.000026", "$0.002890"]  # $0.0000255 half up; 0.7 x 0.000507 + 0.3 x 0.00845
    assert tables[1][1:] == [["route", "$0.77"], ["answer", "$173.39"]]  # the chart's data
    assert "<h2 id=\"f1\">support-bot: $174.16/month</h2>" in estimate_html([ANALYSIS])


def test_estimate_figures_equal_the_markdown_report():
    for a in (ANALYSIS, ANALYSIS_WHAT_IF):
        md = _md_tables(estimate_report.to_markdown([a]))
        html = Page(estimate_html([a])).tables
        assert html[0] == md[0]  # the calls table, cell by cell
        if a.extras.levers:
            lever_md = next(t for t in md if t[0][0] == "#")
            lever_html = next(t for t in html if t[0][0] == "#")
            assert [r[3:5] for r in lever_html] == [r[3:5] for r in lever_md]
        alt_md, alt_html = md[-1], next(t for t in html if t[0][0] == "alternative")
        assert alt_html == alt_md


def test_gate_figures_equal_the_markdown_report():
    md = _md_tables(gate_report.to_markdown(GATE_RESULT))
    html = Page(gate_html(GATE_RESULT)).tables
    assert [r[1:] for r in html[0][1:]] == [r[1:] for r in md[0][1:]]  # status, gate, $/session, $/month, change
    calls_md, calls_html = md[1], html[2]  # html[1] is the features chart's data
    assert [r[1:] for r in calls_html[1:]] == [r[1:] for r in calls_md[1:]]
    assert html[1][1:] == [["support-bot", "$1,000.00", "$1,234.57"], ["nightly", "$45.00", "$45.00"]]


def test_growth_chart_draws_the_projection_and_the_budget():
    x = Extras(projection=Projection(D("0.5"), tuple(D(100) * D("1.5") ** m for m in range(12)), D(300), 4))
    text = estimate_html([Analysis(ESTIMATE, x)])
    assert "exceeds the $300.00 budget in month 4" in text
    data = next(t for t in Page(text).tables if t[0][0] == "month")
    assert data[1] == ["M1", "$100.00", "$300.00"] and data[4] == ["M4", "$337.50", "$300.00"]
    assert 'stroke-dasharray="6 4"><title>budget: $300.00</title>' in text


# ------------------------------------------------------------------------------ svg

def test_bars_are_proportional_to_their_values():
    chart = bars(Chart("c", "t", "d"), [Row("a", (Value(D(50), "$50"),)), Row("b", (Value(D(100), "$100"),))],
                 ["x"], axis_money)
    widths = [D(w) for w in re.findall(r'<rect x="150" y="\d+" width="([\d.]+)"', chart)]
    assert widths == [D(125), D(250)]  # axis 0..100, 250 units wide
    assert re.findall(r">(\$\d+)</text>", chart)[-2:] == ["$50", "$100"]


@given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False, places=6))
def test_coordinates_are_plain_and_close(value):
    text = num(value)
    assert re.fullmatch(r"-?\d+(\.\d{1,2})?", text) and text != "-0"
    assert abs(D(text) - value) <= D("0.005")


@given(st.decimals(min_value=D("0.001"), max_value=10**12, allow_nan=False, allow_infinity=False))
def test_tick_steps_are_round(top):
    step = nice_step(top)
    assert step.normalize().as_tuple().digits[0] in (1, 2, 5)
    assert top / 4 <= step < top / 4 * 10


def test_esc_escapes_quotes_and_flattens_lines():
    assert esc('a"b\'c<d>&\ne\x1b') == "a&quot;b&#x27;c&lt;d&gt;&amp; e\\x1b"


# ------------------------------------------------------------------------ fixtures, docs

def test_golden_estimate_figures_equal_the_golden_markdown():
    """The shipped fixtures' reports (tests/golden/): every calls table of the HTML page is
    the markdown report's, cell by cell, feature by feature."""
    md = [t for t in _md_tables((GOLDEN / "estimate-fixtures.md").read_text(encoding="utf-8")) if t[0][0] == "call"]
    html = [t for t in Page((GOLDEN / "estimate-fixtures.html").read_text(encoding="utf-8")).tables
            if t[0][:2] == ["call", "model"]]
    assert len(html) == len(md) == 5
    assert html == md
    levers_md = [[r[3:5] for r in t] for t in _md_tables((GOLDEN / "estimate-fixtures.md").read_text(encoding="utf-8"))
                 if t[0][0] == "#"]
    levers_html = [[r[3:5] for r in t] for t in Page((GOLDEN / "estimate-fixtures.html").read_text(encoding="utf-8")).tables
                   if t[0][0] == "#"]
    assert levers_html == levers_md


def test_golden_diff_figures_equal_the_golden_comment():
    md = _md_tables((GOLDEN / "fixture-diff.md").read_text(encoding="utf-8"))
    html = Page((GOLDEN / "fixture-diff.html").read_text(encoding="utf-8")).tables
    assert [r[1:] for r in html[0][1:]] == [r[1:] for r in md[0][1:]]
    assert [r[1:] for r in html[2][1:]] == [r[1:] for r in md[1][1:]]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_colours_have_text_contrast_on_white():
    """WCAG 2 contrast ratio of every colour text or bars are drawn in, against white: 4.5:1."""
    colours = set(PALETTE) | {MUTED, BUDGET} | set(re.findall(r"#[0-9a-f]{6}", CSS)) - {"#ffffff", "#d9d9d9"}
    for c in sorted(colours):
        assert (1.05) / (_luminance(c) + 0.05) >= 4.5, c
    assert round(1.05 / (_luminance("#767676") + 0.05), 2) == 4.54  # the formula, on a known grey


def test_docs_state_the_policy_the_page_carries():
    doc = (ROOT / "docs" / "html.md").read_text(encoding="utf-8")
    assert CSP in doc.replace("\n  ", " ")
    assert "--format html" in (ROOT / "README.md").read_text(encoding="utf-8")
