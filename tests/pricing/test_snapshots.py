"""Dated snapshots own their price history: ``gpt-4o-2024-08-06`` is not priced with the
moving ``gpt-4o`` name's history (pricing/openai.yaml)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from helpers import PRICE_MODEL, price_layer

from costgate.errors import CostgateError
from costgate.pricing import load_table

D = Decimal


def test_a_snapshot_is_priced_from_its_own_launch():
    t = load_table()
    day = date(2024, 9, 1)
    assert (t.model("gpt-4o").price_at(day).rates.input, t.model("gpt-4o").price_at(day).rates.output) == \
        (D("5.00"), D("15.00"))  # the moving name still pointed at 2024-05-13
    snap = t.model("gpt-4o-2024-08-06")
    assert snap.id == "gpt-4o-2024-08-06" and snap.snapshot_of == "gpt-4o"
    rates = snap.price_at(day).rates
    assert (rates.input, rates.output, rates.cached_input) == (D("2.50"), D("10.00"), None)
    assert snap.price_at(date(2024, 10, 1)).rates.cached_input == D("1.25")


def test_a_snapshot_has_no_price_before_it_existed():
    t = load_table()
    snap = t.model("gpt-4o-2024-11-20")
    assert snap.priced_at(date(2024, 11, 19)) is None
    with pytest.raises(CostgateError, match="earliest price is from 2024-11-20"):
        snap.price_at(date(2024, 9, 1))
    assert snap.price_at(date(2024, 11, 20)).rates.input == D("2.50")


def test_snapshots_are_no_longer_aliases_of_the_moving_name():
    t = load_table()
    assert "gpt-4o-2024-08-06" not in t.model("gpt-4o").aliases
    assert t.canonical("gpt-4o-2024-11-20") == "gpt-4o-2024-11-20"


def test_snapshot_of_must_name_a_model():
    layer = price_layer(acme=PRICE_MODEL.format(id="m", extra="aliases: []") + PRICE_MODEL.format(id="m-2025", extra="snapshot_of: mm"))
    with pytest.raises(CostgateError, match="snapshot of 'mm', which is not a model id") as exc:
        load_table([layer])
    assert exc.value.hint and "'m'" in exc.value.hint


def test_snapshot_of_must_name_a_model_of_the_same_provider():
    layer = price_layer(acme=PRICE_MODEL.format(id="m", extra="aliases: []"),
                   other=PRICE_MODEL.format(id="m-2025", extra="snapshot_of: m"))
    with pytest.raises(CostgateError, match="a model of acme"):
        load_table([layer])


def test_snapshot_of_itself_is_an_error():
    layer = price_layer(acme=PRICE_MODEL.format(id="m", extra="snapshot_of: m"))
    with pytest.raises(CostgateError, match="which is not another model"):
        load_table([layer])


def test_a_later_layer_may_replace_the_moving_model_under_another_provider():
    shipped_like = price_layer(acme=PRICE_MODEL.format(id="m", extra="aliases: []") + PRICE_MODEL.format(id="m-2025", extra="snapshot_of: m"))
    team = price_layer(proxy=PRICE_MODEL.format(id="m", extra="aliases: []"))
    t = load_table([shipped_like, team])
    assert t.models["m"].provider == "proxy" and t.models["m-2025"].snapshot_of == "m"
