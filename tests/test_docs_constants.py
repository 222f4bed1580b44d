"""Docs that cannot drift: every limit, size, default and exit code the docs (README,
SECURITY.md, docs/*.md) and the commands' --help state is read back from the code's
constants. A number changed in the code without the docs (or the other way round)
fails here, naming the file and the sentence."""

from __future__ import annotations

import re
from decimal import Decimal

import click
import pytest
from helpers import ROOT

from costgate import yamlio
from costgate.cli import cli
from costgate.cli.options import EXIT_BUG, EXIT_GATE, EXIT_INPUT, EXIT_OK
from costgate.estimate.sandbox import MAX_INT_BITS
from costgate.gate.cache import MAX_CACHE_BYTES
from costgate.gate.ci import MAX_EVENT_BYTES, MAX_VALUE, PR_ID, SHA
from costgate.limits import DEFAULT_LIMITS
from costgate.repo.config import DEFAULT_THRESHOLDS
from costgate.repo.gittree import MAX_LINKS
from costgate.repo.scan import MAX_FILES
from costgate.report.annotations import MAX_ANNOTATIONS
from costgate.report.gate import GITHUB_LIMIT, SUMMARY_LIMIT
from costgate.spec.detect import MAX_FILE_BYTES as DETECT_FILE_BYTES
from costgate.spec.detect import MAX_READ_BYTES as DETECT_READ_BYTES
from costgate.spec.loader import MAXIMA as SPEC_MAXIMA

DOCS = sorted([ROOT / "README.md", ROOT / "SECURITY.md", *(ROOT / "docs").glob("*.md")])


