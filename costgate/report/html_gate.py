"""``costgate diff --format html`` (and ``check``): the gate's verdict, the features
before and after (a table and a chart), the thresholds crossed with what to do, and per
changed feature its calls before and after. Figures are the other formats' displays.
"""

from __future__ import annotations

from decimal import Decimal

from ..estimate.results import MONTHLY_PRECISION, Estimate, reported
from ..gate.model import FeatureDiff, GateResult
from .approx import warning_text
from .crossings import crossing_message, setting_note, suggestions
from .html import Cell, bullets, facts, figure, heading, page, para, table
from .money import change, dollars, number, parts, total, whole
from .pricing_diff import IMPACT_HEADERS, RATE_HEADERS, impact_rows, rate_rows
from .svg import Chart, Row, Value, axis_money, bars, esc

ZERO = Decimal(0)
SERIES = ["before (base)", "after (head)"]


def _totals(result: GateResult) -> tuple[Decimal, Decimal]:
    """Total monthly spend before and after as displayed: the sums of the features' displays."""
    return (total([f.monthly_before for f in result.features]), total([f.monthly_after for f in result.features]))


def _pair(before: Decimal | None, after: Decimal | None, small: bool = False) -> str:
    b = "—" if before is None else dollars(before, small)
    a = "—" if after is None else dollars(after, small)
    return a if before is not None and after is not None and before == after else f"{b} → {a}"


def _verdict(result: GateResult) -> tuple[str, str]:
    """(heading text, css class)."""
    n = len(result.failures)
    delta = change(*_totals(result))
    if n:
        return f"costgate: {n} threshold{'s' if n != 1 else ''} crossed, total monthly cost {delta}", "fail"
    if not result.changed:
        return "costgate: no cost change", "pass"
    return f"costgate: all thresholds hold, total monthly cost {delta}", "pass"


def _gate_word(f: FeatureDiff) -> str:
    return "fail" if any(c.level == "fail" for c in f.crossings) else "warn" if f.crossings else "ok"


def _feature_table(result: GateResult) -> str:
    rows = []
    for f in result.features:
        name = f.feature + (f" (was {f.renamed_from})" if f.renamed_from else "")
        status = {"added": "new"}.get(f.status, f.status)
        delta = "no change" if f.status == "unchanged" else (
            change(f.monthly_before, f.monthly_after) + (" (within sampling noise)" if f.within_noise else ""))
        rows.append([Cell(name), Cell(status), Cell(_gate_word(f)),
                     Cell(_pair(f.before.cost_per_session if f.before else None,
                                f.after.cost_per_session if f.after else None, True), True),
                     Cell(_pair(f.before.monthly_cost if f.before else None,
                                f.after.monthly_cost if f.after else None), True),
                     Cell(delta, True)])
    return table(["feature", "status", "gate", "$/session", "$/month", "change in this feature"], rows)


def _value(v: Decimal | None) -> Value:
    return Value(ZERO, "—") if v is None else Value(reported(v, MONTHLY_PRECISION), dollars(v))


def _before_after(c: Chart, caption: str, head: str, items: list[tuple[str, Decimal | None, Decimal | None]]) -> str:
    rows = [Row(label, (_value(b), _value(a))) for label, b, a in items]
    data = table([head, *SERIES], [[Cell(r.label), Cell(r.values[0].shown, True), Cell(r.values[1].shown, True)]
                                   for r in rows])
    return figure(c, bars(c, rows, SERIES, axis_money), caption, data)


def _features_chart(result: GateResult) -> str:
    items = [(f.feature, f.before.monthly_cost if f.before else None, f.after.monthly_cost if f.after else None)
             for f in result.features]
    chart = Chart("g-features", "Monthly cost per feature, before and after",
                  "For each feature, two bars: its projected monthly cost at the base and at the head of the change.")
    return _before_after(chart, "Monthly cost per feature, before and after", "feature", items)


def _shown(e: Estimate | None) -> dict[str, tuple[Decimal, Decimal]]:
    """Each call's displayed monthly cost and cost per session (apportioned as in the estimate report)."""
    if e is None:
        return {}
    p = parts(e)
    return {c.name: (m, s) for c, m, s in zip(e.calls, p.call_monthly, p.call_session)}


