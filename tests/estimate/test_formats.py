"""Template formats besides Jinja2 (costgate/estimate/formats): each renders a realistic
prompt exactly as its library (or ``str.format_map``) does; hostile templates are refused
at the right line or stopped by the work limits, never hanging or eating memory; and the
prompt as written (sample text printed as nothing) works for every format."""

from __future__ import annotations

import re
import tracemalloc
from decimal import Decimal

import mstache
import pytest
from dotpromptz_handlebars import Handlebars

from costgate.errors import CostgateError
from costgate.estimate.formats import Data, compile_template
from costgate.estimate.render import render_call
from costgate.estimate.sandbox import BoundedSandbox
from costgate.limits import WorkLimits
from costgate.spec import Call, Spec, Template, Traffic

DATA = {"product": "R&D Cloud", "name": "Ann", "query": "Where's my <invoice>?", "n": 3, "price": 4.5,
        "ok": True, "none": None, "tags": ["billing", "urgent"], "user": {"plan": "pro", "seats": 12},
        "docs": [{"title": "Invoices", "body": "Find them under Billing."}, {"title": "Refunds", "body": "30 days."}]}


def compiled(text: str, fmt: str, limits: WorkLimits | None = None, first_line: int = 1):
    env = BoundedSandbox(limits or WorkLimits())
    return compile_template(env, Template(text, "prompts/p.txt", first_line, format=fmt), "<t>")


def render(text: str, fmt: str, data=DATA, limits: WorkLimits | None = None) -> str:
    return compiled(text, fmt, limits).render(data)


def error(text: str, fmt: str, data=DATA, limits: WorkLimits | None = None, first_line: int = 1) -> CostgateError:
    with pytest.raises(CostgateError) as info:
        compiled(text, fmt, limits, first_line).render(data)
    return info.value


# ------------------------------------------------------------ what each library renders

FORMAT_PROMPT = """\
You are the support assistant for {product}.
Customer: {name:<6}| plan {n:>3} seats, {price:.2f} USD, flags {ok!s} {none!r}
Tags: {tags}
Question: {query!r} {{escaped braces}}
"""
MUSTACHE_PROMPT = """\
You are the support assistant for {{product}} ({{{product}}}).
{{#docs}}
## {{title}}
{{body}}
{{/docs}}
{{^missing_list}}No extra notes.{{/missing_list}}
Customer {{name}} on {{user.plan}} ({{user.seats}} seats, {{tags.length}} tags: {{tags.0}}) asks: {{query}}
{{! a comment }}{{n}} {{price}} {{ok}} [{{none}}] {{tags}}
"""
HANDLEBARS_PROMPT = """\
You are the support assistant for {{product}} ({{{product}}}).
{{#each docs}}
## {{@index}}. {{title}}{{#if @last}} (last){{/if}}
{{body}}
{{/each}}
{{#if missing}}never{{else}}No extra notes.{{/if}}
{{#with user}}Plan {{plan}}, {{seats}} seats{{/with}}; {{lookup user "plan"}}
Customer {{name}} asks: {{query}} {{n}} {{price}} {{ok}} [{{none}}] {{tags}} {{user}}
"""


def test_format_renders_what_format_map_renders():
    assert render(FORMAT_PROMPT, "format") == FORMAT_PROMPT.format_map(DATA)


def test_mustache_renders_what_mstache_renders():
    expected = mstache.render(MUSTACHE_PROMPT, DATA)
    assert render(MUSTACHE_PROMPT, "mustache") == expected
    assert "R&amp;D Cloud (R&D Cloud)" in expected and "&lt;invoice&gt;" in expected  # escaped as the library does
    assert "## Invoices\nFind them under Billing.\n## Refunds" in expected  # standalone tag lines dropped


def test_handlebars_renders_what_the_library_renders():
    expected = Handlebars().compile(HANDLEBARS_PROMPT)(DATA)
    assert render(HANDLEBARS_PROMPT, "handlebars") == expected
    assert "## 1. Refunds (last)" in expected and "true [] billing,urgent [object Object]" in expected


