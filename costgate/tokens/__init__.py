"""Exact, offline token counts: shipped vocabularies, approximations, chat overheads."""

from .chat import ChatOverhead, Message, count_messages, parse_messages
from .encodings import ENCODING_SHA256, load_encoding
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

__all__ = ["ChatOverhead", "Message", "count_messages", "parse_messages", "ENCODING_SHA256", "load_encoding",
           "ApproxTokenizer", "Approximation", "TiktokenTokenizer", "Tokenizer", "get_tokenizer", "register",
           "registered", "resolve"]
