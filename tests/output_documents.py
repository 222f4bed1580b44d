"""Every ``--format json`` document costgate writes, produced through the real CLI (the
fixtures' estimate is the golden file) and on a repository built to reach the nullable branches (per-user tails,
a worst case, a bound setting whose change a crossing points at, a removed and an added
feature, a price-layer change): ``documents(workdir)`` -> {schema file: [documents]}."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import AS_OF, FIXTURES, GOLDEN, ROOT, commit, git, init_repo, run_costgate

RICH = {
    "traffic:\n  sessions_per_day: 10000\n": (
        "traffic:\n  sessions_per_day: 10000\n  users: {count: 20000, heavy_user_share: 0.05, heavy_user_multiplier: 10}\n"),
    "  - name: route\n    model: gpt-4o-mini\n": "  - name: route\n    model: {from: app.yaml, key: llm.router}\n",
    "budget: {monthly_usd: 3000}": (
        "limits: {calls_per_user_per_hour: 30, calls_per_user_per_day: 200, max_input_tokens: 8000}\n"
        "budget: {monthly_usd: 3000, worst_case_usd: 20000}"),
}
BOT = "fixtures/support-bot/support-bot.costgate.yaml"


def _cli(*args: str | Path, ok: tuple[int, ...] = (0,)) -> dict:
    code, out, err = run_costgate(*args)
    assert code in ok, f"costgate {' '.join(map(str, args))} exited {code}: {err}"
    return json.loads(out)


def _rich_repo(workdir: Path) -> Path:
    """Base: the fixtures (support-bot with users, limits, a worst-case budget and a bound
    router model) and a copy of the price table as a layer. Head: a longer system prompt,
    the bound model changed, receipt-reader removed, a new feature, a price changed."""
    root = init_repo(workdir / "repo")
    shutil.copytree(FIXTURES, root / "fixtures")
    shutil.copytree(ROOT / "pricing", root / "pricing")
    spec = root / BOT
    text = spec.read_text(encoding="utf-8")
    for old, new in RICH.items():
        assert old in text, old
        text = text.replace(old, new)
    spec.write_text(text, encoding="utf-8")
    (root / "fixtures/support-bot/app.yaml").write_text("llm:\n  router: gpt-4o-mini\n", encoding="utf-8")
    (root / "costgate.yaml").write_text(
        'specs: ["fixtures/**/*.costgate.yaml"]\npricing: ["pricing"]\n'
        "thresholds:\n  system_prompt_growth: {percent: 10, tokens: 200}\n"
        "  monthly_cost_increase: {percent: 1, usd: 1}\n", encoding="utf-8")
    commit(root, "base")
    with (root / "fixtures/support-bot/prompts/system.j2").open("a", encoding="utf-8") as fh:
        fh.write("\nAlways answer in full sentences, and say which plan a feature needs." * 40)
    (root / "fixtures/support-bot/app.yaml").write_text("llm:\n  router: gpt-4o\n", encoding="utf-8")
    shutil.rmtree(root / "fixtures/receipt-reader")
    shutil.copytree(FIXTURES / "nightly-summarizer", root / "fixtures/nightly-copy")
    copy = root / "fixtures/nightly-copy/nightly-summarizer.costgate.yaml"
    copy.write_text(copy.read_text(encoding="utf-8").replace("feature: nightly-summarizer",
                                                             "feature: nightly-copy"), encoding="utf-8")
    prices = root / "pricing/openai.yaml"
    prices.write_text(prices.read_text(encoding="utf-8").replace('"2.50"', '"3.00"', 1), encoding="utf-8")
    commit(root, "head")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD~1")
    return root


def documents(workdir: Path) -> dict[str, list[dict]]:
    root = _rich_repo(workdir)
    day = ("--as-of", AS_OF)
    gate = ("-C", root, "--base", "origin/main", "--head", "HEAD", *day, "--seed", "1", "--format", "json")
    # `costgate estimate fixtures/ --what-if`, kept current by tests/test_golden.py
    estimate = json.loads((GOLDEN / "estimate-fixtures.json").read_text(encoding="utf-8"))
    rich = _cli("estimate", root / BOT, root / "fixtures/coding-agent", "--format", "json", *day)
    image = ("tokens", "--model", "gpt-4o", "--format", "json", "--image", "1024x1024:high")
    request = workdir / "request.json"
    request.write_text(json.dumps({"messages": [{"role": "user", "content": "hi {{ name }}"}], "tools": [
        {"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object"}}}]}))
    samples = FIXTURES / "support-bot" / "queries.txt"
    classify = FIXTURES / "support-bot" / "prompts" / "classify.j2"
    return {
        "estimate.schema.json": [estimate, rich],
        "diff.schema.json": [_cli("diff", *gate, ok=(1,)),
                             _cli("diff", "-C", root, "--base", "HEAD", *day, "--format", "json")],
        "pricing-diff.schema.json": [_cli("pricing", "diff", *gate)],
        "pricing-list.schema.json": [_cli("pricing", "list", "--format", "json", *day)],
        "pricing-show.schema.json": [_cli("pricing", "show", m, "--format", "json", *day)
                                     for m in ("gpt-4o", "claude-sonnet-4-5", "gemini-3-pro-preview",
                                               "text-embedding-3-small", "o3")],
        "tokens.schema.json": [
            _cli("tokens", "--model", "gpt-4o", "--format", "json", "--raw", FIXTURES / "support-bot/prompts/system.j2"),
            _cli("tokens", "--model", "claude-sonnet-4-5", "--format", "json", "--var", "product=Acme", classify),
            _cli("tokens", "--format", "json", "--sample", samples, "--row", "2", "--var", "product=Acme", classify),
            _cli("tokens", "--format", "json", "--sample", samples, "--var", "product=Acme", classify),
            _cli("tokens", "--messages", "--format", "json", "--var", "name=Ann", request),
            _cli(*image), _cli(*image, "--image", "512x512:low"),
        ],
        "pricing-sync.schema.json": [_cli("pricing", "sync", "--from", "genai-prices", "--format", "json", *day)],
    }
