"""Each cost lever against a hand computation, and the what-if ranking.

Texts: " hello" x N and " why" x N are N o200k tokens; role names are 1 token; OpenAI
bills 3 tokens per message + the role, and 3 priming the reply. gpt-4o: $2.50 in,
$10.00 out per 1M; gpt-4o-mini $0.15 / $0.60; text-embedding-3-small $0.02. The spec
is helpers.spec_file (growth and tails on the same spec are in test_growth.py).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from helpers import AS_OF_DATE, FIXTURES, est, spec_file
from hypothesis import given, settings
from hypothesis import strategies as st

from costgate.errors import CostgateError
from costgate.estimate import levers as levers_module
from costgate.estimate.compress import compress
from costgate.estimate.levers import what_if
from costgate.estimate.simulate import estimate
from costgate.pricing import load_table
from costgate.spec import load_spec

M = 1_000_000
BASE_IN = (4 + 2000) + (4 + 200) + 3  # system + user + reply priming = 2,211
TURN = (4 + 200) + (4 + 800)  # one earlier turn resent: user message + answer = 1,008


def turn_cost(extra_tokens) -> D:
    return ((BASE_IN + extra_tokens) * D("2.5") + 800 * 10) / M


def test_history_window_5_on_20_turns(tmp_path):
    e = est(spec_file(tmp_path, "    history: {window: 5}", per_session="20"))
    assert e.cost_per_session == sum(turn_cost(min(k - 1, 5) * TURN) for k in range(1, 21))
    full = est(spec_file(tmp_path, "    history: full", per_session="20"))
    assert full.cost_per_session == sum(turn_cost((k - 1) * TURN) for k in range(1, 21))
    assert e.cost_per_session < full.cost_per_session


def test_history_token_budget_keeps_newest_turns_that_fit(tmp_path):
    e = est(spec_file(tmp_path, "    history: {tokens: 3000}", per_session="6"))
    fit = 3000 // TURN  # 2 turns of 1,008 tokens fit in 3,000
    assert e.cost_per_session == sum(turn_cost(min(k - 1, fit) * TURN) for k in range(1, 7))


def test_history_summary_every_4_turns(tmp_path):
    e = est(spec_file(tmp_path, "    history: {summary: {every: 4, tokens: 100}}", per_session="10"))
    summary_msg = 4 + 100
    total = D(0)
    for k in range(1, 11):
        raw = (k - 1) % 4
        total += turn_cost(raw * TURN + (summary_msg if k - 1 >= 4 else 0))
        if k > 1 and (k - 1) % 4 == 0:  # the summary call before turns 5 and 9
            previous = summary_msg if k - 1 > 4 else 0
            total += ((4 * TURN + previous + 3) * D("2.5") + 100 * 10) / M
    assert e.cost_per_session == total


def test_semantic_cache_30_percent_minus_embedding(tmp_path):
    plain = est(spec_file(tmp_path))
    cached = est(spec_file(tmp_path, "    cache: {semantic_hit_rate: 0.3}"))
    embedding = D(200) * D("0.02") / M  # the user message, embedded on every lookup
    assert cached.cost_per_session == plain.cost_per_session * D("0.7") + embedding


def test_exact_cache_auto_uses_sample_duplicates(tmp_path):
    samples = "Where is my order?\nwhere is my order\nRefund please\nRefund please!\n"
    plain_dir, cached_dir = tmp_path / "plain", tmp_path / "cached"
    plain_dir.mkdir(), cached_dir.mkdir()
    no_cache_spec = spec_file(plain_dir)
    cached_spec = spec_file(cached_dir, "    cache: {exact_hit_rate: auto}")
    for d in (plain_dir, cached_dir):
        (d / "q.txt").write_text(samples)
    # Two of the four samples repeat an earlier one once case and punctuation are ignored.
    assert est(cached_spec).cost_per_session == est(no_cache_spec).cost_per_session * D("0.5")


def test_router_classifier_is_priced(tmp_path):
    plain = est(spec_file(tmp_path))
    routed = est(spec_file(tmp_path, "    router: {model: gpt-4o-mini, output_tokens: 5}"))
    classifier = ((3 + 4 + 200) * D("0.15") + 5 * D("0.60")) / M
    assert routed.cost_per_session == plain.cost_per_session + classifier


def test_batch_half_off(tmp_path):
    e = est(spec_file(tmp_path, "    batch: 1.0"))
    assert e.cost_per_session == (BASE_IN * D("1.25") + 800 * 5) / M


def test_retries_paid_twice(tmp_path):
    e = est(spec_file(tmp_path, "    retry_rate: 0.1"))
    assert e.cost_per_session == turn_cost(0) * D("1.1")


def test_anthropic_cache_write_premium_at_low_traffic(tmp_path):
    # One session a day: every call is the first in its 5-minute window, so the prefix is
    # written (1.25x input) every time: caching costs more, and the estimate says so.
    on = est(spec_file(tmp_path, "    cache: {prompt_prefix: true}", sessions="1", model="claude-sonnet-4-5"))
    off = est(spec_file(tmp_path, sessions="1", model="claude-sonnet-4-5"))
    assert on.cost_per_session > off.cost_per_session


def test_what_if_top_line_is_the_edit_it_describes(tmp_path):
    p = spec_file(tmp_path, "    history: full", per_session="8")
    spec, table = load_spec(p), load_table()
    base = estimate(spec, table, as_of=AS_OF_DATE, alternatives=False)
    levers = what_if(spec, table, base)
    assert levers == sorted(levers, key=lambda lv: -lv.saving)
    top = levers[0]
    model = top.description.removeprefix("route to ")
    edited = replace(spec, calls=(replace(spec.calls[0], mix=((model, D(1)),)),))
    assert top.lever == "route"
    assert top.saving == base.monthly_cost - estimate(edited, table, as_of=AS_OF_DATE, alternatives=False).monthly_cost
    window = next(lv for lv in levers if lv.lever == "history_window")
    assert window.saving == base.monthly_cost - est(spec_file(tmp_path, "    history: {window: 5}", per_session="8")).monthly_cost


def test_what_if_on_each_fixture_routes_within_the_capability_class():
    # Routing advice stays within the class of the call's models (pricing data): the
    # support bot (small + standard models) and the nightly job (small) are offered
    # cheaper models of those classes; the RAG answerer on a frontier model is offered no
    # smaller model (claude-3-haiku was its top lever before the classes), and its prompt
    # caching is already on, so it gets no advice at all.
    table = load_table()
    tops = {}
    for name in ("support-bot", "rag-answerer", "nightly-summarizer"):
        spec = load_spec(FIXTURES / name / f"{name}.costgate.yaml")
        levers = what_if(spec, table, as_of=AS_OF_DATE)
        assert all(a.saving >= b.saving for a, b in zip(levers, levers[1:]))
        classes = {table.model(m).capability for c in spec.calls for m in c.models}
        for lv in levers:
            if lv.lever == "route":
                assert table.model(lv.description.removeprefix("route to ")).capability in classes
        tops[name] = (levers[0].call, levers[0].description) if levers else None
    assert tops == {
        "support-bot": ("answer", "route to gpt-4.1-nano"),
        "rag-answerer": None,
        "nightly-summarizer": ("summarize", "route to gpt-4.1-nano"),
    }


@settings(max_examples=25, deadline=None)
@given(window=st.integers(0, 12), per_session=st.integers(1, 15), cap=st.integers(1, 2000))
def test_levers_never_increase_cost(tmp_path_factory, window, per_session, cap):
    tmp = tmp_path_factory.mktemp("lever")
    full = est(spec_file(tmp, "    history: full", per_session=str(per_session)))
    windowed = est(spec_file(tmp, f"    history: {{window: {window}}}", per_session=str(per_session)))
    capped = est(spec_file(tmp, f"    history: full\n    max_tokens: {cap}", per_session=str(per_session)))
    batched = est(spec_file(tmp, "    history: full\n    batch: 0.5", per_session=str(per_session)))
    assert windowed.monthly_cost <= full.monthly_cost
    assert capped.monthly_cost <= full.monthly_cost
    assert batched.monthly_cost <= full.monthly_cost



# ------------------------------------------------------------ compress the system prompt
# Two loops ending in identical {% endfor %} lines: template logic, not a repeated
# sentence (the field trial's template; the lever used to drop the second one).
LOOPS = ("Rules:\n{% for i in range(3) %}\n  rule   {{ i }}\n{% endfor %}\nMore:\n\n\n\n\n"
         "{% for i in range(2) %}\n  item   {{ i }}\n{% endfor %}\n" + "Be kind.\n" * 3)
PARAGRAPH = "Answer in plain English and keep every reply under two hundred words.\n"


def loops_spec(root, system: str):
    (root / ".git").mkdir(parents=True, exist_ok=True)
    (root / "q.txt").write_text("one\ntwo\n")
    (root / "sys.j2").write_text(system)
    (root / "s.costgate.yaml").write_text(
        "version: 1\nfeature: loops\ntraffic: {sessions_per_day: 1000}\nsamples: {file: q.txt}\n"
        "calls:\n  - name: a\n    model: gpt-4o\n    per_session: 1\n    system: {file: sys.j2}\n"
        "    user: \"{{ query }}\"\n    output_tokens: 10\n")
    return load_spec(root / "s.costgate.yaml")


def compress_levers(spec):
    return [lv for lv in what_if(spec, load_table(), as_of=AS_OF_DATE) if lv.lever == "compress_system"]


def test_compress_is_offered_on_template_logic_and_says_what_it_removes(tmp_path):
    spec = loops_spec(tmp_path, LOOPS)
    [lever] = compress_levers(spec)
    assert lever.trade_off.startswith("low risk: whitespace only")
    assert lever.removes == "collapses 1 run of blank lines, collapses 2 runs of spaces inside lines"
    table = load_table()
    base = estimate(spec, table, as_of=AS_OF_DATE, alternatives=False)
    squeezed = replace(spec.calls[0].system, text=compress(LOOPS).text)
    after = estimate(replace(spec, calls=(replace(spec.calls[0], system=squeezed),)), table, as_of=AS_OF_DATE,
                     alternatives=False)
    assert lever.tokens_saved == base.calls[0].system_tokens - after.calls[0].system_tokens > 0
    assert lever.saving > 0


def test_a_repeated_paragraph_is_a_second_medium_risk_variant_naming_its_lines(tmp_path):
    spec = loops_spec(tmp_path, LOOPS + "\n" + PARAGRAPH + "\n" + PARAGRAPH)
    low, medium = sorted(compress_levers(spec), key=lambda lv: lv.saving)
    assert low.trade_off.startswith("low risk") and low.removes and "repeated" not in low.removes
    assert medium.trade_off.startswith("medium risk")
    assert medium.removes.endswith("removes 1 repeated paragraph (line 19)")  # the file's line 19 is the repeat
    assert medium.tokens_saved > low.tokens_saved > 0


def test_a_paragraph_repeated_across_template_logic_is_kept(tmp_path):
    """The copies sit on either side of the loops: each may render where the other does
    not (another branch, another loop), so neither is dropped."""
    [lever] = compress_levers(loops_spec(tmp_path, PARAGRAPH + "\n" + LOOPS + "\n" + PARAGRAPH))
    assert lever.trade_off.startswith("low risk")


def test_compress_is_not_offered_when_nothing_would_change(tmp_path):
    assert compress_levers(loops_spec(tmp_path, "Rules:\n{% for i in range(3) %}\n- rule {{ i }}\n{% endfor %}\n")) == []


def test_a_lever_that_cannot_say_how_it_applies_is_skipped(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise CostgateError("cannot compress")

    monkeypatch.setattr(levers_module, "compress", refuse)
    levers = what_if(loops_spec(tmp_path, LOOPS), load_table(), as_of=AS_OF_DATE)
    assert levers and "compress_system" not in {lv.lever for lv in levers}
