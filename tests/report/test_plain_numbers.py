"""JSON numbers are always in plain positional notation: ``str(Decimal)`` switches to
exponent form ('3.0E+10', '1E-8'), which a spreadsheet or a jq filter misreads."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Context, Decimal

from helpers import AS_OF, QUERIES, layer, write
from hypothesis import example, given
from hypothesis import strategies as st

from costgate.report.money import fixed, percent, plain_number, usd, usd_small

PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")

decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e40"),
                       max_value=Decimal("1e40"), places=None) | st.builds(
    lambda digits, exp, neg: Decimal((int(neg), tuple(int(d) for d in str(digits)), exp)),
    st.integers(1, 10**12), st.integers(-40, 40), st.booleans())


@given(decimals)
@example(Decimal("3.00E+16"))
@example(Decimal("1E-8"))
@example(Decimal("-0E+5"))
def test_plain_number_is_positional_and_exact(value):
    text = plain_number(value)
    assert PLAIN.match(text), text
    assert Decimal(text) == value


@given(decimals)
@example(Decimal("3.00E+16"))
def test_money_and_fixed_are_positional(value):
    for text in (usd(value), usd_small(value), fixed(value, 1), percent(value, Decimal("7"))):
        assert PLAIN.match(text or "0"), text
    wide = Context(prec=200)  # an independent reference: quantize with room for every digit
    assert Decimal(usd(value)) == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=wide)


def test_plain_number_examples():
    """Hand-written: the two spellings the issue found, and ints."""
    assert plain_number(Decimal("3.00E+16")) == "30000000000000000"
    assert plain_number(Decimal("1E-8")) == "0.00000001"
    assert plain_number(Decimal("1e9") * 30) == "30000000000"
    assert str(Decimal("1e9") * 30) == "3.0E+10"  # what str() would have written
    assert plain_number(12) == "12"


def _numbers(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _numbers(v)
    elif isinstance(node, list):
        for v in node:
            yield from _numbers(v)
    elif isinstance(node, str) and re.fullmatch(r"-?[0-9.]+[eE][-+]?[0-9]+", node):
        yield node


def test_estimate_json_of_exponent_inputs_has_no_exponents(tmp_path, run):
    """Traffic written as 1.0e+9 and a share as 1.0e+0: the JSON spells every number out."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"queries.txt": QUERIES, "x.costgate.yaml": (
        "version: 1\nfeature: big\ntraffic: {sessions_per_day: 1.0e+9, days_per_month: 3.0e+1}\n"
        "samples: {file: queries.txt}\ncalls:\n  - name: ask\n    mix: {gpt-4o: 1.0e+0}\n"
        '    per_session: 1.0e+0\n    user: "{{ query }}"\n    output_tokens: 10\n')})
    code, out, err = run("estimate", tmp_path / "x.costgate.yaml", "--format", "json", "--as-of", AS_OF)
    assert code == 0, err
    doc = json.loads(out)
    assert list(_numbers(doc)) == []
    assert doc["estimates"][0]["traffic"]["sessions_per_month"] == "30000000000"


def test_pricing_json_of_exponent_prices_has_no_exponents(tmp_path, run):
    d = layer(tmp_path, {"acme.yaml": (
        "schema_version: 1\nprovider: acme\nname: Acme\nsource: https://acme.example/pricing\nmodels:\n"
        "  - id: acme-1\n    name: Acme 1\n    tokenizer: o200k_base\n    checked: 2026-11-01\n"
        '    prices:\n      - since: 2025-01-01\n        input: "1E-1"\n        output: "2E+1"\n')})
    code, out, err = run("pricing", "show", "acme-1", "--pricing", d, "--format", "json", "--as-of", AS_OF)
    assert code == 0, err
    doc = json.loads(out)
    assert list(_numbers(doc)) == []
    assert (doc["current"]["input"], doc["current"]["output"]) == ("0.1", "20")


def test_limits_as_configured_are_positional():
    from costgate.repo.config import Limit
    from costgate.report.crossings import describe_limit

    # str() wrote "1.0E+1% or 2E+2 tokens"
    assert describe_limit(Limit(Decimal("1.0E+1"), Decimal("2E+2")), "tokens") == "10% or 200 tokens"
    assert describe_limit(Limit(Decimal("20"), Decimal("5E+2"), mode="all"), "usd") == "20% and $500"
