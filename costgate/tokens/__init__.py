"""Exact, offline token counts: shipped vocabularies, approximations, chat overheads, tool definitions, images."""

from .chat import TEMPLATES, ChatOverhead, ChatTemplate, Message, count_messages, family_overhead, parse_messages
from .encodings import ENCODING_SHA256, load_encoding
from .images import Detail, ImageCount, image_tokens, parse_image
from .registry import (
    Approximation,
    ApproxTokenizer,
    TiktokenTokenizer,
    Tokenizer,
    get_tokenizer,
    register,
    registered,
    resolve,
)
from .tools import ToolCount, parse_tool_choice, parse_tools, tool_tokens

__all__ = ["TEMPLATES", "ChatTemplate", "family_overhead", "ChatOverhead", "Message", "count_messages", "parse_messages", "ENCODING_SHA256", "load_encoding",
           "ApproxTokenizer", "Approximation", "TiktokenTokenizer", "Tokenizer", "get_tokenizer", "register",
           "registered", "resolve", "Detail", "ImageCount", "image_tokens", "parse_image", "ToolCount",
           "parse_tool_choice", "parse_tools", "tool_tokens"]
