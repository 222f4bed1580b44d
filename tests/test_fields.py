"""costgate.fields.where: the path of a field in messages. Keys come from the documents
read, pull requests' files among them, so a key that is not one printable word is quoted."""

from __future__ import annotations

import pytest

from costgate.fields import where


@pytest.mark.parametrize("path, expected", [
    ((), "the top level"),
    (("models", 3, "prices", 0, "input"), "models[3].prices[0].input"),
    (("tokenizers", "claude-4.7", "ratios", "cjk"), "tokenizers.claude-4.7.ratios.cjk"),
    (("vars", "名前"), "vars.名前"),                                   # printable, not ASCII: as is
    (("tokenizers", "a b"), "tokenizers.'a b'"),
    (("tokenizers", "x\n::error::y"), "tokenizers.'x\\n::error::y'"),  # no raw newline
    (("k\x1b[31m",), "'k\\x1b[31m'"),                                  # no terminal escape
    (("k\u202e",), "'k\\u202e'"),                                      # no bidi override
    (("x" * 65,), "'" + "x" * 36 + "..."),                             # long: cut
    (("",), "''"),
])
def test_where(path, expected):
    assert where(path) == expected
