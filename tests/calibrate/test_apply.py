"""calibrated_call by hand: which declared settings the measured values replace, and the
step law an agent loop gets (the law calibration.yaml writes is the one applied)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from helpers import QUERIES, SPEC, hello, spec_text, write

from costgate.calibrate.write import law
from costgate.spec import load_spec
from costgate.spec.calibration import calibrated_call
from costgate.spec.model import CalibratedCall, Measured, Output, Steps

ZERO = Measured(D(0), D(0))
OUTPUT = Measured(D(50), D(90))


@pytest.fixture
def answer(repo):
    write(repo, {SPEC: spec_text(), "queries.txt": QUERIES, "prompts/system.j2": hello(10)})
    (call,) = load_spec(repo / SPEC).calls
    return call


def measured(per_session: Measured | None, output=OUTPUT, reasoning=ZERO) -> CalibratedCall:
    return CalibratedCall("answer", 10, Measured(D(100), D(200)), output, reasoning, per_session, D(0))


@pytest.mark.parametrize("session, law_, p95", [
    (Measured(D("2.5"), D("5.2")), "negative_binomial", D(6)),  # p95 rounds up to 6 requests
    (Measured(D(3), D(3)), "fixed", None),  # every session made 3
    (Measured(D("3.2"), D("3.1")), "negative_binomial", D(4)),  # ceil(3.1) = 4 > 3.2: a tail
])
def test_an_agent_loop_gets_the_measured_steps(answer, session, law_, p95):
    loop = replace(answer, steps=Steps(D(4), D(9), "negative_binomial", 20), per_session=D(4))
    new, fields = calibrated_call(loop, measured(session))
    assert fields == ["output_tokens", "steps"]
    assert new.steps == Steps(session.mean, p95, law_, 20)  # the declared max stays
    assert new.per_session == session.mean
    assert law(session) == law_  # what --write puts in the file


def test_a_fixed_count_call_and_the_output_cap(answer):
    capped = replace(answer, output=Output(D(10), 40))
    new, fields = calibrated_call(capped, measured(Measured(D("1.5"), D("1.95"))))
    assert fields == ["output_tokens", "per_session"] and new.per_session == D("1.5")
    assert new.output == Output(D(50), None)  # the measured mean 50 is above the declared max 40
    new, _ = calibrated_call(replace(answer, output=Output(D(10), 60)), measured(None))
    assert new.output == Output(D(50), 60) and new.per_session == answer.per_session


def test_reasoning_replaced_only_when_declared_or_seen(answer):
    new, fields = calibrated_call(answer, measured(None))
    assert fields == ["output_tokens"] and new.reasoning is None
    new, fields = calibrated_call(answer, measured(None, reasoning=Measured(D(30), D(80))))
    assert fields == ["output_tokens", "reasoning"]
    assert (new.reasoning.mean, new.reasoning.p95) == (D(30), D(80))
