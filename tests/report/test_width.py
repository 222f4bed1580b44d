"""Terminal tables fit the terminal (report.width): low-priority columns hidden in the
documented order and named under the table, then the widest text wrapped; full width
when no width is given (a pipe, a file, --wide), byte for byte the old table."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from report.results import ANALYSIS_WHAT_IF, GATE_RESULT
from tabulate import tabulate

from costgate.report import estimate as estimate_report
from costgate.report import gate as gate_report
from costgate.report.width import MIN_WRAP, fit, wrap

HEADERS = ["name", "a", "bb", "text"]
ROWS = [["x", "1", "22", "the quick brown fox jumps over the lazy dog"], ["y", "3", "44", "short"]]


def test_no_width_is_the_plain_table():
    assert fit(ROWS, HEADERS, None, ("a",)) == tabulate(ROWS, headers=HEADERS, tablefmt="simple",
                                                         disable_numparse=True)
    assert fit(ROWS, HEADERS, 500, ("a",)) == fit(ROWS, HEADERS, None)


def test_columns_are_hidden_in_order_and_named():
    # full: tabulate pads each header by 2, so 6 + 3 + 4 + 43 and 3 gaps of 2 = 62 characters
    full = fit(ROWS, HEADERS, None)
    assert max(map(len, full.splitlines())) == 62
    text = fit(ROWS, HEADERS, 57, ("a", "bb"))  # hiding "a" (3 + a gap of 2) is enough
    assert text.splitlines()[0].split() == ["name", "bb", "text"]
    assert text.splitlines()[-1] == "(hidden to fit 57 columns: a; --wide shows every column)"
    assert max(len(line) for line in text.splitlines()[:-1]) == 57


def test_then_the_widest_column_wraps_at_spaces():
    text = fit(ROWS, HEADERS, 30, ())
    lines = text.splitlines()
    assert max(map(len, lines)) <= 30
    assert "the quick brown fox" in text.replace("\n", " ") or "the quick" in lines[2]
    assert " ".join(" ".join(lines).split()).count("lazy dog") == 1  # nothing lost


def test_prose_wraps_under_its_label():
    line = "per month:   $1,670.70  (10,000 sessions/day x 30 days = 300,000 sessions)"
    assert wrap(line, 40) == ("per month:   $1,670.70  (10,000\n"
                              "             sessions/day x 30 days =\n"
                              "             300,000 sessions)")
    assert wrap(line, None) == line


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=64, max_value=220))
def test_the_estimate_and_gate_reports_fit_any_width(width):
    """Every line of the terminal reports fits (the fixtures' longest unbreakable word is
    shorter than 64), and no figure is lost: the $/month column always stays."""
    for text in (estimate_report.to_table([ANALYSIS_WHAT_IF], width), gate_report.to_table(GATE_RESULT, width)):
        assert max(len(line) for line in text.splitlines()) <= width, text
    est = estimate_report.to_table([ANALYSIS_WHAT_IF], width)
    assert "$173.39" in est and "$/month" in est  # the answer call's monthly cost


def test_full_width_reports_are_unchanged():
    assert estimate_report.to_table([ANALYSIS_WHAT_IF], None) == estimate_report.to_table([ANALYSIS_WHAT_IF])
    assert gate_report.to_table(GATE_RESULT, None) == gate_report.to_table(GATE_RESULT)


def test_min_wrap_is_kept():
    text = fit([["a" * 3, "b " * 40]], ["x", "y"], 5, ())
    assert all(len(line) >= MIN_WRAP for line in text.splitlines()[2:3])
