"""Which attribute or column of a usage record is which quantity: rules as data.

A usage record (an OpenTelemetry GenAI span, a row of a CSV or Parquet export) becomes
one request of one call of one session. ``PRESETS`` holds each source's defaults; every
field can be overridden (``--map call=llm.call``). Names are data, never SQL: the
aggregation quotes them as identifiers or binds them as parameters (``aggregate.py``).

Privacy: only the fields below are ever read. Names that hold prompt or response
content are refused outright (``CONTENT``), so no mapping can select them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args

from ..errors import CostgateError, suggest

Preset = Literal["otel", "litellm", "openai", "anthropic", "costgate"]
PRESETS_NAMES: tuple[Preset, ...] = get_args(Preset)
FieldName = Literal["feature", "call", "session", "model", "timestamp", "input_tokens", "output_tokens",
                    "reasoning_tokens", "cached_tokens"]
FIELD_NAMES: tuple[FieldName, ...] = get_args(FieldName)
SPAN_NAME = "span.name"
"""OTLP spans only: the span's own name (not an attribute), e.g. for the call."""
MAX_NAME = 200


@dataclass(frozen=True)
class Mapping:
    """Where each quantity is read from. ``None``: the source does not have it (a
    missing count reads as 0; without a session, requests per session are not measured;
    without a feature, every record belongs to the spec's feature)."""

    feature: str | None
    """Records are kept where this equals the spec's ``feature`` id."""
    call: str
    """The spec's call name (records of other names are reported as unmatched)."""
    session: str | None
    model: str | None
    timestamp: str | None
    """Epoch nanoseconds (OTLP) or a timestamp column: the calibration's date range."""
    input_tokens: str
    output_tokens: str
    reasoning_tokens: str | None
    cached_tokens: str | None
    output_includes_reasoning: bool = True
    """OpenAI and the OTel GenAI conventions count reasoning inside output tokens."""
    input_includes_cached: bool = True
    """OpenAI and OTel count cached tokens inside input tokens; Anthropic does not."""


PRESETS: dict[Preset, Mapping] = {
    # OpenTelemetry GenAI semantic conventions (gen_ai.* span attributes); the feature and
    # call are the app's own attributes, set where the span is started.
    "otel": Mapping(feature="costgate.feature", call="costgate.call", session="gen_ai.conversation.id",
                    model="gen_ai.request.model", timestamp="startTimeUnixNano",
                    input_tokens="gen_ai.usage.input_tokens", output_tokens="gen_ai.usage.output_tokens",
                    reasoning_tokens="gen_ai.usage.reasoning.output_tokens",
                    cached_tokens="gen_ai.usage.cache_read.input_tokens"),
    # LiteLLM spend logs (LiteLLM_SpendLogs table export).
    "litellm": Mapping(feature="feature", call="call", session="session_id", model="model", timestamp="startTime",
                       input_tokens="prompt_tokens", output_tokens="completion_tokens", reasoning_tokens=None,
                       cached_tokens=None),
    # One row per request with OpenAI's usage object flattened.
    "openai": Mapping(feature="feature", call="call", session="session_id", model="model", timestamp="created_at",
                      input_tokens="prompt_tokens", output_tokens="completion_tokens",
                      reasoning_tokens="reasoning_tokens", cached_tokens="cached_tokens"),
    # One row per request with Anthropic's usage object flattened (input excludes cache reads).
    "anthropic": Mapping(feature="feature", call="call", session="session_id", model="model",
                         timestamp="created_at", input_tokens="input_tokens", output_tokens="output_tokens",
                         reasoning_tokens=None, cached_tokens="cache_read_input_tokens",
                         output_includes_reasoning=False, input_includes_cached=False),
    # costgate's own flat layout (the synthetic generator writes it).
    "costgate": Mapping(feature="feature", call="call", session="session", model="model", timestamp="timestamp",
                        input_tokens="input_tokens", output_tokens="output_tokens",
                        reasoning_tokens="reasoning_tokens", cached_tokens="cached_tokens"),
}

CONTENT = ("gen_ai.prompt", "gen_ai.completion", "gen_ai.input.messages", "gen_ai.output.messages",
           "gen_ai.system_instructions", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "messages",
           "prompt", "completion", "response", "content", "input", "output", "request", "response_body", "body")
"""Names that carry prompt or response content: never mapped, so never read."""
OPTIONAL: tuple[str, ...] = ("feature", "session", "model", "timestamp", "reasoning_tokens", "cached_tokens")


def mapping_for(preset: str, overrides: tuple[str, ...] = ()) -> Mapping:
    """The preset's mapping with ``FIELD=NAME`` overrides (``FIELD=`` unsets an optional
    field; ``output_includes_reasoning=false`` and ``input_includes_cached=false`` flip the
    counting conventions)."""
    if preset not in PRESETS:
        raise CostgateError(f"unknown usage format {preset!r}", hint=f"one of {', '.join(PRESETS_NAMES)}")
    m = PRESETS[preset]
    for item in overrides:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise CostgateError(f"--map takes FIELD=NAME, got {item[:60]!r}", hint="e.g. --map call=llm.call.name")
        changes: dict[str, Any] = {key: _value(key, value)}
        m = replace(m, **changes)
    for name in (getattr(m, f.name) for f in fields(Mapping) if f.type in ("str", "str | None")):
        if isinstance(name, str) and name.lower() in CONTENT:
            raise CostgateError(f"{name!r} holds prompt or response content, which costgate never reads",
                                hint="map the field to an attribute holding a count or an id")
    return m


def _value(key: str, value: str) -> str | bool | None:
    flags = ("output_includes_reasoning", "input_includes_cached")
    if key in flags:
        if value.lower() not in ("true", "false"):
            raise CostgateError(f"--map {key} takes true or false, got {value[:40]!r}")
        return value.lower() == "true"
    if key not in FIELD_NAMES:
        raise CostgateError(f"--map: unknown field {key[:40]!r}",
                            hint=suggest(key, FIELD_NAMES + flags) or f"fields: {', '.join(FIELD_NAMES + flags)}")
    if not value:
        if key not in OPTIONAL:
            raise CostgateError(f"--map {key}= cannot be unset: every record needs its {key.replace('_', ' ')}")
        return None
    if len(value) > MAX_NAME or any(ord(c) < 32 for c in value):
        raise CostgateError(f"--map {key}: a name of at most {MAX_NAME} printable characters")
    return value


__all__ = ["Mapping", "PRESETS", "PRESETS_NAMES", "CONTENT", "SPAN_NAME", "mapping_for", "Preset"]
