"""The gate's report: a pull-request comment (markdown), a terminal table, stable JSON.

The markdown follows the shape of Infracost's comment: verdict first, one row per
feature, per-call details folded away, crossed thresholds spelled out with what to do.
A hidden marker lets the Action update one sticky comment. GitHub refuses comments over
65,536 characters, so details are cut first, the feature table last (never the verdict);
the job summary (``to_summary``) has its own limit of 1 MiB.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable

from ..gate.model import FeatureDiff, GateResult, Invocation
from ..version import __version__
from .crossings import crossing_message, setting_note, suggestions
from .escape import code, html, md, plain
from .estimate import warning_text
from .gate_json import SCHEMA_VERSION, changed_features, shown, to_json, totals
from .html_gate import to_html
from .money import change, dollars, number, whole
from .pricing_diff import pricing_section
from .width import fit as fit_table
from .width import tabulate, wrap

MARKER = "<!-- costgate-report -->"
GITHUB_LIMIT = 65_536
ZERO = Decimal(0)


def _tokdelta(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return number(after if after is not None else before or 0)
    if before == after:
        return number(after)
    return f"{number(before)} → {number(after)}"


def _money_pair(before: Decimal | None, after: Decimal | None, small: bool = False) -> str:
    b = "—" if before is None else dollars(before, small)
    a = "—" if after is None else dollars(after, small)
    return a if before is not None and after is not None and before == after else f"{b} → {a}"


def verdict(result: GateResult) -> str:
    """The headline: the verdict and the change of the total monthly cost (all features),
    named as the total so it is not read as the feature row's change beside it."""
    n = len(result.failures)
    delta = f"total monthly cost {change(*totals(result))}"
    if n:
        return f"❌ **costgate: {n} threshold{'s' if n != 1 else ''} crossed**, {delta}"
    if not result.changed:
        return "✅ **costgate: no cost change**"
    return f"✅ **costgate: all thresholds hold**, {delta}"


HEADLINE_FEATURES = 5
"""Features the headline names by their own change; the rest are in the table."""


def by_feature(result: GateResult, esc=code) -> str | None:
    """The headline's second half: each changed feature's own monthly change, named
    ("monthly cost by feature: `a` +$9.00 (+7.6%), `b` -$1.00 (-0.5%)"), or None."""
    changed = changed_features(result)
    if not changed:
        return None
    items = [f"{esc(f.feature)} {change(f.monthly_before, f.monthly_after)}" for f in changed[:HEADLINE_FEATURES]]
    more = len(changed) - HEADLINE_FEATURES
    return "monthly cost by feature: " + ", ".join(items) + (f", and {more} more (below)" if more > 0 else "")


def _feature_row(f: FeatureDiff) -> list[str]:
    status = {"added": "new", "removed": "removed", "changed": "changed", "unchanged": "unchanged"}[f.status]
    # Words, not emoji, inside tables: tabulate pads by display width only when wcwidth
    # happens to be installed, and the report must be byte-identical on every machine.
    verdict_word = "fail" if any(c.level == "fail" for c in f.crossings) else "warn" if f.crossings else "ok"
    name = f"`{f.feature}`" + (f" (was `{f.renamed_from}`)" if f.renamed_from else "")
    return [
        name, status, verdict_word,
        _money_pair(f.before.cost_per_session if f.before else None, f.after.cost_per_session if f.after else None, True),
        _money_pair(f.before.monthly_cost if f.before else None, f.after.monthly_cost if f.after else None),
        (change(f.monthly_before, f.monthly_after) + (" (within sampling noise)" if f.within_noise else ""))
        if f.status not in ("unchanged",) else "no change",
    ]


def _has_tools(f: FeatureDiff) -> bool:
    """Whether any call of the feature, on either side, sends tool definitions (the
    tool-token column is shown only then)."""
    return any(e.tool_tokens for c in f.calls for e in (c.before, c.after) if e is not None)


def _call_rows(f: FeatureDiff) -> list[list[str]]:
    rows = []
    tools = _has_tools(f)
    before, after = shown(f.before), shown(f.after)
    for c in f.calls:
        b, a = c.before, c.after
        bm, bs = before[b.name] if b else (None, None)
        am, as_ = after[a.name] if a else (None, None)
        rows.append([
            f"`{c.name}`" + ("" if c.status == "kept" else f" ({c.status})")
            + (f" (was `{c.renamed_from}`)" if c.renamed_from else ""),
            _tokdelta(*c.system_prompt_tokens),
            *([_tokdelta(b.tool_tokens if b else None, a.tool_tokens if a else None)] if tools else []),
            _tokdelta(whole(b.input_tokens_mean) if b else None,
                      whole(a.input_tokens_mean) if a else None),
            _money_pair(bs, as_, True), _money_pair(bm, am),
            change(b.monthly_cost if b else ZERO, a.monthly_cost if a else ZERO, shown=(am or ZERO) - (bm or ZERO)),
        ])
    return rows


