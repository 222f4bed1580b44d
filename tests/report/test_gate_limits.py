"""What the pull request's reader sees at the edges: a gate that could not run
(report.failure), how base and head are named, the comment and job-summary size limits,
and the cap on annotations. Renderers only, on hand-built results (tests/report/results.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal as D

import pytest
from report.results import GATE_RESULT, OVER_BUDGET, PROMPT_GREW

from costgate.gate.model import Invocation
from costgate.report.annotations import MAX_ANNOTATIONS, annotations
from costgate.report.failure import Failure, failure_annotation, failure_markdown
from costgate.report.gate import (
    COMMENT_MARKER_ROOM,
    GITHUB_LIMIT,
    MARKER,
    SUMMARY_LIMIT,
    sides,
    to_markdown,
    to_summary,
    utf8_size,
)

SHA_B, SHA_H = "b" * 40, "c" * 40


# ------------------------------------------------------------------ the gate could not run

HOSTILE = "spec `x` <img src=x onerror=alert(1)> @team\n::error::forged | cell"


def test_bad_input_report_names_the_error_where_and_fix_escaped():
    text = failure_markdown(Failure("input", HOSTILE, "llm/a,b.costgate.yaml", 12, "fix *it*"), MARKER)
    assert text.startswith(f"{MARKER}\n## ⚠️ **costgate: the gate could not run**\n")
    assert "`llm/a,b.costgate.yaml:12`" in text
    assert not re.search(r"(?<!\\)<img", text) and "\\<img" in text  # shown, not rendered
    assert "@\u200bteam" in text  # no mention
    assert "\n::error" not in text  # one line: no forged workflow command
    assert "fix \\*it\\*" in text
    assert "no cost change" not in text and "✅" not in text and "exit 2: bad input" in text


def test_crash_report_is_never_a_verdict():
    text = failure_markdown(Failure("bug", "KeyError"), MARKER)
    assert "costgate crashed: no cost check ran" in text and "(KeyError)" in text
    assert "no cost change" not in text and "✅" not in text and "❌" not in text
    assert "exit 3: a bug in costgate" in text


def test_failure_annotation_sits_at_the_file_and_line_escaped():
    line = failure_annotation(Failure("input", "bad: 50%\nsecond line", "a,b:c.yaml", 3, "quote it"))
    assert line == ("::error file=a%2Cb%3Ac.yaml,line=3,title=costgate could not run::"
                    "bad: 50%25%0Asecond line (hint: quote it)")
    assert failure_annotation(Failure("bug", "KeyError")) == "::error title=costgate crashed::KeyError"


def test_a_long_error_message_is_quoted_briefly():
    long = "template failed to render: KeyError: '" + "A" * 100_000 + "'"
    failure = Failure("input", long, "prompts/a.j2", 3, "h" * 5_000)
    text, line = failure_markdown(failure, MARKER), failure_annotation(failure)
    assert len(text) < 3_000 and len(line) < 2_200
    assert "A" * 900 in text and "A" * 1_000 not in text and "A…" in text and "h…" in line


# ------------------------------------------------------------------ base and head named by commit

@pytest.mark.parametrize(("base", "head", "inv_head", "dirty", "expected"), [
    ("origin/main", "working tree", None, False, ("`origin/main` (`bbbbbbb`)", "HEAD `ccccccc`")),
    ("origin/main", "working tree", None, True,
     ("`origin/main` (`bbbbbbb`)", "HEAD `ccccccc` + uncommitted changes")),
    (SHA_B, "working tree", None, False, ("`bbbbbbb`", "HEAD `ccccccc`")),
    ("bbbbbbb", "feature", "feature", False, ("`bbbbbbb`", "`feature` (`ccccccc`)")),
    ("origin/main", SHA_H, SHA_H, False, ("`origin/main` (`bbbbbbb`)", "`ccccccc`")),
])
def test_the_report_names_both_commits(base, head, inv_head, dirty, expected):
    result = replace(GATE_RESULT, base=base, head=head, base_commit=SHA_B, head_commit=SHA_H,
                     head_uncommitted=dirty, invocation=Invocation(base, inv_head, GATE_RESULT.as_of))
    assert sides(result) == expected
    assert f"Base {expected[0]} → head {expected[1]}, prices" in to_markdown(result)


def test_a_hand_built_result_is_named_by_its_refs():
    assert sides(GATE_RESULT) == ("`origin/main`", "`working tree`")


# ------------------------------------------------------------------ size limits

def _many(n: int, *, unchanged: int = 0):
    """GATE_RESULT's changed feature ``n`` times, plus ``unchanged`` unchanged ones."""
    changed = next(f for f in GATE_RESULT.features if f.status == "changed")
    same = next(f for f in GATE_RESULT.features if f.status == "unchanged")
    feats = [replace(changed, feature=f"f{i:04d}", spec_file=f"specs/f{i:04d}.costgate.yaml",
                     crossings=tuple(replace(c, feature=f"f{i:04d}") for c in changed.crossings)) for i in range(n)]
    feats += [replace(same, feature=f"u{i:04d}", spec_file=f"specs/u{i:04d}.costgate.yaml") for i in range(unchanged)]
    return replace(GATE_RESULT, features=tuple(feats), suggestions={})


