"""A template's format (costgate/spec/parsing.py): by its file's extension, or named with
``format:`` on ``{file: ...}`` or ``{text: ...}``; an inline string stays Jinja2."""

from __future__ import annotations

import pytest
from helpers import write_spec

from costgate.errors import CostgateError
from costgate.spec import load_spec
from costgate.spec.model import FORMAT_BY_EXTENSION, TEMPLATE_FORMATS


def spec_with(tmp_path, system: str, files: dict[str, str] | None = None):
    (tmp_path / ".git").mkdir(exist_ok=True)
    text = f"""\
version: 1
feature: bot
traffic: {{sessions_per_day: 10}}
samples: {{file: q.txt}}
calls:
  - name: answer
    model: gpt-4o
    per_session: 1
    system: {system}
    user: "{{{{ query }}}}"
"""
    return load_spec(write_spec(tmp_path, text, {"q.txt": "hi\n", **(files or {})}))


@pytest.mark.parametrize("name,fmt", [
    ("p.j2", "jinja2"), ("p.jinja", "jinja2"), ("p.jinja2", "jinja2"), ("p.txt", "jinja2"), ("p.md", "jinja2"),
    ("p.mustache", "mustache"), ("p.hbs", "handlebars"), ("p.handlebars", "handlebars"), ("P.HBS", "handlebars"),
    ("p.prompt", "jinja2"), ("p", "jinja2"),
])
def test_a_file_template_takes_its_format_from_its_extension(tmp_path, name, fmt):
    spec = spec_with(tmp_path, f"{{file: {name}}}", {name: "Hello"})
    assert spec.calls[0].system.format == fmt
    assert spec.calls[0].user.format == "jinja2"  # an inline string


def test_format_names_override_the_extension(tmp_path):
    spec = spec_with(tmp_path, "{file: p.txt, format: format}", {"p.txt": "Hello {query}"})
    tpl = spec.calls[0].system
    assert (tpl.format, tpl.text, tpl.file, tpl.first_line) == ("format", "Hello {query}", "p.txt", 1)


@pytest.mark.parametrize("fmt", TEMPLATE_FORMATS)
def test_inline_text_takes_a_format(tmp_path, fmt):
    spec = spec_with(tmp_path, f'{{text: "Hello {{query}}", format: {fmt}}}')
    tpl = spec.calls[0].system
    assert (tpl.format, tpl.text, tpl.file, tpl.first_line) == (fmt, "Hello {query}", "bot.costgate.yaml", 9)


def test_inline_text_without_a_format_is_jinja2_and_a_block_counts_lines_from_its_text(tmp_path):
    spec = spec_with(tmp_path, "\n      text: |\n        line one\n        {{ query }}")
    tpl = spec.calls[0].system
    assert (tpl.format, tpl.text, tpl.first_line) == ("jinja2", "line one\n{{ query }}\n", 11)


def test_a_render_error_names_the_inline_texts_line(tmp_path):
    from costgate.estimate.render import render_call

    spec = spec_with(tmp_path, "\n      format: format\n      text: |\n        line one\n        {query.x}")
    with pytest.raises(CostgateError) as info:
        render_call(spec, spec.calls[0])
    assert info.value.location.file == "bot.costgate.yaml" and info.value.location.line == 13
    assert "format strings may only name variables" in info.value.message


@pytest.mark.parametrize("system,message", [
    ("{file: p.txt, text: hi}", "needs exactly one of 'file' or 'text'"),
    ("{format: format}", "needs exactly one of 'file' or 'text'"),
    ("{text: hi, format: jinja}", "must be one of jinja2, format, mustache, handlebars, got 'jinja'"),
    ("{text: hi, format: 5}", "must be one of"),
    ("{text: [hi]}", "template text must be a string"),
    ("{text: hi, path: p.txt}", "unknown key 'path'"),
])
def test_bad_template_mappings_are_refused_at_their_line(tmp_path, system, message):
    with pytest.raises(CostgateError) as info:
        spec_with(tmp_path, system, {"p.txt": "x"})
    assert message in info.value.message
    assert info.value.location.file == "bot.costgate.yaml" and info.value.location.line == 9


def test_every_extension_names_a_known_format():
    assert set(FORMAT_BY_EXTENSION.values()) <= set(TEMPLATE_FORMATS)
    assert all(ext.startswith(".") and ext == ext.lower() for ext in FORMAT_BY_EXTENSION)
