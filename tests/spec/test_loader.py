"""Spec loading (costgate.spec): the shipped fixtures, templates inline and from files,
samples files, scenarios and every history form. (Bad input at the command line is in
tests/cli/test_errors.py.)"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import FIXTURES, ROOT, write_spec

from costgate.errors import CostgateError
from costgate.repo import WorkTree
from costgate.spec import Cache, History, Output, Template, load_spec

D = Decimal
FIXTURE_SPECS = sorted(FIXTURES.glob("*/*.costgate.yaml"))


def _sample_count(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if line.strip())


# ------------------------------------------------------------------------- fixtures

def test_fixtures_are_present():
    names = {p.parent.name for p in FIXTURE_SPECS}
    assert {"support-bot", "rag-answerer"} <= names


@pytest.mark.parametrize("path", FIXTURE_SPECS, ids=lambda p: p.parent.name)
def test_fixture_loads(path):
    spec = load_spec(path)
    assert spec.feature == path.parent.name
    assert spec.file == path.relative_to(ROOT).as_posix()
    assert spec.calls
    samples = FIXTURES / path.parent.name / Path(spec.samples_file).name
    assert spec.samples_file == samples.relative_to(ROOT).as_posix()
    assert len(spec.samples) == _sample_count(samples)
    # every file the spec read is listed, the spec first, without duplicates
    assert spec.files[0] == spec.file
    assert len(set(spec.files)) == len(spec.files)
    assert spec.samples_file in spec.files
    for call in spec.calls:
        for tpl in (call.system, call.context, call.user):
            if tpl is not None and tpl.file != spec.file:
                assert tpl.file in spec.files
                # the text as written in its file, from its first line on (a whole template
                # file from line 1, a .prompty section from the line after its role line)
                text = (ROOT / tpl.file).read_text(encoding="utf-8")
                rest = "\n".join(text.split("\n")[tpl.first_line - 1:])
                assert rest.startswith(tpl.text) and (tpl.first_line > 1 or rest == tpl.text)


@pytest.mark.parametrize("path", FIXTURE_SPECS, ids=lambda p: p.parent.name)
def test_fixture_scenarios_name_known_calls(path):
    spec = load_spec(path)
    assert spec.scenarios
    names = {c.name for c in spec.calls}
    for scenario in spec.scenarios:
        assert set(scenario.mixes) <= names
        for mix in scenario.mixes.values():
            assert sum(s for _, s in mix) == 1


def test_support_bot_details():
    spec = load_spec(FIXTURES / "support-bot" / "support-bot.costgate.yaml")
    assert spec.traffic.sessions_per_day == 10000
    assert spec.traffic.days_per_month == 30
    assert spec.traffic.growth_per_month == D("0.05")
    route, answer = spec.calls
    assert route.name == "route" and route.models == ("gpt-4o-mini",)
    assert route.output == Output(D(5))
    assert answer.mix == (("gpt-4o-mini", D("0.7")), ("gpt-4o", D("0.3")))
    assert answer.per_session == 3
    assert answer.history == History("full")
    assert answer.output == Output(D(220), 800)
    assert answer.cache.prompt_prefix is True
    assert answer.cache.semantic_hit_rate == D("0.1")
    assert answer.retry_rate == D("0.02")
    assert answer.user == Template("{{ query }}", spec.file, answer.user.first_line)
    assert answer.system.file == "fixtures/support-bot/prompts/system.j2"
    assert spec.vars["product"] == "Acme Cloud"
    assert all(set(row) == {"query"} for row in spec.samples)
    assert spec.budget.monthly_usd == 3000


def test_rag_answerer_details():
    spec = load_spec(FIXTURES / "rag-answerer" / "rag-answerer.costgate.yaml")
    (answer,) = spec.calls
    assert answer.per_session == D("1.5")
    assert answer.context.file == "fixtures/rag-answerer/prompts/context.j2"
    # system and user messages, model and max_tokens come from its .prompty file
    assert answer.system.file == answer.user.file == "fixtures/rag-answerer/prompts/answer.prompty"
    assert (answer.system.first_line, answer.user.text, answer.user.first_line) == (26, "{{ query }}", 49)
    assert answer.models == ("claude-sonnet-4-5",) and answer.max_tokens == 1000
    assert answer.output == Output(D(350), 1000)
    assert all({"query", "documents"} <= set(row) for row in spec.samples)
    tiered = next(s for s in spec.scenarios if s.name == "tiered")
    assert tiered.mixes["answer"] == (("claude-haiku-4-5", D("0.6")), ("claude-sonnet-4-5", D("0.4")))


def test_fixture_from_another_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    spec = load_spec(FIXTURES / "support-bot" / "support-bot.costgate.yaml")
    assert spec.file == "fixtures/support-bot/support-bot.costgate.yaml"


# ------------------------------------------------------------------------ templates

SPEC = """\
version: 1
feature: demo
traffic: {sessions_per_day: 10}
samples: {file: data/queries.txt}
calls:
  - name: answer
    model: gpt-4o-mini
    per_session: 1
    system: {file: prompts/system.j2}
    context: |
      Context for {{ query }}
      second line
    user: "{{ query }}"