def _call_headers(f: FeatureDiff) -> list[str]:
    return CALL_HEADERS[:2] + ["tool tokens"] + CALL_HEADERS[2:] if _has_tools(f) else CALL_HEADERS


CALL_HEADERS = ["call", "system tokens", "input tokens (mean)", "$/session", "$/month", "call's monthly change"]
FEATURE_HEADERS = ["feature", "status", "gate", "$/session", "$/month", "feature's monthly change"]
CALL_GROWTH = ("system_prompt_growth", "tool_definitions_growth")
"""Per-call growth checks: a failure's tip names the per-call key to raise."""


def _crossing_sections(result: GateResult) -> list[str]:
    body: list[str] = []
    fails = [c for c in result.crossings if c.level == "fail"]
    warns = [c for c in result.crossings if c.level == "warn"]
    if fails:
        body += ["### Thresholds crossed", ""]
        for c in fails:
            where = f" ({code(c.file)})" if c.file and c.setting is None else ""
            body.append(f"- **{c.threshold}**: {crossing_message(c)}{setting_note(c, code)}{where}")
        body.append("")
        failed_features = list(dict.fromkeys(c.feature for c in fails))
        tips = []
        for f in result.features:
            if f.feature in failed_features:
                tips += [f"- `{f.feature}`: {t}" for t in suggestions(result.suggestions.get(f.feature, ()))]
        for c in fails:
            if c.threshold in CALL_GROWTH and c.call:
                tips.append(f"- `{c.feature}`: if the growth is intended, raise `features.{c.feature}.calls.{c.call}"
                            f".{c.threshold}` in costgate.yaml, or give it a `min_monthly_usd` floor "
                            "(thresholds apply once merged)")
        if tips:
            body += ["**What to do** (levers priced by the same simulator, one at a time):", "", *tips, ""]
    if warns:
        body += ["### Warnings", "", *[f"- **{c.threshold}**: {crossing_message(c)}{setting_note(c, code)}" for c in warns], ""]
    return body


def lifecycle_notes(result: GateResult) -> list[tuple[str, str]]:
    """(feature, sentence) for every retired or deprecated model a feature uses at head,
    changed or not, except those a crossing already reports."""
    crossed = {(c.feature, c.lifecycle.model) for c in result.crossings if c.lifecycle is not None}
    return [(f.feature, warning_text(w)) for f in result.features for w in (f.after.warnings if f.after else ())
            if (f.feature, w.model) not in crossed]


def _lifecycle_section(result: GateResult) -> list[str]:
    notes = lifecycle_notes(result)
    if not notes:
        return []
    return ["### Model lifecycle", "", *[f"- `{f}`: {md(text)}" for f, text in notes], ""]


def _authority_notes(result: GateResult) -> list[str]:
    """What the pull request changes that does not judge it: its config, its prices."""
    out: list[str] = []
    if result.config_changed:
        out += [f"> This pull request edits the gate's config; it was judged by the base branch's "
                f"({code(result.config_file or 'built-in defaults')}), and the change applies once merged.", ""]
    if result.pricing is not None:
        out += ["### Price changes in this pull request (not used to judge it)", "", *pricing_section(result.pricing, "####"), ""]
    if result.pricing_error:
        out += [f"> {md(result.pricing_error)}", ""]
    return out


def _details(result: GateResult) -> list[str]:
    details = []
    for f in result.features:
        if f.status == "unchanged":
            continue
        moved = f" (moved from {html(f.base_spec_file)})" if f.base_spec_file else ""
        block = [f"<details><summary><code>{f.feature}</code>: per-call details ({html(f.spec_file)}){moved}</summary>",
                 "", tabulate(_call_rows(f), headers=_call_headers(f), tablefmt="github", disable_numparse=True)]
        if f.after and f.after.approximate:
            block += ["", "~ token counts for non-OpenAI models are approximate (o200k × calibration ratio)."]
        block += ["", "</details>", "", ""]
        details.append("\n".join(block))
    return details


def _invocation(result: GateResult) -> Invocation:
    return result.invocation or Invocation(result.base, None if result.head == "working tree" else result.head,
                                           result.as_of)


