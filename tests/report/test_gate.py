"""The gate's report formats (costgate.report.gate): the pull-request comment in markdown,
the terminal table and the JSON document, on real GateResults from ``gate.diff``
(the same renderers on hand-built results, against expected files, are in
test_expected.py).

The comment's contract, from issue 4: a hidden marker first (the Action finds and
updates its one sticky comment by it), then a one-line verdict with the total monthly
delta, a table per feature, per-call details folded in ``<details>``, and never more
than GitHub's 65,536 characters: per-call details are cut first, the verdict never.

tests/golden/fixture-diff.md is the comment for a change to fixtures/support-bot and is
shown in the README (tests/test_golden.py); refresh it with ``python tests/update_golden.py``.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from helpers import AS_OF_DATE, QUERIES, SPEC, commit, git, hello, init_repo, spec_text, write

from costgate.gate.diff import diff
from costgate.report import gate as diffreport
from costgate.report.gate import GITHUB_LIMIT, MARKER, to_json, to_markdown, to_table, verdict

pytestmark = pytest.mark.usefixtures("neutral_cwd")  # see tests/conftest.py

CUT_NOTE = "cut to fit GitHub's comment size limit"


def _repo(tmp_path: Path, changes: dict[str, str | None]) -> Path:
    """Base commit: features ``bot`` (1,000-token prompt) and ``two`` (its own prompt);
    then ``changes`` in the working tree."""
    root = init_repo(tmp_path / "repo")
    write(root, {SPEC: spec_text(), "queries.txt": QUERIES, "prompts/system.j2": hello(1000),
                 "two/two.costgate.yaml": spec_text(feature="two").replace("prompts/", "../prompts2/")
                 .replace("queries.txt", "../queries.txt"),
                 "prompts2/system.j2": hello(400)})
    commit(root, "base")
    write(root, changes)
    return root


@pytest.fixture
def failing(tmp_path):
    """bot's prompt grew 30% (two thresholds crossed); two is unchanged."""
    return diff(_repo(tmp_path, {"prompts/system.j2": hello(1300)}), "HEAD", as_of=AS_OF_DATE, seed=1)


@pytest.fixture
def passing(tmp_path):
    """bot's prompt grew 1%, two's shrank: both changed, nothing crossed."""
    return diff(_repo(tmp_path, {"prompts/system.j2": hello(1010), "prompts2/system.j2": hello(300)}),
                "HEAD", as_of=AS_OF_DATE, seed=1)


# ------------------------------------------------------------------ markdown shape

def test_markdown_starts_with_marker_then_verdict(failing):
    text = to_markdown(failing)
    first, second = text.splitlines()[:2]
    assert first == MARKER == "<!-- costgate-report -->"
    assert second == f"## {verdict(failing)}"
    assert second.startswith("## ❌ **costgate: 2 thresholds crossed**, total monthly cost +$22.50 (+")


def test_verdict_wording(failing, passing, tmp_path):
    assert verdict(failing).startswith("❌ **costgate: 2 thresholds crossed**")
    assert re.fullmatch(r"✅ \*\*costgate: all thresholds hold\*\*, total monthly cost -\$[\d.]+ \(-[\d.]+%\)",
                        verdict(passing)), verdict(passing)
    unchanged = diff(_repo(tmp_path, {}), "HEAD", as_of=AS_OF_DATE)
    assert verdict(unchanged) == "✅ **costgate: no cost change**"
    one = replace(failing, features=tuple(replace(f, crossings=f.crossings[:1]) for f in failing.features))
    assert verdict(one).startswith("❌ **costgate: 1 threshold crossed**")


def test_markdown_has_one_collapsible_details_per_changed_feature(failing, passing):
    text = to_markdown(failing)
    assert text.count("<details>") == text.count("</details>") == 1  # `two` is unchanged
    assert "<details><summary><code>bot</code>" in text
    assert "<code>two</code>" not in text
    assert re.search(r"^\| `two`\s+\| unchanged\s+\| ok", text, re.M)
    text = to_markdown(passing)
    assert text.count("<details>") == 2
    assert "### Thresholds crossed" not in text


def test_markdown_spells_out_crossed_thresholds_and_what_to_do(failing):
    text = to_markdown(failing)
    section = text.split("### Thresholds crossed", 1)[1]
    assert "- **system_prompt_growth**: system prompt of bot/answer grew from 1,000 to 1,300 tokens" in section
    assert "(`prompts/system.j2`)" in section
    assert "- **monthly_cost_increase**: projected monthly cost of bot rose from $79.01 to $101.51" in section
    assert re.search(r"^- `bot`: ", section, re.M)  # at least one concrete suggestion


