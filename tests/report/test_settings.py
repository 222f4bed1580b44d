"""A crossing that points at a changed app setting (a binding, issue 13), in every
renderer, from hand-built records: the setting's file and line, what changed, and the
pull request's text (key, file name, values) escaped for each destination."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D

from report.results import BOT_AFTER, BOT_BEFORE, GATE_RESULT

from costgate.gate.model import CallDiff, Crossing, FeatureDiff, SettingChange
from costgate.repo import Limit
from costgate.report import gate as gate_report
from costgate.report.annotations import annotations
from costgate.report.crossings import setting_note

MODEL = SettingChange("answer", "model", "app/config.yaml", "llm.model", 12, "gpt-4o-mini", "gpt-4o")
ROSE = Crossing("fail", "monthly_cost_increase", "support-bot", None, D(1000), D("1234.565"),
                limit=Limit(D(10), None), file="app/config.yaml", line=12, setting=MODEL)


def result(crossing: Crossing):
    bot = FeatureDiff("support-bot", "support-bot.costgate.yaml", "changed", BOT_BEFORE, BOT_AFTER,
                      (CallDiff("answer", BOT_BEFORE.calls[0], BOT_AFTER.calls[0]),), (crossing,))
    return replace(GATE_RESULT, features=(bot,), suggestions={})


def test_the_note_says_what_changed_where():
    assert setting_note(ROSE) == ("; llm.model in app/config.yaml:12 (bound to answer.model) changed from "
                                  "gpt-4o-mini to gpt-4o")
    assert setting_note(replace(ROSE, setting=None)) == ""


def test_every_renderer_points_at_the_setting():
    r = result(ROSE)
    (ann,) = annotations(r)
    assert ann.startswith("::error file=app/config.yaml,line=12,title=costgate monthly_cost_increase::")
    assert ann.endswith("changed from gpt-4o-mini to gpt-4o")
    md = gate_report.to_markdown(r)
    assert ("; `llm.model` in `app/config.yaml:12` (bound to answer.`model`) changed from `gpt-4o-mini` to "
            "`gpt-4o`\n") in md
    assert "error: projected monthly cost of support-bot rose" in gate_report.to_table(r)
    (c,) = json.loads(gate_report.to_json(r))["crossings"]
    assert (c["file"], c["line"], c["setting"]["key"], c["setting"]["after"]) == ("app/config.yaml", 12,
                                                                                  "llm.model", "gpt-4o")


def test_the_pull_requests_text_is_escaped_for_each_destination():
    hostile = replace(MODEL, key="a*b_[x](http://e)@team", file="app/`c`.yaml", after="x\n::error::forged%0A",
                      before="<img src=x>")
    r = result(replace(ROSE, setting=hostile, file=hostile.file))
    md = gate_report.to_markdown(r)
    line = next(x for x in md.splitlines() if x.startswith("- **monthly_cost_increase**"))
    assert "``a*b_[x](http://e)@team``" not in line and "`a*b_[x](http://e)@team`" in line  # a code span
    assert "`<img src=x>`" in line and "<img" not in line.replace("`<img src=x>`", "")
    assert "``app/`c`.yaml:12``" in line
    (ann,) = annotations(r)
    assert "\n" not in ann and "\r" not in ann  # one line: the forged command is text, not a command
    assert "%250A" in ann
    assert "\n::error" not in gate_report.to_table(r)
