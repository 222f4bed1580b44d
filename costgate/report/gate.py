"""The gate's report: a pull-request comment (markdown), a terminal table, stable JSON.

The markdown follows the shape of Infracost's comment: verdict first, one row per
feature, per-call details folded away, crossed thresholds spelled out with what to do.
A hidden marker lets the Action update one sticky comment. GitHub refuses comments over
65,536 characters, so details are cut (never the verdict) to fit.
"""

from __future__ import annotations

import json
import shlex
from decimal import Decimal

from tabulate import tabulate

from ..estimate.results import Estimate
from ..gate.model import CallDiff, Crossing, FeatureDiff, GateResult, Invocation
from ..version import __version__
from .crossings import crossing_message, limit_text, setting_note, suggestions
from .escape import code, html, md, plain
from .estimate import warning_text
from .html_gate import to_html
from .money import change, difference, dollars, fixed, number, parts, percent, total, usd, usd_small
from .pricing_diff import pricing_dict, pricing_section

MARKER = "<!-- costgate-report -->"
GITHUB_LIMIT = 65_536
SCHEMA_VERSION = 1
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


def _totals(result: GateResult) -> tuple[Decimal, Decimal]:
    """The gate's total monthly spend before and after as displayed: the sums of the
    features' displayed totals (``money.total``), so the feature rows add up to it."""
    return (total([f.monthly_before for f in result.features]), total([f.monthly_after for f in result.features]))


def _shown(e: Estimate | None) -> dict[str, tuple[Decimal, Decimal]]:
    """Each call's displayed monthly cost and cost per session, apportioned to its
    feature's displayed totals as in the estimate report (by call name)."""
    if e is None:
        return {}
    p = parts(e)
    return {c.name: (m, s) for c, m, s in zip(e.calls, p.call_monthly, p.call_session)}


def verdict(result: GateResult) -> str:
    n = len(result.failures)
    delta = change(*_totals(result))
    if n:
        return f"❌ **costgate: {n} threshold{'s' if n != 1 else ''} crossed**, monthly cost {delta}"
    if not result.changed:
        return "✅ **costgate: no cost change**"
    return f"✅ **costgate: all thresholds hold**, monthly cost {delta}"


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
    before, after = _shown(f.before), _shown(f.after)
    for c in f.calls:
        b, a = c.before, c.after
        bm, bs = before[b.name] if b else (None, None)
        am, as_ = after[a.name] if a else (None, None)
        rows.append([
            f"`{c.name}`" + ("" if c.status == "kept" else f" ({c.status})")
            + (f" (was `{c.renamed_from}`)" if c.renamed_from else ""),
            _tokdelta(*c.system_prompt_tokens),
            *([_tokdelta(b.tool_tokens if b else None, a.tool_tokens if a else None)] if tools else []),
            _tokdelta(int(b.input_tokens_mean.to_integral_value()) if b else None,
                      int(a.input_tokens_mean.to_integral_value()) if a else None),
            _money_pair(bs, as_, True), _money_pair(bm, am),
            change(b.monthly_cost if b else ZERO, a.monthly_cost if a else ZERO, shown=(am or ZERO) - (bm or ZERO)),
        ])
    return rows


def _call_headers(f: FeatureDiff) -> list[str]:
    return CALL_HEADERS[:2] + ["tool tokens"] + CALL_HEADERS[2:] if _has_tools(f) else CALL_HEADERS


CALL_HEADERS = ["call", "system tokens", "input tokens (mean)", "$/session", "$/month", "change"]
FEATURE_HEADERS = ["feature", "status", "gate", "$/session", "$/month", "change"]
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


def to_markdown(result: GateResult, limit: int = GITHUB_LIMIT) -> str:
    head = [MARKER, f"## {verdict(result)}", ""]
    body = [
        f"Base {code(result.base)} → head {code(result.head)}, prices as of {result.as_of.isoformat()}. "
        f"Total projected spend {_money_pair(*_totals(result))} per month.", "",
        tabulate([_feature_row(f) for f in result.features], headers=FEATURE_HEADERS, tablefmt="github",
                 disable_numparse=True) if result.features else "_No gated specs found._",
        "",
    ]
    body += _crossing_sections(result) + _lifecycle_section(result) + _authority_notes(result)
    details = _details(result)
    footer = [f"<sub>costgate {__version__} · reproduce: {code(reproduce(result))}{_head_note(result)} · "
              "exit 1 fails the check; decreases never fail</sub>", ""]
    text = "\n".join(head + body) + "\n" + "\n".join(details) + "\n".join(footer)
    while len(text) > limit and details:
        details.pop()
        note = ["_Per-call details were cut to fit GitHub's comment size limit; run `costgate diff` "
                "locally for the full report._", ""]
        text = "\n".join(head + body) + "\n" + "\n".join(details) + "\n".join(note + footer)
    if len(text) > limit:  # still too long: keep the verdict, cut the body
        text = "\n".join(head) + "\n_Report cut to fit GitHub's comment size limit._\n" + "\n".join(footer)
    return text


