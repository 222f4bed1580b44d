"""The gate's calibration_drift threshold: a calibrated spec whose projection moved more
than X% from the projection its calibration recorded fails; within X% it passes; a spec
without a calibration is never checked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import as_json, commit, feature, hello, write

CAL = """\
version: 1
feature: bot
start: 2026-10-01
end: 2026-10-31
records: 10
projected_monthly_usd: {monthly}
calls:
  answer:
    records: 10
    input_tokens: {{mean: 1000, p95: 1000}}
    output_tokens: {{mean: 10, p95: 10}}
    reasoning_tokens: {{mean: 0, p95: 0}}
    calls_per_session: {{mean: 1, p95: 1}}
    cached_share: 0
"""
CONFIG = "thresholds:\n  monthly_cost_increase: {percent: 1000}\n  calibration_drift: 10\n"
REF = Decimal("78.00")
"""About the bot's projection with a 1,000-token prompt on gpt-4o: (1,000 + the query and
chat overhead) x $2.50/1M + 10 output tokens x $10/1M, 30,000 requests a month."""


@pytest.fixture
def calibrated(gitrepo):
    return gitrepo({"costgate.yaml": CONFIG, "calibration.yaml": CAL.format(monthly=REF)},
                   extra="calibration: {file: calibration.yaml}\n")


@pytest.mark.parametrize("tokens, fails", [(1050, False), (1500, True), (500, True)])
def test_drift_fails_beyond_the_percentage_either_way(gate, calibrated, tokens, fails):
    write(calibrated, {"prompts/system.j2": hello(tokens)})
    code, doc = as_json(gate, calibrated)
    monthly = Decimal(feature(doc)["monthly_cost_after_usd"])
    moved = abs(monthly - REF) * 100 / REF
    assert (moved > 10) == fails, monthly  # the hand expectation holds for the figure the gate shows
    drift = [c for c in doc["crossings"] if c["threshold"] == "calibration_drift"]
    assert bool(drift) == fails and (code == 1) == fails
    if fails:
        (c,) = drift
        assert c["file"] == "calibration.yaml" and c["before"] == str(REF) and c["limit"] == "10%"
        assert f"{moved.quantize(Decimal('0.1'))}% away from the $78.00 its calibration projected" in c["message"]


def test_an_uncalibrated_spec_is_not_checked(gate, gitrepo):
    root = gitrepo({"costgate.yaml": CONFIG})
    write(root, {"prompts/system.j2": hello(3000)})
    code, doc = as_json(gate, root)
    assert code == 0 and feature(doc)["status"] == "changed"
    assert not [c for c in doc["crossings"] if c["threshold"] == "calibration_drift"]
    commit(root)


def test_the_base_calibration_is_the_mark_a_pull_request_cannot_move(gate, calibrated):
    # The pull request grows the prompt (+40% or so) and rewrites projected_monthly_usd to
    # match: the base's record ($78.00) still judges it.
    write(calibrated, {"prompts/system.j2": hello(1500), "calibration.yaml": CAL.format(monthly="200.00")})
    code, doc = as_json(gate, calibrated)
    (c,) = [c for c in doc["crossings"] if c["threshold"] == "calibration_drift"]
    assert code == 1 and c["before"] == str(REF)


def test_dropping_the_calibration_key_does_not_end_the_check(gate, calibrated):
    from helpers import SPEC

    spec = calibrated / SPEC
    write(calibrated, {"prompts/system.j2": hello(1500),
                       SPEC: spec.read_text().replace("calibration: {file: calibration.yaml}\n", "")})
    code, doc = as_json(gate, calibrated)
    (c,) = [c for c in doc["crossings"] if c["threshold"] == "calibration_drift"]
    assert code == 1 and c["before"] == str(REF) and c["file"] == "calibration.yaml"
