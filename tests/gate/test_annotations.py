"""Where the gate's crossings point: the GitHub annotations of a failed gate name the file
and line behind each crossing (the template that grew, the call of an inline prompt),
escaped as GitHub's toolkit escapes them. The bot spec is described in test_diff.py."""

from __future__ import annotations

import pytest
from helpers import SPEC, commit, hello, spec_text, write

pytestmark = pytest.mark.usefixtures("neutral_cwd")


def test_annotations_point_at_the_template_that_grew(gitrepo, gate):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    code, out, _ = gate(root, "--annotations")
    assert code == 1
    ann = [line for line in out.splitlines() if line.startswith("::")]
    assert ann[0] == ("::error file=prompts/system.j2,line=1,title=costgate system_prompt_growth::system prompt of "
                      "bot/answer grew from 1,000 to 1,300 tokens (+300, +30.0%25), over the 10%25 or 200 tokens limit")
    assert ann[1].startswith("::error file=bot.costgate.yaml,line=1,title=costgate monthly_cost_increase::")
    assert len(ann) == 2


def test_annotations_for_an_inline_system_prompt_point_at_the_call(gitrepo, gate):
    root = gitrepo()
    write(root, {SPEC: spec_text().replace("{file: prompts/system.j2}", '"' + hello(1300).strip() + '"')})
    code, out, _ = gate(root, "--annotations")
    assert code == 1
    ann = [line for line in out.splitlines() if line.startswith("::error") and "system_prompt_growth" in line]
    assert ann and ann[0].startswith("::error file=bot.costgate.yaml,line=7,")  # `- name: answer`


def test_annotation_properties_are_escaped(gitrepo, gate):
    """GitHub workflow-command property values must escape ``%``, CR, LF, ``:`` and ``,``
    (actions/toolkit escapeProperty); an unescaped comma in ``file=`` ends the property.

    Fails today: gate.annotations escapes only the message, not ``file=``/``title=``.
    Suggested fix: ``def _prop(v): return _data(v).replace(":", "%3A").replace(",", "%2C")``
    applied to each property value."""
    root = gitrepo({"prompts/a,b.j2": hello(1000)})
    write(root, {SPEC: spec_text().replace("prompts/system.j2", '"prompts/a,b.j2"'), "prompts/a,b.j2": hello(1000)})
    commit(root, "rename the template")
    write(root, {"prompts/a,b.j2": hello(1300)})
    code, out, err = gate(root, "--annotations")
    assert code == 1, err
    assert "::error file=prompts/a%2Cb.j2,line=1,title=costgate system_prompt_growth::" in out
