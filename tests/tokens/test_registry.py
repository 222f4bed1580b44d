"""The tokenizer registry (costgate.tokens.registry): approximations of tokenizers costgate
does not ship (rounded to the nearest token, per-script ratios), the built-ins, and plugins registered in code or through entry
points, which win over an approximation (at the command line too)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from helpers import WordTokenizer

from costgate import tokens
from costgate.errors import CostgateError
from costgate.pricing import load_table
from costgate.tokens import ApproxTokenizer


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
    (1, "1.001", 1),  # to the nearest token: rounding up biased every string by +1
    (3, "0.5", 2),  # 1.5 -> 2 (halves to even)
    (5, "0.5", 2),  # 2.5 -> 2
    (4, "0.5", 2),
    (1000, "1.046", 1046),
])
def test_approx_rounds_to_nearest(n, ratio, expected):
    tok = ApproxTokenizer("fam", FixedTokenizer(n), Decimal(ratio))
    assert tok.count("whatever") == expected
    assert tok.exact is False


def test_table_resolves_claude_to_approximation():
    table = load_table()
    tok = table.tokenizer(table.model("claude-sonnet-4-5"))
    assert isinstance(tok, ApproxTokenizer)
    assert tok.name == "claude" and tok.ratio == Decimal("1.182") and not tok.exact  # the latin ratio (pricing/anthropic.yaml)
    assert tok.count("hello world") == 2  # round(2 * 1.182)


def test_resolve_unknown_family():
    with pytest.raises(CostgateError, match="unknown tokenizer 'nope'"):
        tokens.resolve("nope", {})


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


def test_approx_ratio_per_script():
    from costgate.tokens.scripts import segments
    tok = ApproxTokenizer("fam", tokens.get_tokenizer("o200k_base"), Decimal("1"),
                          ratios=(("latin", Decimal("1")), ("cjk", Decimal("2"))))
    text = "Hello world 東京は日本の首都です"
    parts = segments(text)
    assert [s for s, _ in parts] == ["latin", "cjk"] and "".join(p for _, p in parts) == text
    o200k = tokens.get_tokenizer("o200k_base")
    assert tok.count(text) == o200k.count(parts[0][1]) + 2 * o200k.count(parts[1][1])
    assert tok.ratio_for("emoji") == Decimal("1")  # unlisted script: the plain ratio


def test_shipped_per_script_ratios_load():
    a = load_table().approximations["deepseek"]
    assert dict(a.ratios)["latin"] == a.ratio and "cjk" in dict(a.ratios) and a.p95_error is not None


def test_claude_per_script_count_by_hand():
    """The shipped Claude ratios (pricing/anthropic.yaml: latin 1.182, code 1.231, cjk 1.515,
    cyrillic 1.477) times each script run's o200k count, summed, rounded once per text."""
    table = load_table()
    tok = table.tokenizer(table.model("claude-sonnet-4-5"))
    o200k = tokens.get_tokenizer("o200k_base").count
    assert (o200k("Hello world "), o200k("東京は日本の首都です")) == (3, 7)
    # 3 x 1.182 + 7 x 1.515 = 3.546 + 10.605 = 14.151 -> 14 (rounding each run would give 4 + 11 = 15)
    assert tok.count("Hello world 東京は日本の首都です") == 14
    # one line with Cyrillic is not code, so its Latin letters stay latin; the next line is code:
    # 'Привет, мир! ' 6 x 1.477 + 'def f(x):\n    ' 5 x 1.182 + 'return {x: 1}\n' 7 x 1.231
    # = 8.862 + 5.910 + 8.617 = 23.389 -> 23
    assert (o200k("Привет, мир! "), o200k("def f(x):\n    "), o200k("return {x: 1}\n")) == (6, 5, 7)
    assert tok.count("Привет, мир! def f(x):\n    return {x: 1}\n") == 23
