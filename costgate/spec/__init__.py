"""The feature spec: its model (frozen records) and its strict loader."""

from .loader import CALL_KEYS, KEYS, TOP_KEYS, load_spec
from .model import (
    Budget,
    Cache,
    Call,
    History,
    Limits,
    Mix,
    ModelShare,
    Output,
    Router,
    Scenario,
    Spec,
    Template,
    Traffic,
    Users,
)

__all__ = ["Spec", "Call", "Template", "Traffic", "Users", "Limits", "Budget", "Scenario", "Cache", "History",
           "Output", "Router", "ModelShare", "Mix", "load_spec", "KEYS", "TOP_KEYS", "CALL_KEYS"]
