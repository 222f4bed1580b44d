"""History policies (costgate.estimate.history): how many earlier turns each resends.
What resending costs, per policy, is hand-computed in test_levers.py."""

from __future__ import annotations

from decimal import Decimal as D

from costgate.estimate.history import rule_for


def test_history_window_policy_counts():
    from costgate.spec import Call, History, Template

    call = Call(name="c", mix=(("gpt-4o", D(1)),), per_session=D(20), user=Template("x", "f"),
                history=History("window", window=5))
    assert [rule_for(call.history).resent_turns(k, D(100)) for k in (1, 2, 6, 7, 20)] == [0, 1, 5, 5, 5]