@pytest.mark.parametrize("fmt,text,uses", [
    ("format", "{a} {b:>{w}} {{c}}", {"a", "b", "w"}),
    ("mustache", "{{a}}{{#b}}{{c.d}}{{.}}{{/b}}{{^e}}{{/e}}{{! f }}", {"a", "b", "c", "e"}),
    ("handlebars", "{{a}}{{#each b}}{{c.d}}{{/each}}{{lookup e 'f'}}", {"a", "b", "c", "d", "e", "f"}),
])
def test_uses_covers_every_name_a_tag_reads(fmt, text, uses):
    assert uses <= set(compiled(text, fmt).uses)


def test_only_plain_format_strings_take_the_parts_path():
    assert compiled("Hi {name}, {{x}}", "format").parts == [(-1, "Hi "), (1, "name"), (-1, ", {x}")]
    assert compiled("Hi {name!r}", "format").parts is None
    assert compiled("Hi {{name}}", "mustache").parts is None  # HTML escaping: not str(value)


# --------------------------------------------------------------------- hostile templates

REFUSED = [  # (format, template, message, line); first_line is 10
    ("format", "a\n{user.plan}", "format strings may only name variables: '{user.plan}' uses attribute access", 11),
    ("format", "a\n{user[plan]}", "'{user[plan]}' uses index access", 11),
    ("format", "{query.__class__.__mro__}", "uses attribute access", 10),
    ("format", "a\n\n{0}", "'{0}' is a positional field", 12),
    ("format", "{}", "'{}' is a positional field", 10),
    ("format", "{n!x}", "unknown conversion '!x'", 10),
    ("format", "{n:{w!r}}", "nested field '{w}'", 10),
    ("format", "{n:{w.x}}", "uses attribute access", 10),
    ("format", "x\n{n:>1000000000}", "asks for 1000000000 characters, over the rendered_chars limit", 11),
    ("format", "{n:.999999999f}", "asks for 999999999 characters", 10),
    ("format", "{n:" + "9" * 5000 + "}", "over the rendered_chars limit", 10),
    ("format", "a\n{name", "template syntax error: expected '}' before end of string", 11),
    ("format", "a\nb }", "Single '}' encountered", 11),
    ("mustache", "a\n{{> ../../outside/canary}}", "the partial", 11),
    ("mustache", "a\n\n{{name", "a tag is never closed", 12),
    ("mustache", "a\n{{#docs}}\n{{title}}", "a section is never closed", 11),
    ("mustache", "a\n{{#docs}}x{{/tags}}", "a closing tag matches no open section", 11),
    ("mustache", "{{= x =}}", "delimiter change", 10),
    ("mustache", "{{#n}}" * 5000 + "{{/n}}" * 5000, "sections nested so deep", 10),
    ("handlebars", "a\n{{> header}}", "the partial 'header'", 11),
    ("handlebars", "a\n{{#> layout}}x{{/layout}}", "the partial 'layout'", 11),
    ("handlebars", 'a\n{{#*inline "p"}}x{{/inline}}', "the partial 'p'", 11),
    ("handlebars", "a\n{{log query}}", "the helper 'log'", 11),
    ("handlebars", "a\n{{uppercase name}}", "the helper 'uppercase'", 11),
    ("handlebars", "a\n{{#if (eq n 3)}}x{{/if}}", "the helper 'eq'", 11),
    ("handlebars", "a\n{{#each}}x{{/each}}", "#each takes exactly one argument", 11),
    ("handlebars", "a\n\n{{name", "template syntax error: unclosed tag", 12),
    ("handlebars", "a\n{{#each docs}}\nx", "unclosed block", 11),
    ("handlebars", "a\n{{#if ok}}\n{{/each}}", "unexpected closing tag each", 12),
    ("handlebars", "{{#if ok}}" * 150 + "{{/if}}" * 150, "nested over 100 deep", 10),
]


@pytest.mark.parametrize("fmt,text,message,line", REFUSED, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSED)])
def test_hostile_templates_are_refused_at_their_line(fmt, text, message, line):
    with pytest.raises(CostgateError) as info:
        compiled(text, fmt, first_line=10)  # refused when compiled: before any sample is rendered
    assert message in info.value.message
    assert info.value.location.file == "prompts/p.txt" and info.value.location.line == line
    assert len(info.value.message) < 300  # quotes the template briefly


