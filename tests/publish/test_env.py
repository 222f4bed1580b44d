"""Reading the CI environment: the pull-request number from GitHub's event file (hostile
or odd files give no number, never a crash), tokens."""

from __future__ import annotations

import json

import pytest

from costgate.errors import CostgateError
from costgate.publish.env import github_event_number, number, token


@pytest.mark.parametrize("payload,expected", [
    ({"pull_request": {"number": 12}}, "12"),
    ({"issue": {"number": 13, "pull_request": {"url": "x"}}}, "13"),
    ({"issue": {"number": 14}}, None),  # an issue, not a pull request
    ({"pull_request": {"number": "12"}}, None),
    ({"pull_request": {"number": True}}, None),
    ([1, 2], None),
    ({"pull_request": None}, None),
])
def test_the_number_from_the_event(tmp_path, payload, expected):
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    assert github_event_number({"GITHUB_EVENT_PATH": str(event)}) == expected


def test_unreadable_events_give_no_number(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for path in (bad, deep, tmp_path, tmp_path / "missing.json"):
        assert github_event_number({"GITHUB_EVENT_PATH": str(path)}) is None
    assert github_event_number({}) is None


def test_the_first_token_variable_set_wins_and_blank_is_unset():
    assert token({"A": " ", "B": "tok"}, None, ("A", "B"), "X") == ("B", "tok")
    assert token({"A": "a", "MINE": "m"}, "MINE", ("A",), "X") == ("MINE", "m")
    with pytest.raises(CostgateError, match=r"no X token: \$A and \$B are not set"):
        token({}, None, ("A", "B"), "X")


@pytest.mark.parametrize("value", ["0", "-1", "1.0", "²", "\u0663", "1" * 13, "12 "])
def test_a_pull_request_number_is_ascii_digits_or_exit_2(value):
    with pytest.raises(CostgateError, match="must be a positive number"):
        number(value, "--pull-request")
    assert number("0042", "--pull-request") == "42"
