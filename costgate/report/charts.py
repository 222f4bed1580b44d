"""Charts as text: a terminal sparkline and a Mermaid chart for markdown (GitHub renders
``xychart-beta`` blocks in comments and READMEs)."""

from __future__ import annotations

from decimal import Decimal

from ..estimate.results import Projection
from .money import fixed

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: tuple[Decimal, ...]) -> str:
    lo, hi = min(values), max(values)
    if hi == lo:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[int((v - lo) / (hi - lo) * (len(SPARKS) - 1))] for v in values)


def mermaid(p: Projection, title: str) -> str:
    """A Mermaid xychart-beta block (GitHub renders it in comments and READMEs)."""
    values = ", ".join(fixed(v, 0) for v in p.months)
    lines = ["```mermaid", "xychart-beta", f'    title "{title}"',
             f"    x-axis [{', '.join(f'M{m}' for m in range(1, len(p.months) + 1))}]",
             '    y-axis "USD per month"', f"    bar [{values}]"]
    if p.budget is not None:
        lines.append(f"    line [{', '.join(fixed(p.budget, 0) for _ in p.months)}]")
    lines.append("```")
    return "\n".join(lines)
