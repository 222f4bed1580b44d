"""``costgate estimate --format html``: one self-contained page per run, a section per
feature with its calls table and charts (monthly cost by call and by model, input tokens
per call, the 12-month projection against the budget, ranked savings), each chart with
its numbers as a table. Figures are the other formats' displays (``report.money``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from ..estimate.results import Analysis, Estimate, Extras
from .approx import approximate_notes, samples_text, warning_text
from .calibrate_rows import calibration_text
from .crossings import removal
from .estimate_rows import (
    ALT_HEADERS,
    CALL_NUMERIC_FROM,
    LEVER_HEADERS,
    alt_rows,
    call_headers,
    call_rows,
    growth_text,
    lever_rows,
    tails_text,
    tok,
    worst_text,
)
from .html import Cell, bullets, cells, facts, figure, heading, page, para, table
from .money import dollars, number, parts, percent, saving, share, total
from .svg import Chart, Row, Value, axis_count, axis_money, bars, esc, line


def _calls_table(e: Estimate) -> str:
    return table(call_headers(e), [cells(r, CALL_NUMERIC_FROM) for r in call_rows(e, str)])


def _summary(e: Estimate) -> str:
    low, high = e.monthly_cost_ci95
    pairs = [
        ("per session", f"mean {dollars(e.cost_per_session, small=True)}, p95 {dollars(e.cost_per_session_p95, small=True)}"),
        ("per month", f"{dollars(e.monthly_cost)} ({number(e.sessions_per_day)} sessions/day x "
                      f"{number(e.days_per_month)} days = {number(e.sessions_per_month)} sessions)"),
        ("sampling", f"±{dollars(e.monthly_cost_se)} standard error of the monthly mean, 95% interval "
                     f"{dollars(low)} to {dollars(high)} ({e.samples:,} samples)"),
    ]
    calibrated = calibration_text(e, str)
    if calibrated is not None:
        pairs.append(("calibrated", calibrated))
    if e.budget_monthly_usd is not None:
        verdict = "OVER BUDGET" if e.monthly_cost > e.budget_monthly_usd else "within budget"
        pairs.append(("budget", f"{dollars(e.budget_monthly_usd)}/month, "
                                f"{percent(e.monthly_cost, e.budget_monthly_usd)}% used ({verdict})"))
    return facts(pairs)


def _money_chart(c: Chart, caption: str, labels: Sequence[str], shown: Sequence[Decimal], head: str) -> str:
    rows = [Row(label, (Value(v, dollars(v)),)) for label, v in zip(labels, shown)]
    data = table([head, "$/month"], [[Cell(label), Cell(dollars(v), True)] for label, v in zip(labels, shown)])
    return figure(c, bars(c, rows, ["$/month"], axis_money), caption, data)


def _cost_charts(e: Estimate, n: int) -> list[str]:
    p = parts(e)
    out = [_money_chart(Chart(f"f{n}-calls", f"{e.feature}: monthly cost by call",
                              "Horizontal bars, one per call, of its monthly cost in US dollars."),
                        "Monthly cost by call", [c.name for c in e.calls], p.call_monthly, "call")]
    if e.by_model:
        out.append(_money_chart(Chart(f"f{n}-models", f"{e.feature}: monthly cost by model",
                                      "Horizontal bars, one per model, of its monthly cost across every call."),
                                "Monthly cost by model", [m for m, _ in e.by_model], p.by_model, "model"))
    return out


def _token_chart(e: Estimate, n: int) -> str:
    series = ["p50", "mean", "p95"]
    rows, data = [], []
    for c in e.calls:
        vals = (c.input_tokens_p50, c.input_tokens_mean, c.input_tokens_p95)
        rows.append(Row(c.name, tuple(Value(Decimal(v), tok(v, c.approximate)) for v in vals)))
        data.append([Cell(c.name), *(Cell(tok(v, c.approximate), True) for v in vals)])
    chart = Chart(f"f{n}-tokens", f"{e.feature}: input tokens per request, by call",
                  "For each call, three bars: the median (p50), mean and 95th-percentile input tokens of a request "
                  "over the spec's samples.")
    return figure(chart, bars(chart, rows, series, axis_count), "Input tokens per request (p50, mean, p95)",
                  table(["call", "p50", "mean", "p95"], data))


def _growth(e: Estimate, x: Extras, n: int) -> list[str]:
    p = x.projection
    if p is None or not p.growth_per_month:
        return []
    rate = share(p.growth_per_month)
    head = growth_text(p)
    points = [(f"M{m}", Value(v, dollars(v))) for m, v in enumerate(p.months, 1)]
    budget = None if p.budget is None else Value(p.budget, dollars(p.budget))
    chart = Chart(f"f{n}-growth", f"{e.feature}: projected monthly spend over 12 months",
                  f"A line of the monthly spend growing {rate} a month from {dollars(p.months[0])} to "
                  f"{dollars(p.months[-1])}" + ("" if budget is None else f", and a dashed line at the "
                                                f"{budget.shown} monthly budget") + ".")
    data = table(["month", "$/month", *(["budget"] if budget else [])],
                 [[Cell(label), Cell(v.shown, True), *([Cell(budget.shown, True)] if budget else [])]
                  for label, v in points])
    return [heading(3, "Growth"), para(head),
            figure(chart, line(chart, points, budget, axis_money), "Projected monthly spend against the budget", data)]


def _people(x: Extras) -> list[str]:
    pairs = []
    if x.tails is not None:
        pairs.append(("per user", tails_text(x.tails)))
    if x.worst is not None:
        pairs.append(("worst case", worst_text(x.worst)))
    return [facts(pairs)] if pairs else []


def _savings(e: Estimate, x: Extras, n: int) -> list[str]:
    if x.levers is None:
        return []
    out = [heading(3, "What-if: ranked savings (one lever at a time)")]
    if not x.levers:
        return out + [para("No applicable lever.")]
    labels = [f"#{i} {lv.call}: {lv.description}" for i, lv in enumerate(x.levers, 1)]
    rows = [Row(label, (Value(saving(lv), dollars(saving(lv))),)) for label, lv in zip(labels, x.levers)]
    chart = Chart(f"f{n}-savings", f"{e.feature}: monthly saving of each what-if lever",
                  "Horizontal bars, one per lever, ranked by the monthly saving in US dollars.")
    data = table(LEVER_HEADERS, [[Cell(v, i in (3, 4)) for i, v in enumerate(r)] for r in lever_rows(x, str)])
    notes = [f"#{i}: {what}" for i, lv in enumerate(x.levers, 1) if (what := removal(lv)) is not None]
    plot = table(["lever", "saving/month"], [[Cell(label), Cell(dollars(saving(lv)), True)]
                                            for label, lv in zip(labels, x.levers)])
    return out + [data, *([bullets(notes)] if notes else []),
                  figure(chart, bars(chart, rows, ["saving/month"], axis_money), "Monthly saving by lever", plot)]


def _alternatives(e: Estimate) -> list[str]:
    if not e.alternatives:
        return []
    rows = [[Cell(v, i == 2) for i, v in enumerate(r)] for r in alt_rows(e, str)]
    return [heading(3, "Alternatives"), table(ALT_HEADERS, rows)]


def _notes(e: Estimate) -> list[str]:
    notes = approximate_notes(e, str) if e.approximate else []  # the reasons the other formats give, escaped by bullets
    notes += [f"warning: {warning_text(w)}" for w in e.warnings]
    return [heading(3, "Notes"), bullets(notes)] if notes else []


def feature_section(a: Analysis, n: int) -> str:
    """One feature's part of the page; ``n`` keeps its chart ids unique."""
    e, x = a.estimate, a.extras
    body = [f'<section aria-labelledby="f{n}">',
            f'<h2 id="f{n}">{esc(e.feature)}: {dollars(e.monthly_cost)}/month</h2>',
            para(f"{e.spec_file}, prices as of {e.as_of.isoformat()}, {samples_text(e)}, seed {e.seed}", "meta"),
            _summary(e), heading(3, "Calls"), _calls_table(e), *_cost_charts(e, n), _token_chart(e, n),
            *_growth(e, x, n), *_people(x), *_savings(e, x, n), *_alternatives(e), *_notes(e), "</section>"]
    return "\n".join(body)


def to_html(analyses: Sequence[Analysis]) -> str:
    days = sorted({a.estimate.as_of.isoformat() for a in analyses})
    head = [heading(1, "costgate estimate"),
            para(f"{len(analyses)} feature{'s' if len(analyses) != 1 else ''}, prices as of {', '.join(days)}", "meta")]
    if len(analyses) > 1:
        head.append(para(f"total across {len(analyses)} features: "
                         f"{dollars(total([a.estimate.monthly_cost for a in analyses]))}/month"))
    return page("costgate estimate", head + [feature_section(a, n) for n, a in enumerate(analyses, 1)])