def _text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def _mb(n: int) -> str:
    """A byte count as the docs write it: decimal megabytes, or binary ones for the cache
    (500 * 1024 * 1024 is '500 MB' in the docs, as du would round it)."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000} MB"
    assert n % (1024 * 1024) == 0, n
    return f"{n // (1024 * 1024)} MB"


SIZES = {
    _mb(yamlio.MAX_BYTES): "the YAML document size (yamlio.MAX_BYTES)",
    _mb(DEFAULT_LIMITS.file_bytes): "file_bytes",
    _mb(DEFAULT_LIMITS.sample_bytes): "sample_bytes",
    _mb(MAX_CACHE_BYTES): "the estimate cache (gate.cache.MAX_CACHE_BYTES)",
    _mb(DETECT_FILE_BYTES): "init --detect's file bound (spec.detect.MAX_FILE_BYTES)",
    _mb(DETECT_READ_BYTES): "init --detect's read bound (spec.detect.MAX_READ_BYTES)",
    _mb(MAX_EVENT_BYTES): "the GitHub event payload (gate.ci.MAX_EVENT_BYTES)",
}
"""Every size in megabytes the docs may state, from the constant it states."""


def test_every_size_the_docs_state_is_a_constant():
    """A "N MB" anywhere in the docs (not a rate, "MB/s") is one of the code's byte bounds
    (the issue's "specs over 5 MB are refused" while the bound is 2 MB is what this
    catches: the sentences that state each bound are checked one by one below)."""
    for doc in DOCS:
        for m in re.finditer(r"\b(\d[\d,]*) MB\b(?!/s)", doc.read_text(encoding="utf-8")):
            assert m.group(0) in SIZES, f"{doc.name}: {m.group(0)!r} is not a bound in the code"


@pytest.mark.parametrize("doc, sentence", [
    ("docs/spec.md", f"A spec over {_mb(yamlio.MAX_BYTES)} (the bound on any YAML"),
    ("docs/spec.md", f"another file it reads over {_mb(DEFAULT_LIMITS.file_bytes)} (`file_bytes`"),
    ("docs/spec.md", f"a samples file: {_mb(DEFAULT_LIMITS.sample_bytes)},"),
    ("docs/spec.md", f"YAML aliases beyond {yamlio.MAX_ALIASES} and"),
    ("docs/spec.md", f"(with the same bounds as a spec: {_mb(yamlio.MAX_BYTES)}, {yamlio.MAX_DEPTH} levels,"),
    ("docs/limits.md", f"| YAML document size | {_mb(yamlio.MAX_BYTES)} |"),
    ("docs/limits.md", f"| YAML aliases | {yamlio.MAX_ALIASES} |"),
    ("docs/limits.md", f"| YAML values after alias expansion | {yamlio.MAX_NODES:,} |"),
    ("docs/limits.md", f"| YAML nesting | {yamlio.MAX_DEPTH} levels |"),
    ("docs/limits.md", f"| a number literal | {yamlio.MAX_DIGITS} digits; magnitude 1e-{yamlio.MAX_EXPONENT} "
                       f"to 1e{yamlio.MAX_EXPONENT} |"),
    ("docs/limits.md", f"| integers a template computes | {MAX_INT_BITS:,} bits |"),
    ("docs/limits.md", f"| symlinks followed on the git side | {MAX_LINKS} |"),
    ("docs/limits.md", f"| a branch name from a CI variable (`costgate check`) | {MAX_VALUE} characters |"),
    ("docs/limits.md", "| a commit SHA from a CI variable | "
                       + "{} to {} hex digits |".format(*SHA.pattern.split("{")[1].rstrip("}").split(","))),
    ("docs/limits.md", f"| a pull request id from a CI variable | {PR_ID.pattern.split(',')[1].rstrip('}')} digits |"),
    ("docs/limits.md", f"| the GitHub event payload (`GITHUB_EVENT_PATH`) | {_mb(MAX_EVENT_BYTES)} |"),
    ("SECURITY.md", f"The GitHub event payload is read only up to {_mb(MAX_EVENT_BYTES)}."),
    ("docs/limits.md", f"| pull-request comment (`--format markdown`) | {GITHUB_LIMIT:,} characters (GitHub's limit) |"),
    ("docs/limits.md", f"| job summary (`--summary-output FILE`) | {SUMMARY_LIMIT // 2**20} MiB of UTF-8"),
    ("docs/limits.md", f"| annotations (`::error`/`::warning`) | {MAX_ANNOTATIONS} a run"),
    ("docs/limits.md", f"`sessions_per_day` ≤ {SPEC_MAXIMA['traffic.sessions_per_day']:,} and `growth_per_month` in (-1, "
                       f"{SPEC_MAXIMA['traffic.growth_per_month']}]"),
    ("docs/init.md", f"at most\n  {MAX_FILES:,} files"),
    ("docs/init.md", f"a file over {_mb(DETECT_FILE_BYTES)},"),
    ("docs/init.md", f"{_mb(DETECT_READ_BYTES)} are read"),
    ("README.md", f"It is pruned to {_mb(MAX_CACHE_BYTES)}, least recently used first."),
    ("docs/spec.md", "| `system_prompt_growth` | per call: the system prompt **as written** (its static text, tokens) | "
                     f"`{{percent: {DEFAULT_THRESHOLDS.system_prompt_growth.percent}, "
                     f"tokens: {DEFAULT_THRESHOLDS.system_prompt_growth.amount}}}` |"),
    ("docs/spec.md", "| `monthly_cost_increase` | per feature: the projected monthly cost (USD) | "
                     f"`{{percent: {DEFAULT_THRESHOLDS.monthly_cost_increase.percent}, "
                     f"usd: {DEFAULT_THRESHOLDS.monthly_cost_increase.amount}}}` |"),
    ("docs/spec.md", f"each call's system prompt as written | {DEFAULT_THRESHOLDS.new_feature_system_prompt_tokens:,} |"),
    ("docs/spec.md", f"a feature the pull request adds: its monthly cost | {DEFAULT_THRESHOLDS.new_feature_monthly_usd:,} |"),
    ("SECURITY.md", f"`new_feature.system_prompt_tokens` {DEFAULT_THRESHOLDS.new_feature_system_prompt_tokens:,} "
                    f"and `new_feature.monthly_usd` {DEFAULT_THRESHOLDS.new_feature_monthly_usd:,}"),
    ("SECURITY.md", f"({DEFAULT_THRESHOLDS.new_feature_system_prompt_tokens:,} system-prompt tokens, "
                    f"${DEFAULT_THRESHOLDS.new_feature_monthly_usd:,} a month by default)"),
])
def test_each_stated_bound_and_default_is_the_code_s(doc, sentence):
    text = re.sub(r"[ \t]*\n[ \t]*", " ", _text(doc))  # prose wraps anywhere
    assert re.sub(r"\s*\n\s*", " ", sentence) in text, f"{doc} no longer says {sentence!r}: docs and code disagree"


def test_the_fixed_bounds_table_lists_exactly_the_checked_rows():
    """A new row in docs/limits.md's fixed-bounds table must be added to the checks above."""
    text = _text("docs/limits.md").split("Fixed bounds, not configurable:", 1)[1].split("\n\n|", 2)[1]
    rows = re.findall(r"^\| ([^|]+?) \| [^|]+ \| [^|]+ \|$", text, re.M)
    assert [r for r in rows if r not in ("bound", "---")] == [
        "YAML document size", "YAML aliases", "YAML values after alias expansion", "YAML nesting",
        "a number literal", "integers a template computes", "symlinks followed on the git side",
        "a branch name from a CI variable (`costgate check`)", "a commit SHA from a CI variable",
        "a pull request id from a CI variable", "the GitHub event payload (`GITHUB_EVENT_PATH`)"]


