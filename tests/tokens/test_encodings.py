"""Tokenizers: packaged BPE files, exact counts against tiktoken, chat overhead, the
approximation, the registry, and the `costgate tokens` command."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import pytest

from costgate import tokens
from costgate.errors import CostgateError
from costgate.pricing import load_table
from costgate.tokens import (
    ApproxTokenizer,
    ChatOverhead,
    Message,
    TiktokenTokenizer,
    count_messages,
)

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


# ------------------------------------------------------------------- chat overhead

@dataclass(frozen=True)
class WordTokenizer:
    """One token per whitespace-separated word: trivially hand-countable."""

    name: str = "words"
    exact: bool = True

    def count(self, text: str) -> int:
        return len(text.split())


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


# ------------------------------------------------------------------- approximation

@dataclass(frozen=True)
class FixedTokenizer:
    n: int
    name: str = "fixed"
    exact: bool = True

    def count(self, text: str) -> int:
        return self.n


@pytest.mark.parametrize("n, ratio, expected", [
    (10, "1.16", 12),  # 11.6 -> 12
    (25, "1.16", 29),  # 29.00 exactly stays 29
    (0, "1.16", 0),
    (1, "1.001", 2),  # any fraction rounds up
    (3, "0.5", 2),  # 1.5 -> 2
    (4, "0.5", 2),
    (1000, "1.046", 1046),
])
def test_approx_rounds_up(n, ratio, expected):
    tok = ApproxTokenizer("fam", FixedTokenizer(n), Decimal(ratio))
    assert tok.count("whatever") == expected
    assert tok.exact is False


def test_table_resolves_claude_to_approximation():
    table = load_table()
    tok = table.tokenizer(table.model("claude-sonnet-4-5"))
    assert isinstance(tok, ApproxTokenizer)
    assert tok.name == "claude" and tok.ratio == Decimal("1.16") and not tok.exact
    assert tok.count("hello world") == 3  # ceil(2 * 1.16)


def test_resolve_unknown_family():
    with pytest.raises(CostgateError, match="unknown tokenizer 'nope'"):
        tokens.resolve("nope", {})


# ------------------------------------------------------------------------ registry

@pytest.fixture
def isolated_registry(monkeypatch):
    """Registrations made by a test vanish afterwards."""
    monkeypatch.setattr(tokens.registry, "_REGISTRY", dict(tokens.registry._REGISTRY))
    tokens.get_tokenizer.cache_clear()
    yield
    monkeypatch.undo()
    tokens.get_tokenizer.cache_clear()


@dataclass(frozen=True)
class CharTokenizer:
    name: str = "claude"
    exact: bool = True

    def count(self, text: str) -> int:
        return len(text)


def test_builtins_are_registered():
    assert {"o200k_base", "cl100k_base"} <= set(tokens.registered())


def test_plugin_tokenizer_wins_over_approximation(isolated_registry):
    tokens.register("claude", CharTokenizer)
    assert "claude" in tokens.registered()
    table = load_table()
    tok = table.tokenizer(table.model("claude-sonnet-4-5"))
    assert isinstance(tok, CharTokenizer)
    assert tok.count("hello world") == 11


def test_plugin_tokenizer_is_used_by_the_cli(isolated_registry, run, tmp_path):
    tokens.register("claude", CharTokenizer)
    f = tmp_path / "t.txt"
    f.write_text("hello world")
    code, out, err = run("tokens", "-m", "claude-sonnet-4-5", f)
    assert (code, out, err) == (0, "11\n", "")


def test_plugin_under_a_new_name(isolated_registry):
    tokens.register("words", WordTokenizer)
    assert tokens.get_tokenizer("words").count("a b c") == 3
    assert tokens.resolve("words").name == "words"


def test_broken_entry_point_plugin_is_bad_input(isolated_registry, monkeypatch):
    class EP:
        name = "broken"

        def load(self):
            raise ImportError("no module named broken_plugin")

    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: [EP()] if group == "costgate.tokenizers" else [])
    monkeypatch.setattr(tokens.registry, "_plugins_loaded", False)
    with pytest.raises(CostgateError, match="tokenizer plugin 'broken' failed to load"):
        tokens.registered()


# ----------------------------------------------------------------------------- CLI

@pytest.fixture
def text_file(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("hello world", encoding="utf-8")
    return f


@pytest.fixture
def messages_file(tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps([
        {"role": "system", "content": "hello world"},
        {"role": "user", "content": "hello world", "name": "bob"},
    ]), encoding="utf-8")
    return f


def test_cli_tokens_text(run, text_file):
    assert run("tokens", text_file) == (0, "2\n", "")


def test_cli_tokens_text_cl100k_model(run, text_file):
    assert run("tokens", "-m", "gpt-4", text_file) == (0, "2\n", "")


def test_cli_tokens_messages(run, messages_file):
    # reply 3 + system (3 + 1 + 2) + user (3 + 1 + 2) + name (1 + 1) = 17
    assert run("tokens", "--messages", messages_file) == (0, "17\n", "")


def test_cli_tokens_messages_json(run, messages_file):
    code, out, err = run("tokens", "--messages", "--format", "json", "-m", "gpt-4o-mini", messages_file)
    assert code == 0 and err == ""
    assert json.loads(out) == {"schema_version": 1, "model": "gpt-4o-mini", "tokenizer": "o200k_base",
                               "exact": True, "messages": True, "tokens": 17}


def test_cli_tokens_approximate_model(run, text_file):
    code, out, err = run("tokens", "-m", "claude-sonnet-4-5", text_file)
    assert code == 0
    assert out == "~3\n"  # ceil(2 * 1.16)
    assert err == "~ approximate: claude-sonnet-4-5 uses the claude tokenizer, estimated from o200k_base\n"


def test_cli_tokens_messages_no_overhead_provider(run, messages_file):
    # Anthropic publishes no per-message rule: role + content + name, times 1.16, per count.
    # ceil(1.16*1)=2 for each one-token string, ceil(1.16*2)=3 for "hello world".
    code, out, _ = run("tokens", "--messages", "-m", "claude-sonnet-4-5", messages_file)
    assert code == 0
    assert out == f"~{(2 + 3) + (2 + 3 + 2)}\n"


def test_cli_tokens_from_stdin(run, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("hello world"))
    assert run("tokens") == (0, "2\n", "")
