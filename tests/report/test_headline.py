"""The diff headline names its numbers: the change of the total over all features, and
each changed feature's own change, in the table, the markdown and the JSON.

Hand computation for GATE_RESULT (tests/report/results.py): support-bot goes from
$1,000.00 to $1,234.565 a month (shown $1,234.57), nightly stays at $45.00. Total:
$1,045.00 -> $1,279.57, +$234.57, 234.565 / 1,045 = 22.446...% -> +22.4%. support-bot:
+$234.57, 234.565 / 1,000 = 23.4565% -> +23.5%. Two different percentages, each named.
"""

from __future__ import annotations

import json
from dataclasses import replace

from report.results import GATE_RESULT

from costgate.report.gate import HEADLINE_FEATURES, by_feature, to_json, to_markdown, to_table


def test_table_names_the_total_and_the_feature_change():
    first, second = to_table(GATE_RESULT).splitlines()[:2]
    assert first == "FAIL costgate: 1 threshold crossed, total monthly cost +$234.57 (+22.4%)"
    assert second == "monthly cost by feature: support-bot +$234.57 (+23.5%)"
    assert "feature's monthly change" in to_table(GATE_RESULT) and "call's monthly change" in to_table(GATE_RESULT)


def test_markdown_names_the_total_and_the_feature_change():
    lines = to_markdown(GATE_RESULT).splitlines()
    assert lines[1] == "## ❌ **costgate: 1 threshold crossed**, total monthly cost +$234.57 (+22.4%)"
    assert lines[3].endswith("Total projected spend $1,045.00 → $1,279.57 per month; "
                             "monthly cost by feature: `support-bot` +$234.57 (+23.5%).")
    assert "| feature's monthly change " in to_markdown(GATE_RESULT)


def test_json_headline_extends_the_keys():
    doc = json.loads(to_json(GATE_RESULT))
    # the existing keys are unchanged ...
    assert (doc["monthly_delta_usd"], doc["monthly_delta_percent"]) == ("234.57", "22.4")
    assert (doc["features"][0]["monthly_delta_usd"], doc["features"][0]["monthly_delta_percent"]) == ("234.57", "23.5")
    # ... and the headline names each number's scope
    assert doc["headline"] == {
        "total": {"scope": "total", "features": 2, "monthly_cost_before_usd": "1045.00",
                  "monthly_cost_after_usd": "1279.57", "monthly_delta_usd": "234.57", "monthly_delta_percent": "22.4",
                  "text": "total monthly cost +$234.57 (+22.4%)"},
        "by_feature": [{"scope": "feature", "feature": "support-bot", "monthly_delta_usd": "234.57",
                        "monthly_delta_percent": "23.5", "text": "support-bot +$234.57 (+23.5%)"}],
    }


def test_headline_names_at_most_five_features():
    bot = GATE_RESULT.features[0]
    many = replace(GATE_RESULT, features=tuple(replace(bot, feature=f"f{i}") for i in range(7)))
    line = by_feature(many, str)
    assert line is not None and line.count("+$234.57 (+23.5%)") == HEADLINE_FEATURES == 5
    assert line.endswith("f4 +$234.57 (+23.5%), and 2 more (below)")
    assert len(json.loads(to_json(many))["headline"]["by_feature"]) == 7


def test_no_change_names_no_feature():
    same = replace(GATE_RESULT, features=GATE_RESULT.features[1:])
    assert by_feature(same) is None
    assert to_table(same).splitlines()[:2] == ["PASS costgate: no cost change", ""]
