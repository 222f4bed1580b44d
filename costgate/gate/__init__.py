"""The pull-request gate: compare base and head, decide which thresholds a change crosses."""

from .ci import ci_base_ref, in_github_actions
from .diff import diff
from .model import CallDiff, Crossing, FeatureDiff, GateResult

__all__ = ["diff", "ci_base_ref", "in_github_actions", "CallDiff", "Crossing", "FeatureDiff", "GateResult"]
