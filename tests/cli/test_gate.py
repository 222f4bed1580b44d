"""`costgate diff` output plumbing: formats, --quiet, --output, the JSON document's keys
and annotations on by default under GitHub Actions only. The gate's decisions are tested
in tests/gate/; the bot spec is described in tests/gate/test_diff.py."""

from __future__ import annotations

import json

import pytest
from helpers import AS_OF, FIXTURES, hello, spec_text, write

pytestmark = pytest.mark.usefixtures("neutral_cwd")


def test_no_change_reports_no_cost_change(gitrepo, gate):
    root = gitrepo()
    code, out, _ = gate(root)
    assert code == 0
    assert out.startswith("PASS costgate: no cost change")


def test_quiet_writes_nothing_when_nothing_changed(gitrepo, gate, tmp_path):
    root = gitrepo()
    write(root, {"unrelated.txt": "not costed\n"})
    for fmt in ("table", "json", "markdown"):
        code, out, _ = gate(root, "--quiet", "--format", fmt)
        assert (code, out) == (0, "")
    report = tmp_path / "comment.md"
    code, out, err = gate(root, "--quiet", "--format", "markdown", "-o", report)
    assert (code, out, err) == (0, "", "")
    assert not report.exists()


def test_quiet_still_reports_a_change(gitrepo, gate):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1010)})
    code, out, _ = gate(root, "--quiet", "--format", "markdown")
    assert code == 0 and out.startswith("<!-- costgate-report -->")


def test_output_file_is_written_even_when_the_gate_fails(gitrepo, gate, tmp_path):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    report = tmp_path / "out" / "comment.md"
    report.parent.mkdir()
    code, out, err = gate(root, "--format", "markdown", "--output", report)
    assert code == 1
    text = report.read_text(encoding="utf-8")
    assert out == "" and err == f"wrote markdown report to {report} ({len(text.encode('utf-8'))} bytes)\n"
    assert text.startswith("<!-- costgate-report -->\n## ❌ **costgate: 2 thresholds crossed**")
    code, out, err = gate(root, "--format", "json", "-o", report, "--quiet")  # --quiet: no confirmation
    assert (code, out, err) == (1, "", "") and report.read_text(encoding="utf-8").startswith("{")


def test_json_report_schema(gitrepo, gate):
    root = gitrepo({"two.costgate.yaml": spec_text(feature="two")})
    write(root, {"prompts/system.j2": hello(1300)})
    code, out, _ = gate(root, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["schema_version"] == 1 and doc["kind"] == "diff" and doc["passed"] is False
    assert set(doc) >= {"schema_version", "passed", "changed", "base", "head", "as_of", "features", "crossings",
                        "monthly_cost_before_usd", "monthly_cost_after_usd", "monthly_delta_usd", "config_changed",
                        "pricing", "pricing_error"}
    assert doc["as_of"] == AS_OF and doc["base"] == "HEAD"
    assert [f["feature"] for f in doc["features"]] == ["bot", "two"]
    for f in doc["features"]:
        assert set(f) >= {"feature", "spec", "status", "monthly_cost_before_usd", "monthly_cost_after_usd",
                          "monthly_delta_usd", "calls", "renamed_from", "base_spec"}
        for c in f["calls"]:
            assert set(c) == {
                "name", "status", "renamed_from", "system_prompt_tokens_before", "system_prompt_tokens_after",
                "tool_tokens_before", "tool_tokens_after", "input_tokens_mean_before", "input_tokens_mean_after",
                "cost_per_session_before_usd", "cost_per_session_after_usd",
                "monthly_cost_before_usd", "monthly_cost_after_usd", "monthly_delta_usd"}
    # money is a string (Decimal), never a float
    assert isinstance(doc["monthly_delta_usd"], str)
    for c in doc["crossings"]:
        assert set(c) == {"level", "threshold", "feature", "call", "before", "after", "limit", "message", "file", "line",
                          "setting", "below_floor", "monthly_increase_usd"}


def test_annotations_default_on_under_github_actions_only(gitrepo, gate, monkeypatch):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert "::error" not in gate(root)[1]
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert "::error file=prompts/system.j2" in gate(root)[1]
    assert "::error" not in gate(root, "--no-annotations")[1]


# ------------------------------------------------------------- the cache and --jobs

@pytest.mark.parametrize("command", ["diff", "check"])
def test_help_documents_the_cache_and_jobs(run, command):
    code, out, _ = run(command, "--help")
    assert code == 0
    for needle in ("--jobs N", "--cache-dir DIR", "--no-cache", "$XDG_CACHE_HOME/costgate", "~/.cache/costgate",
                   "the number of cores"):
        assert needle in out, needle
    if command == "diff":
        assert "actions/cache" in out and "500 MB" in out


def test_estimate_reads_a_second_run_from_the_cache(run, tmp_path, monkeypatch):
    import costgate.gate.runner

    cache = tmp_path / "cache"
    args = ("estimate", FIXTURES / "support-bot", FIXTURES / "rag-answerer", "--as-of", AS_OF, "--format", "json",
            "--what-if", "--cache-dir", cache)
    first = run(*args)
    assert first[0] == 0 and len(list(cache.glob("v*/*/*.json"))) == 2
    assert run(*args[:-2], "--no-cache") == first

    def refuse(*a, **k):
        raise AssertionError("estimated although the cache holds the estimate")

    monkeypatch.setattr(costgate.gate.runner, "estimate", refuse)
    assert run(*args) == first  # estimates from the cache; what-if levers computed again


def test_estimate_with_no_cache_writes_nothing(run, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    code, _, _ = run("estimate", FIXTURES / "rag-answerer", "--as-of", AS_OF, "--no-cache")
    assert code == 0 and not (tmp_path / "xdg").exists()
    code, _, _ = run("estimate", FIXTURES / "rag-answerer", "--as-of", AS_OF)
    assert code == 0 and len(list((tmp_path / "xdg" / "costgate").glob("v*/*/*.json"))) == 1
