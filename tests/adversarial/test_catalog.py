"""The adversarial tables themselves: enough distinct cases in every category, sane
records, and checkers that really catch what they are meant to catch (a checker that
never fires would let every case pass)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from adversarial.harness import (
    CANARY_TEXT,
    LEAK,
    OUTSIDE_FILES,
    SECRET,
    Case,
    Result,
    build,
    files,
    log_problems,
    markdown_problems,
    take,
    verify,
)
from adversarial.known_failures import KNOWN
from adversarial.test_cases import ALL
from helpers import GOLDEN

CATEGORIES = {"A": 60, "B": 40, "C": 60, "D": 40, "E": 120, "F": 25}
"""Category letter -> the fewest cases it may have."""


def test_at_least_320_distinct_cases():
    ids = [c.id for c in ALL]
    assert len(ids) >= 320, len(ids)
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, duplicates


@pytest.mark.parametrize("letter,fewest", sorted(CATEGORIES.items()))
def test_every_category_is_covered(letter, fewest):
    assert sum(c.id.startswith(letter + "-") for c in ALL) >= fewest


def test_every_known_failure_names_a_case():
    ids = {c.id for c in ALL}
    assert not set(KNOWN) - ids, sorted(set(KNOWN) - ids)
    assert all(len(reason) > 20 for reason in KNOWN.values())


def test_case_records_are_sane():
    for c in ALL:
        assert re.fullmatch(r"[A-F]-[A-Za-z0-9_.-]+", c.id), c.id
        assert c.exit in (0, 1, 2), c.id
        assert c.xfail is None or len(c.xfail) > 20, c.id
        assert c.expect is not None, c.id
        if c.expect.startswith("re:"):
            re.compile(c.expect[3:])
        assert c.timeout <= 60, c.id
        assert not (c.commit_head and c.base is None), c.id


def test_the_canary_is_recognised():
    assert LEAK.search(SECRET) and LEAK.search(CANARY_TEXT)
    assert LEAK.search("'CANARY_7f3a9c_do_not_leak' is undefined")
    assert not LEAK.search("../outside/canary.txt")  # a path naming the file is not the secret
    assert all(LEAK.search(text) for name, text in OUTSIDE_FILES.items() if isinstance(text, str))


@pytest.mark.parametrize("text", [
    "::error::pwned", "  ::warning file=x::y", "\t::add-mask::x", "##[error]x", "ok\x1b[31m", "a\rb",
    "x\n::set-output name=a::b", "a\x00b",
])
def test_log_checker_catches(text):
    assert log_problems(text, "out")


@pytest.mark.parametrize("text", [
    "::error file=prompts/x.j2,line=1,title=costgate system_prompt_growth::message",
    "::warning title=costgate feature_removed::bot is no longer gated",
    "plain text :: with colons", "\u200b::error::neutralised", "tab\tand newline\n",
])
def test_log_checker_allows(text):
    assert not log_problems(text, "out")


@pytest.mark.parametrize("text", [
    "hello <img src=x onerror=alert(1)>", "</details>", "<details><summary>x</summary>", "hi @everyone",
    "[click](javascript:alert(1))", "![x](y)", "<!-- hidden -->", "| a | b |\n|---|---|\n| a | b | c |",
    "<script>alert(1)</script>",
])
def test_markdown_checker_catches(text):
    assert markdown_problems(text)


@pytest.mark.parametrize("text", [
    "`<img src=x>` and ``a`b``", "\\<img src=x\\>", "@\u200beveryone", "<details><summary><code>x</code></summary>"
    "\n\n</details>", "| a | `b\\|c` |\n|---|---|\n| x | y |", "<sub>costgate</sub>",
])
def test_markdown_checker_allows(text):
    assert not markdown_problems(text)


def test_markdown_checker_accepts_the_golden_comment():
    assert not markdown_problems((GOLDEN / "fixture-diff.md").read_text(encoding="utf-8"))


def _verify(case: Case, tmp_path, act) -> None:
    ctx = build(case, tmp_path)
    before = take(ctx)
    out, err = act(ctx)
    verify(case, ctx, Result(0, out, err, 0.0), before)


def test_verify_catches_a_write_outside_the_repository(tmp_path):
    case = Case("A-self-check", ("estimate",), 0, "", files=files())

    def act(ctx):
        (ctx.outside / "new.txt").write_text("x")
        return "", ""

    with pytest.raises(AssertionError, match="files changed outside"):
        _verify(case, tmp_path, act)


def test_verify_catches_a_leak(tmp_path):
    case = Case("A-self-check", ("estimate",), 0, "", files=files())
    with pytest.raises(AssertionError, match="canary leaked"):
        _verify(case, tmp_path, lambda ctx: (ctx.canary.read_text(), ""))


def test_verify_catches_a_leak_in_a_written_report(tmp_path):
    case = Case("A-self-check", ("estimate",), 0, "", files=files(), writes=("report.md",))

    def act(ctx):
        (ctx.tmp / "report.md").write_text(ctx.canary.read_text())
        return "", ""

    with pytest.raises(AssertionError, match="canary leaked into report.md"):
        _verify(case, tmp_path, act)


def test_verify_passes_a_clean_run(tmp_path):
    case = Case("A-self-check", ("estimate",), 0, "fine", files=files())
    _verify(case, tmp_path, lambda ctx: ("fine\n", ""))
