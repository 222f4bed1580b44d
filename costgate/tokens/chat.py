"""What a chat API bills around the messages: per-message and reply-priming tokens."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from ..errors import CostgateError
from .registry import Tokenizer


@dataclass(frozen=True)
class ChatOverhead:
    """Tokens a chat API adds around messages (OpenAI cookbook: 3 per message, +1 for a
    name, 3 priming the reply). Zero for providers that publish no such rule.

    ``per_role`` overrides ``per_message`` for a role (Mistral's template wraps a user
    turn in two control tokens and ends an assistant turn with one); ``role_text`` says
    whether the role's name is written into the prompt as text (OpenAI, Llama, Qwen) or
    only implied by control tokens (Mistral, DeepSeek)."""

    per_message: int = 0
    per_name: int = 0
    reply: int = 0
    per_role: tuple[tuple[str, int], ...] = ()
    role_text: bool = True

    def for_role(self, role: str) -> int:
        return next((n for r, n in self.per_role if r == role), self.per_message)

    def role_tokens(self, role: str, role_count: int) -> int:
        """What a message of ``role`` costs beyond its content; ``role_count`` is the
        role's name in tokens (counted by the caller, which holds the tokenizer)."""
        return self.for_role(role) + (role_count if self.role_text else 0)


@dataclass(frozen=True)
class ChatTemplate:
    """An open-weight family's chat template reduced to what it adds per message and per
    request, with where it was read and how it was checked."""

    overhead: ChatOverhead
    source: str


_CTOK = "ctok 1.3.0 (https://github.com/sanderland/ctok): the single-message frame, measured on count_tokens"

TEMPLATES: dict[str, ChatTemplate] = {
    # <|begin_of_text|>, then per message <|start_header_id|>ROLE<|end_header_id|>\n\n
    # CONTENT<|eot_id|> (4 tokens + the role), then the assistant header (4 + "assistant").
    "llama3": ChatTemplate(ChatOverhead(per_message=4, reply=5),
                           "llama-models 0.3.0 llama_models/llama3/chat_format.py (ChatFormat.encode_dialog_prompt)"),
    # The same shape with <|header_start|>, <|header_end|> and <|eot|>.
    "llama4": ChatTemplate(ChatOverhead(per_message=4, reply=5),
                           "llama-models 0.3.0 llama_models/llama4/chat_format.py (ChatFormat.encode_dialog_prompt)"),
    # Tekken (v3): <s>, [INST]USER[/INST], ASSISTANT</s>; the system prompt is joined to
    # the last user message by a blank line, so it adds no control token.
    "tekken": ChatTemplate(ChatOverhead(per_message=0, reply=1, role_text=False,
                                        per_role=(("user", 2), ("assistant", 1), ("tool", 2))),
                           "mistral-common 1.13.1 InstructTokenizerV3 (tekken_240911.json) encode_chat_completion"),
    # SentencePiece v7: <s>, [SYSTEM_PROMPT]SYSTEM[/SYSTEM_PROMPT], [INST]USER[/INST],
    # ASSISTANT</s>.
    "mistral-spm": ChatTemplate(ChatOverhead(per_message=0, reply=1, role_text=False,
                                             per_role=(("system", 2), ("user", 2), ("assistant", 1), ("tool", 2))),
                                "mistral-common 1.13.1 InstructTokenizerV7 (mistral_instruct_tokenizer_241114.model.v7) "
                                "encode_chat_completion"),
    # <｜begin▁of▁sentence｜>SYSTEM, <｜User｜>USER, <｜Assistant｜>ASSISTANT<｜end▁of▁sentence｜>,
    # then <｜Assistant｜> priming the reply.
    "deepseek": ChatTemplate(ChatOverhead(per_message=0, reply=2, role_text=False,
                                          per_role=(("user", 1), ("assistant", 2), ("tool", 1))),
                             "https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/tokenizer_config.json "
                             "(chat_template)"),
    # ChatML: <|im_start|>ROLE\nCONTENT<|im_end|>\n (4 + the role), then
    # <|im_start|>assistant\n priming the reply.
    "qwen2": ChatTemplate(ChatOverhead(per_message=4, reply=3),
                          "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/blob/main/tokenizer_config.json (chat_template)"),
    # Claude publishes no template; ctok 1.3.0 measured the frame of a one-user-message
    # request from recorded count_tokens responses (7, 11 and 6 tokens by generation).
    # Only that frame is counted: what a system prompt or further messages add is unmeasured.
    "claude": ChatTemplate(ChatOverhead(reply=7, role_text=False), _CTOK),
    "claude-4.7": ChatTemplate(ChatOverhead(reply=11, role_text=False), _CTOK),
    "claude-4.8": ChatTemplate(ChatOverhead(reply=6, role_text=False), _CTOK),
}
"""Chat-template overheads per tokenizer family, used for a provider whose price file
declares no ``chat_overhead`` of its own: the open-weight families' published templates
(hosts bill the token ids the model reads, template included) and Claude's measured
frame. Gemini and Grok publish nothing: zero. Pinned against the publishers' own
encoders by tests/tokens/test_chat_templates.py."""


def family_overhead(family: str) -> ChatOverhead:
    """The chat overhead of ``family``'s published template, or none."""
    template = TEMPLATES.get(family)
    return template.overhead if template else ChatOverhead()


@dataclass(frozen=True)
class Message:
    role: str
    content: str
    name: str | None = None


def count_messages(tokenizer: Tokenizer, messages: Iterable[Message], overhead: ChatOverhead) -> int:
    """Prompt tokens of a chat request as the provider bills them."""
    total = overhead.reply
    for m in messages:
        total += overhead.role_tokens(m.role, tokenizer.count(m.role)) + tokenizer.count(m.content)
        if m.name:
            total += overhead.per_name + tokenizer.count(m.name)
    return total


MESSAGES_HINT = '--messages expects [{"role": "system", "content": "..."}, ...]'


def load_json(text: str, file: str, hint: str) -> Any:
    """``text`` as JSON, or the error naming its line (``--messages`` input)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CostgateError(f"invalid JSON: {exc.msg}", file=file, line=exc.lineno, hint=hint) from None
    except (RecursionError, ValueError):
        raise CostgateError("invalid JSON: nested too deeply or a number too long", file=file, hint=hint) from None


def parse_messages(text: str, file: str) -> list[Message]:
    """A JSON list of ``{role, content[, name]}`` chat messages, validated."""
    return messages_of(load_json(text, file, MESSAGES_HINT), file)


def messages_of(raw: Any, file: str) -> list[Message]:
    """Already parsed JSON as a list of ``{role, content[, name]}`` chat messages, validated."""
    hint = MESSAGES_HINT
    if not isinstance(raw, list) or not all(isinstance(x, dict) and isinstance(x.get("role"), str)
                                            and isinstance(x.get("content"), str)
                                            and isinstance(x.get("name", ""), str) for x in raw):
        raise CostgateError("messages must be a list of {role, content[, name]} objects with string values",
                            file=file, hint=hint)
    return [Message(x["role"], x["content"], x.get("name")) for x in raw]
