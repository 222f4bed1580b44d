"""The marker line, tags, and cutting a body to a platform's limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costgate.errors import CostgateError
from costgate.publish.marker import check_tag, fit, is_marked, marker, retired, with_marker


def test_the_marker_names_the_tag():
    assert marker("default") == "<!-- costgate-report tag=default -->"
    assert marker("api.v2_x-1") == "<!-- costgate-report tag=api.v2_x-1 -->"


@pytest.mark.parametrize("tag", ["", "a b", "x" * 65, "a-->", "é", "a\nb", "<!--"])
def test_bad_tags_are_refused(tag):
    with pytest.raises(CostgateError, match="invalid --tag"):
        check_tag(tag)


def test_with_marker_adds_it_once():
    assert with_marker("report\n", "t") == "<!-- costgate-report tag=t -->\nreport\n"
    assert with_marker("<!-- costgate-report tag=t -->\nreport\r\n\n", "t") == "<!-- costgate-report tag=t -->\nreport\n"
    assert with_marker("<!-- costgate-report tag=u -->\nreport", "t").count("tag=u") == 1  # another tag's line is text


@pytest.mark.parametrize("body,marked", [
    ("<!-- costgate-report tag=t -->\nx", True),
    ("<!-- costgate-report tag=t -->\r\nx", True),
    ("<!-- costgate-report tag=t -->", True),
    (" <!-- costgate-report tag=t -->\nx", False),
    ("> <!-- costgate-report tag=t -->\nx", False),
    ("x\n<!-- costgate-report tag=t -->", False),
    ("<!-- costgate-report tag=tt -->\nx", False),
    ("<!-- costgate-report tag=t retired -->\nx", False),
])
def test_only_a_first_line_marker_of_the_same_tag_counts(body, marked):
    assert is_marked(body, "t") is marked


def test_retired_changes_only_the_first_line():
    assert retired("<!-- costgate-report tag=t -->\na\nb", "t") == "<!-- costgate-report tag=t retired -->\na\nb"
    assert not is_marked(retired("<!-- costgate-report tag=t -->\na", "t"), "t")


def test_fit_leaves_a_short_body_alone():
    assert fit("abc\n", 10, "X") == ("abc\n", False)


def test_fit_closes_an_open_code_fence():
    body = "head\n```\n" + "line\n" * 100 + "```\n"
    text, cut = fit(body, 400, "X")
    kept = text.split("\n\n> **Truncated", 1)[0]
    assert cut and kept.endswith("\n```") and kept.count("```") == 2 and len(text) <= 400


@given(st.lists(st.text(alphabet="ab |`\u00e9", max_size=40), min_size=1, max_size=80),
       st.integers(min_value=300, max_value=3000))
def test_fit_never_exceeds_the_limit_and_keeps_whole_lines(lines, limit):
    body = "<!-- costgate-report tag=t -->\n" + "\n".join(lines) + "\n"
    text, cut = fit(body, limit, "X")
    assert len(text) <= limit
    assert cut == (len(body) > limit)
    if cut:
        kept = text.split("\n\n> **Truncated by costgate:**", 1)[0].removesuffix("\n```")
        assert body.startswith(kept + "\n") and is_marked(text, "t")
