"""Encodings (costgate.tokens.encodings): the packaged BPE files against tiktoken's own
hashes, refusing a corrupt file, and exact counts against tiktoken's reference encoder."""

from __future__ import annotations

import hashlib
import shutil
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import pytest

from costgate import tokens
from costgate.errors import CostgateError
from costgate.tokens import TiktokenTokenizer

ENCODINGS = ("o200k_base", "cl100k_base")
SAMPLES = [
    "",
    "hello world",
    "Hello, world! 123456",
    "héllo wörld — ünïcode ✓ 日本語",
    "  spaces\n\nnewlines\t",
    "<|endoftext|> is plain text here",
    "def f(x):\n    return x ** 2  # comment\n",
    "I'm sure they'll've done it, haven't they?",
    "https://help.acmecloud.example/discounts?utm=1&b=2",
    "hello " * 50,
]


def packaged(name: str) -> Path:
    return Path(str(resources.files("costgate") / "encodings" / f"{name}.tiktoken"))


@pytest.fixture(scope="module")
def reference():
    """tiktoken's own encodings (patterns, special tokens, expected hashes from
    tiktoken_ext.openai_public), with the download redirected to the packaged file.
    TIKTOKEN_CACHE_DIR points into a tmp dir, so whatever tiktoken caches stays there."""
    import tiktoken
    import tiktoken.load
    import tiktoken_ext.openai_public as public

    mp = pytest.MonkeyPatch()
    cache = Path(__import__("tempfile").mkdtemp(prefix="tiktoken-ref-"))
    mp.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    hashes: dict[str, str] = {}

    def load_local(url: str, expected_hash: str | None = None):
        name = url.rsplit("/", 1)[-1].removesuffix(".tiktoken")
        hashes[name] = expected_hash
        return tiktoken.load.load_tiktoken_bpe(str(packaged(name)), expected_hash=expected_hash)

    mp.setattr(public, "load_tiktoken_bpe", load_local)
    try:
        encodings = {n: tiktoken.Encoding(**public.ENCODING_CONSTRUCTORS[n]()) for n in ENCODINGS}
    finally:
        mp.undo()
        shutil.rmtree(cache, ignore_errors=True)
    return SimpleNamespace(encodings=encodings, hashes=hashes)


# ------------------------------------------------------------------- packaged files

@pytest.mark.parametrize("name", ENCODINGS)
def test_packaged_file_matches_pinned_and_upstream_hash(name, reference):
    digest = hashlib.sha256(packaged(name).read_bytes()).hexdigest()
    assert digest == tokens.ENCODING_SHA256[name]
    assert digest == reference.hashes[name]  # the hash tiktoken itself expects


@pytest.fixture
def tampered(monkeypatch, tmp_path):
    """Point the package's resource lookup at a copy of encodings/ whose o200k file has
    one byte changed; restore the caches afterwards so later tests see the real file."""
    pkg = tmp_path / "costgate"
    shutil.copytree(packaged("o200k_base").parent, pkg / "encodings")
    target = pkg / "encodings" / "o200k_base.tiktoken"
    data = bytearray(target.read_bytes())
    data[10] = ord("A") if data[10] != ord("A") else ord("B")
    target.write_bytes(bytes(data))
    monkeypatch.setattr(tokens.encodings, "resources", SimpleNamespace(files=lambda package: pkg))
    tokens.load_encoding.cache_clear()
    tokens.registry._count_cached.cache_clear()
    yield
    monkeypatch.undo()
    tokens.load_encoding.cache_clear()
    tokens.registry._count_cached.cache_clear()


def test_tampered_file_is_refused(tampered):
    with pytest.raises(CostgateError) as info:
        tokens.encodings._read_verified("o200k_base")
    assert "encoding file o200k_base.tiktoken is corrupt" in info.value.message
    assert "reinstall costgate" in info.value.hint
    with pytest.raises(CostgateError, match="is corrupt"):
        tokens.load_encoding("o200k_base")
    # The untouched cl100k copy still loads.
    assert tokens.encodings._read_verified("cl100k_base") == packaged("cl100k_base").read_bytes()


def test_tampered_file_is_bad_input_at_the_cli(tampered, run, tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("hello world")
    code, out, err = run("tokens", "-m", "gpt-4o", f)
    assert code == 2
    assert out == ""
    assert err.startswith("error: encoding file o200k_base.tiktoken is corrupt (sha256 ")
    assert "Traceback" not in err


def test_unknown_encoding():
    with pytest.raises(CostgateError, match="unknown encoding 'p50k_base'"):
        tokens.load_encoding("p50k_base")


# -------------------------------------------------------------------- exact counts

@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("text", SAMPLES)
def test_counts_equal_tiktoken_reference(name, text, reference):
    expected = len(reference.encodings[name].encode(text, disallowed_special=()))
    assert TiktokenTokenizer(name).count(text) == expected


@pytest.mark.parametrize("name", ENCODINGS)
def test_encoding_definition_matches_tiktoken(name, reference):
    ours, ref = tokens.load_encoding(name), reference.encodings[name]
    assert ours._pat_str == ref._pat_str
    assert ours._special_tokens == ref._special_tokens
    assert ours.n_vocab == ref.n_vocab
    # Ranks are counted from line order (not parsed): the same table tiktoken parses.
    assert ours._mergeable_ranks == ref._mergeable_ranks


def test_known_small_counts():
    o200k, cl100k = TiktokenTokenizer("o200k_base"), TiktokenTokenizer("cl100k_base")
    assert o200k.count("hello world") == 2
    assert cl100k.count("hello world") == 2
    assert o200k.count("") == 0
    assert o200k.count("hello" + " hello" * 49) == 50  # "hello" then 49 x " hello"
    assert o200k.count("hello " * 50) == 51  # ... and the trailing space on its own
    assert o200k.exact is True


def test_special_token_text_counts_as_plain_text():
    o200k = TiktokenTokenizer("o200k_base")
    assert o200k.count("<|endoftext|>") > 1
