"""Fuzzing ``costgate estimate`` with generated specs and small file trees.

Hypothesis builds spec documents (valid and invalid: random nesting, random keys,
numbers at every extreme, strings with control characters), template files from a safe
and hostile alphabet of Jinja2 snippets, samples files (text lines or JSON Lines of
random values), and sometimes a ``costgate.yaml``; then runs ``costgate estimate
--format json`` in-process (under the suite's memory cap and watchdog). Whatever the
input: exit 0, 1 or 2, never a traceback or "costgate crashed"; on exit 2 one
``error:`` message; on exit 0 the JSON parses and every money value is a finite,
non-negative decimal string (``savings_usd`` compares with the declared mix and may be
negative). Some text-level mutations of a valid spec make invalid YAML on purpose.
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from adversarial.harness import LEAK, memory_cap, watchdog
from helpers import AS_OF, run_costgate
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

# ------------------------------------------------------------------------- strategies

HUGE = [10 ** 30, 10 ** 31, -(10 ** 30), 2 ** 63, -(2 ** 63), 10 ** 400, 0, 1, -1]
numbers = st.one_of(
    st.integers(min_value=-(10 ** 6), max_value=10 ** 6),
    st.sampled_from(HUGE),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1),
    st.decimals(allow_nan=False, allow_infinity=False, places=None).map(lambda d: float(d) if abs(d) < 10 ** 300
                                                                        else str(d)),
    st.sampled_from(["1e999999999", "1.0e+999999999", "0.1", "010", "1:30", "0b101", "1_000", "0x1F", ".inf",
                     "-.nan", "+1", "1e-999999", "9" * 40]),
)
control = st.sampled_from(["\x00", "\x01", "\x1b[31m", "\r", "\n", "\t", "\u2028", "\u202e", "\ufeff", "\x7f",
                           "::error::x", "##[error]", "<img src=x>", "@everyone", "`", "|", "../", "/etc/passwd"])
texts = st.one_of(st.text(max_size=20), st.lists(st.one_of(st.text(max_size=5), control), max_size=5).map("".join))
ids = st.one_of(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}", fullmatch=True), texts)
scalars = st.one_of(numbers, texts, st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(texts, inner, max_size=3)), max_leaves=8)

SAFE_SNIPPETS = ["hello", " ", "\n", "{{ query }}", "{{ turn }}", "{% for i in range(3) %}x{% endfor %}",
                 "{{ 'x' * 10 }}", "é", "🙂", "{{ query|upper }}", " hello" * 50, "{{ (2**60)|string }}",
                 "{{ '%s' % query }}", "{{ query * 3 }}", "\t", "{# comment #}"]
HOSTILE_SNIPPETS = [
    "{{ nope }}", "{% if %}", "{{ 9**9 }}", "{{ 9**(9**9) }}", "{{ ''.__class__ }}", "\x00", "\r", "\u2028",
    "{{ 'a'|center(5) }}", "{#", "{{ 'x' * 10**7 }}", "{% raw %}", "{{ lipsum() }}", "{{ range(10**6)|list }}",
    "{{ cycler }}", "\ufeff", "{% set x = 1 %}{{ x / 0 }}", "{{ '{:>9999999}'.format(1) }}", "{{ [1, 'a']|sort }}",
    "{{ v }}", "{{ v|length }}", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{{ 1e308 * 10 }}",
    "{% include 'x' %}", "{{ self }}", "::error::x", "\x1b[2J",
]


def mostly(valid, hostile, odds: int = 9):
    """``valid`` ``odds`` times in 10, else ``hostile``: many examples get far enough to be priced."""
    return st.sampled_from([True] * odds + [False] * (10 - odds)).flatmap(lambda ok: valid if ok else hostile)


MOSTLY = mostly
templates = st.lists(mostly(st.sampled_from(SAFE_SNIPPETS), st.sampled_from(HOSTILE_SNIPPETS)), max_size=6).map(
    "".join)
chat_models = st.sampled_from(["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gpt-3.5-turbo", "gemini-2.5-flash",
                               "deepseek-chat", "gpt-4.1"])
models = mostly(chat_models, st.one_of(st.sampled_from(["text-embedding-3-small", "nope", "", "GPT-4O"]), scalars))
small = st.one_of(st.integers(0, 5), st.decimals(min_value=0, max_value=5, places=2).map(float))
shares = mostly(st.decimals(min_value=0, max_value=1, places=3).map(float), st.floats(min_value=0, max_value=1))
KEYS = ["mix", "context", "history", "output_tokens", "cache", "batch", "retry_rate", "latency", "max_tokens",
        "router"]
GOOD_EXTRAS = {
    "history": st.sampled_from(["full", "none", {"window": 2}, {"tokens": 100}, {"summary": {"every": 2, "tokens": 10}}]),
    "output_tokens": st.one_of(st.integers(0, 2000), st.sampled_from([{"mean": 100, "max": 400}, {"mean": 10}])),
    "cache": st.sampled_from([{"prompt_prefix": True}, {"semantic_hit_rate": 0.5}, {"exact_hit_rate": "auto"},
                              {"prompt_prefix": True, "ttl": "1h"}]),
    "batch": shares, "retry_rate": shares, "latency": st.sampled_from(["interactive", "offline"]),
    "max_tokens": st.integers(1, 5000), "context": st.sampled_from(["Context.", {"file": "p/system.j2"}]),
    "router": st.just({"model": "gpt-4o-mini"}),
}


@st.composite
def calls(draw, shaped: bool = False):
    def mostly(valid, hostile, odds: int = 9):
        return valid if shaped else MOSTLY(valid, hostile, odds)
    call: dict = {"name": draw(mostly(st.sampled_from(["answer", "route", "a.b-c_d"]), ids)),
                  "model": draw(models), "per_session": draw(mostly(small, numbers)),
                  "user": draw(mostly(st.sampled_from(["{{ query }}", {"file": "p/user.j2"}, "hi"]),
                                      st.sampled_from([None, 5, {"file": "../x"}, {"file": "/etc/passwd"}])))}
    if draw(st.booleans()):
        call["system"] = draw(mostly(st.sampled_from([{"file": "p/system.j2"}, "You are terse."]),
                                     st.sampled_from([{"file": "../x"}, {"file": "/etc/passwd"}, {"file": "p"}, 5])))
    for key in draw(st.lists(mostly(st.sampled_from(KEYS), st.text(max_size=8), odds=9), max_size=3, unique=True)):
        good = GOOD_EXTRAS.get(key)
        call[key] = draw(mostly(good, st.one_of(values, numbers)) if good is not None else values)
    if "mix" in call:
        call.pop("model")
        call["mix"] = draw(mostly(st.just({"gpt-4o": 0.5, "gpt-4o-mini": 0.5}), values))
    return call


traffic = st.fixed_dictionaries(
    {"sessions_per_day": mostly(st.integers(0, 10 ** 6), numbers)},
    optional={"days_per_month": mostly(st.integers(1, 31), numbers),
              "growth_per_month": mostly(st.decimals(min_value=-0.5, max_value=1, places=2).map(float), numbers),
              "users": mostly(st.fixed_dictionaries({"count": st.integers(1, 10 ** 8)},
                                                    optional={"zipf": st.floats(0.5, 3)}), values)})


@st.composite
def spec_docs(draw, shaped: bool = False):
    def mostly(valid, hostile, odds: int = 9):
        return valid if shaped else MOSTLY(valid, hostile, odds)
    doc: dict = {"version": draw(mostly(st.just(1), scalars, odds=9)),
                 "feature": draw(mostly(st.sampled_from(["fz", "f.z-1_x"]), ids, odds=9)),
                 "traffic": draw(mostly(traffic, values, odds=9)),
                 "samples": draw(mostly(st.sampled_from([{"file": "q.txt"}, {"file": "q.jsonl"}]),
                                        st.sampled_from(["q.txt", {"file": "../q.txt"}, {"file": "missing.txt"}]),
                                        odds=9)),
                 "calls": draw(mostly(st.lists(calls(shaped), min_size=1, max_size=3), values, odds=9))}
    if isinstance(doc["calls"], list) and draw(mostly(st.just(True), st.just(False))):
        for i, call in enumerate(doc["calls"]):  # unique names, mostly
            if isinstance(call, dict) and call.get("name") in ("answer", "route", "a.b-c_d"):
                call["name"] = f"{call['name']}{i}"
    for key in draw(st.lists(st.sampled_from(["vars", "scenarios", "budget", "limits", "description"]),
                             max_size=2, unique=True)):
        doc[key] = draw(mostly(st.sampled_from([{"v": "hello"}, {"monthly_usd": 100}, "A description."]), values,
                               odds=5))
    return doc


def _dump(doc) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10 ** 6)


@st.composite
def spec_texts(draw, shaped: bool = False):
    text = _dump(draw(spec_docs(shaped)))
    if not shaped and draw(st.sampled_from([False] * 9 + [True])):  # a text-level mutation: often invalid YAML
        at = draw(st.integers(0, len(text)))
        junk = draw(st.sampled_from(["\t", ": [", "&a ", "*a", "<<: *a\n", "---\n", "\x00", "{", "'", "!!python/x ",
                                     "\n  - ", "# ", "\ufeff", "\r\n"]))
        text = text[:at] + junk + text[at:]
    return text


samples_txt = st.lists(mostly(st.sampled_from(["hi there", "how are you?", "é 🙂", "a\u2028b"]),
                              st.one_of(texts, st.just(" " * 100))), min_size=1, max_size=5).map("\n".join)
rows = st.fixed_dictionaries({"query": mostly(st.text(max_size=30), values)},
                             optional={"v": values, "turn": values, "x": values})
samples_jsonl = st.lists(mostly(rows.map(json.dumps), st.one_of(
    values.map(lambda v: json.dumps(v, default=str)), st.sampled_from(["{", "[1]", "null", '{"query": "a\\u2028b"}']))),
    min_size=1, max_size=4).map("\n".join)


@st.composite
def trees(draw, shaped: bool = False) -> dict[str, str]:
    files = {"fz.costgate.yaml": draw(spec_texts(shaped)), "q.txt": draw(samples_txt), "q.jsonl": draw(samples_jsonl),
             "p/system.j2": draw(templates), "p/user.j2": draw(templates)}
    if not shaped and draw(st.sampled_from([False] * 7 + [True] * 3)):
        files["costgate.yaml"] = draw(mostly(
            st.sampled_from(["specs: ['**/*.costgate.yaml']\n", "limits: {rendered_chars: 1000}\n",
                             "limits: {render_seconds: 1, turns_per_session: 3}\n", "thresholds: {}\n"]),
            st.one_of(values.map(_dump), st.sampled_from(["pricing: [../x]\n", "specs: ['/etc/*']\n"])), odds=6))
    return files


# ---------------------------------------------------------------------------- checks

MONEY_MAY_BE_NEGATIVE = {"savings_usd", "monthly_saving_usd"}


def money_values(node, key: str = ""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from money_values(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from money_values(v, key)
    elif key.endswith("_usd") and node is not None:
        yield key, node


def check_money(doc) -> None:
    for key, value in money_values(doc):
        assert isinstance(value, str), f"{key}: {value!r} is not a decimal string"
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise AssertionError(f"{key}: {value!r} is not a decimal") from None
        assert number.is_finite(), f"{key}: {value!r} is not finite"
        assert key in MONEY_MAY_BE_NEGATIVE or number >= 0, f"{key}: {value!r} is negative"


_counter = itertools.count()
VALID = {"fz.costgate.yaml": "version: 1\nfeature: fz\ntraffic: {sessions_per_day: 10}\nsamples: {file: q.txt}\n"
                             "calls:\n  - {name: answer, model: gpt-4o, per_session: 1, user: '{{ query }}'}\n",
         "q.txt": "hi\n", "q.jsonl": "", "p/system.j2": "", "p/user.j2": ""}


def _run(tree: dict[str, str], root: Path) -> None:
    (root / ".git").mkdir(parents=True)
    for rel, text in tree.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode("utf-8", "surrogatepass"))
    with memory_cap(), watchdog(30):
        code, out, err = run_costgate("estimate", root / "fz.costgate.yaml", "--as-of", AS_OF, "--format", "json",
                                      "--sessions", "50")
    text = out + err
    event(f"exit {code}")
    assert code in (0, 1, 2), (code, text[-2000:])
    assert "Traceback" not in text and "costgate crashed" not in text, text[-2000:]
    assert not LEAK.search(text)
    if code == 2:
        assert err.startswith("error: "), err[:500]
    if code == 0:
        check_money(json.loads(out))


FUZZ = settings(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@settings(FUZZ, max_examples=100)
@example(tree=VALID)
@given(tree=trees())
def test_estimate_never_crashes(tree, tmp_path):
    """Hostile trees: any structure, any value; most are refused (exit 2), none crash."""
    _run(tree, tmp_path / f"t{next(_counter)}")


@settings(FUZZ, max_examples=50)
@given(tree=trees(shaped=True))
def test_estimate_of_well_shaped_specs(tree, tmp_path):
    """Specs of the right shape (hostile templates and samples still): priced or refused, and every money value
    of a priced one is a finite, non-negative decimal."""
    _run(tree, tmp_path / f"s{next(_counter)}")


def test_valid_example_is_priced(tmp_path):
    """The fuzz test's one valid example really estimates (so the property is not vacuous)."""
    root = tmp_path / "valid"
    (root / ".git").mkdir(parents=True)
    for rel, text in VALID.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    code, out, err = run_costgate("estimate", root / "fz.costgate.yaml", "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    check_money(doc)
    assert any(True for _ in money_values(doc))

