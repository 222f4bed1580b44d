"""The estimate cache (gate/keys.py, gate/codec.py, gate/cache.py): a spec the pull
request did not change is estimated once for base and head and, with a warm cache, not at
all; every input is in the key; an entry is verified, never trusted, and never unpickled;
a cache that cannot be written is no cache, silently. Reports are byte for byte those of
a run without a cache. The bot spec is described in test_diff.py.

Estimates are counted by wrapping ``gate.runner.estimate`` in runs with ``--jobs 1`` (in
this process); a run that must not estimate at all replaces it with one that fails.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from dataclasses import fields, is_dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import AS_OF_DATE, FIXTURES, GOOD, QUERIES, SPEC, commit, hello, query_spec, spec_text, write
from hypothesis import given
from hypothesis import strategies as st

import costgate.gate.runner
from costgate.estimate.results import Alternative, BoundValue, Estimate, Lifecycle
from costgate.estimate.simulate import estimate
from costgate.gate import keys
from costgate.gate.cache import EstimateCache, default_cache_dir
from costgate.gate.codec import CodecError, decode, decode_estimate, encode
from costgate.gate.runner import Runner
from costgate.pricing import load_table
from costgate.repo import GitTree, RepoView, WorkTree, load_config
from costgate.spec import load_spec

pytestmark = pytest.mark.usefixtures("neutral_cwd")


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("v*/*/*.json"))


@pytest.fixture
def count(monkeypatch):
    """Count the estimates computed in this process (``--jobs 1`` runs)."""
    calls: list[str] = []
    real = costgate.gate.runner.estimate

    def counting(spec, *args, **kwargs):
        calls.append(spec.file)
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(costgate.gate.runner, "estimate", counting)
    return calls


@pytest.fixture
def no_estimates(monkeypatch):
    """Make estimating fail: what runs afterwards must come from the cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("estimated although the cache holds the estimate")

    return lambda: monkeypatch.setattr(costgate.gate.runner, "estimate", refuse)


def two_features(gitrepo) -> Path:
    """The bot spec plus a second feature in its own folder (own template and samples)."""
    return gitrepo({"two/two.costgate.yaml": spec_text(feature="two"), "two/prompts/system.j2": hello(400),
                    "two/queries.txt": "what now\n"})


# ----------------------------------------------------------------- what is estimated

def test_an_unchanged_spec_is_estimated_once_for_base_and_head(gitrepo, gate, count):
    root = two_features(gitrepo)
    write(root, {"prompts/system.j2": hello(1010)})
    code, out, err = gate(root, "--jobs", "1", "--no-cache")
    assert code == 0, err
    assert sorted(count) == [SPEC, SPEC, "two/two.costgate.yaml"]  # "two" once, for both sides


def test_a_second_run_reads_every_estimate_from_the_cache(gitrepo, gate, tmp_path, count, no_estimates):
    root = two_features(gitrepo)
    write(root, {"prompts/system.j2": hello(1300)})  # fails: levers are computed too
    cache = tmp_path / "cache"
    first = gate(root, "--jobs", "1", "--cache-dir", cache, "--format", "markdown")
    assert first[0] == 1 and len(count) == 3
    assert len(entries(cache)) == 3  # bot at base, bot at head, two
    no_estimates()
    for jobs in ("1", "2"):
        assert gate(root, "--jobs", jobs, "--cache-dir", cache, "--format", "markdown") == first


def test_the_cache_serves_the_next_pull_request(gitrepo, gate, tmp_path, count):
    """Base estimates cached by one run are not estimated again by another change."""
    root = two_features(gitrepo)
    cache = tmp_path / "cache"
    write(root, {"prompts/system.j2": hello(1010)})
    gate(root, "--jobs", "1", "--cache-dir", cache)
    count.clear()
    write(root, {"prompts/system.j2": hello(1020)})
    code, _, err = gate(root, "--jobs", "1", "--cache-dir", cache)
    assert code == 0, err
    assert count == [SPEC]  # only the new head


