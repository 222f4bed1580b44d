"""`pricing validate`'s rules (costgate.pricing.validate): the ones only validate
enforces (loading stays lenient; the loader's own rules each have a failing fixture in
test_loader.py, CASES), checked through the command so the message carries file:line."""

from __future__ import annotations

import pytest
from helpers import GOOD, layer

from costgate.pricing import load_table, validate

# Rules only `pricing validate` enforces (loading stays lenient).
LINT_CASES = {
    "exponent notation": (GOOD.replace('input: "1.00"', 'input: "2.5e-06"'),
                          "models[0].prices[0].input uses exponent notation: '2.5e-06'", 12,
                          "per 1M tokens it is '2.5'"),
    "exponent in a tier": (GOOD + '        tiers:\n          - {above: 1000, input: "1E+1", output: "3"}\n',
                           "models[0].prices[0].tiers[0].input uses exponent notation", 15,
                           "plain decimal"),
    "batch above regular": (GOOD.replace('output: "2.00"', 'output: "2.00"\n        batch_output: "4.00"'),
                            "batch_output 4.00 is more than output 2.00 in models[0].prices[0]", 14,
                            "swapped"),
}


@pytest.mark.parametrize("case", list(LINT_CASES), ids=list(LINT_CASES))
def test_validate_lint_rules(tmp_path, run, case):
    text, message, line, hint = LINT_CASES[case]
    d = layer(tmp_path, {"acme.yaml": text})
    load_table([d])  # loads fine: only validate is this strict
    code, out, err = run("pricing", "validate", d)
    assert code == 2 and out == ""
    assert f"acme.yaml:{line}: {message}" in err
    assert hint in err


def test_validate_aliases_unique_across_providers(tmp_path, run):
    acme = GOOD.replace("    name: Acme 1\n", "    name: Acme 1\n    aliases: [shared]\n")
    beta = acme.replace("provider: acme", "provider: beta").replace("acme-1", "beta-1")
    d = layer(tmp_path, {"acme.yaml": acme, "beta.yaml": beta})
    code, _, err = run("pricing", "validate", d)
    assert code == 2
    assert "beta.yaml:8: alias 'shared' of 'beta-1' collides with alias of 'acme-1' (" in err
    assert "acme.yaml:8)" in err


def test_validate_unknown_tokenizer_and_missing_source(tmp_path):
    d = layer(tmp_path, {"acme.yaml": GOOD.replace("o200k_base", "sentencepiece")})
    [err] = validate([d]).errors
    assert err.message == "unknown tokenizer 'sentencepiece' for model 'acme-1'"
    assert err.location.line == 8 and "known:" in err.hint
    d = layer(tmp_path, {"acme.yaml": GOOD.replace("source: https://acme.example/pricing\n", "")})
    [err] = validate([d]).errors
    assert "missing required key 'source'" in err.message
