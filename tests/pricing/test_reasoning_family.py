"""Every shipped model of a reasoning family has a ``reasoning:`` block (docs/pricing.md,
"Reasoning tokens", the family rule): a model added by ``sync --add-new`` without one would
price its hidden reasoning tokens at zero."""

from __future__ import annotations

import re

from costgate.pricing import load_table

# The family rule, as docs/pricing.md states it (non-reasoning variants excluded by name).
REASONING_FAMILY = re.compile(
    r"^(o\d|gpt-5|codex-)"                       # OpenAI: o-series, GPT-5.x (pro, mini, nano, codex), Codex
    r"|^claude-(opus|sonnet|haiku)-[45]"         # Claude 4.x and 5.x (extended thinking)
    r"|^gemini-(2\.5|3)"                         # Gemini 2.5 and 3.x (thinking)
    r"|^deepseek-(reasoner|v3\.[12]|v4|flash)"   # DeepSeek reasoner and the hybrid V3.1+ models
    r"|^grok-(3-mini|4|code)"                    # Grok 3 Mini, Grok 4.x, Grok Code
)
NOT_REASONING = re.compile(r"non-reasoning|embedding")


def _family(model_id: str) -> bool:
    return bool(REASONING_FAMILY.search(model_id)) and not NOT_REASONING.search(model_id)


def test_every_reasoning_family_model_has_a_reasoning_block():
    table = load_table()
    family = [m for m in table.models.values() if _family(m.id)]
    assert len(family) > 50  # the rule matches the shipped lineups
    missing = sorted(m.id for m in family if m.reasoning is None)
    assert not missing, f"reasoning-family models without a reasoning: block: {missing}"


def test_family_blocks_say_they_are_estimates():
    for m in load_table().models.values():
        if m.reasoning is not None:
            assert "Estimate, not a measurement" in m.reasoning.source, m.id


def test_non_reasoning_variants_have_none():
    for m in load_table().models.values():
        if "non-reasoning" in m.id:
            assert m.reasoning is None, m.id


def test_rule_examples():
    assert all(_family(i) for i in ("gpt-5.4-nano", "o3-pro", "codex-mini", "claude-opus-4-7", "gemini-3.5-flash",
                                    "deepseek-v4-pro", "grok-4-fast-reasoning", "grok-code-fast-1"))
    assert not any(_family(i) for i in ("gpt-4o", "claude-3-5-haiku", "gemini-2.0-flash", "deepseek-chat",
                                        "grok-4-fast-non-reasoning", "grok-3", "gemini-embedding-001"))
