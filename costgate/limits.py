"""Bounds on the work one run may do, so hostile input gets an error, never a hang.

Specs, templates and samples arrive in pull requests; each bound below turns "render a
template that expands forever" or "a billion users" into exit 2 with the limit's name
and how to raise it. The defaults sit far above any real feature. A repository raises
them under ``limits:`` in the base branch's ``costgate.yaml`` (a pull request cannot
raise its own), documented in docs/limits.md, whose table a test compares with this one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from .errors import CostgateError


@dataclass(frozen=True)
class WorkLimits:
    rendered_chars: int = 1_000_000
    """Characters one template may render to (and any string it builds on the way)."""
    render_seconds: int = 10
    """Seconds one template may take to render over one sample."""
    turns_per_session: int = 1_000
    """Calls of one kind in one session (``per_session``): the turns rendered and priced."""
    renders: int = 5_000_000
    """Template renders one call may do: its samples times the turns a ``turn``-dependent
    template is rendered for (so a long loop over many samples is refused, not a hang)."""
    sample_rows: int = 100_000
    """Sample rows read; larger files are sampled (a seeded reservoir) and the report says so."""
    sample_bytes: int = 100_000_000
    """Bytes of one samples file."""
    tail_users: int = 100_000_000
    """Users in ``traffic.users.count`` (tails use closed forms, so this only bounds absurd input)."""
    tokens_input_bytes: int = 50_000_000
    """Bytes ``costgate tokens`` reads."""
    file_bytes: int = 5_000_000
    """Bytes of one spec, template, config or price file."""

    def exceeded(self, name: str, value: object, where: str = "", *, file: str | None = None,
                 line: int | None = None) -> CostgateError:
        """The error for crossing limit ``name``: which limit, and how to raise it."""
        limit = getattr(self, name)
        return CostgateError(
            f"{where + ': ' if where else ''}{value} is over the {name} limit of {limit:,}",
            file=file, line=line,
            hint=f"raise it with `limits: {{{name}: N}}` in costgate.yaml on the base branch (docs/limits.md)",
        )

    def with_overrides(self, values: dict[str, Any]) -> WorkLimits:
        return replace(self, **values)


DEFAULT_LIMITS = WorkLimits()
LIMIT_KEYS = tuple(f.name for f in fields(WorkLimits))
MAXIMA = {"rendered_chars": 10**9, "render_seconds": 3_600, "turns_per_session": 10**6, "renders": 10**10,
          "sample_rows": 10**8,
          "sample_bytes": 10**11, "tail_users": 10**12, "tokens_input_bytes": 10**10, "file_bytes": 10**9}
"""How far a config may raise each limit (a bound on the bounds)."""
