"""Rendering what a template includes, and the variables templates see
(costgate/estimate/render.py, sandbox.py): included templates render from what the spec
read (no file is opened), their errors name their own file and line, the variables they
use make the template vary, the prompt as written counts their text; per-call ``vars``,
``undefined: empty`` (fast path and Jinja2 alike) and calls without a user message."""

from __future__ import annotations

import shutil

import pytest
from helpers import QUERIES, write

from costgate.errors import CostgateError
from costgate.estimate.render import _Compiled, render_call
from costgate.estimate.sandbox import BoundedSandbox
from costgate.spec import Template, load_spec

SPEC = """\
version: 1
feature: bot
traffic: {{sessions_per_day: 100}}
samples: {{file: queries.txt}}
{top}calls:
  - name: answer
    model: gpt-4o
    per_session: 1
{call}"""
QUERIES_TEXT = QUERIES  # "hi there", "how are you"


def load(root, call: str = "    system: {file: prompts/system.j2}\n    user: \"{{ query }}\"\n", top: str = "",
         files=None):
    write(root, {"bot.costgate.yaml": SPEC.format(top=top, call=call), "queries.txt": QUERIES_TEXT, **(files or {})})
    return load_spec(root / "bot.costgate.yaml")


def rendered(spec, role: str = "system", turns: int = 1):
    call = spec.call("answer")
    return render_call(spec, call, turns=turns, limits=spec.work).columns[role]


def render_error(spec) -> CostgateError:
    with pytest.raises(CostgateError) as info:
        render_call(spec, spec.call("answer"))
    return info.value


# -------------------------------------------------------------------------------- includes

def test_include_import_from_and_extends_render_as_jinja_renders_them(repo):
    spec = load(repo, files={
        "prompts/system.j2": '{% extends "base.j2" %}{% import "m.j2" as m %}{% from "m.j2" import shout %}'
                             '{% block body %}{% include "policy.j2" %} {{ m.wrap(query) }} {{ shout(product) }}'
                             '{% endblock %}',
        "prompts/base.j2": "[{% block body %}{% endblock %}]\n",
        "prompts/policy.j2": "No refunds.\n",
        "prompts/m.j2": "{% macro wrap(x) %}<{{ x }}>{% endmacro %}{% macro shout(x) %}{{ x|upper }}{% endmacro %}"},
        top="vars: {product: acme}\n")
    assert rendered(spec) == (("[No refunds. <hi there> ACME]", "[No refunds. <how are you> ACME]"),)


def test_rendering_reads_no_file(repo):
    spec = load(repo, files={"prompts/system.j2": '{% include "partials/a.j2" %}!',
                             "prompts/partials/a.j2": 'A{% include "partials/b.j2" %}', "prompts/partials/b.j2": "B"})
    shutil.rmtree(repo / "prompts")
    assert rendered(spec) == (("AB!", "AB!"),)


@pytest.mark.parametrize("text", ['{% include "p.j2" %}', '{% include ["p.j2", "q.j2"] %}',
                                  '{% import "/etc/passwd" as m %}', '{% extends "../../../../etc/passwd" %}'])
def test_a_template_can_reach_nothing_but_what_the_spec_read(text):
    """Built without loading a spec (so nothing was read), an include finds no file at all."""
    compiled = _Compiled(BoundedSandbox(), Template("line\n" + text, "t.j2"), "<t>")
    with pytest.raises(CostgateError) as info:
        compiled.render({})
    assert info.value.message.startswith("template names a template the spec did not read when it was loaded: ")
    assert "\x1f" not in info.value.message and info.value.location.line == 2


def test_the_variables_an_included_template_uses_make_the_template_vary(repo):
    """``{{ query }}`` and ``turn`` only in the partial: rendered per sample and per turn."""
    spec = load(repo, files={"prompts/system.j2": 'Top {% include "p.j2" %}', "prompts/p.j2": "{{ query }} {{ turn }}"})
    assert rendered(spec, turns=2) == (("Top hi there 1", "Top how are you 1"), ("Top hi there 2", "Top how are you 2"))


def test_an_error_inside_an_included_template_names_its_file_and_line(repo):
    spec = load(repo, files={"prompts/system.j2": 'one\n{% include "p.j2" %}', "prompts/p.j2": "a\nb\n{{ nope }}\n"})
    err = render_error(spec)
    assert (err.location.file, err.location.line) == ("prompts/p.j2", 3)
    assert err.message.startswith("undefined template variable: 'nope' is undefined")
    spec = load(repo, files={"prompts/p.j2": "a\n\n{{ ''.__class__ }}"})
    err = render_error(spec)
    assert (err.location.file, err.location.line) == ("prompts/p.j2", 3) and "unsafe" in err.message


def test_a_syntax_error_in_an_included_template_names_its_file_and_line(repo):
    spec = load(repo, files={"prompts/system.j2": '{% include "p.j2" %}', "prompts/p.j2": "a\n{% if %}\n"})
    err = render_error(spec)
    assert (err.location.file, err.location.line) == ("prompts/p.j2", 2)
    assert err.message.startswith("template syntax error")