def test_no_cache_neither_reads_nor_writes(gitrepo, gate, tmp_path, count):
    root = gitrepo()
    cache = tmp_path / "cache"
    gate(root, "--jobs", "1", "--cache-dir", cache)
    assert len(count) == 1 and len(entries(cache)) == 1
    before = {p: p.read_bytes() for p in entries(cache)}
    code, _, _ = gate(root, "--jobs", "1", "--cache-dir", cache, "--no-cache")
    assert code == 0 and len(count) == 2
    assert {p: p.read_bytes() for p in entries(cache)} == before
    default = default_cache_dir()
    assert default is not None
    gate(root, "--jobs", "1", "--no-cache")
    assert not default.exists()


def test_the_default_cache_is_under_xdg_cache_home(gitrepo, gate, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "costgate"
    gate(gitrepo(), "--jobs", "1")
    assert len(entries(tmp_path / "xdg" / "costgate")) == 1
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored, as the spec says
    assert default_cache_dir() == Path.home() / ".cache" / "costgate"


def test_a_cache_dir_that_cannot_be_made_is_no_cache(gitrepo, gate, tmp_path):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    (tmp_path / "file").write_text("not a folder\n")
    expected = gate(root, "--no-cache")
    assert expected[2] == ""
    assert gate(root, "--cache-dir", tmp_path / "file" / "cache") == expected
    code, _, err = gate(root, "--cache-dir", tmp_path / "file")  # a file named on purpose is a usage error
    assert code == 2 and "is a file" in err


def test_a_read_only_cache_is_read_and_not_written(gitrepo, gate, tmp_path, monkeypatch, count):
    root = two_features(gitrepo)
    cache = tmp_path / "cache"
    gate(root, "--jobs", "1", "--cache-dir", cache)
    written = entries(cache)

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr("costgate.gate.cache.tempfile.mkstemp", read_only)
    monkeypatch.setattr("costgate.gate.cache.os.utime", read_only)
    count.clear()
    write(root, {"prompts/system.j2": hello(1010)})
    code, out, err = gate(root, "--jobs", "1", "--cache-dir", cache)
    assert (code, err) == (0, "")
    assert count == [SPEC] and entries(cache) == written


# -------------------------------------------------------------- entries are verified

def _rewrite(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def _resealed(change):
    """Change the payload and record its new digest: well-formed, but not a record."""
    from costgate.gate.cache import _payload_digest

    def apply(doc):
        change(doc["payload"])
        doc["sha256"] = _payload_digest(doc["payload"])
    return apply


TAMPER = {
    "payload edited, digest stale": lambda p: _rewrite(p, lambda d: d["payload"].update(monthly_cost="0")),
    "a float for a decimal": lambda p: _rewrite(p, _resealed(lambda pl: pl.update(monthly_cost=1.5))),
    "a field too many": lambda p: _rewrite(p, _resealed(lambda pl: pl.update(extra=1))),
    "a field missing": lambda p: _rewrite(p, _resealed(lambda pl: pl.pop("seed"))),
    "a decimal in another spelling": lambda p: _rewrite(p, _resealed(lambda pl: pl.update(
        monthly_cost=pl["monthly_cost"] + "0 "))),
    "an unknown literal": lambda p: _rewrite(p, _resealed(lambda pl: pl["alternatives"][0].update(kind="other"))),
    "another key": lambda p: _rewrite(p, lambda d: d.update(key="0" * 64)),
    "a future format": lambda p: _rewrite(p, lambda d: d.update(format=99)),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:200]),
    "empty": lambda p: p.write_bytes(b""),
    "not UTF-8": lambda p: p.write_bytes(b"\xff\xfe" * 50),
    "a list": lambda p: p.write_text("[1, 2, 3]"),
    "deeply nested": lambda p: p.write_text("[" * 100_000 + "]" * 100_000),
    "a folder": lambda p: (p.unlink(), p.mkdir()),
}


@pytest.mark.parametrize("how", sorted(TAMPER))
def test_a_bad_entry_is_ignored_and_recomputed(gitrepo, gate, tmp_path, count, how):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    cache = tmp_path / "cache"
    expected = gate(root, "--jobs", "1", "--cache-dir", cache, "--format", "json")
    assert len(count) == 2
    for path in entries(cache):
        TAMPER[how](path)
    count.clear()
    assert gate(root, "--jobs", "1", "--cache-dir", cache, "--format", "json") == expected
    assert len(count) == 2  # both recomputed
    if how != "a folder":  # rewritten, and trusted again
        count.clear()
        assert gate(root, "--jobs", "1", "--cache-dir", cache, "--format", "json") == expected
        assert count == []


