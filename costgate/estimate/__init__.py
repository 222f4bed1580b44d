"""From a spec and a price table to numbers: render, count, bill, simulate, project."""

from .results import (
           Alternative,
           Analysis,
           CallEstimate,
           Estimate,
           Extras,
           Lever,
           ModelCost,
           Projection,
           UserTails,
           WorstCase,
)
from .simulate import DEFAULT_SEED, DEFAULT_SESSIONS, estimate

__all__ = ["estimate", "DEFAULT_SEED", "DEFAULT_SESSIONS", "Alternative", "Analysis", "CallEstimate", "Estimate",
           "Extras", "Lever", "ModelCost", "Projection", "UserTails", "WorstCase"]
