"""The spec's key tables: which keys each mapping allows, and the largest value each
number may take. Data, compared with the JSON Schema and docs/spec.md by tests."""

from __future__ import annotations

# Allowed keys per mapping, by schema path ("calls[]" is every item of calls, "*" any key).
KEYS: dict[str, tuple[str, ...]] = {
    "": ("version", "feature", "description", "vars", "undefined", "traffic", "samples", "calls", "scenarios",
         "budget", "limits", "calibration"),
    "calibration": ("file",),
    "traffic": ("sessions_per_day", "days_per_month", "growth_per_month", "users"),
    "traffic.users": ("count", "heavy_user_share", "heavy_user_multiplier", "zipf", "zipf_exponent"),
    "samples": ("file", "max_rows"),
    "calls[]": ("name", "model", "mix", "per_session", "system", "context", "user", "history", "output_tokens",
                "cache", "batch", "retry_rate", "latency", "max_tokens", "router", "kind", "tools", "reasoning",
                "steps", "images", "observation", "prompt", "vars"),
    "calls[].prompt": ("file",),
    "calls[].system": ("file", "text", "format", "key", "symbol"),
    "calls[].observation": ("file", "text", "format", "key", "symbol"),
    "calls[].tools": ("file", "tool_choice"),
    "calls[].reasoning": ("effort", "tokens", "budget"),
    "calls[].reasoning.tokens": ("mean", "p95"),
    "calls[].steps": ("mean", "p95", "distribution", "max"),
    "calls[].images[]": ("width", "height", "detail"),
    "calls[].context": ("file", "text", "format", "key", "symbol"),
    "calls[].user": ("file", "text", "format", "key", "symbol"),
    "calls[].history": ("window", "tokens", "summary"),
    "calls[].history.summary": ("every", "tokens"),
    "calls[].output_tokens": ("mean", "max"),
    "calls[].cache": ("prompt_prefix", "ttl", "semantic_hit_rate", "exact_hit_rate", "embedding_model", "history"),
    "calls[].router": ("model", "output_tokens"),
    "scenarios.*.*": ("model", "mix"),
    "budget": ("monthly_usd", "worst_case_usd"),
    "limits": ("calls_per_user_per_hour", "calls_per_user_per_day", "max_input_tokens"),
}
# The largest value every number of a spec may take (docs/spec.md, "Numbers"): far above
# any real feature, far below what makes arithmetic or loops misbehave. Counts that size
# work (turns, users) are bounded by ``WorkLimits`` instead, which the base config raises.
MAXIMA: dict[str, int] = {
    "traffic.sessions_per_day": 10**9, "traffic.growth_per_month": 10, "traffic.users.heavy_user_multiplier": 10**6,
    "traffic.users.zipf": 10, "calls[].output_tokens": 10**7, "calls[].max_tokens": 10**7,
    "calls[].router.output_tokens": 10**6, "calls[].history.window": 10**6, "calls[].history.tokens": 10**9,
    "calls[].history.summary.every": 10**6, "calls[].history.summary.tokens": 10**7,
    "limits.calls_per_user_per_hour": 10**6, "limits.calls_per_user_per_day": 10**7,
    "limits.max_input_tokens": 10**8, "budget.monthly_usd": 10**12, "budget.worst_case_usd": 10**12,
    "calls[].reasoning.tokens": 10**7, "calls[].reasoning.budget": 10**7, "calls[].images[].width": 100_000,
    "calls[].images[].height": 100_000,
}
MAX_IMAGES = 100
"""Images one request may declare (providers accept tens; this bounds absurd input)."""
TOP_KEYS = set(KEYS[""])
CALL_KEYS = set(KEYS["calls[]"])
FEATURE_ID = r"[a-z0-9][a-z0-9._-]*"
CALL_NAME = r"[A-Za-z0-9_.-]+"
# The call settings that may be written ``{from: FILE, key: a.b.c}`` (a binding to the
# app's own settings) instead of a value, by schema path; at each of them the JSON Schema
# also allows the binding's keys, which tests/test_schema_keys.py adds to ``KEYS`` there.
BINDABLE: tuple[str, ...] = (
    "calls[].model", "calls[].mix.*", "calls[].per_session", "calls[].output_tokens", "calls[].output_tokens.mean",
    "calls[].output_tokens.max", "calls[].max_tokens", "calls[].reasoning.effort", "calls[].reasoning.tokens",
    "calls[].reasoning.tokens.mean", "calls[].reasoning.tokens.p95", "calls[].reasoning.budget", "calls[].steps",
    "calls[].steps.mean", "calls[].steps.p95",
)
BINDING_KEYS = ("from", "key")
SYMBOL = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,15}"
"""A Python constant: NAME, Class.NAME, Outer.Inner.NAME."""