class _Marker:
    """Unpickling this creates a file: proof that a cache entry was unpickled."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.write_text, (Path(self.path), "pwned"))


def test_a_poisoned_pickle_in_the_cache_is_never_unpickled(gitrepo, gate, tmp_path, count):
    root = gitrepo()
    cache = tmp_path / "cache"
    expected = gate(root, "--jobs", "1", "--cache-dir", cache)
    marker = tmp_path / "pwned"
    for path in entries(cache):
        path.write_bytes(pickle.dumps(_Marker(str(marker))))
    count.clear()
    assert gate(root, "--jobs", "1", "--cache-dir", cache) == expected
    assert not marker.exists() and len(count) == 1


def test_entries_are_written_atomically_and_name_their_key(gitrepo, gate, tmp_path):
    cache = tmp_path / "cache"
    gate(two_features(gitrepo), "--jobs", "1", "--cache-dir", cache)
    for path in entries(cache):
        doc = json.loads(path.read_text())
        assert set(doc) == {"format", "key", "sha256", "payload"} and doc["key"] == path.stem
        assert path.parent.name == path.stem[:2]
    assert not list(cache.rglob(".tmp-*"))


def test_the_cache_is_pruned_least_recently_used_first(tmp_path):
    est = estimate(load_spec(FIXTURES / "rag-answerer" / "rag-answerer.costgate.yaml"), load_table(),
                   as_of=AS_OF_DATE)
    cache = EstimateCache(tmp_path / "c")
    for i in range(6):
        cache.put(f"{i:02d}" + "a" * 62, est)
    size = sum(p.stat().st_size for p in entries(tmp_path / "c"))
    for i, path in enumerate(sorted(entries(tmp_path / "c"))):
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "c" / f"v{keys.FORMAT}" / "00" / ".tmp-left-over.json").write_text("{}")
    os.utime(tmp_path / "c" / f"v{keys.FORMAT}" / "00" / ".tmp-left-over.json", (1, 1))
    assert cache.get("00" + "a" * 62) == est  # used now: the most recent
    cache.max_bytes = size // 2
    cache.prune()
    left = {p.stem[:2] for p in entries(tmp_path / "c")}
    assert "00" in left and "01" not in left and len(left) == 3
    assert not (tmp_path / "c" / f"v{keys.FORMAT}" / "00" / ".tmp-left-over.json").exists()


def test_a_symlinked_cache_folder_is_neither_written_through_nor_pruned_through(tmp_path):
    est = estimate(load_spec(FIXTURES / "rag-answerer" / "rag-answerer.costgate.yaml"), load_table(),
                   as_of=AS_OF_DATE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.json").write_text("{}")
    cache = EstimateCache(tmp_path / "c", max_bytes=0)
    cache.put("cd" + "0" * 62, est)
    (tmp_path / "c" / f"v{keys.FORMAT}" / "ab").symlink_to(elsewhere)
    cache.prune()
    assert not cache.path("cd" + "0" * 62).exists()  # pruned (the cache is over its size)
    assert (elsewhere / "precious.json").exists()  # what the symlink points to is not
    EstimateCache(tmp_path / "c").put("ab" + "0" * 62, est)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.json"]


# ------------------------------------------------------------------- key sensitivity

@pytest.fixture
def keyed(tmp_path):
    """key(**changes): the cache key of the bot spec in a work tree after ``changes``
    (files to write, or run parameters)."""
    from helpers import init_repo

    root = init_repo(tmp_path / "k")
    write(root, {SPEC: spec_text(extra="vars: {tone: warm}\n"), "queries.txt": QUERIES,
                 "prompts/system.j2": hello(100), "costgate.yaml": "pricing: [prices]\n",
                 "prices/acme.yaml": ACME.format(price="1.00")})
    commit(root, "base")

    def key(files: dict | None = None, *, source=None, as_of=AS_OF_DATE, seed=1, sessions=500, alternatives=True,
            spec=SPEC):
        write(root, files or {})
        src = source or WorkTree(root)
        view = RepoView(src, load_config(src))
        from costgate.pricing import table_for

        runner = Runner(as_of, seed, sessions)
        loaded = load_spec(spec, src, view.config.limits)
        runner.note(loaded, src)
        return runner.key(loaded, table_for(view), alternatives)

    key.root = root  # type: ignore[attr-defined]
    return key


ACME = GOOD.replace('input: "1.00"', 'input: "{price}"')

CHANGES = {
    "a template byte": {"files": {"prompts/system.j2": hello(100) + "!"}},
    "a sample row": {"files": {"queries.txt": QUERIES + "one more\n"}},
    "a sample row's order": {"files": {"queries.txt": "how are you\nhi there\n"}},
    "vars": {"files": {SPEC: spec_text(extra="vars: {tone: cold}\n")}},
    "a spec comment": {"files": {SPEC: spec_text(extra="vars: {tone: warm}\n") + "# note\n"}},
    "a price in a pricing: layer": {"files": {"prices/acme.yaml": ACME.format(price="1.01")}},
    "the work limits": {"files": {"costgate.yaml": "pricing: [prices]\nlimits: {sample_rows: 5000}\n"}},
    "the as-of day": {"as_of": AS_OF_DATE + timedelta(days=1)},
    "the seed": {"seed": 2},
    "the sessions": {"sessions": 501},
    "alternatives": {"alternatives": False},
}


@pytest.mark.parametrize("what", sorted(CHANGES))
def test_changing_any_input_changes_the_key(keyed, what):
    before = keyed()
    assert before is not None and keyed() == before  # stable
    change = dict(CHANGES[what])
    assert keyed(change.pop("files", None), **change) != before


def test_the_spec_path_is_in_the_key(keyed):
    before = keyed()
    shutil.copy(keyed.root / SPEC, keyed.root / "other.costgate.yaml")
    assert keyed(spec="other.costgate.yaml") != before


def test_costgate_itself_is_in_the_key(keyed, monkeypatch):
    before = keyed()
    monkeypatch.setattr(keys, "__version__", "99.0")
    keys._installed.cache_clear()
    assert keyed() != before
    monkeypatch.undo()
    keys._installed.cache_clear()
    assert keyed() == before
    monkeypatch.setattr(keys, "code_digest", lambda: "0" * 64)
    keys._installed.cache_clear()
    assert keyed() != before
    monkeypatch.undo()
    keys._installed.cache_clear()
    monkeypatch.setattr(keys, "_versions", lambda *names: {n: "0" for n in names})
    keys._installed.cache_clear()
    assert keyed() != before
    monkeypatch.undo()
    keys._installed.cache_clear()


def test_a_registered_tokenizer_is_in_the_key(keyed, monkeypatch):
    from costgate import tokens

    before = keyed()
    monkeypatch.setattr(tokens.registry, "_REGISTRY", dict(tokens.registry._REGISTRY))
    tokens.register("claude", lambda: tokens.get_tokenizer("o200k_base"))
    assert keyed() != before


def test_base_and_head_with_the_same_files_have_the_same_key(keyed):
    """The work tree and the git ref read the same bytes: the same key."""
    assert keyed() == keyed(source=GitTree(keyed.root, "HEAD"))


def test_a_file_not_read_through_the_source_gives_no_key(keyed):
    src = WorkTree(keyed.root)
    spec = load_spec(SPEC, src)
    src.digests.clear()
    runner = Runner(AS_OF_DATE, 1, 500)
    runner.note(spec, src)
    assert runner.key(spec, load_table(), True) is None


def test_the_table_digest_ignores_where_prices_were_read_from():
    table = load_table()
    moved = replace(table, models={k: replace(m, file="elsewhere.yaml", line=m.line + 1)
                                   for k, m in table.models.items()})
    assert keys.table_digest(moved) == keys.table_digest(table)
    cheaper = dict(table.models)
    m = cheaper["gpt-4o"]
    cheaper["gpt-4o"] = replace(m, prices=(replace(m.prices[0], since=m.prices[0].since - timedelta(days=1)),
                                           *m.prices[1:]))
    assert keys.table_digest(replace(table, models=cheaper)) != keys.table_digest(table)


# ------------------------------------------------------------------- the JSON codec

def assert_same_record(a, b, path="estimate"):
    """Field for field: the same types and the same values (Decimals in the same spelling)."""
    assert type(a) is type(b), path
    if is_dataclass(a):
        for f in fields(a):
            assert_same_record(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_record(x, y, f"{path}[{i}]")
    else:
        assert a == b and str(a) == str(b), path


def round_trip(est: Estimate) -> Estimate:
    return decode_estimate(json.loads(json.dumps(encode(est))))


@pytest.mark.parametrize("spec", sorted(FIXTURES.glob("*/*.costgate.yaml")), ids=lambda p: p.parent.name)
def test_every_fixture_estimate_survives_the_cache_json(spec):
    est = estimate(load_spec(spec), load_table(), as_of=AS_OF_DATE)
    back = round_trip(est)
    assert back == est and repr(back) == repr(est)
    assert_same_record(back, est)


def test_optional_fields_warnings_and_failed_alternatives_survive(repo):
    (repo / "queries.txt").write_text("hello\n")
    (repo / "bot.costgate.yaml").write_text(query_spec("claude-3-5-sonnet", "old-bot"))
    table = load_table()
    retired = table.model("claude-3-5-sonnet").retired
    est = estimate(load_spec(repo / "bot.costgate.yaml"), table, as_of=retired)
    assert est.warnings and est.budget_monthly_usd is None
    est = replace(est, alternatives=(*est.alternatives, Alternative("x", "model", None, None, error="no price")),
                  warnings=(*est.warnings, Lifecycle("m", "deprecated", date(2020, 2, 29))))
    assert_same_record(round_trip(est), est)


def test_tool_and_static_system_prompt_tokens_survive():
    """The per-call fields another engineer's estimator fills in: set, unset (None) and
    zero all come back as written; an entry written before they existed is a miss."""
    est = estimate(load_spec(FIXTURES / "rag-answerer" / "rag-answerer.costgate.yaml"), load_table(),
                   as_of=AS_OF_DATE)
    first, *rest = est.calls
    est = replace(est, calls=(replace(first, tool_tokens=321, system_prompt_tokens=45), *rest))
    back = round_trip(est)
    assert_same_record(back, est)
    assert (back.calls[0].tool_tokens, back.calls[0].system_prompt_tokens) == (321, 45)
    assert all((c.tool_tokens, c.system_prompt_tokens) == (0, None) for c in back.calls[1:])
    data = encode(est)
    assert data["calls"][0]["tool_tokens"] == 321 and data["calls"][0]["system_prompt_tokens"] == 45
    for c in data["calls"]:
        del c["tool_tokens"], c["system_prompt_tokens"]
    with pytest.raises(CodecError):
        decode_estimate(data)  # the old shape: not this record
    assert keys.FORMAT == 3  # and old entries live under older versions' keys, never read


def test_bindings_survive():
    """A call's bound settings (issue 13) come back as written; an entry written before
    they existed is a miss."""
    est = estimate(load_spec(FIXTURES / "rag-answerer" / "rag-answerer.costgate.yaml"), load_table(),
                   as_of=AS_OF_DATE)
    first, *rest = est.calls
    bound = (BoundValue("model", "app/config.yaml", "llm.model", 12, "gpt-4o"),
             BoundValue("max_tokens", ".env", "MAX", None, "800"))
    est = replace(est, calls=(replace(first, bindings=bound), *rest))
    back = round_trip(est)
    assert_same_record(back, est)
    assert back.calls[0].bindings == bound and all(c.bindings == () for c in back.calls[1:])
    data = encode(est)
    for c in data["calls"]:
        del c["bindings"]
    with pytest.raises(CodecError):
        decode_estimate(data)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_keep_their_exact_spelling(value):
    back = decode(Decimal, encode(value))
    assert back == value and str(back) == str(value)


@given(st.dates())
def test_dates_round_trip(value):
    assert decode(date, encode(value)) == value


@pytest.mark.parametrize("tp, data", [(Decimal, "NaN"), (Decimal, "Infinity"), (Decimal, " 1"), (Decimal, 1),
                                      (Decimal, "1e3"), (date, "2026-1-1"), (date, 20261101), (int, True),
                                      (int, "1"), (str, None), (bool, 0)])
def test_the_codec_accepts_only_what_it_writes(tp, data):
    with pytest.raises(CodecError):
        decode(tp, data)