@pytest.mark.parametrize("fmt,text,name,line", [
    ("format", "a\n{missing}", "missing", 2),
    ("mustache", "a\n{{missing}}", "missing", 2),
    ("mustache", "a\n{{user.missing}}", "user.missing", 2),
    ("handlebars", "a\n{{missing}}", "missing", 2),
    ("handlebars", "a\n{{#each docs}}{{missing}}{{/each}}", "missing", 2),
])
def test_an_undefined_variable_is_the_jinja_error_at_its_line(fmt, text, name, line):
    e = error(text, fmt)
    assert e.message == f"undefined template variable: '{name}' is undefined"
    assert e.location.line == line and "define it in the samples rows or under vars:" in e.hint


@pytest.mark.parametrize("fmt,text", [
    ("mustache", "{{#missing}}never{{/missing}}{{^missing}}shown{{/missing}}"),
    ("handlebars", "{{#if missing}}never{{else}}shown{{/if}}{{#unless missing}}{{/unless}}"),
])
def test_a_missing_name_in_a_condition_is_false(fmt, text):
    assert render(text, fmt) == "shown"


@pytest.mark.parametrize("fmt,text", [
    ("mustache", "[{{query.__class__}}]"), ("mustache", "[{{query.upper}}]"),
    ("handlebars", "[{{query.__class__}}]"), ("handlebars", "[{{user.__class__.__name__}}]"),
])
def test_names_never_reach_attributes(fmt, text):
    assert "undefined template variable" in error(text, fmt).message


def test_mustache_sections_cannot_walk_to_python_internals():
    """The library's own getter would follow __class__ to object.__subclasses__ and call
    it (and call a section's callable with its text); costgate's finds nothing."""
    walk = "query.__class__.__base__.__subclasses__"
    assert render("{{#" + walk + "}}leak{{/" + walk + "}}done", "mustache") == "done"


@pytest.mark.parametrize("fmt,text,expected", [
    ("format", "{n} {price} {ok} {none} {tags} {user}", "3 4.5 True None ['billing', 'urgent'] "
                                                       "{'plan': 'pro', 'seats': 12}"),
    ("format", "{n:05d} {price:.1%} {ok:>5}", "00003 450.0%     1"),  # bool formats as an int, as Python does
    ("mustache", "{{n}} {{price}} {{ok}} [{{none}}] {{tags}}", "3 4.5 True [] [&#39;billing&#39;, &#39;urgent&#39;]"),
    ("handlebars", "{{n}} {{price}} {{ok}} [{{none}}] {{tags}} {{user}}", "3 4.5 true [] billing,urgent [object Object]"),
])
def test_non_string_sample_values_print_as_the_library_prints_them(fmt, text, expected):
    assert render(text, fmt) == expected


@pytest.mark.parametrize("text", ["{none:>5}", "{tags:.2f}", "{query:d}"])
def test_a_spec_that_does_not_suit_the_value_is_an_error_at_its_field(text):
    e = error("x\n" + text, "format")
    assert e.message.startswith("template failed to render: ") and e.location.line == 2


def test_a_width_from_the_data_is_checked_before_formatting():
    e = error("x\n{n:>{w}}", "format", {"n": 1, "w": 10**9})
    assert "asks for 1000000000 characters" in e.message and e.location.line == 2
    assert render("{n:>{w}}", "format", {"n": 1, "w": 4}) == "   1"


LOOPS = {  # four loops of 100 over a 1,000-character body: 10^11 characters if nothing stopped them
    "mustache": "{{#a}}{{#a}}{{#a}}{{#a}}" + "y" * 1000 + "{{/a}}{{/a}}{{/a}}{{/a}}",
    "handlebars": "{{#each a}}{{#each @root.a}}{{#each @root.a}}{{#each @root.a}}" + "y" * 1000
                  + "{{/each}}{{/each}}{{/each}}{{/each}}",
}
VALUES = {  # three loops of 100 printing a 10,000-character value
    "mustache": "{{#a}}{{#a}}{{#a}}{{{big}}}{{/a}}{{/a}}{{/a}}",
    "handlebars": "{{#each a}}{{#each @root.a}}{{#each @root.a}}{{{@root.big}}}{{/each}}{{/each}}{{/each}}",
}


@pytest.mark.parametrize("fmt,text", [*LOOPS.items(), *VALUES.items(), ("format", "{big}" * 200),
                                      ("handlebars", "{{#each a}}{{#each @root.a}}{{@root.a}}{{/each}}{{/each}}")])