"""


@pytest.fixture
def demo(repo):
    return write_spec(repo, SPEC, {
        "specs/data/queries.txt": "  first query  \n\n   \nsecond query\n\nthird\n",
        "specs/prompts/system.j2": "System prompt.\n",
    }, name="specs/demo.costgate.yaml")


def test_file_and_inline_templates(demo):
    spec = load_spec(demo)
    call = spec.call("answer")
    # paths are relative to the spec; data/ and prompts/ live next to it
    assert spec.file == "specs/demo.costgate.yaml"
    assert call.system == Template("System prompt.\n", "specs/prompts/system.j2", 1)
    assert call.user == Template("{{ query }}", "specs/demo.costgate.yaml", 13)
    assert call.context.text == "Context for {{ query }}\nsecond line\n"
    assert call.context.file == "specs/demo.costgate.yaml"
    assert call.context.first_line == 11  # `context: |` is line 10; its text starts below
    assert spec.files == ("specs/demo.costgate.yaml", "specs/prompts/system.j2", "specs/data/queries.txt")


def test_txt_samples_one_per_line_skipping_blanks(demo):
    spec = load_spec(demo)
    assert spec.samples == ({"query": "first query"}, {"query": "second query"}, {"query": "third"})
    assert spec.samples_file == "specs/data/queries.txt"


def test_jsonl_samples_rows(repo):
    rows = [{"query": "a", "documents": [{"title": "t", "text": "x"}]}, {"query": "b", "n": 2}]
    path = write_spec(repo, SPEC.replace("data/queries.txt", "rows.jsonl"), {
        "specs/rows.jsonl": json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n",
        "specs/prompts/system.j2": "S",
    }, name="specs/demo.costgate.yaml")
    spec = load_spec(path)
    assert spec.samples == tuple(rows)
    assert spec.samples_file == "specs/rows.jsonl"


def test_load_spec_with_explicit_source(demo, repo):
    spec = load_spec(demo, WorkTree(repo))
    assert spec.file == "specs/demo.costgate.yaml"


def test_no_template_files_outside_calls_are_read(demo):
    # An inline-only spec lists just itself and its samples.
    spec_text = SPEC.replace("    system: {file: prompts/system.j2}\n", "")
    demo.write_text(spec_text)
    assert load_spec(demo).files == ("specs/demo.costgate.yaml", "specs/data/queries.txt")


# ---------------------------------------------------------------- calls and sections

def _with_call(lines: str) -> str:
    return SPEC.replace('    user: "{{ query }}"\n', '    user: "{{ query }}"\n' + lines)


@pytest.mark.parametrize("text, expected", [
    ("", History("none")),
    ("    history: none\n", History("none")),
    ("    history: full\n", History("full")),
    ("    history: {window: 3}\n", History("window", window=3)),
    ("    history: {tokens: 2000}\n", History("tokens", tokens=2000)),
    ("    history: {summary: {every: 4, tokens: 200}}\n", History("summary", every=4, summary_tokens=200)),
    ("    history:\n      summary:\n        every: 2\n        tokens: 50\n", History("summary", every=2, summary_tokens=50)),
])
def test_history_forms(demo, text, expected):
    demo.write_text(_with_call(text))
    assert load_spec(demo).call("answer").history == expected


@pytest.mark.parametrize("text, message", [
    ("    history: sometimes\n", "history must be none, full"),
    ("    history: {window: 2.5}\n", "must be a whole number"),
    ("    history: {summary: {every: 0, tokens: 5}}\n", "must be > 0"),
    ("    history: {summary: {every: 2}}\n", "missing required key 'tokens'"),
    ("    history: {windw: 2}\n", "unknown key 'windw'"),
])
def test_bad_history_forms(demo, text, message):
    demo.write_text(_with_call(text))
    with pytest.raises(CostgateError, match=message) as info:
        load_spec(demo)
    assert info.value.location.file == "specs/demo.costgate.yaml"
    assert info.value.location.line == 14


def test_call_options(demo):
    demo.write_text(_with_call(
        "    output_tokens: {mean: 120.5, max: 400}\n"
        "    cache: {prompt_prefix: true, ttl: 1h, semantic_hit_rate: 0.25, exact_hit_rate: auto,"
        " embedding_model: text-embedding-3-large}\n"
        "    batch: 0.5\n"
        "    retry_rate: 0.03\n"
        "    latency: offline\n"
        "    max_tokens: 300\n"
        "    router: {model: gpt-4o-mini, output_tokens: 3}\n"
    ))
    call = load_spec(demo).call("answer")
    assert call.output == Output(D("120.5"), 400)
    assert call.cache == Cache(True, "1h", D("0.25"), "auto", "text-embedding-3-large")
    assert (call.batch, call.retry_rate, call.latency, call.max_tokens) == (D("0.5"), D("0.03"), "offline", 300)
    assert call.router.model == "gpt-4o-mini" and call.router.output_tokens == 3
    assert call.line == 6


def test_decimals_are_exact(demo):
    demo.write_text(_with_call("    retry_rate: 0.1\n").replace("sessions_per_day: 10}", "sessions_per_day: 0.3}"))
    spec = load_spec(demo)
    assert spec.traffic.sessions_per_day == D("0.3")  # not 0.299999...
    assert spec.call("answer").retry_rate == D("0.1")


def test_scenarios_parse(demo):
    demo.write_text(SPEC + (
        "scenarios:\n"
        "  cheap:\n"
        "    answer: {model: gpt-4.1-nano}\n"
        "  tiered:\n"
        "    answer: {mix: {gpt-4o-mini: 0.75, gpt-4o: 0.25}}\n"
        "budget: {monthly_usd: 12.5, worst_case_usd: 40}\n"
    ))
    spec = load_spec(demo)
    cheap, tiered = spec.scenarios
    assert cheap.name == "cheap" and dict(cheap.mixes) == {"answer": (("gpt-4.1-nano", D(1)),)}
    assert tiered.mixes["answer"] == (("gpt-4o-mini", D("0.75")), ("gpt-4o", D("0.25")))
    assert spec.budget.monthly_usd == D("12.5") and spec.budget.worst_case_usd == 40


@pytest.mark.parametrize("scenarios, message, line", [
    ("  x:\n    anser: {model: gpt-4o}\n", "unknown key 'anser' in scenarios.x", 16),
    ("  x:\n    answer: {model: gpt-4o, mix: {gpt-4o: 1}}\n", "exactly one of 'model' or 'mix'", 16),
    ("  x:\n    answer: {mix: {gpt-4o: 0.5}}\n", "mix shares sum to 0.5, not 1", 16),
])
def test_bad_scenarios(demo, scenarios, message, line):
    demo.write_text(SPEC + "scenarios:\n" + scenarios)
    with pytest.raises(CostgateError, match=message) as info:
        load_spec(demo)
    assert info.value.location.line == line


def test_duplicate_call_names(demo):
    demo.write_text(SPEC + '  - name: answer\n    model: gpt-4o\n    per_session: 1\n    user: "x"\n')
    with pytest.raises(CostgateError, match="duplicate call name 'answer'") as info:
        load_spec(demo)
    assert info.value.location.line == 14


def test_model_and_mix_are_exclusive(demo):
    demo.write_text(SPEC.replace("    model: gpt-4o-mini\n", "    model: gpt-4o-mini\n    mix: {gpt-4o: 1}\n"))
    with pytest.raises(CostgateError, match="needs exactly one of 'model' or 'mix'"):
        load_spec(demo)


def test_missing_required_keys(demo):
    demo.write_text(SPEC.replace("    per_session: 1\n", ""))
    with pytest.raises(CostgateError, match=r"missing required key 'per_session' in calls\[0\]"):
        load_spec(demo)
