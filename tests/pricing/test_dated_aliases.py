"""Dated aliases (issue 14): a moving ``-latest`` name resolves by the estimate's day.

``mistral-large-latest`` meant ``mistral-large-2411`` ($2/$6) from 2024-11-18 and
``mistral-large-2512`` ($0.50/$1.50) since Mistral Large 3 on 2025-12-02
(pricing/mistral.yaml)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from helpers import PRICE_FILE, PRICE_MODEL, price_layer

from costgate.errors import CostgateError
from costgate.estimate.simulate import estimate
from costgate.pricing import load_table
from costgate.pricing.validate import validate
from costgate.report.pricing_table import model_dict, show_report
from costgate.spec import load_spec


def test_the_shipped_alias_resolves_by_date():
    t = load_table()
    assert t.model("mistral-large-latest", as_of=date(2025, 6, 1)).id == "mistral-large-2411"
    assert t.model("mistral-large-latest", as_of=date(2025, 12, 1)).id == "mistral-large-2411"
    assert t.model("mistral-large-latest", as_of=date(2025, 12, 2)).id == "mistral-large-2512"
    assert t.model("mistral-large-latest", as_of=date(2026, 1, 1)).id == "mistral-large-2512"
    assert t.model("mistral-large-latest").id == "mistral-large-2512"  # no day: the newest
    assert t.canonical("mistral-large-latest") == "mistral-large-2512"
    assert t.canonical("mistral-large-latest", date(2025, 6, 1)) == "mistral-large-2411"
    assert t.dated["mistral-large-latest"] == ((date(2024, 11, 18), "mistral-large-2411"),
                                               (date(2025, 12, 2), "mistral-large-2512"))
    # undated aliases and ids ignore the day
    assert t.model("mistral-large-3", as_of=date(2020, 1, 1)).id == "mistral-large-2512"
    assert t.model("mistral-large-2411", as_of=date(2026, 1, 1)).id == "mistral-large-2411"


def test_before_the_first_since_is_a_clean_error():
    with pytest.raises(CostgateError, match="names no model on 2024-01-01") as exc:
        load_table().model("mistral-large-latest", as_of=date(2024, 1, 1), where="answer.model")
    assert "2024-11-18" in exc.value.hint
    assert load_table().canonical("mistral-large-latest", date(2024, 1, 1)) == "mistral-large-latest"


SPEC = """version: 1
feature: latest
traffic: {{sessions_per_day: 1000, days_per_month: 30}}
samples: {{file: q.txt}}
calls:
  - name: answer
    model: {model}
    per_session: 1
    user: "{{{{ query }}}}"
    output_tokens: 1000
