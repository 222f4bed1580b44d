"""``costgate calibrate --format html``: one self-contained page (docs/html.md) with the
observed-vs-projected table of the text formats and two charts, output tokens and monthly
cost per call, observed beside projected, each with its numbers as a table."""

from __future__ import annotations

from decimal import Decimal

from ..calibrate.model import Calibrated
from .calibrate_rows import HEADERS, head, notes, rows
from .html import Cell, bullets, figure, heading, page, para, table
from .money import dollars, number
from .svg import Chart, Row, Value, axis_count, axis_money, bars

SERIES = ["observed", "projected"]


def _value(v: Decimal | None, shown: str) -> Value:
    return Value(v if v is not None else Decimal(0), shown if v is not None else "n/a")


def _chart(r: Calibrated, kind: str) -> str:
    money = kind == "cost"
    items = []
    for c in r.calls:
        o, p = c.observed, c.projected
        if money:
            pair = (_value(o.monthly_cost, dollars(o.monthly_cost) if o.monthly_cost is not None else ""),
                    _value(p.monthly_cost, dollars(p.monthly_cost)))
        else:
            pair = (_value(o.output_tokens.mean, number(o.output_tokens.mean, 1)),
                    _value(p.output_tokens.mean, number(p.output_tokens.mean, 1)))
        items.append(Row(c.name, pair))
    what = "monthly cost in US dollars" if money else "mean output tokens per request"
    chart = Chart(f"cal-{kind}", f"{r.feature}: {what}, observed and projected",
                  f"For each call, two bars: the {what} its usage records show, and what the spec projects.")
    data = table(["call", *SERIES], [[Cell(row.label), *(Cell(v.shown, True) for v in row.values)] for row in items])
    caption = "Monthly cost by call" if money else "Output tokens per request by call"
    return figure(chart, bars(chart, items, SERIES, axis_money if money else axis_count), caption, data)


def to_html(r: Calibrated) -> str:
    body = [heading(1, f"costgate calibrate: {r.feature}"), para(f"{r.spec_file}, {head(r)}", "meta"),
            heading(2, "Observed vs projected"),
            table(HEADERS, [[Cell(x, i >= 2) for i, x in enumerate(row)] for row in rows(r)])]
    if r.calls:
        body += [_chart(r, "tokens"), _chart(r, "cost")]
    body += [heading(2, "Notes"), bullets(notes(r, str))]
    return page(f"costgate calibrate: {r.feature}", body)
