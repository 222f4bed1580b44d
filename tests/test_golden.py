"""The golden reports under tests/golden/, byte for byte: the README's example
pull-request comment (a change to fixtures/support-bot) and the estimate of the shipped
fixtures in every format. After an intended change run `python tests/update_golden.py`
and review `git diff tests/golden/`."""

from __future__ import annotations

import pytest
from helpers import GOLDEN
from update_golden import fixture_diff_markdown, generate

from costgate.report.gate import GITHUB_LIMIT, MARKER


def test_golden_fixture_diff(tmp_path):
    """The README's example comment. On a deliberate format change (or version bump),
    run `python tests/update_golden.py` and review `git diff tests/golden/`."""
    expected = (GOLDEN / "fixture-diff.md").read_text(encoding="utf-8")
    assert fixture_diff_markdown(tmp_path) == expected


def test_golden_fixture_diff_is_a_realistic_failing_comment():
    text = (GOLDEN / "fixture-diff.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == MARKER
    assert lines[1].startswith("## ❌ **costgate: 1 threshold crossed**, monthly cost +$")
    assert "fixtures/support-bot/prompts/system.j2" in text
    assert "2,338 → 2,596" in text  # the answer call's system prompt, before → after
    assert text.count("<details>") == 1
    assert len(text) < GITHUB_LIMIT


@pytest.mark.parametrize("name", ["estimate-fixtures.txt", "estimate-fixtures.md", "estimate-fixtures.json",
                                  "estimate-fixtures.html", "fixture-diff.html"])
def test_golden_estimate_reports(name):
    """Estimate reports of the shipped fixtures in every format, byte for byte. After an
    intended change: `python tests/update_golden.py` and review `git diff tests/golden/`."""
    assert generate(name) == (GOLDEN / name).read_text(encoding="utf-8")
