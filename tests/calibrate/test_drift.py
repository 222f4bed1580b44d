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


# ----------------------------------------------- the mark and the message, by hand

def _drift(ref: str | None, now: str, base: str | None = None, limit: str = "10"):
    """calibration_drift on stand-ins: only .calibration and .monthly_cost are read."""
    from datetime import date
    from types import SimpleNamespace

    from costgate.gate.compare import calibration_drift
    from costgate.repo.config import Thresholds
    from costgate.spec.model import Calibration

    def est(mark: str | None, monthly: str) -> SimpleNamespace:
        cal = None if mark is None else Calibration("calibration.yaml", date(2026, 10, 1), date(2026, 10, 31), 10, (),
                                                    Decimal(mark))
        return SimpleNamespace(calibration=cal, monthly_cost=Decimal(monthly))

    before = None if base is None else est(base, "0")
    return calibration_drift("fail", "bot", before, est(ref, now), Thresholds(calibration_drift=Decimal(limit)))


@pytest.mark.parametrize("ref, now, crosses", [
    ("100.00", "110.00", False),  # exactly 10% away: at the limit, not over it
    ("100.00", "110.01", True),
    ("100.00", "90.00", False),
    ("100.00", "89.99", True),
    ("100.004", "110.004", False),  # compared in cents: 100.00 -> 110.00
    ("0", "0.004", False),  # a zero mark: any cent of movement crosses, less does not
    ("0", "0.01", True),
])
def test_drift_boundary_by_hand(ref, now, crosses):
    assert (_drift(ref, now) is not None) is crosses


def test_drift_message_by_hand():
    from costgate.report.crossings import crossing_message, limit_text

    c = _drift("80.00", "92.50")
    assert c is not None and (c.before, c.after) == (Decimal("80.00"), Decimal("92.50"))
    assert limit_text(c) == "10%"
    # |92.50 - 80.00| / 80.00 = 15.625% -> 15.6
    assert crossing_message(c).startswith("projected monthly cost of bot is $92.50, 15.6% away from the $80.00 "
                                          "its calibration projected, over the 10% calibration_drift limit")
    assert "inf% away from the $0.00" in crossing_message(_drift("0", "5"))


def test_the_base_mark_wins_and_a_spec_without_one_is_not_checked():
    assert _drift("100.00", "200.00", base="195.00") is None  # the base's 195.00 is the mark: 2.6% away
    c = _drift("200.00", "120.00", base="100.00")
    assert c is not None and c.before == Decimal("100.00")
    assert _drift(None, "1000.00") is None