def test_markdown_footer_is_not_swallowed_by_the_details_html_block(failing):
    """A line right after ``</details>`` belongs to the same HTML block in GitHub's
    markdown (it ends at a blank line), so the footer's `code` (and the cut note's
    _emphasis_) would render as literal backticks/underscores.

    Fails today: diffreport.to_markdown joins ``"\\n".join(details) + "\\n".join(footer)``
    and each details block ends with a single newline, so ``</details>\\n<sub>`` (and
    ``</details>\\n_Per-call details were cut...``). Suggested fix: end each details block
    with a blank line (``block += ["", "</details>", "", ""]``) or join with
    ``"\\n".join(details) + "\\n" + ...``."""
    text = to_markdown(failing)
    assert "</details>\n\n" in text
    assert not re.search(r"</details>\n[^\n]", text)
    cut = to_markdown(failing, limit=len(text) - 1)
    assert not re.search(r"</details>\n[^\n]", cut)


# ------------------------------------------------------------------ size limit

def _many(result, n: int):
    """``result`` with its changed feature copied ``n`` times under distinct names (its
    crossings renamed with it)."""
    changed = next(f for f in result.features if f.status == "changed")
    feats = tuple(replace(changed, feature=f"feature-{i:04d}", spec_file=f"specs/feature-{i:04d}.costgate.yaml",
                          crossings=tuple(replace(c, feature=f"feature-{i:04d}") for c in changed.crossings))
                  for i in range(n))
    return replace(result, features=feats)


def test_a_small_limit_cuts_details_keeps_the_verdict_and_says_so(passing):
    full = to_markdown(passing)
    assert CUT_NOTE not in full
    text = to_markdown(passing, limit=len(full) - 1)
    assert len(text) <= len(full) - 1
    assert text.startswith(f"{MARKER}\n## {verdict(passing)}\n")
    assert text.count("<details>") == 1  # one of the two was cut, the first is kept
    assert CUT_NOTE in text
    assert "| feature" in text  # the summary table survives


def test_many_features_stay_under_githubs_limit(passing):
    big = _many(passing, 400)
    text = to_markdown(big)
    assert len(text) <= GITHUB_LIMIT
    assert text.startswith(f"{MARKER}\n## ✅ **costgate: ")
    assert text.splitlines()[1] == f"## {verdict(big)}"
    assert CUT_NOTE in text
    assert 0 < text.count("<details>") < 400
    assert "feature-0399" in text  # every feature keeps its summary row


def test_too_many_crossings_to_list_keep_marker_verdict_and_the_feature_table(failing):
    """400 failing features: 800 crossed thresholds spelled out do not fit, so they are
    counted instead of listed; the feature table survives whole (and the comment says so)."""
    huge = _many(failing, 400)
    text = to_markdown(huge)
    assert len(text) <= GITHUB_LIMIT
    assert text.splitlines()[:2] == [MARKER, f"## {verdict(huge)}"]
    assert CUT_NOTE in text
    assert "the crossed thresholds are counted, not listed" in text
    fails, warns = len(huge.failures), len(huge.crossings) - len(huge.failures)
    assert (fails, warns) == (800, 0)
    assert "**800 thresholds crossed, 0 warnings.**" in text
    assert "### Thresholds crossed" not in text
    assert all(f"`feature-{i:04d}`" in text for i in range(400))  # every row of the table


# ------------------------------------------------------------------ table and json

def test_table_is_plain_text(failing, passing):
    text = to_table(failing)
    assert text.startswith("FAIL costgate: 2 thresholds crossed")
    assert "**" not in text and "<details>" not in text
    assert re.search(r"^bot\s+changed\s", text, re.M) and re.search(r"^two\s+unchanged\s", text, re.M)
    assert to_table(passing).startswith("PASS costgate: all thresholds hold")


def test_json_is_stable_and_matches_the_result(failing):
    doc = json.loads(to_json(failing))
    assert doc["schema_version"] == diffreport.SCHEMA_VERSION == 1
    assert doc["passed"] is failing.passed is False
    assert [f["feature"] for f in doc["features"]] == ["bot", "two"]
    assert [f["status"] for f in doc["features"]] == ["changed", "unchanged"]
    bot = doc["features"][0]
    assert [c["name"] for c in bot["calls"]] == ["answer"]
    assert bot["monthly_cost_before_usd"] == "79.01" and bot["monthly_cost_after_usd"] == "101.51"
    assert len(doc["crossings"]) == len(failing.crossings)
    assert to_json(failing) == to_json(failing)  # deterministic




# ------------------------------------------------------- the footer's exact command

HOSTILE_REF = "x/`touch${IFS}pwned`;$(id)|'q'\"<b>@here&x"
"""A valid branch name (git check-ref-format) full of shell and markdown syntax."""


