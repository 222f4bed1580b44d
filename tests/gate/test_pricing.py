"""`costgate pricing diff` end to end (costgate.gate.pricing): a price change on a
throwaway git repository, its rate changes and what it does to every gated spec.

Expected money is hand-computed: the user text of helpers.query_spec, "Summarize the plot
of Hamlet in one sentence.", is 11 o200k tokens; OpenAI bills 3 per message + 1 for the
role "user" + 3 priming the reply, so every request below has 18 input tokens and 100
output tokens.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import QUERY, commit, git, init_repo, query_spec

from costgate.pricing import shipped_pricing_dir
from costgate.tokens import get_tokenizer


@pytest.fixture
def git_repo(tmp_path) -> Path:
    """A repository on ``main`` with the shipped price table and two specs, and gpt-4o's
    input price doubled in the working tree."""
    root = tmp_path / "gitrepo"
    shutil.copytree(shipped_pricing_dir(), root / "pricing")
    (root / "specs").mkdir()
    (root / "specs" / "queries.txt").write_text(QUERY + "\n")
    (root / "specs" / "big.costgate.yaml").write_text(query_spec("gpt-4o", "big-bot"))
    (root / "specs" / "small.costgate.yaml").write_text(query_spec("gpt-4o-mini", "small-bot"))
    (root / "costgate.yaml").write_text('specs: ["specs/*.costgate.yaml"]\n')
    init_repo(root)
    commit(root, "base")
    openai = root / "pricing" / "openai.yaml"
    text = openai.read_text()
    old = '      - since: 2024-10-02\n        input: "2.50"\n'
    assert old in text
    openai.write_text(text.replace(old, '      - since: 2024-10-02\n        input: "5.00"\n'))
    return root


def test_pricing_diff_markdown(git_repo, run):
    code, out, err = run("pricing", "diff", "--base", "main", "-C", git_repo, "--as-of", "2026-01-01",
                         "--format", "markdown")
    assert (code, err) == (0, "")
    assert out.startswith("<!-- costgate-pricing-report -->\n## ")
    assert "| gpt-4o  | openai     | input                    | 2.50     | 5.00    | +100.0%  |" in out
    # big-bot: 30,000 x 18 x (5.00 - 2.50) / 1M = $1.35 on $31.35 (1045e-6 x 30,000)
    assert "| `big-bot`   | gpt-4o      | $31.35           | $32.70          | +$1.35 (+4.3%) |" in out
    assert "| `small-bot` | gpt-4o-mini | $1.88            | $1.88           | no change      |" in out
    assert "gated monthly spend +$1.35" in out


def test_pricing_diff_json_and_committed_head(git_repo, run):
    commit(git_repo, "double gpt-4o input")
    code, out, _ = run("pricing", "diff", "--base", "HEAD~1", "--head", "HEAD", "-C", git_repo,
                       "--as-of", "2026-01-01", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["schema_version"] == 1
    assert doc["changes"] == [{"model": "gpt-4o", "provider": "openai", "field": "input",
                               "before": "2.50", "after": "5.00", "change_percent": "100.0"}]
    assert doc["added"] == doc["removed"] == []
    big, small = doc["features"]
    assert (big["feature"], big["monthly_delta_usd"], big["monthly_delta_percent"]) == ("big-bot", "1.35", "4.3")
    assert (small["feature"], small["monthly_delta_usd"]) == ("small-bot", "0.00")


def test_pricing_diff_models_added_removed_and_no_change(git_repo, run):
    git(git_repo, "checkout", "-q", "--", "pricing/openai.yaml")
    code, out, _ = run("pricing", "diff", "--base", "main", "-C", git_repo, "--as-of", "2026-01-01")
    assert code == 0 and out.startswith("costgate pricing: no price changes")
    meta = git_repo / "pricing" / "meta.yaml"
    text = meta.read_text()
    start = text.index("  - id: llama-4-scout")
    meta.write_text(text[:start] + text[start:].replace("llama-4-scout", "llama-5-scout"))
    code, out, _ = run("pricing", "diff", "--base", "main", "-C", git_repo, "--as-of", "2026-01-01",
                       "--format", "markdown")
    assert "- added `llama-5-scout` (meta)" in out and "- removed `llama-4-scout` (meta)" in out


def test_pricing_diff_unknown_ref(git_repo, run):
    code, _, err = run("pricing", "diff", "--base", "nope", "-C", git_repo)
    assert code == 2 and "unknown git ref 'nope'" in err


def test_the_hand_computed_token_count():
    tok = get_tokenizer("o200k_base")
    assert tok.count(QUERY) == 11 and tok.count("user") == 1  # 3 + 1 + 11 + 3 = 18
