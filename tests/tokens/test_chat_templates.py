"""Chat-template overheads of the open-weight families (tokens/chat.py TEMPLATES) against
the publishers' own dialog encoders: costgate's message count with the family's exact
tokenizer equals the length of the prompt the reference encoder builds. Skipped, naming
the extra, when the package is not installed."""

from __future__ import annotations

import os

import pytest
from helpers import installed

from costgate.pricing import load_table
from costgate.tokens import TEMPLATES, ChatOverhead, Message, count_messages, family_overhead, resolve

DIALOGS = [
    [("user", "Hello")],
    [("system", "You are a helpful assistant."), ("user", "What is the capital of France?")],
    [("system", "Answer in one word."), ("user", "Q1: colour of the sky?"), ("assistant", "Blue"),
     ("user", "Q2: and of grass, at noon, in summer?")],
    [("user", "Привет! 東京 😀"), ("assistant", "def f(x):\n    return x\n"), ("user", '{"a": [1, 2]}')],
]


def ours(family: str, dialog) -> int:
    return count_messages(resolve(family, {}), [Message(r, t) for r, t in dialog], family_overhead(family))


@pytest.mark.skipif(not installed("llama-models"), reason="pip install 'costgate[llama]'")
@pytest.mark.parametrize("dialog", DIALOGS)
def test_llama3_equals_llama_models_chat_format(dialog):
    from llama_models.datatypes import RawMessage
    from llama_models.llama3.chat_format import ChatFormat
    from llama_models.llama3.tokenizer import Tokenizer

    raw = [RawMessage(role=r, content=t, **({"stop_reason": "end_of_turn"} if r == "assistant" else {}))
           for r, t in dialog]
    reference = ChatFormat(Tokenizer.get_instance()).encode_dialog_prompt(raw)
    assert ours("llama3", dialog) == len(reference.tokens)


@pytest.mark.skipif(not installed("llama-models"), reason="pip install 'costgate[llama]'")
@pytest.mark.parametrize("dialog", DIALOGS)
def test_llama4_equals_its_published_dialog_layout(dialog):
    """llama_models/llama4/chat_format.py needs torch, so its layout (the same as Llama 3's
    with <|header_start|>, <|header_end|> and <|eot|>) is written out and encoded by
    llama-models' own Llama 4 tokenizer, special tokens allowed."""
    from llama_models.llama4.tokenizer import Tokenizer

    tok = Tokenizer.get_instance()
    text = "<|begin_of_text|>" + "".join(f"<|header_start|>{r}<|header_end|>\n\n{t}<|eot|>" for r, t in dialog)
    text += "<|header_start|>assistant<|header_end|>\n\n"
    assert ours("llama4", dialog) == len(tok.encode(text, bos=False, eos=False, allowed_special="all"))


def _mistral(filename: str):
    import mistral_common
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    return MistralTokenizer.from_file(os.path.join(os.path.dirname(mistral_common.__file__), "data", filename))


def _mistral_prompt(tokenizer, dialog) -> int:
    from mistral_common.protocol.instruct.messages import AssistantMessage, SystemMessage, UserMessage
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    kinds = {"system": SystemMessage, "user": UserMessage, "assistant": AssistantMessage}
    return len(tokenizer.encode_chat_completion(
        ChatCompletionRequest(messages=[kinds[r](content=t) for r, t in dialog])).tokens)


@pytest.mark.skipif(not installed("mistral-common"), reason="pip install 'costgate[mistral]'")
@pytest.mark.parametrize("dialog", DIALOGS)
def test_tekken_equals_mistral_common(dialog):
    """The system prompt is joined to the last user message by a blank line, which the
    BPE may merge with the text around it: exact without a system message, within one
    token with one."""
    reference = _mistral_prompt(_mistral("tekken_240911.json"), dialog)
    slack = 1 if any(r == "system" for r, _ in dialog) else 0
    assert abs(ours("tekken", dialog) - reference) <= slack


@pytest.mark.skipif(not installed("mistral-common"), reason="pip install 'costgate[mistral]'")
@pytest.mark.parametrize("dialog", DIALOGS)
def test_mistral_spm_overhead_equals_mistral_common(dialog):
    """costgate approximates SentencePiece v7 text, so the template alone is compared: the
    reference prompt minus the reference's own count of each message's text."""
    tokenizer = _mistral("mistral_instruct_tokenizer_241114.model.v7")
    inner = tokenizer.instruct_tokenizer.tokenizer
    text = sum(len(inner.encode(t, bos=False, eos=False)) for _, t in dialog)
    ov = family_overhead("mistral-spm")
    assert ov.reply + sum(ov.role_tokens(r, 0) for r, _ in dialog) == _mistral_prompt(tokenizer, dialog) - text


def test_deepseek_template_hand_counted():
    """<｜begin▁of▁sentence｜>SYS<｜User｜>Q<｜Assistant｜>A<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜>:
    1 + 0 + 1 + 2 + 1 + 1 control tokens around the text."""
    ov = family_overhead("deepseek")
    roles = ["system", "user", "assistant", "user"]
    assert ov.reply + sum(ov.role_tokens(r, 99) for r in roles) == 6


def test_claude_frames_are_ctoks_measured_single_message_frames():
    """ctok 1.3.0: a one-user-message request costs its content plus 7 (Claude 3 to Opus
    4.6), 11 (Opus 4.7) or 6 (4.8 and later) tokens of frame; no role name as text."""
    for family, frame in (("claude", 7), ("claude-4.7", 11), ("claude-4.8", 6)):
        ov = family_overhead(family)
        assert ov.reply + ov.role_tokens("user", 1) == frame


def test_closed_families_and_unknown_have_no_template():
    for family in ("gemini", "grok", "o200k_base", "no-such-family"):
        assert family_overhead(family) == ChatOverhead()
    assert {"llama3", "llama4", "tekken", "mistral-spm", "deepseek", "qwen2"} <= set(TEMPLATES)


def test_the_price_table_applies_a_family_template_only_where_the_provider_declares_none():
    table = load_table()
    assert table.overhead(table.model("gpt-4o")) == ChatOverhead(3, 1, 3)  # openai.yaml declares one
    for provider, family in (("meta", "llama3"), ("mistral", "tekken"), ("deepseek", "deepseek")):
        model = next(m for m in table.models.values() if m.provider == provider and m.tokenizer == family
                     and m.kind == "chat")
        assert table.overhead(model) == TEMPLATES[family].overhead, model.id
    assert table.model("claude-opus-4-7").tokenizer == "claude-4.7"
    assert table.model("claude-sonnet-5").tokenizer == "claude-4.8"
    assert table.overhead(table.model("claude-sonnet-4-5")) == TEMPLATES["claude"].overhead
