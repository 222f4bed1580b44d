"""A change in the app's own config is a change in the estimate (issue 13): a spec that
binds ``model: {from: app/config.yaml, key: llm.model}`` is re-estimated when only the
app's config changes, and the crossing, its GitHub annotation, the markdown comment and
the JSON point at the config file and the line of ``llm.model``. The loader's side of
bindings is in tests/spec/test_bindings.py."""

from __future__ import annotations

import json

import pytest
from helpers import QUERIES, commit, feature, init_repo, run_costgate, write

pytestmark = pytest.mark.usefixtures("neutral_cwd")

SPEC = """\
version: 1
feature: bot
traffic:
  sessions_per_day: 1000
samples: {file: queries.txt}
calls:
  - name: answer
    model: {from: app/config.yaml, key: llm.model}
    per_session: {from: app/config.yaml, key: llm.turns}
    system: "You are a helpful assistant for a large online shop."
    user: "{{ query }}"
    output_tokens: {mean: 50, max: 400}
    max_tokens: {from: .env, key: LLM_MAX_TOKENS}
"""
CONFIG = """\
# The app's settings: read by the app at startup and by costgate.
app:
  name: shop
  port: 8080
  debug: false
database:
  url: postgres://db/shop
  pool: 5
cache:
  ttl: 60
llm:
  model: {model}
  temperature: 0.2
  turns: {turns}
"""
MODEL_LINE = 12


def config(model: str = "gpt-4o-mini", turns: int = 2) -> str:
    return CONFIG.format(model=model, turns=turns)


@pytest.fixture
def app(tmp_path):
    """A repository whose base commit binds the bot's model to the app's config."""
    root = init_repo(tmp_path / "repo")
    write(root, {"bot.costgate.yaml": SPEC, "queries.txt": QUERIES, "app/config.yaml": config(),
                 ".env": "LLM_MAX_TOKENS=400\n"})
    commit(root, "base")
    return root


def gate(root, *args: str) -> tuple[int, str, str]:
    return run_costgate("diff", "-C", root, "--as-of", "2026-11-01", *args)


def test_the_config_line_is_where_the_model_is_written():
    assert config().splitlines()[MODEL_LINE - 1] == "  model: gpt-4o-mini"


def test_a_model_changed_only_in_the_app_config_is_reported_at_its_line(app):
    write(app, {"app/config.yaml": config("gpt-4o")})
    commit(app, "switch the app to gpt-4o")
    code, out, err = gate(app, "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    f = feature(doc)
    assert f["status"] == "changed" and float(f["monthly_delta_usd"]) > 0
    (c,) = [c for c in doc["crossings"] if c["threshold"] == "monthly_cost_increase"]
    assert (c["level"], c["file"], c["line"]) == ("fail", "app/config.yaml", MODEL_LINE)
    assert c["setting"] == {"call": "answer", "field": "model", "file": "app/config.yaml", "key": "llm.model",
                            "line": MODEL_LINE, "before": "gpt-4o-mini", "after": "gpt-4o"}
    assert c["message"].endswith("; llm.model in app/config.yaml:12 (bound to answer.model) changed from "
                                 "gpt-4o-mini to gpt-4o")


def test_the_annotation_and_the_comment_point_at_the_config(app):
    write(app, {"app/config.yaml": config("gpt-4o")})  # the working tree against HEAD
    code, out, err = gate(app, "--base", "HEAD", "--annotations")
    assert code == 1, err
    (ann,) = [line for line in out.splitlines() if "monthly_cost_increase" in line and line.startswith("::")]
    assert ann.startswith(f"::error file=app/config.yaml,line={MODEL_LINE},title=costgate monthly_cost_increase::"
                          "projected monthly cost of bot rose from $")
    assert ann.endswith("; llm.model in app/config.yaml:12 (bound to answer.model) changed from gpt-4o-mini to gpt-4o")
    code, md, _ = gate(app, "--base", "HEAD", "--format", "markdown")
    assert code == 1
    line = next(x for x in md.splitlines() if x.startswith("- **monthly_cost_increase**"))
    assert line.endswith("; `llm.model` in `app/config.yaml:12` (bound to answer.`model`) changed from "
                         "`gpt-4o-mini` to `gpt-4o`")
    code, table, _ = gate(app, "--base", "HEAD")
    assert "llm.model in app/config.yaml:12 (bound to answer.model) changed from gpt-4o-mini to gpt-4o" in table


def test_an_env_setting_change_is_a_change_in_the_estimate(app):
    write(app, {".env": "LLM_MAX_TOKENS=20\n"})  # caps the 50-token mean output: cheaper
    code, out, err = gate(app, "--base", "HEAD", "--format", "json")
    assert code == 0, err
    f = feature(json.loads(out))
    assert f["status"] == "changed" and float(f["monthly_delta_usd"]) < 0


def test_a_change_in_the_spec_itself_still_points_at_the_spec(app):
    write(app, {"bot.costgate.yaml": SPEC.replace("{mean: 50,", "{mean: 300,")})
    code, out, err = gate(app, "--base", "HEAD", "--format", "json")
    assert code == 1, err
    (c,) = [c for c in json.loads(out)["crossings"] if c["threshold"] == "monthly_cost_increase"]
    assert (c["file"], c["line"], c["setting"]) == ("bot.costgate.yaml", 1, None)


def test_a_config_change_the_spec_does_not_bind_changes_nothing(app):
    write(app, {"app/config.yaml": config().replace("port: 8080", "port: 9090")})
    code, out, err = gate(app, "--base", "HEAD", "--format", "json")
    assert code == 0, err
    assert feature(json.loads(out))["status"] == "unchanged"


def test_a_bad_value_at_head_is_an_error_naming_both_files(app):
    write(app, {"app/config.yaml": config(turns=-1)})
    code, out, err = gate(app, "--base", "HEAD")
    assert code == 2, out + err
    assert err.startswith("error: app/config.yaml:14: calls[0].per_session must be >= 0, got -1 (the value of "
                          "llm.turns, bound at bot.costgate.yaml:9)"), err


def test_estimate_json_lists_each_calls_bindings(app):
    code, out, err = run_costgate("estimate", app / "bot.costgate.yaml", "--as-of", "2026-11-01", "--format", "json")
    assert code == 0, err
    (call,) = json.loads(out)["estimates"][0]["calls"]
    assert call["bindings"] == [
        {"field": "model", "file": "app/config.yaml", "key": "llm.model", "line": MODEL_LINE, "value": "gpt-4o-mini"},
        {"field": "per_session", "file": "app/config.yaml", "key": "llm.turns", "line": 14, "value": "2"},
        {"field": "max_tokens", "file": ".env", "key": "LLM_MAX_TOKENS", "line": 1, "value": "400"},
    ]
