"""Pathological input stays exact: tiktoken's regex engine gives up on a run of about a
million whitespace characters, so such runs are cut out and counted as the regex pieces
them (costgate.tokens.encodings). The count must equal tiktoken's wherever tiktoken
itself succeeds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costgate.tokens import encodings
from costgate.tokens.encodings import count_tokens, load_encoding

ENCODINGS = ("o200k_base", "cl100k_base")
ALPHABET = st.sampled_from(list(" \t\n\r\x0b\x85\u00a0\u2028\u3000aZé9_!?.,;:'\"-/\\中🙂"))


@pytest.fixture
def short_runs(monkeypatch):
    """Cut runs of 3 or more blanks, so short random texts exercise the cutting path (the
    patch is the same for every generated input: it never changes between examples)."""
    monkeypatch.setattr(encodings, "LONG_RUN", 3)
    monkeypatch.setattr(encodings, "LONG_BLANKS", encodings.re.compile(
        f"[{encodings._WS}]{{3,}}(?![\\r\\n{encodings._WS}])"))


@pytest.mark.parametrize("name", ENCODINGS)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(ALPHABET, max_size=120))
def test_cut_count_equals_tiktoken(short_runs, name, text):
    assert count_tokens(name, text) == len(load_encoding(name).encode(text, disallowed_special=()))


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("run", [" " * 50_000 + "x", "a\n" + "\t" * 60_000 + " b", "\n" * 30_000 + "  " * 20_000])
def test_long_runs_tiktoken_can_still_do_agree(name, run):
    assert count_tokens(name, run) == len(load_encoding(name).encode(run, disallowed_special=()))


@pytest.mark.parametrize("name", ENCODINGS)
def test_a_million_spaces_is_counted_not_a_crash(name):
    text = " " * 1_000_000 + "x"
    with pytest.raises(ValueError):  # the native path fails here: this test would notice if it stopped failing
        load_encoding(name).encode(text, disallowed_special=())
    # a million spaces cost about as much per space as a shorter run of the same kind
    shorter = count_tokens(name, " " * 100_000 + "x")
    assert 9 * shorter <= count_tokens(name, text) <= 11 * shorter