def _footer(text: str) -> str:
    (line,) = [ln for ln in text.splitlines() if ln.startswith("<sub>costgate ")]
    return line


def _command_in(footer: str) -> str:
    """The code span after 'reproduce: ', read back as markdown would show it."""
    rest = footer.split("reproduce: ", 1)[1]
    fence = re.match(r"`+", rest).group()
    body = rest[len(fence):].split(fence, 1)[0]
    return body[1:-1] if body.startswith(" ") and body.endswith(" ") and body.strip() else body


def test_footer_reproduces_the_run_with_every_option_quoted():
    from report.results import GATE_RESULT

    from costgate.gate.model import Invocation
    from costgate.report.gate import reproduce

    inv = Invocation(base="origin/main", head=HOSTILE_REF, as_of=date(2026, 11, 1),
                     config="conf dir/it's.yaml", seed=7)
    result = replace(GATE_RESULT, head=HOSTILE_REF, invocation=inv)
    command = reproduce(result)
    assert shlex.split(command) == ["costgate", "diff", "--base", "origin/main", "--head", HOSTILE_REF,
                                    "--as-of", "2026-11-01", "--config", "conf dir/it's.yaml", "--seed", "7"]
    footer = _footer(to_markdown(result))
    assert _command_in(footer) == command  # a code span: nothing in it is markdown or HTML
    assert "(head: the working tree)" not in footer
    plain_run = replace(GATE_RESULT, invocation=Invocation("origin/main", None, date(2026, 11, 1)))
    assert shlex.split(reproduce(plain_run)) == ["costgate", "diff", "--base", "origin/main", "--as-of", "2026-11-01"]
    assert _footer(to_markdown(plain_run)).endswith("` (head: the working tree) · exit 1 fails the check; "
                                                    "decreases never fail</sub>")


def test_footer_of_a_real_run_names_head_as_of_config_and_seed(tmp_path):
    from costgate.report.gate import reproduce

    root = _repo(tmp_path, {"prompts/system.j2": hello(1300), "gate/cost gate.yaml": "specs: ['**/*.costgate.yaml']\n"})
    commit(root, "head")
    git(root, "branch", HOSTILE_REF)
    result = diff(root, "HEAD~1", HOSTILE_REF, config_path="gate/cost gate.yaml", as_of=AS_OF_DATE, seed=1)
    assert shlex.split(reproduce(result)) == ["costgate", "diff", "--base", "HEAD~1", "--head", HOSTILE_REF,
                                              "--as-of", "2026-11-01", "--config", "gate/cost gate.yaml",
                                              "--seed", "1"]
    footer = _footer(to_markdown(result))
    assert _command_in(footer) == reproduce(result)
    assert "<b>" not in footer.replace(reproduce(result), "")  # only inside the code span
    default = diff(root, "HEAD~1", as_of=AS_OF_DATE)
    assert shlex.split(reproduce(default)) == ["costgate", "diff", "--base", "HEAD~1", "--as-of", "2026-11-01"]


def test_footer_code_span_holds_backticks_and_stays_one_line():
    from report.results import GATE_RESULT

    from costgate.gate.model import Invocation

    result = replace(GATE_RESULT, invocation=Invocation("main", "a``b", date(2026, 11, 1), config="c\nd.yaml"))
    footer = _footer(to_markdown(result))
    assert footer.count("\n") == 0
    assert "```" in footer  # a fence longer than the longest backtick run inside


def test_mean_input_tokens_round_half_up_in_the_diff_reports_as_in_the_estimate():
    """Hand-computed: means of 2,400.5 and 3,000.5 tokens show as 2,401 and 3,001 (half
    up, as ``costgate estimate`` shows them), never banker's 2,400 and 3,000."""
    from report.results import BOT_AFTER, BOT_BEFORE, GATE_RESULT

    from costgate.estimate.results import Analysis
    from costgate.report import estimate as estimate_report
    from costgate.report.html_gate import to_html

    def mean(e, value):
        return replace(e, calls=(replace(e.calls[0], input_tokens_mean=value),))

    before, after = mean(BOT_BEFORE, D("2400.5")), mean(BOT_AFTER, D("3000.5"))
    bot = replace(GATE_RESULT.features[0], before=before, after=after,
                  calls=(replace(GATE_RESULT.features[0].calls[0], before=before.calls[0], after=after.calls[0]),))
    result = replace(GATE_RESULT, features=(bot, *GATE_RESULT.features[1:]))
    assert "2,401 → 3,001" in to_markdown(result)
    assert "2,401 → 3,001" in to_html(result)
    assert "3,001 / 3,000 / 3,000" in estimate_report.to_markdown([Analysis(after)])