def reproduce(result: GateResult) -> str:
    """The ``costgate diff`` command that reproduces the report: base, head, as-of day,
    config and seed as the run used them, each shell-quoted (a ref or path a pull request
    names is data, never shell syntax). Run from the repository root."""
    inv = _invocation(result)
    args = ["costgate", "diff", "--base", inv.base]
    if inv.head is not None:
        args += ["--head", inv.head]
    args += ["--as-of", inv.as_of.isoformat()]
    if inv.config is not None:
        args += ["--config", inv.config]
    if inv.seed is not None:
        args += ["--seed", str(inv.seed)]
    return " ".join(shlex.quote(a) for a in args)


def _head_note(result: GateResult) -> str:
    return " (head: the working tree)" if _invocation(result).head is None else ""


def short(sha: str) -> str:
    """A commit as a report names it: the first 7 hex digits (as GitHub shows them)."""
    return sha[:7]


def sides(result: GateResult) -> tuple[str, str]:
    """The base and head as the report names them (markdown): each ref with the commit it
    resolved to, and the work tree as ``HEAD <sha>``, ``+ uncommitted changes`` when it
    differs from HEAD. A result built by hand (no commits) is named by its refs."""
    base = code(result.base)
    if result.base_commit:
        sha = short(result.base_commit)
        base = code(sha) if result.base_commit.startswith(result.base.lower()) else f"{base} ({code(sha)})"
    head = code(result.head)
    if result.head_commit:
        sha = short(result.head_commit)
        if _invocation(result).head is None:
            head = f"HEAD {code(sha)}" + (" + uncommitted changes" if result.head_uncommitted else "")
        else:
            head = code(sha) if result.head_commit.startswith(result.head.lower()) else f"{code(result.head)} ({code(sha)})"
    return base, head


Measure = Callable[[str], int]
SUMMARY_LIMIT = 1_048_576
"""GitHub's limit on one step's job summary: 1 MiB (bytes of UTF-8)."""


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


@dataclass(frozen=True)
class Fit:
    """Where a report goes and how much fits there."""

    limit: int
    measure: Measure
    place: str
    """What the size limit is called, in the note that says something was cut."""
    elsewhere: str
    """Where the reader finds what was cut."""


COMMENT_MARKER_ROOM = 94
"""Characters the comment's size leaves for the line ``costgate comment`` puts first,
``<!-- costgate-report tag=NAME -->`` with NAME up to 64 characters, and its newline: a
report cut to fit here is not cut a second time, at a line with a note, once posted."""
COMMENT_FIT = Fit(GITHUB_LIMIT - COMMENT_MARKER_ROOM, len, "GitHub's comment size limit",
                  "the job summary (and `costgate diff` run locally) has the full report")
SUMMARY_FIT = Fit(SUMMARY_LIMIT, utf8_size, "the job summary's size limit (1 MiB)",
                  "run `costgate diff` locally for the full report")


def to_markdown(result: GateResult, limit: int = GITHUB_LIMIT, fit: Fit | None = None) -> str:
    """The pull-request comment. Over the size limit, what goes first is the per-call
    details (last feature first), then the crossing, lifecycle and price sections, then
    the table's unchanged rows, and the table's last rows only as a last resort; the
    verdict and the feature table stay, and a note says what was cut and where it is."""
    fit = fit or (COMMENT_FIT if limit == GITHUB_LIMIT else replace(COMMENT_FIT, limit=limit))
    base, head = sides(result)
    top = [MARKER, f"## {verdict(result)}", "",
           f"Base {base} → head {head}, prices as of {result.as_of.isoformat()}. "
           f"Total projected spend {_money_pair(*totals(result))} per month"
           + (f"; {line}." if (line := by_feature(result)) else "."), ""]
    rows = [_feature_row(f) for f in result.features]
    sections = _crossing_sections(result) + _lifecycle_section(result) + _authority_notes(result)
    details = _details(result)
    footer = [f"<sub>costgate {__version__} · reproduce: {code(reproduce(result))}{_head_note(result)} · "
              "exit 1 fails the check; decreases never fail</sub>", ""]

    tables: dict[tuple[str, ...], str] = {}

    def build(rows: list[list[str]], sections: list[str], details: list[str], notes: list[str]) -> str:
        key = tuple(r[0] for r in rows)  # feature names are unique
        if key not in tables:
            tables[key] = tabulate(rows, headers=FEATURE_HEADERS, tablefmt="github", disable_numparse=True) \
                if rows else "_No gated specs found._"
        note = [f"_Parts of this report were cut to fit {fit.place} ({'; '.join(notes)}); {fit.elsewhere}._", ""] \
            if notes else []
        return "\n".join(top + [tables[key], ""] + sections) + "\n" + "\n".join(details) + \
            "\n".join(note + footer)

    text = build(rows, sections, details, [])
    notes: list[str] = []
    if fit.measure(text) > fit.limit:
        notes = ["per-call details"] if details else []
        if sections and fit.measure(build(rows, sections, [], notes)) > fit.limit:  # over even without details
            sections = _short_crossings(result)
            notes.append("the crossed thresholds are counted, not listed")
        kept = _fitting(details, fit.limit - fit.measure(build(rows, sections, [], notes)), fit.measure)
        if kept == len(details):  # counting the crossings made room for every detail
            notes = notes[1:]
        details = details[:kept]
        text = build(rows, sections, details, notes)
    if fit.measure(text) > fit.limit:
        return _cut_rows(result, rows, lambda r, n: build(r, sections, details, notes + n), fit)
    return text


