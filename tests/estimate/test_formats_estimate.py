"""An estimate whose system prompt is a Mustache file and whose user message is a Python
format string, recomputed by hand: the texts written out here, counted with the same
tokenizer, priced at gpt-4o's $2.50 / $10 per million tokens."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction as F

from helpers import AS_OF_DATE, write_spec

from costgate.estimate.simulate import estimate
from costgate.pricing import load_table
from costgate.spec import load_spec
from costgate.tokens import get_tokenizer

MSG = 3 + 1  # OpenAI: 3 tokens per message + the role's token
SYSTEM = """\
You are the support assistant for {{product}}.
{{#rules}}
- {{.}}
{{/rules}}
{{#vip}}This customer is a VIP.{{/vip}}
Answer in {{language}}.
"""
SPEC = """\
version: 1
feature: formats
traffic: {sessions_per_day: 1000, days_per_month: 30}
vars: {product: R&D Cloud, language: English, rules: [Be brief., Cite the docs.]}
samples: {file: samples.jsonl}
calls:
  - name: answer
    model: gpt-4o
    per_session: 1
    system: {file: prompts/system.mustache}
    user: {text: "{name:<5}| {query!r}", format: format}
    output_tokens: 100
"""
SAMPLES = '{"name": "Ann", "query": "How do I reset my password?", "vip": false}\n' \
          '{"name": "Bo", "query": "Where is my invoice?", "vip": true}\n'


def test_a_mustache_system_prompt_and_a_format_user_message_by_hand(tmp_path):
    (tmp_path / ".git").mkdir()
    path = write_spec(tmp_path, SPEC, {"prompts/system.mustache": SYSTEM, "samples.jsonl": SAMPLES})
    spec = load_spec(path)
    assert (spec.calls[0].system.format, spec.calls[0].user.format) == ("mustache", "format")

    # Mustache: {{product}} HTML-escaped, the standalone section lines dropped, the VIP line
    # only for Bo, the file's final newline kept. str.format: padded name, quoted query.
    base = "You are the support assistant for R&amp;D Cloud.\n- Be brief.\n- Cite the docs.\n"
    systems = [base + "\nAnswer in English.\n", base + "This customer is a VIP.\nAnswer in English.\n"]
    users = ["Ann  | 'How do I reset my password?'", "Bo   | 'Where is my invoice?'"]
    tok = get_tokenizer("o200k_base")
    inputs = [MSG + tok.count(s) + MSG + tok.count(u) + 3 for s, u in zip(systems, users)]
    mean = F(sum(inputs), len(inputs))

    e = estimate(spec, load_table(), as_of=AS_OF_DATE, alternatives=False)
    call = e.call("answer")
    assert call.input_tokens_mean == D(mean.numerator) / D(mean.denominator)
    assert call.system_tokens == max(tok.count(s) for s in systems)
    # The prompt as written: nothing here is sample text except the VIP flag, whose line
    # counts where it shows; the largest is Bo's.
    assert call.static_system_tokens == tok.count(systems[1])
    per_call = (mean * F("2.50") + 100 * 10) / 1_000_000  # no caching: the system message is under 1,024
    assert F(call.cost_per_call) == per_call
    assert F(e.monthly_cost) == per_call * 1000 * 30


def test_the_compress_lever_edits_jinja2_templates_only(tmp_path):
    """compress() reads Jinja2's syntax, so a Mustache template's text is left alone (the
    same text as Jinja2 gets the lever)."""
    from costgate.estimate.levers import what_if

    (tmp_path / ".git").mkdir()
    prompt = "Be brief.   Be kind.\n\n\n\n" + " hello" * 300 + "\nAnswer in {{language}}.\n"
    write_spec(tmp_path, None, {"prompts/system.mustache": prompt, "prompts/system.j2": prompt,
                                "samples.jsonl": SAMPLES})
    kinds = {}
    for name in ("system.mustache", "system.j2"):
        path = write_spec(tmp_path, SPEC.replace("system.mustache", name))
        kinds[name] = {lv.lever for lv in what_if(load_spec(path), load_table(), as_of=AS_OF_DATE)}
    assert "compress_system" in kinds["system.j2"]
    assert "compress_system" not in kinds["system.mustache"]