def to_table(result: GateResult) -> str:
    lines = [verdict(result).replace("**", "").replace("❌ ", "FAIL ").replace("✅ ", "PASS "), ""]
    lines.append(tabulate([[r[0].strip("`"), *r[1:]] for r in map(_feature_row, result.features)],
                          headers=FEATURE_HEADERS, tablefmt="simple", disable_numparse=True))
    for f in result.features:
        if f.status == "unchanged":
            continue
        lines += ["", f"{f.feature} ({plain(f.spec_file)})",
                  tabulate([[r[0].strip("`").replace("` (", " ("), *r[1:]] for r in _call_rows(f)],
                           headers=_call_headers(f), tablefmt="simple", disable_numparse=True)]
    for c in result.crossings:
        lines.append(f"{'error' if c.level == 'fail' else 'warning'}: {crossing_message(c)}{setting_note(c)}"
                     + (f" ({plain(c.file)})" if c.file and c.setting is None else ""))
    lines += [f"warning: {f}: {text}" for f, text in lifecycle_notes(result)]
    return "\n".join(lines) + "\n"


def _call_json(c: CallDiff, before: dict[str, tuple[Decimal, Decimal]], after: dict[str, tuple[Decimal, Decimal]]) -> dict:
    b, a = c.before, c.after
    bm, bs = before[b.name] if b else (None, None)
    am, as_ = after[a.name] if a else (None, None)
    return {
        "name": c.name, "status": c.status, "renamed_from": c.renamed_from,
        "system_prompt_tokens_before": c.system_prompt_tokens[0],
        "system_prompt_tokens_after": c.system_prompt_tokens[1],
        "tool_tokens_before": b.tool_tokens if b else None,
        "tool_tokens_after": a.tool_tokens if a else None,
        "input_tokens_mean_before": None if b is None else fixed(b.input_tokens_mean, 1),
        "input_tokens_mean_after": None if a is None else fixed(a.input_tokens_mean, 1),
        "cost_per_session_before_usd": None if bs is None else usd_small(bs),
        "cost_per_session_after_usd": None if as_ is None else usd_small(as_),
        "monthly_cost_before_usd": None if bm is None else usd(bm),
        "monthly_cost_after_usd": None if am is None else usd(am),
        "monthly_delta_usd": usd((am or ZERO) - (bm or ZERO)),
    }


def _setting_json(c: Crossing) -> dict | None:
    s = c.setting
    return None if s is None else {"call": s.call, "field": s.field, "file": s.file, "key": s.key, "line": s.line,
                                   "before": s.before, "after": s.after}


def to_json(result: GateResult) -> str:
    before, after = _totals(result)
    doc = {
        "schema_version": SCHEMA_VERSION, "kind": "diff", "base": result.base, "head": result.head,
        "as_of": result.as_of.isoformat(), "passed": result.passed, "changed": result.changed,
        "config": result.config_file,
        "config_changed": result.config_changed,
        "pricing": None if result.pricing is None else pricing_dict(result.pricing),
        "pricing_error": result.pricing_error,
        "monthly_cost_before_usd": usd(before), "monthly_cost_after_usd": usd(after),
        "monthly_delta_usd": usd(after - before),
        "monthly_delta_percent": percent(result.monthly_delta, result.monthly_before),
        "features": [
            {
                "feature": f.feature, "spec": f.spec_file, "status": f.status,
                "renamed_from": f.renamed_from, "base_spec": f.base_spec_file,
                "within_noise": f.within_noise, "noise_usd": usd(f.noise),
                "cost_per_session_before_usd": None if f.before is None else usd_small(f.before.cost_per_session),
                "cost_per_session_after_usd": None if f.after is None else usd_small(f.after.cost_per_session),
                "monthly_cost_before_usd": None if f.before is None else usd(f.before.monthly_cost),
                "monthly_cost_after_usd": None if f.after is None else usd(f.after.monthly_cost),
                "monthly_delta_usd": usd(difference(f.monthly_before, f.monthly_after)),
                "monthly_delta_percent": percent(f.monthly_delta, f.monthly_before),
                "calls": [_call_json(c, _shown(f.before), _shown(f.after)) for c in f.calls],
                "warnings": [warning_text(w) for w in (f.after.warnings if f.after else ())],
            }
            for f in result.features
        ],
        "crossings": [
            {"level": c.level, "threshold": c.threshold, "feature": c.feature, "call": c.call,
             "before": None if c.before is None else str(c.before), "after": str(c.after), "limit": limit_text(c),
             "message": crossing_message(c) + setting_note(c), "file": c.file, "line": c.line,
             "setting": _setting_json(c), "below_floor": c.below_floor,
             "monthly_increase_usd": None if c.monthly_increase is None else usd(c.monthly_increase)}
            for c in result.crossings
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


FORMATS = {"table": to_table, "json": to_json, "markdown": to_markdown, "html": to_html}