EXIT_WORDS = {EXIT_OK: "ok", EXIT_GATE: "gate failed", EXIT_INPUT: "bad input", EXIT_BUG: "a bug"}


def _help_texts():
    def walk(group: click.Group, prefix: str):
        yield prefix, group.help or ""
        for name, cmd in sorted(group.commands.items()):
            if isinstance(cmd, click.Group):
                yield from walk(cmd, f"{prefix} {name}")
            else:
                yield f"{prefix} {name}", cmd.help or ""

    yield from walk(cli, "costgate")


def test_exit_codes_are_the_code_s_everywhere():
    """Every list of exit codes (README, docs, each command's --help) names all four, and
    the README's list gives each its meaning from cli.options."""
    assert (EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_BUG) == (0, 1, 2, 3)
    readme = re.sub(r"\s+", " ", _text("README.md"))
    for code, word in EXIT_WORDS.items():
        assert f"**{code}** {word}" in readme, (code, word)
    sources = [(d.name, d.read_text(encoding="utf-8")) for d in DOCS] + list(_help_texts())
    lists = 0
    for name, text in sources:
        for m in re.finditer(r"exit codes?\b[^.]*?(?:\n\n|\.(?:\s|$))", text, re.I | re.S):
            codes = set(re.findall(r"\b([0-9])\b", m.group(0)))
            if {"0", "1", "2"} <= codes:
                lists += 1
                assert "3" in codes, f"{name} lists exit codes 0, 1 and 2 but not 3 (a bug): {m.group(0)!r}"
    assert lists >= 3  # the README, `costgate --help`, `costgate diff --help`


def test_threshold_defaults_are_decimal_whole_numbers():
    """The docs above write the defaults as whole numbers; a fractional default would need
    new sentences, not a silent mismatch."""
    for value in (DEFAULT_THRESHOLDS.new_feature_monthly_usd, DEFAULT_THRESHOLDS.new_feature_system_prompt_tokens):
        assert value == value.to_integral_value() and isinstance(value, Decimal)


def test_the_readme_states_each_table_s_hide_order():
    """README "Terminal width" lists the columns hidden to fit, in the renderers' order."""
    from costgate.report.estimate import CALL_HIDE_ORDER as ESTIMATE
    from costgate.report.gate import CALL_HIDE_ORDER as GATE_CALLS
    from costgate.report.gate import FEATURE_HIDE_ORDER as GATE_FEATURES
    from costgate.report.pricing_table import LIST_HIDE_ORDER as PRICING

    readme = re.sub(r"\s+", " ", _text("README.md"))
    for order in (ESTIMATE, GATE_FEATURES, GATE_CALLS, PRICING):
        assert ", ".join(f"`{c}`" for c in order) in readme, order


def test_the_estimate_defaults_the_docs_and_help_state():
    """The Monte Carlo's seed and sessions and a spec's days per month, as docs/spec.md,
    docs/json.md and `costgate estimate --help` state them."""
    from costgate.cli.estimate import estimate
    from costgate.estimate.simulate import DEFAULT_SEED, DEFAULT_SESSIONS
    from costgate.spec.model import Traffic

    spec = re.sub(r"\s+", " ", _text("docs/spec.md"))
    assert f"`--seed`, default {DEFAULT_SEED};" in spec
    days = Traffic.__dataclass_fields__["days_per_month"].default
    assert f"days_per_month: {days}                 # default {days}" in _text("docs/spec.md")
    assert f"as declared (default `\"{days}\"`)" in _text("docs/json.md")
    options = {p.name: p for p in estimate.params}
    assert options["sessions"].default == DEFAULT_SESSIONS
    assert f"[default: {DEFAULT_SEED}]" in (options["seed"].help or "")


def test_sizes_in_help_texts_are_constants():
    for name, text in _help_texts():
        for m in re.finditer(r"\b(\d[\d,]*) MB\b(?!/s)", text):
            assert m.group(0) in SIZES, f"{name} --help: {m.group(0)!r} is not a bound in the code"
    diff_help = dict(_help_texts())["costgate diff"]
    assert f"pruned to {_mb(MAX_CACHE_BYTES)}" in " ".join(diff_help.split())
