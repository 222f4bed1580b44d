"""The phrases every format's estimate shares (table, markdown, JSON, HTML), written once:
why a figure marked ``~`` is approximate, one line per reason, a model's lifecycle
warning, and what the figures were sampled over."""

from __future__ import annotations

from typing import Callable

from ..estimate.results import Estimate, Lifecycle
from ..tokens.exact import extra_for
from .money import error_percent

Escape = Callable[[str], str]
APPROX_MARK = "~"


def approximate_notes(e: Estimate, esc: Escape) -> list[str]:
    """Why the figures marked ~ are approximate, one line per reason."""
    models = [m for c in e.calls for m in c.models if m.approximate]
    toks = sorted({esc(m.tokenizer) for m in models if "tokenizer" in m.approximate_parts or not m.approximate_parts})
    notes = []
    if toks:
        notes.append(f"{APPROX_MARK} approximate: token counts for {', '.join(toks)} are an exact tokenizer's counts "
                     "(o200k or cl100k) times a calibration ratio per script (see `costgate pricing show MODEL`); "
                     "costs on those models are approximate too")
        bars = sorted({(esc(m.tokenizer), error_percent(m.approximation.p95_error)) for m in models
                       if m.approximation is not None and esc(m.tokenizer) in toks})
        if bars:
            notes.append(f"{APPROX_MARK} measured count error: " + ", ".join(f"{t} ±{pct}% (p95)" for t, pct in bars))
        extras = sorted({extra_for(m.tokenizer) for m in models if extra_for(m.tokenizer)})
        if extras:
            notes.append(f"{APPROX_MARK} " + ", ".join(f"pip install '{x}'" for x in extras)
                         + (" counts them exactly" if len(extras) == 1 else " count them exactly"))
    for part, why in (("tools", "tool definitions on {} are counted by a rule the provider does not publish"),
                      ("images", "image tokens on {} follow a formula the provider calls approximate"),
                      ("reasoning", "reasoning tokens on {} are the price table's estimate for the effort level; "
                                    "declare measured ones with reasoning: {{tokens: N}}")):
        named = sorted({esc(m.model) for m in models if part in m.approximate_parts})
        if named:
            notes.append(f"{APPROX_MARK} approximate: " + why.format(", ".join(named)) + " (docs/spec.md)")
    return notes


def warning_text(w: Lifecycle) -> str:
    """A deprecated or retired model in words (unescaped: the caller escapes for its destination)."""
    if w.status == "retired":
        return f"{w.model} was retired on {w.since.isoformat()}: calls to it fail"
    return f"{w.model} is deprecated since {w.since.isoformat()}"


def samples_text(e: Estimate) -> str:
    """'20 samples', or '1,000 samples (a uniform sample of the file's 50,000 rows)'."""
    if e.samples_total > e.samples:
        return f"{e.samples:,} samples (a uniform sample of the file's {e.samples_total:,} rows)"
    return f"{e.samples} samples"
