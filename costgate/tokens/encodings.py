"""The OpenAI BPE vocabularies, shipped inside the package and hash-checked on load.

A corrupted or swapped vocabulary would silently miscount every price, so each file is
checked against its SHA-256. We build ``tiktoken.Encoding`` objects from the bytes
ourselves instead of calling ``tiktoken.get_encoding``, which would try to download (and
cache) the files. Loaded lazily, once per process.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from ..errors import CostgateError

if TYPE_CHECKING:
    import tiktoken

ENCODING_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

# Split patterns and special tokens as published in tiktoken_ext.openai_public; the
# patterns are part of the encoding definition, so they are pinned here with the hashes.
PATTERNS = {
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k_base": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
}
_SPECIAL = {
    "cl100k_base": {
        "<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
        "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276,
    },
    "o200k_base": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
}


def _read_verified(name: str) -> bytes:
    data = resources.files("costgate").joinpath("encodings").joinpath(f"{name}.tiktoken").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != ENCODING_SHA256[name]:
        raise CostgateError(
            f"encoding file {name}.tiktoken is corrupt (sha256 {digest[:12]}..., "
            f"expected {ENCODING_SHA256[name][:12]}...)",
            hint="reinstall costgate; the packaged BPE file does not match its checksum",
        )
    return data


@lru_cache(maxsize=None)
def load_encoding(name: str) -> tiktoken.Encoding:
    """A tiktoken Encoding built from the packaged, hash-checked BPE file, or for an
    open-weight family (``exact.VOCABULARIES``) from its installed package's file."""
    import tiktoken

    from . import exact

    if name in exact.VOCABULARIES:
        return exact.load(name)
    if name not in ENCODING_SHA256:
        raise CostgateError(f"unknown encoding {name!r}", hint=f"known: {', '.join(ENCODING_SHA256)}")
    # "<base64 token> <rank>" per line; in both verified files the rank is the line's
    # index (tests/tokens pin it), so ranks are counted, not parsed: a third faster.
    tokens = _read_verified(name).split()[0::2]
    ranks = dict(zip(map(binascii.a2b_base64, tokens), range(len(tokens))))
    return tiktoken.Encoding(
        name=name, pat_str=PATTERNS[name], mergeable_ranks=ranks, special_tokens=_SPECIAL[name]
    )


# tiktoken's regex engine gives up ("Max stack size exceeded for backtracking") on a run
# of about a million whitespace characters that is not followed by a newline. Such a run
# H is cut out and counted as the regex would piece it, which for a whitespace run needs
# only the White_Space property (stable across Unicode versions), not letter classes:
#
# * where H starts is a piece boundary (no pattern ends a piece with spaces or tabs, and
#   a preceding newline run ends its own piece);
# * followed by a non-space X, ``\s+(?!\S)`` takes H[:-1] as one piece and H[-1] starts
#   X's piece; at the end of the text ``\s+(?!\S)`` takes all of H;
#
# so count(text) = count(before H) + BPE(H[:-1]) + count(H[-1] + after H), each part
# by tiktoken itself. Followed by a newline, tiktoken handles the run natively.
_WS = "\t\x0b\x0c \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
LONG_RUN = 10_000
LONG_BLANKS = re.compile(f"[{_WS}]{{{LONG_RUN},}}(?![\r\n{_WS}])")


def count_tokens(name: str, text: str) -> int:
    """Exact token count of ``text`` (special-token text counted as plain text)."""
    enc = load_encoding(name)
    total = 0
    while len(text) >= LONG_RUN and (m := LONG_BLANKS.search(text)) is not None:
        start, end = m.span()
        total += len(enc.encode(text[:start], disallowed_special=())) if start else 0
        if end == len(text):
            return total + _piece(enc, text[start:end])
        total += _piece(enc, text[start:end - 1])
        text = text[end - 1:]
    return total + len(enc.encode(text, disallowed_special=()))


def _piece(enc: tiktoken.Encoding, piece: str) -> int:
    """BPE tokens of one pre-tokenised piece."""
    return len(enc._core_bpe.encode_single_piece(piece.encode("utf-8")))
