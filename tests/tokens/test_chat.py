"""Chat overhead (costgate.tokens.chat): per-message, per-name and reply-priming tokens,
hand-counted with helpers.WordTokenizer and with o200k."""

from __future__ import annotations

from helpers import WordTokenizer

from costgate.tokens import ChatOverhead, Message, TiktokenTokenizer, count_messages


def test_count_messages_hand_computed():
    msgs = [
        Message("system", "you are terse"),  # 3 + 1 + 3
        Message("user", "hi there", name="bob smith"),  # 3 + 1 + 2 + (1 + 2)
        Message("assistant", "hello"),  # 3 + 1 + 1
    ]
    ov = ChatOverhead(per_message=3, per_name=1, reply=3)
    assert count_messages(WordTokenizer(), msgs, ov) == 3 + 7 + 9 + 5


def test_count_messages_without_overhead_is_plain_sum():
    msgs = [Message("user", "a b c"), Message("user", "d", name="n")]
    assert count_messages(WordTokenizer(), msgs, ChatOverhead()) == (1 + 3) + (1 + 1 + 1)


def test_count_messages_empty_list_is_reply_priming_only():
    assert count_messages(WordTokenizer(), [], ChatOverhead(3, 1, 3)) == 3


def test_count_messages_with_o200k():
    tok = TiktokenTokenizer("o200k_base")
    # role words and "bob" are one o200k token each, "hello world" is two
    assert [tok.count(s) for s in ("system", "user", "bob", "hello world")] == [1, 1, 1, 2]
    msgs = [Message("system", "hello world"), Message("user", "hello world", name="bob")]
    assert count_messages(tok, msgs, ChatOverhead(3, 1, 3)) == 3 + (3 + 1 + 2) + (3 + 1 + 2 + 1 + 1)
