"""Pathological input stays exact: tiktoken's regex engine gives up on a run of about a
million whitespace characters, so such texts are counted piece by piece with the same
pattern and the same merges. The piecewise count must equal tiktoken's wherever
tiktoken itself succeeds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costgate.tokens.encodings import count_by_pieces, count_tokens, load_encoding

ENCODINGS = ("o200k_base", "cl100k_base")
ALPHABET = st.sampled_from(list(" \t\n\r\u00a0\u2028aZé9_!?.,;:'\"-/\\中🙂"))


@pytest.mark.parametrize("name", ENCODINGS)
@settings(max_examples=150, deadline=None)
@given(text=st.text(ALPHABET, max_size=300) | st.text(max_size=200))
def test_piecewise_count_equals_tiktoken(name, text):
    assert count_by_pieces(name, text) == len(load_encoding(name).encode(text, disallowed_special=()))


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