def test_details_go_first_and_the_note_points_to_the_job_summary():
    result = _many(200)
    text = to_markdown(result)
    assert len(text) <= GITHUB_LIMIT
    assert "cut to fit GitHub's comment size limit (per-call details" in text
    assert "the job summary (and `costgate diff` run locally) has the full report" in text
    assert all(f"| `f{i:04d}`" in text for i in range(200))
    summary = to_summary(result)
    assert summary.count("<details>") == 200 and "cut to fit" not in summary
    assert utf8_size(summary) <= SUMMARY_LIMIT


@pytest.mark.parametrize("n", [126, 264, 291])  # reports cut to within a few characters of 65,536
def test_a_report_cut_to_fit_is_not_cut_again_when_posted_with_its_tag_marker(n):
    from costgate.publish.marker import check_tag, fit, marker, with_marker

    longest = check_tag("t" * 64)  # the longest tag
    assert len(marker(longest)) + 1 == COMMENT_MARKER_ROOM
    text = to_markdown(_many(n))
    assert "cut to fit GitHub's comment size limit" in text
    body, truncated = fit(with_marker(text, longest), GITHUB_LIMIT, "GitHub")
    assert not truncated and len(body) <= GITHUB_LIMIT
    assert body.rstrip().endswith("decreases never fail</sub>")  # the footer survives


def test_unchanged_rows_go_before_changed_ones_then_rows_from_the_end_with_a_count():
    result = _many(300, unchanged=400)
    text = to_markdown(result)
    assert len(text) <= GITHUB_LIMIT
    assert "400 unchanged features not listed" in text and "| `u0000`" not in text
    assert all(f"| `f{i:04d}`" in text for i in range(300))
    small = to_markdown(result, limit=12_000)
    assert len(small) <= 12_000
    shown = sum(f"| `f{i:04d}`" in small for i in range(300))
    assert 0 < shown < 300
    assert all(f"| `f{i:04d}`" in small for i in range(shown))  # a prefix of the table, in order
    assert f"{700 - shown} of 700 features not listed" in small
    assert small.splitlines()[1].startswith("## ❌ **costgate: ")  # the verdict stays


def test_the_summary_limit_counts_bytes_not_characters():
    assert utf8_size("→") == 3 and len("→") == 1
    assert SUMMARY_LIMIT == 1024 * 1024


# ------------------------------------------------------------------ at most 10 annotations

def _crossings(n_fail: int, n_warn: int):
    feats = []
    for i in range(n_fail + n_warn):
        base = PROMPT_GREW if i < n_fail else OVER_BUDGET
        c = replace(base, feature=f"f{i:03d}", after=D(3000 + i))
        changed = next(f for f in GATE_RESULT.features if f.status == "changed")
        feats.append(replace(changed, feature=f"f{i:03d}", crossings=(c,)))
    return replace(GATE_RESULT, features=tuple(feats))


def test_at_most_ten_annotations_failures_first_and_a_pointer_to_the_summary():
    lines = annotations(_crossings(115, 6))
    assert len(lines) == MAX_ANNOTATIONS == 10
    assert all(line.startswith("::error ") for line in lines[:9])
    assert lines[9] == ("::notice title=costgate::112 more crossed thresholds not annotated (at most 10 "
                        "annotations a run)%3A the job summary lists all 121".replace("%3A", ":"))


def test_ten_or_fewer_are_all_annotated_without_a_pointer():
    lines = annotations(_crossings(4, 6))
    assert len(lines) == 10 and not any(line.startswith("::notice") for line in lines)
    assert [line.split(" ", 1)[0] for line in lines] == ["::error"] * 4 + ["::warning"] * 6


def test_when_the_crossing_list_alone_overflows_it_is_counted_and_details_that_fit_come_back():
    result = _many(200)  # 200 failures and 200 warnings listed: over 65,536 characters without any detail
    assert (len(result.failures), len(result.crossings)) == (200, 400)
    text = to_markdown(result)
    assert len(text) <= GITHUB_LIMIT
    assert "**200 thresholds crossed, 200 warnings.**" in text
    assert "(per-call details; the crossed thresholds are counted, not listed)" in text
    assert 0 < text.count("<details>") < 200  # the room the list left, filled in order
    assert "<code>f0000</code>" in text
