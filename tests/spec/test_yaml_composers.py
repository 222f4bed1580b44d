"""libyaml and PyYAML's pure-Python composer read every document the same way.

``yamlio.loads`` composes with libyaml when it is installed (the price table is read on
every run, and libyaml is ten times faster); these tests pin that the two paths give the
same data, the same line of every key and the same refusals.
"""

from __future__ import annotations

import pathlib

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from costgate import yamlio
from costgate.errors import CostgateError

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(p for folder in ("pricing", "fixtures", "tests", "docs", ".github") for pattern in ("*.yaml", "*.yml")
                   for p in (ROOT / folder).rglob(pattern))

pytestmark = pytest.mark.skipif(not yamlio._LIBYAML, reason="PyYAML built without libyaml")


def both(text: str, monkeypatch) -> tuple[object, object]:
    """``loads`` by libyaml, then by the pure-Python composer: a Doc or the error's text."""
    def read():
        try:
            doc = yamlio.loads(text, "f.yaml")
            return doc.data, doc.lines, doc.text_starts
        except CostgateError as exc:
            return str(exc)
    fast = read()
    monkeypatch.setattr(yamlio, "_LIBYAML", False)
    slow = read()
    monkeypatch.setattr(yamlio, "_LIBYAML", True)
    return fast, slow


def test_the_shipped_documents_read_the_same(monkeypatch):
    assert len(DOCUMENTS) >= 15
    for path in DOCUMENTS:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        fast, slow = both(text, monkeypatch)
        assert fast == slow, path


scalars = st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.none(),
                    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
                    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text("abcxyz_", min_size=1, max_size=6), inner, max_size=4), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(value=values, flow=st.booleans())
def test_generated_documents_read_the_same(value, flow, monkeypatch_module):
    text = yaml.safe_dump(_plain(value), default_flow_style=flow, allow_unicode=True)
    fast, slow = both(text, monkeypatch_module)
    assert fast == slow


@pytest.mark.parametrize("text, message", [
    ("a: [" * 60 + "]" * 60,                                      # deeper than MAX_DEPTH, flow
     "f.yaml:1: YAML nested more than 50 levels deep"),
    ("".join("  " * i + "- \n" for i in range(80)),                # deeper than MAX_DEPTH, block
     "f.yaml:52: YAML nested more than 50 levels deep"),
    ("a: &x 1\n" + "".join(f"k{i}: *x\n" for i in range(60)),      # too many aliases
     "f.yaml:52: more than 50 YAML aliases"),
])
def test_limits_refuse_the_same_way(text, message, monkeypatch):
    """The same message, line and hint from both composers."""
    fast, slow = both(text, monkeypatch)
    assert fast == slow
    assert isinstance(fast, str) and fast.startswith(message + "\n  hint: ")


def test_past_libyamls_own_cap_both_refuse_as_too_deep(monkeypatch):
    """libyaml stops at its own cap (line 1); the pure-Python composer at its recursion
    limit (no line): the same refusal, told at different places."""
    fast, slow = both("a: [" * 5000 + "]" * 5000, monkeypatch)
    assert fast == "f.yaml:1: YAML nested more than 50 levels deep\n  hint: " + HINT_DEEP
    assert slow == "f.yaml: YAML nested more than 50 levels deep\n  hint: " + HINT_DEEP


HINT_DEEP = "specs, configs and price files nest a few levels; flatten the document"


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _plain(value):
    """Decimals as floats for the dumper (it does not know Decimal); read back exactly."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return float(value) if hasattr(value, "as_tuple") else value