def test_output_that_multiplies_is_stopped_at_rendered_chars_without_building_it(fmt, text):
    tracemalloc.start()
    try:
        e = error(text, fmt, {"a": list(range(100)), "big": "x" * 10_000})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "over the rendered_chars limit of 1,000,000 characters" in e.message
    assert peak < 80_000_000, f"{peak:,} bytes: the output was built before it was refused"


@pytest.mark.parametrize("fmt,text", [
    ("mustache", "{{#a}}{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}{{/a}}"),
    ("handlebars", "{{#each a}}{{#each @root.a}}{{#each @root.a}}{{#each @root.a}}{{/each}}{{/each}}{{/each}}"
                   "{{/each}}"),
])
def test_loops_that_print_nothing_are_stopped(fmt, text):
    """10^8 empty iterations: the timer stops Mustache; Handlebars' bill (an item visited
    pays at least 1) stops first. Either way an error, in seconds."""
    e = error(text, fmt, {"a": list(range(100))}, WorkLimits(render_seconds=1))
    assert re.search(r"render_seconds limit of 1 s|rendered_chars limit", e.message)


def test_a_parse_that_would_take_quadratic_time_is_stopped():
    """dotpromptz-handlebars looks for the end of every {{{ from there to the next }~}}:
    400,000 of them would take hours; parsing runs under the render timer too."""
    with pytest.raises(CostgateError) as info:
        compiled("{{{query}}}" * 400_000, "handlebars", WorkLimits(render_seconds=1))
    assert "render_seconds limit of 1 s" in info.value.message


def test_loops_under_the_limits_render():
    data = {"a": list(range(30))}
    assert render("{{#a}}{{#a}}x{{/a}}{{/a}}", "mustache", data) == "x" * 900
    assert render("{{#each a}}{{#each @root.a}}x{{/each}}{{/each}}", "handlebars", data) == "x" * 900


def test_handlebars_log_prints_nothing(capsys):
    """The library's log helper writes to stdout, where a CI runner reads workflow commands."""
    with pytest.raises(CostgateError):
        compiled('{{log "::error::pwned"}}', "handlebars")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("fmt", ["format", "mustache", "handlebars"])
def test_a_lone_surrogate_in_the_data_renders(fmt):
    text = {"format": "[{q}]", "mustache": "[{{{q}}}]", "handlebars": "[{{{q}}}]"}[fmt]
    assert render(text, fmt, {"q": "a\udcffb"}) == "[a\udcffb]"


# ------------------------------------------------------------------- the prompt as written

WRITTEN = [  # (format, system template, as written for the sample {"q": "a question", "flag": ...})
    ("format", "Answer {q} for {product}.", "Answer  for Acme."),
    ("format", "Answer [{q:>12}] for {product!r}.", "Answer [            ] for 'Acme'."),
    ("mustache", "Answer {{q}} for {{product}}.{{#flag}} Be brief.{{/flag}}", "Answer  for Acme. Be brief."),
    ("handlebars", "Answer {{q}} for {{product}}.{{#if flag}} Be brief.{{/if}}", "Answer  for Acme. Be brief."),
]


@pytest.mark.parametrize("fmt,text,written", WRITTEN)
def test_the_prompt_as_written_leaves_sample_text_out_for_every_format(fmt, text, written):
    """Sample text prints as nothing; control flow still follows it (the flag is sample
    data, and the text it shows counts); vars and padding count."""
    spec = Spec(feature="f", file="f.costgate.yaml", vars={"product": "Acme"}, traffic=Traffic(Decimal(1)),
                samples=({"q": "a question", "flag": "yes"}, {"q": "another", "flag": ""}), samples_file="s.jsonl",
                calls=())
    call = Call(name="c", mix=(), per_session=Decimal(1), system=Template(text, "p", 1, format=fmt),
                user=Template("{{ q }}", "p"))
    rendered = render_call(spec, call)
    assert rendered.written_system[0] == written
    assert len(rendered.written_system) == (1 if "flag" not in text else 2)
    assert rendered.columns["system"][0][0] != written  # the rendered text has the data


@pytest.mark.parametrize("fmt", ["mustache", "handlebars"])
def test_data_prints_as_nothing_only_when_written(fmt):
    text = "[{{q}}]"
    assert render(text, fmt, {"q": Data("x")}) == "[]"
    assert render(text, fmt, {"q": "x"}) == "[x]"
