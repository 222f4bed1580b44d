"""Billing rules of the estimator (costgate.estimate.billing)."""

from __future__ import annotations

from decimal import Decimal as D

from costgate.estimate.billing import expected_output


def test_output_cap_truncates_exponential_mean():
    from costgate.spec import Call, Output, Template

    call = Call(name="c", mix=(("gpt-4o", D(1)),), per_session=D(1), user=Template("x", "f"),
                output=Output(D(300)), max_tokens=300)
    # E[min(X, 300)] for X ~ Exp(mean 300) = 300 (1 - e^-1) = 189.636...
    assert abs(expected_output(call) - D("189.6361676485673")) < D("1e-9")
