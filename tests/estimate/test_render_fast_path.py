"""Templates of text and bare ``{{ name }}``s are rendered without Jinja2's machinery
(a format string); the text must be exactly what Jinja2's sandbox renders."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from costgate.errors import CostgateError
from costgate.estimate.render import _Compiled
from costgate.estimate.sandbox import BoundedSandbox
from costgate.spec import Template

NAMES = ["query", "name", "doc", "n", "flag", "items", "none"]
VALUES = st.one_of(st.text(max_size=20), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                   st.booleans(), st.none(), st.lists(st.integers(0, 9), max_size=3))
TEXT = st.text(alphabet=list("ab {}}{\n\t%#-:'\"é中"), max_size=12).filter(
    lambda t: "{{" not in t and "}}" not in t and "{%" not in t and "%}" not in t and "{#" not in t and "#}" not in t)


@settings(max_examples=300, deadline=None, database=None)
@given(pieces=st.lists(st.one_of(TEXT, st.sampled_from(NAMES).map(lambda n: "{{ " + n + " }}")), max_size=6),
       values=st.fixed_dictionaries({n: VALUES for n in NAMES}))
def test_the_fast_path_renders_what_jinja_renders(pieces, values):
    source = "".join(pieces)
    env = BoundedSandbox()
    try:
        compiled = _Compiled(env, Template(source, "t.j2"), "<t>")
    except CostgateError:  # pieces that join into Jinja2 syntax ("{" + "%"): not a template
        assume(False)
    expected = env.render_bounded(compiled.template, dict(values))
    assert compiled.render(values) == expected
    if compiled.fmt is None:  # text Jinja2 reads as more than names (e.g. a lone "{"): the slow path
        return
    assert compiled.parts is not None