def _tokens(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return number(after if after is not None else before or 0)
    return number(after) if before == after else f"{number(before)} → {number(after)}"


def _calls(f: FeatureDiff, n: int) -> list[str]:
    before, after = _shown(f.before), _shown(f.after)
    tools = any(e.tool_tokens for c in f.calls for e in (c.before, c.after) if e is not None)
    rows, items = [], []
    for c in f.calls:
        b, a = c.before, c.after
        bm, bs = before[b.name] if b else (None, None)
        am, as_ = after[a.name] if a else (None, None)
        name = c.name + ("" if c.status == "kept" else f" ({c.status})") + (
            f" (was {c.renamed_from})" if c.renamed_from else "")
        rows.append([Cell(name), Cell(_tokens(*c.system_prompt_tokens), True),
                     *([Cell(_tokens(b.tool_tokens if b else None, a.tool_tokens if a else None), True)] if tools else []),
                     Cell(_tokens(whole(b.input_tokens_mean) if b else None,
                                  whole(a.input_tokens_mean) if a else None), True),
                     Cell(_pair(bs, as_, True), True), Cell(_pair(bm, am), True),
                     Cell(change(b.monthly_cost if b else ZERO, a.monthly_cost if a else ZERO,
                                 shown=(am or ZERO) - (bm or ZERO)), True)])
        items.append((name, bm, am))
    headers = ["call", "system tokens", *(["tool tokens"] if tools else []), "input tokens (mean)", "$/session",
               "$/month", "change"]
    chart = Chart(f"g{n}-calls", f"{f.feature}: monthly cost per call, before and after",
                  "For each call of the feature, two bars: its monthly cost at the base and at the head.")
    moved = f" (moved from {f.base_spec_file})" if f.base_spec_file else ""
    return [f'<section aria-labelledby="g{n}">', f'<h3 id="g{n}">{esc(f.feature)}: per-call details</h3>',
            para(f"{f.spec_file}{moved}", "meta"), table(headers, rows),
            _before_after(chart, f"{f.feature}: monthly cost per call, before and after", "call", items), "</section>"]


def _crossings(result: GateResult) -> list[str]:
    out: list[str] = []
    fails = [c for c in result.crossings if c.level == "fail"]
    warns = [c for c in result.crossings if c.level == "warn"]
    if fails:
        out += [heading(2, "Thresholds crossed"),
                bullets([f"{c.threshold}: {crossing_message(c)}{setting_note(c)}"
                         + (f" ({c.file})" if c.file and c.setting is None else "") for c in fails])]
        failed = list(dict.fromkeys(c.feature for c in fails))
        tips = [f"{f}: {t.replace('`', '')}" for f in failed for t in suggestions(result.suggestions.get(f, ()))]
        if tips:
            out += [heading(3, "What to do (levers priced by the same simulator, one at a time)"), bullets(tips)]
    if warns:
        out += [heading(2, "Warnings"), bullets([f"{c.threshold}: {crossing_message(c)}{setting_note(c)}" for c in warns])]
    return out


def _prices(result: GateResult) -> list[str]:
    """What the pull request's price-layer edits would change once merged: the rate
    changes and the gated features' monthly spend at the new rates (never the verdict)."""
    r = result.pricing
    if r is None:
        return []
    out = [heading(2, "Price changes (they take effect once merged)")]
    if r.table.changes:
        out.append(table(RATE_HEADERS, [[Cell(x, i >= 3) for i, x in enumerate(row)] for row in rate_rows(r, str)]))
    added = [f"added {m.id} ({m.provider})" for m in r.table.added]
    removed = [f"removed {m.id} ({m.provider})" for m in r.table.removed]
    if added or removed or r.table.history:
        out.append(bullets([*added, *removed, *r.table.history]))
    if r.impacts:
        out.append(table(IMPACT_HEADERS, [[Cell(x, i >= 2) for i, x in enumerate(row)]
                                          for row in impact_rows(r, False)]))
    return out


def _notes(result: GateResult) -> list[str]:
    crossed = {(c.feature, c.lifecycle.model) for c in result.crossings if c.lifecycle is not None}
    notes = [f"{f.feature}: {warning_text(w)}" for f in result.features for w in (f.after.warnings if f.after else ())
             if (f.feature, w.model) not in crossed]
    if result.config_changed:
        notes.append(f"This change edits the gate's config; it was judged by the base branch's "
                     f"({result.config_file or 'built-in defaults'}), and the change applies once merged.")
    if result.pricing is not None:
        notes.append("This change edits price layers; they are not used to judge it (the section above shows "
                     "what they would change; costgate pricing diff has the details).")
    if result.pricing_error:
        notes.append(result.pricing_error)
    return [heading(2, "Notes"), bullets(notes)] if notes else []


def to_html(result: GateResult) -> str:
    text, cls = _verdict(result)
    before, after = _totals(result)
    body = [heading(1, text, cls),
            para(f"Base {result.base} → head {result.head}, prices as of {result.as_of.isoformat()}.", "meta"),
            facts([("total monthly spend", _pair(before, after)), ("total change", change(before, after))]),
            heading(2, "Features")]
    if result.features:
        body += [_feature_table(result), _features_chart(result)]
    else:
        body.append(para("No gated specs found."))
    body += _crossings(result)
    changed = [f for f in result.features if f.status != "unchanged"]
    if changed:
        body.append(heading(2, "Changed features"))
        for n, f in enumerate(changed, 1):
            body += _calls(f, n)
    body += _prices(result) + _notes(result)
    return page(f"costgate diff: {result.base} → {result.head}", body)