def _fitting(blocks: list[str], room: int, measure: Measure) -> int:
    """How many of ``blocks``, from the first, fit in ``room`` joined by newlines."""
    used = 0
    for i, block in enumerate(blocks):
        used += measure(block) + (1 if i else 0)
        if used > room:
            return i
    return len(blocks)


def _short_crossings(result: GateResult) -> list[str]:
    fails, warns = len(result.failures), len(result.crossings) - len(result.failures)
    if not fails and not warns:
        return []
    return [f"**{fails} threshold{'s' if fails != 1 else ''} crossed, {warns} warning{'s' if warns != 1 else ''}.**",
            ""]


def _cut_rows(result: GateResult, rows: list[list[str]], build: Callable[[list[list[str]], list[str]], str],
              fit: Fit) -> str:
    """The table cut to fit: unchanged features first, then rows from the end (the
    largest number of rows that fits, found by bisection)."""
    changed = [r for f, r in zip(result.features, rows) if f.status != "unchanged"]
    dropped = len(rows) - len(changed)
    note = [f"{dropped} unchanged feature{'s' if dropped != 1 else ''} not listed"] if dropped else []
    text = build(changed, note)
    if fit.measure(text) <= fit.limit:
        return text
    lo, hi = 0, len(changed)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        more = [f"{len(rows) - mid} of {len(rows)} features not listed"]
        if fit.measure(build(changed[:mid], more)) <= fit.limit:
            lo = mid
        else:
            hi = mid - 1
    return build(changed[:lo], [f"{len(rows) - lo} of {len(rows)} features not listed"])


def to_summary(result: GateResult) -> str:
    """The report for a CI job summary: the markdown report, cut to the summary's own,
    larger limit (1 MiB) instead of a comment's."""
    return to_markdown(result, fit=SUMMARY_FIT)


FEATURE_HIDE_ORDER = ("$/session", "status")
CALL_HIDE_ORDER = ("tool tokens", "input tokens (mean)", "$/session", "system tokens")
"""The terminal tables' columns hidden to fit a terminal, first hidden first."""


def to_table(result: GateResult, width: int | None = None) -> str:
    """The terminal report; ``width``: fit tables and wrap lines to it (``report.width``)."""
    lines = [verdict(result).replace("**", "").replace("❌ ", "FAIL ").replace("✅ ", "PASS ")]
    lines += [line for line in [by_feature(result, plain)] if line] + [""]
    lines.append(fit_table([[r[0].strip("`"), *r[1:]] for r in map(_feature_row, result.features)],
                           FEATURE_HEADERS, width, FEATURE_HIDE_ORDER))
    for f in result.features:
        if f.status == "unchanged":
            continue
        lines += ["", f"{f.feature} ({plain(f.spec_file)})",
                  fit_table([[r[0].strip("`").replace("` (", " ("), *r[1:]] for r in _call_rows(f)],
                            _call_headers(f), width, CALL_HIDE_ORDER)]
    for c in result.crossings:
        lines.append(f"{'error' if c.level == 'fail' else 'warning'}: {crossing_message(c)}{setting_note(c)}"
                     + (f" ({plain(c.file)})" if c.file and c.setting is None else ""))
    lines += [f"warning: {f}: {text}" for f, text in lifecycle_notes(result)]
    return "\n".join(line if "\n" in line else wrap(line, width) for line in lines) + "\n"


FORMATS = {"table": to_table, "json": to_json, "markdown": to_markdown, "html": to_html}

__all__ = ["FORMATS", "MARKER", "GITHUB_LIMIT", "SUMMARY_LIMIT", "SCHEMA_VERSION", "to_markdown", "to_summary",
           "to_table", "to_json", "verdict", "sides", "reproduce"]
