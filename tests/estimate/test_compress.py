"""The compress_system lever's text transformation (costgate.estimate.compress): static
text only, never template logic, code or markers.

The acceptance properties, on generated templates that mix prose, blank-line runs,
trailing spaces, loops (repeated ``{% endfor %}`` lines included), ``{% if %}``,
``{{ var }}``, comments, whitespace control, fenced code and edit markers:

(a) the compressed template parses;
(b) its logic — every parsed node but ``TemplateData``, in order — is the original's;
(c) whitespace-only mode: both render the same text once all whitespace is removed;
    repeat-dropping mode: the same as the original with exactly the reported lines deleted;
(d) fenced code blocks and marker lines render byte for byte as before.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jinja2 import nodes

from costgate.estimate.compress import MIN_DUPLICATE_WORDS, Removal, compress
from costgate.estimate.sandbox import BoundedSandbox

ENV = BoundedSandbox()
VARS = {"name": "Ada  Lovelace", "items": ["one", "two"], "flag": True, "rows": [["r1", "r2"], ["r3"]]}


def logic(text: str) -> list[tuple[str, tuple]]:
    """Every parsed node but TemplateData, in order, with its non-node fields (line numbers
    are attributes, not fields, so moving text up or down does not count)."""
    out: list[tuple[str, tuple]] = []

    def walk(node: nodes.Node) -> None:
        if not isinstance(node, nodes.TemplateData):
            out.append((type(node).__name__,
                        tuple((k, v) for k, v in node.iter_fields() if not isinstance(v, (nodes.Node, list)))))
        for child in node.iter_child_nodes():
            walk(child)

    walk(ENV.parse(text))
    return out


def render(text: str, variables: dict | None = None) -> str:
    return ENV.from_string(text).render(**(variables or VARS))


def shown(block_text: str, variables: dict) -> str:
    """A fence or marker block as it renders (only ``{{ name }}`` varies), without compiling it."""
    return block_text.replace("{{ name }}", variables["name"])


def squeeze(text: str) -> str:
    return "".join(text.split())


# --------------------------------------------------------------------- the generator

PARAGRAPHS = (
    "Always answer in plain English and keep every reply under two hundred words.",
    "Never promise a refund or a date that the policy above does not allow you to give.",
)
FENCES = (
    "```python\ndef f(x):\n\n\n    return  x  \n```",
    "~~~yaml\nkey:   value  \n  nested:  [1,  2]\n~~~",
    "```\n{{ name }}   and   more   \n```",
)
MARKER_BLOCKS = (
    "<<<<<<< SEARCH\n    x  =  1   \n=======\n    x = 2\n>>>>>>> REPLACE",
    "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n-    old  =  1\n+    new  =  2\n     same   line",
    "<instructions>   ",
)
_indent = st.sampled_from(["", "", " ", "  ", "    ", "\t"])
_gap = st.sampled_from([" ", " ", "  ", "   ", "\t"])
_tail = st.sampled_from(["", "", " ", "   ", "\t"])
_word = st.sampled_from(["alpha", "beta", "gamma", "-", "#", "%", "`code`", "rule:", "|", "x"])
_var = st.sampled_from(["{{ name }}", "{{- name }}", "{{ name -}}", "{{ items|length }}"])


@st.composite
def prose_line(draw) -> str:
    parts = [draw(_word) if draw(st.integers(0, 5)) else draw(_var) for _ in range(draw(st.integers(1, 6)))]
    body = parts[0] + "".join(draw(_gap) + p for p in parts[1:])
    return draw(_indent) + body + draw(_tail) + "\n"


def tag(body: str, draw) -> str:
    left, right = draw(st.sampled_from(["{%", "{%-"])), draw(st.sampled_from(["%}", "-%}"]))
    return f"{left} {body} {right}" + draw(st.sampled_from(["\n", "\n", "  \n", "", " "]))


@st.composite
def block(draw, depth: int = 0) -> str:
    kinds = ["prose", "blank", "para", "fence", "marker", "comment"] + (["for", "if"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "prose":
        return "".join(draw(st.lists(prose_line(), min_size=1, max_size=3)))
    if kind == "blank":
        return "".join(draw(st.lists(st.sampled_from(["\n", "   \n", "\t\n"]), min_size=1, max_size=4)))
    if kind == "para":  # a few in a row, so that some repeat inside one piece of text
        paragraphs = draw(st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=3))
        return "\n" + "".join(p + draw(_tail) + "\n" + draw(st.sampled_from(["\n", "\n\n", " \n"])) for p in paragraphs)
    if kind == "fence":
        return "\n" + draw(_indent.filter(lambda s: len(s) < 4)) + draw(st.sampled_from(FENCES)) + "\n"
    if kind == "marker":
        return draw(st.sampled_from(["", "  "])) + draw(st.sampled_from(MARKER_BLOCKS)) + "\n"
    if kind == "comment":
        return draw(st.sampled_from(["{# note   #}", "{#- note -#}", "{# two\n\n\n  lines #}"])) + \
            draw(st.sampled_from(["\n", "", "   \n"]))
    inner = "".join(draw(st.lists(block(depth + 1), min_size=1, max_size=3)))
    if kind == "for":
        return tag("for item in items", draw) + inner + tag("endfor", draw)
    other = "".join(draw(st.lists(block(depth + 1), max_size=2)))
    return tag("if flag", draw) + inner + (tag("else", draw) + other if other else "") + tag("endif", draw)


@st.composite
def template(draw) -> str:
    text = "".join(draw(st.lists(block(), min_size=1, max_size=8)))
    text += draw(st.sampled_from(["", "\n", "\n\n\n"]))
    return text.replace("\n", "\r\n") if draw(st.integers(0, 9)) == 0 else text


variables = st.fixed_dictionaries({
    "name": st.sampled_from(["Ada", "Ada  Lovelace", ""]),
    "items": st.lists(st.sampled_from(["one", "two "]), max_size=3),
    "flag": st.booleans(),
})

LOOPS_TWICE = ("Rules:\n{% for item in items %}\n  rule   {{ item }}\n{% endfor %}\nMore:\n\n\n\n"
               "{% for item in items %}\n  item   {{ item }}\n{% endfor %}\n" + "Be kind.\n" * 3)


# --------------------------------------------------------------------- the properties

@settings(max_examples=150, deadline=None)
@given(text=template(), variables=variables)
@example(text=LOOPS_TWICE, variables={"name": "Ada", "items": ["a", "b"], "flag": True})
def test_whitespace_mode_keeps_logic_words_code_and_markers(text, variables):
    done = compress(text)
    assert done.removal.whitespace_only
    assert logic(done.text) == logic(text)  # (a) it parses, (b) the same logic
    before, after = render(text, variables), render(done.text, variables)
    assert squeeze(after) == squeeze(before)  # (c)
    for kept in (*FENCES, *MARKER_BLOCKS):  # (d)
        if shown(kept, variables) in before:
            assert shown(kept, variables) in after
    assert done.changed == (done.text != text)


@settings(max_examples=150, deadline=None)
@given(text=template(), variables=variables)
def test_repeat_mode_drops_exactly_the_reported_lines(text, variables):
    done = compress(text, duplicates=True)
    assert logic(done.text) == logic(text)  # (a), (b)
    lines = text.splitlines(keepends=True)
    gone = {n for a, b in done.removal.duplicates for n in range(a, b + 1)}
    expected = "".join(line for n, line in enumerate(lines, 1) if n not in gone)
    assert squeeze(render(done.text, variables)) == squeeze(render(expected, variables))  # (c)
    kept = " ".join(done.text.split())
    for a, b in done.removal.duplicates:  # each dropped paragraph is still there once
        dropped = " ".join("".join(lines[a - 1:b]).split())
        assert len(dropped.split()) >= MIN_DUPLICATE_WORDS and dropped in kept
    before, after = render(text, variables), render(done.text, variables)
    for kept in (*FENCES, *MARKER_BLOCKS):  # (d)
        if shown(kept, variables) in before:
            assert shown(kept, variables) in after


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.sampled_from("{}%#-+ \t\n\r`~<>=@ab"), max_size=80), dedupe=st.booleans())
def test_any_text_compresses_without_raising_and_never_changes_logic(text, dedupe):
    done = compress(text, duplicates=dedupe)
    try:
        original = logic(text)
    except Exception:  # not a template: compression leaves it alone
        assert done.text == text and not done.changed
        return
    assert logic(done.text) == original


# --------------------------------------------------------------------- by hand

def test_two_identical_endfor_lines_stay_and_the_loops_still_render():
    done = compress(LOOPS_TWICE)
    assert done.text.count("{% endfor %}") == 2
    assert done.text == ("Rules:\n{% for item in items %}\n  rule {{ item }}\n{% endfor %}\nMore:\n\n"
                         "{% for item in items %}\n  item {{ item }}\n{% endfor %}\n" + "Be kind.\n" * 3)
    assert done.removal == Removal(blank_runs=1, space_runs=2)
    assert render(done.text) == "Rules:\n\n  rule one\n\n  rule two\n\nMore:\n\n\n  item one\n\n  item two\n\n" + \
        "Be kind.\n" * 2 + "Be kind."


def test_code_edit_markers_fences_and_indentation_survive_byte_for_byte():
    text = ("Apply   the edit:  \n\n\n\n"
            "  <<<<<<< SEARCH\n      x  =  1   \n  =======\n      x = 2\n  >>>>>>> REPLACE\n\n\n"
            "```diff\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-  a  \n\n\n+  b\n```\n\n\n"
            "config:\n  key:   value   \n<example>  \n")
    done = compress(text)
    assert done.text == ("Apply the edit:\n\n"
                         "  <<<<<<< SEARCH\n      x  =  1   \n  =======\n      x = 2\n  >>>>>>> REPLACE\n\n"
                         "```diff\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-  a  \n\n\n+  b\n```\n\n"
                         "config:\n  key: value\n<example>  \n")
    assert done.removal.describe() == ("collapses 3 runs of blank lines, strips trailing spaces on 2 lines, "
                                       "collapses 2 runs of spaces inside lines")


def test_indented_code_and_the_blank_lines_inside_it_are_code():
    text = "Example:\n\n    def f():\n        return  1\n\n\n    def g():  \n        pass\n\nDone   now.\n"
    assert compress(text).text == text.replace("Done   now.", "Done now.")


def test_whitespace_a_tag_may_render_into_indentation_is_kept():
    # After {% if %} the spaces may begin a rendered line: kept. Before the newline: trailing, gone.
    text = "{% if flag %}  indented  text   \n{% endif %}{{ name }}   {{ name }}\n{% endif %}   \n"
    done = compress(text.replace("{% endif %}   ", "{% if flag %}{% endif %}   "))
    assert done.text == ("{% if flag %}  indented text\n{% endif %}{{ name }}   {{ name }}\n"
                         "{% if flag %}{% endif %}   \n")


def test_whitespace_control_and_raw_blocks_are_logic():
    text = "Intro   \n\n\n{%- if flag -%}   \n  x   y  \n{%- endif %}\n{% raw %}a   b  \n\n\n{% endraw %}\n"
    done = compress(text)
    assert done.text == "Intro   \n\n\n{%- if flag -%}   \n  x y  \n{%- endif %}\n{% raw %}a   b  \n\n\n{% endraw %}\n"
    assert logic(done.text) == logic(text)


def test_windows_newlines_are_followed():
    text = "A   b  \r\n\r\n\r\n\r\n{% for item in items %}\r\n{{ item }}  \r\n{% endfor %}\r\n"
    done = compress(text)
    assert done.text == "A b\r\n\r\n{% for item in items %}\r\n{{ item }}  \r\n{% endfor %}\r\n"


def test_a_repeated_paragraph_goes_only_on_request_and_only_inside_one_piece():
    para = "Answer in plain English and keep every reply under two hundred words."
    text = f"{para}\n\nSecond.\n\n{para}\n\n{{% if flag %}}\n\n{para}\n\n{{% endif %}}\n"
    assert compress(text).text == text  # nothing but a repeat: the whitespace variant has nothing to do
    done = compress(text, duplicates=True, first_line=10)
    assert done.text == f"{para}\n\nSecond.\n\n{{% if flag %}}\n\n{para}\n\n{{% endif %}}\n"  # the copy in the if stays
    assert done.removal.duplicates == ((14, 14),)
    assert done.removal.describe() == "removes 1 repeated paragraph (line 14)"
    assert not done.removal.whitespace_only


def test_short_repeats_and_repeated_lines_inside_paragraphs_are_structure():
    text = "Example:\n\nInput: a\n\nExample:\n\nInput: b\n\nBe kind.\nBe kind.\n"
    assert compress(text, duplicates=True).text == text


@pytest.mark.parametrize("text", ["", "{# unclosed", "{% for %}", "plain", "{{ name }}", "a\nb"])
def test_nothing_to_remove_is_unchanged(text):
    done = compress(text, duplicates=True)
    assert done.text == text and not done.changed and done.removal.describe() == "nothing"


def test_description_lists_counts_and_line_ranges():
    r = Removal(blank_runs=14, trailing=30, space_runs=1, duplicates=((40, 44), (88, 90)))
    assert r.describe() == ("collapses 14 runs of blank lines, strips trailing spaces on 30 lines, collapses 1 run "
                            "of spaces inside lines, removes 2 repeated paragraphs (lines 40-44, 88-90)")
    assert re.fullmatch(r"removes 1 repeated paragraph \(line 7\)", Removal(duplicates=((7, 7),)).describe())