"""


def _estimate(tmp_path: Path, model: str, day: date):
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "q.txt").write_text("why is the sky blue\n")
    spec = tmp_path / "f.costgate.yaml"
    spec.write_text(SPEC.format(model=model))
    return estimate(load_spec(spec), load_table(), as_of=day, alternatives=False)


@pytest.mark.parametrize("day, model, rates", [
    (date(2025, 6, 1), "mistral-large-2411", (D("2.00"), D("6.00"))),
    (date(2026, 1, 1), "mistral-large-2512", (D("0.50"), D("1.50"))),
])
def test_an_estimate_prices_the_alias_as_of_its_day(tmp_path, day, model, rates):
    """input tokens x input rate + 1,000 output tokens x output rate, per 1M tokens."""
    e = _estimate(tmp_path, "mistral-large-latest", day)
    call = e.call("answer")
    assert [m.model for m in call.models] == [model]
    tokens_in = call.input_tokens_mean
    assert tokens_in > 0
    assert call.cost_per_call == (tokens_in * rates[0] + 1000 * rates[1]) / 1_000_000
    assert e.monthly_cost == call.cost_per_call * 1000 * 30
    assert _estimate(tmp_path, model, day).monthly_cost == e.monthly_cost  # as the id itself


def test_an_estimate_before_the_alias_existed_is_an_error(tmp_path):
    with pytest.raises(CostgateError, match="names no model on 2024-06-01"):
        _estimate(tmp_path, "mistral-large-latest", date(2024, 6, 1))


def _m(mid: str, aliases: str) -> str:
    return PRICE_MODEL.format(id=mid, extra=f"aliases: {aliases}")


def test_undated_and_dated_entries_of_one_name_collide_at_the_line():
    layer = price_layer(acme=_m("a", "[x-latest]") + _m("b", "[{name: x-latest, since: 2025-06-01}]"))
    with pytest.raises(CostgateError, match="collides with undated alias of 'a'") as exc:
        load_table([layer])
    assert (exc.value.location.file, exc.value.location.line) == ("acme.yaml", 17)  # b's aliases: line
    layer = price_layer(acme=_m("a", "[{name: x-latest, since: 2025-06-01}]") + _m("b", "[x-latest]"))
    with pytest.raises(CostgateError, match="undated alias 'x-latest' of 'b' collides with the dated alias"):
        load_table([layer])
    across = price_layer(acme=_m("a", "[x-latest]"), other=_m("b", "[{name: x-latest, since: 2025-06-01}]"))
    with pytest.raises(CostgateError, match="collides"):
        load_table([across])


def test_the_same_since_twice_and_a_dated_alias_equal_to_an_id_are_errors():
    layer = price_layer(acme=_m("a", "[{name: x, since: 2025-06-01}]") + _m("b", "[{name: x, since: 2025-06-01}]"))
    with pytest.raises(CostgateError, match="same since 2025-06-01"):
        load_table([layer])
    with pytest.raises(CostgateError, match="collides with model id"):
        load_table([price_layer(acme=_m("a", "[{name: b, since: 2025-06-01}]") + _m("b", "[]"))])


def test_a_dated_alias_needs_name_and_since():
    with pytest.raises(CostgateError, match="since"):
        load_table([price_layer(acme=_m("a", "[{name: x}]"))])
    with pytest.raises(CostgateError, match="sinse"):
        load_table([price_layer(acme=_m("a", "[{name: x, sinse: 2025-01-01}]"))])


def test_a_later_layer_extends_or_replaces_the_history():
    base = price_layer(acme=_m("a", "[{name: x, since: 2025-01-01}]") + _m("b", "[{name: x, since: 2025-06-01}]"))
    team = price_layer(acme=_m("c", "[{name: x, since: 2026-01-01}]"))
    t = load_table([base, team])
    assert [t.model("x", as_of=date(2025, 3, 1)).id, t.model("x", as_of=date(2025, 7, 1)).id,
            t.model("x").id] == ["a", "b", "c"]
    same_day = price_layer(acme=_m("c", "[{name: x, since: 2025-06-01}]"))
    t = load_table([base, same_day])
    assert t.model("x", as_of=date(2025, 7, 1)).id == "c" and "x" not in t.models["b"].aliases
    undated = price_layer(acme=_m("c", "[x]"))  # a later layer's plain alias claims the whole name
    t = load_table([base, undated])
    assert "x" not in t.dated and t.model("x", as_of=date(2025, 3, 1)).id == "c"
    assert "x" not in t.models["a"].aliases and not t.models["b"].alias_since
    override = price_layer(acme=_m("b", "[]"))  # replacing a model drops its entries
    t = load_table([base, override])
    assert t.dated["x"] == ((date(2025, 1, 1), "a"),) and t.model("x").id == "a"


def test_validate_accepts_the_object_form(tmp_path):
    f = tmp_path / "acme.yaml"
    f.write_text(PRICE_FILE.format(provider="acme", models=_m("acme-1", "[acme-one, {name: acme-latest, since: 2025-01-01}]")))
    assert validate([f]).ok
    f.write_text(PRICE_FILE.format(provider="acme", models=_m("acme-1", "[{name: acme-latest, since: 2025-13-01}]")))
    assert not validate([f]).ok


def test_pricing_show_and_json_mark_dated_aliases():
    t = load_table()
    m = t.model("mistral-large-latest", as_of=date(2025, 6, 1))
    assert "mistral-large-latest (since 2024-11-18)" in show_report(t, m, date(2025, 6, 1), "table")
    d = model_dict(t, m, date(2025, 6, 1))
    assert d["aliases"] == ["mistral-large-2407", "mistral-large-latest"]
    assert d["alias_since"] == {"mistral-large-latest": "2024-11-18"}