def test_the_includer_keeps_its_own_lines_and_an_inline_one_its_spec_line(repo):
    spec = load(repo, files={"prompts/system.j2": '{% include "p.j2" %}\n{{ nope }}', "prompts/p.j2": "fine"})
    assert (render_error(spec).location.file, render_error(spec).location.line) == ("prompts/system.j2", 2)
    spec = load(repo, call='    system: "{% include \'prompts/p.j2\' %}{{ nope }}"\n', files={"prompts/p.j2": "x"})
    err = render_error(spec)
    assert (err.location.file, err.location.line) == ("bot.costgate.yaml", 9)


def test_the_fast_path_never_renders_a_template_with_includes():
    env = BoundedSandbox()
    tpl = Template('{% include "p.j2" %}', "t.j2", includes=(("p.j2", Template("{{ x }}", "p.j2")),))
    compiled = _Compiled(env, tpl, "<t>")
    assert compiled.parts is None and compiled.fmt is None
    assert compiled.uses == {"x"} and compiled.render({"x": "y"}) == "y"


def test_the_prompt_as_written_counts_included_text_and_leaves_out_sample_data(repo):
    spec = load(repo, files={"prompts/system.j2": 'Top. {% include "p.j2" %}', "prompts/p.j2": "Policy: {{ query }}."})
    call = spec.call("answer")
    assert render_call(spec, call).written_system == ("Top. Policy: .",)


def test_the_compress_lever_keeps_the_includes(repo, run):
    load(repo, files={"prompts/system.j2": 'Top   text.\n\n\n\n{% include "p.j2" %}', "prompts/p.j2": "Policy."})
    code, out, err = run("estimate", repo / "bot.costgate.yaml", "--as-of", "2026-11-01", "--what-if")
    assert code == 0, err
    assert "collapse whitespace in the system prompt" in out  # the edited template still renders its include


# ------------------------------------------------------------------------------- variables

def test_call_vars_override_spec_vars_and_sample_fields_override_both(repo):
    write(repo, {"rows.jsonl": '{"query": "q1", "tone": "row"}\n{"query": "q2"}\n'})
    spec = load(repo, top="vars: {tone: spec, product: acme, level: spec}\n",
                call="    system: '{{ tone }} {{ product }} {{ level }}'\n    vars: {tone: call, level: call}\n")
    # queries.txt rows have no tone field
    assert rendered(spec) == (("call acme call", "call acme call"),)
    text = (repo / "bot.costgate.yaml").read_text().replace("queries.txt", "rows.jsonl")
    write(repo, {"bot.costgate.yaml": text})
    spec = load_spec(repo / "bot.costgate.yaml")
    assert rendered(spec) == (("row acme call", "call acme call"),)
    # the prompt as written: a row's tone is sample data, left out; the call's is a constant
    assert render_call(spec, spec.call("answer")).written_system == (" acme call", "call acme call")


def test_call_vars_must_be_a_mapping(repo):
    with pytest.raises(CostgateError) as info:
        load(repo, call="    user: hi\n    vars: [1, 2]\n")
    assert info.value.location.line == 10 and "calls[0].vars must be a mapping" in info.value.message


@pytest.mark.parametrize("template", ["{{ nope }}!", "{% if x %}{% endif %}{{ nope }}!", "{{ nope.deeper[0] }}!"])
def test_undefined_empty_renders_nothing_on_both_paths(repo, template):
    spec = load(repo, top="undefined: empty\n", call=f"    system: '{template}'\n")
    assert rendered(spec) == (("!", "!"),)
    strict = load(repo, call=f"    system: '{template}'\n")
    assert "undefined" in render_error(strict).message


def test_undefined_empty_keeps_unsafe_attributes_and_calls_errors(repo):
    spec = load(repo, top="undefined: empty\n", call="    system: \"{{ ''.__class__.__mro__ }}\"\n")
    assert "unsafe" in render_error(spec).message
    spec = load(repo, top="undefined: empty\n", call="    system: '{{ nope() }}'\n")
    assert "undefined" in render_error(spec).message


def test_undefined_takes_strict_or_empty(repo):
    assert load(repo, call="    user: hi\n").undefined == "strict"
    with pytest.raises(CostgateError) as info:
        load(repo, top="undefined: lenient\n", call="    user: hi\n")
    assert info.value.location.line == 5 and "strict, empty" in info.value.message


# ------------------------------------------------------------------------------ messages

def test_a_call_with_a_system_prompt_needs_no_user_message(repo, run):
    spec = load(repo, call="    system: 'Classify: {{ query }}'\n    output_tokens: 1\n")
    assert rendered(spec, "user") == (("", ""),)
    code, out, err = run("estimate", repo / "bot.costgate.yaml", "--as-of", "2026-11-01", "--format", "json")
    assert code == 0, err


@pytest.mark.parametrize("call", ["    output_tokens: 1\n", "    system: ''\n    user: null\n"])
def test_a_call_with_no_message_at_all_is_an_error(repo, call):
    with pytest.raises(CostgateError) as info:
        load(repo, call=call)
    assert info.value.location.line == 6 and "sends no message" in info.value.message
