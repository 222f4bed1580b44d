"""Charts as inline SVG, written by hand: horizontal bars (one or several series per row)
and a line with a budget line. No library: the few shapes the reports need take less
code than adapting one, add no dependency, and stay free of scripts and external fonts.

Every piece of text goes through ``esc`` (HTML escaping, quotes included, one line);
every coordinate through ``num`` (fixed at two places, trailing zeros dropped), so the
same data gives the same bytes on every machine. The values drawn are the figures as
displayed (``report.money``), passed in with their display text.
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Sequence

from .escape import plain

WIDTH = 480
"""The viewBox width; the page scales it to the column (``width: 100%``)."""
LABEL_WIDTH = 150
ROW = 22
BAR = 14
FONT = 11
LABEL_CHARS = 21
"""Longer labels are cut with an ellipsis in the chart (the full text is in its <title>
and in the chart's data table)."""
PALETTE = ("#1f5f99", "#b35900", "#2f7d32", "#6a3d9a", "#8c2d04", "#4d4d4d")
"""Series colours, each at a contrast ratio of at least 4.5:1 on white."""
MUTED = "#595959"
BUDGET = "#b42318"


def esc(text: object) -> str:
    """Text for HTML or SVG, attribute-safe: one line, control characters shown, ``<>&"'`` escaped."""
    return _html.escape(plain(str(text)), quote=True)


def num(value: Decimal | int | float) -> str:
    """A coordinate: two places at most, no exponent, no trailing zeros, no "-0"."""
    q = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{q:f}".rstrip("0").rstrip(".")  # always two places before stripping
    return "0" if text in ("-0", "") else text


Ticks = Callable[[Decimal, Decimal], str]
"""A tick label from (value, tick step)."""


def axis_money(value: Decimal, step: Decimal) -> str:
    """A tick label in dollars: whole dollars when the steps are whole ('$60,000'), else cents ('$0.50')."""
    return f"${value:,.0f}" if step == step.to_integral_value() else f"${value:,.2f}"


def axis_count(value: Decimal, step: Decimal) -> str:
    """A tick label for a count: '30,000' (steps below one: '0.5')."""
    return f"{value:,.0f}" if step == step.to_integral_value() else f"{value.normalize():,f}"


def short(label: str, n: int = LABEL_CHARS) -> str:
    return label if len(label) <= n else label[:n - 1] + "…"


@dataclass(frozen=True)
class Value:
    """One number of a chart: the value drawn and its text as the report displays it."""

    value: Decimal
    shown: str


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Value, ...]
    """One per series."""


@dataclass(frozen=True)
class Chart:
    """What every chart carries for assistive technology: a short title and a longer
    description (both read out through ``aria-labelledby``)."""

    ident: str
    """Unique within the page (ids of the <title> and <desc>)."""
    title: str
    desc: str


def nice_step(top: Decimal, ticks: int = 4) -> Decimal:
    """A round tick step (1, 2 or 5 times a power of ten) with about ``ticks`` steps to ``top``."""
    if top <= 0:
        return Decimal(1)
    raw = top / ticks
    power = Decimal(1).scaleb(raw.adjusted())
    for m in (1, 2, 5, 10):
        if power * m >= raw:
            return power * m
    return power * 10  # pragma: no cover - the loop always returns


def _scale_top(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """(axis maximum, tick step): the smallest multiple of a round step at or above the data."""
    top = max([v for v in values if v > 0], default=Decimal(1))
    step = nice_step(top)
    n = (top / step).to_integral_value(rounding="ROUND_CEILING")
    return step * n, step


def _open(c: Chart, height: Decimal | int) -> list[str]:
    return [f'<svg viewBox="0 0 {WIDTH} {num(height)}" role="img" '
            f'aria-labelledby="{c.ident}-t {c.ident}-d" font-size="{FONT}">',
            f'<title id="{c.ident}-t">{esc(c.title)}</title>',
            f'<desc id="{c.ident}-d">{esc(c.desc)}</desc>']


def _legend(series: Sequence[str], y: int) -> list[str]:
    out, x = [], LABEL_WIDTH
    for i, name in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="{y + 9}" fill="#1a1a1a">{esc(short(name, 18))}</text>')
        x += 24 + 7 * min(len(name), 18)
    return out


def _ticks(top: Decimal, step: Decimal, x0: int, span: int, y0: int, y1: int,
           fmt: Ticks) -> list[str]:
    out = []
    v = Decimal(0)
    while v <= top:
        x = x0 + span * v / top
        out.append(f'<line x1="{num(x)}" y1="{y0}" x2="{num(x)}" y2="{y1}" stroke="#d9d9d9"/>'
                   f'<text x="{num(x)}" y="{y1 + 12}" text-anchor="middle" fill="{MUTED}">{esc(fmt(v, step))}</text>')
        v += step
    return out


def bars(c: Chart, rows: Sequence[Row], series: Sequence[str], fmt: Ticks) -> str:
    """Horizontal bars, one group per row and one bar per series, each labelled with its
    displayed value; a legend when there is more than one series. ``fmt`` labels the ticks."""
    per = max(1, len(series))
    group = BAR * per + 8
    legend = 18 if per > 1 else 0
    top_pad = 6 + legend
    plot = group * len(rows)
    height = top_pad + plot + 22
    span = WIDTH - LABEL_WIDTH - 80
    top, step = _scale_top([v.value for r in rows for v in r.values])
    out = _open(c, height)
    if per > 1:
        out += _legend(series, 4)
    out += _ticks(top, step, LABEL_WIDTH, span, top_pad, top_pad + plot, fmt)
    for i, r in enumerate(rows):
        y = top_pad + i * group + 4
        out.append(f'<text x="{LABEL_WIDTH - 6}" y="{num(y + group / 2)}" text-anchor="end" fill="#1a1a1a">'
                   f'<title>{esc(r.label)}</title>{esc(short(r.label))}</text>')
        for j, v in enumerate(r.values):
            w = span * max(v.value, Decimal(0)) / top
            by = y + j * BAR
            name = f"{r.label}, {series[j]}" if per > 1 else r.label
            out.append(f'<rect x="{LABEL_WIDTH}" y="{by}" width="{num(w)}" height="{BAR - 2}" '
                       f'fill="{PALETTE[j % len(PALETTE)]}"><title>{esc(name)}: {esc(v.shown)}</title></rect>'
                       f'<text x="{num(LABEL_WIDTH + w + 4)}" y="{by + BAR - 4}" fill="#1a1a1a">{esc(v.shown)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def line(c: Chart, points: Sequence[tuple[str, Value]], budget: Value | None,
         fmt: Ticks) -> str:
    """A line through ``points`` (label, value) with a marker at each, and a dashed
    horizontal budget line when there is a budget. ``fmt`` labels the ticks."""
    left, right, top_pad, plot = 72, 16, 12, 180
    height = top_pad + plot + 40
    values = [v.value for _, v in points] + ([budget.value] if budget else [])
    top, step = _scale_top(values)
    span_x = WIDTH - left - right
    n = max(1, len(points) - 1)

    def y_of(v: Decimal) -> Decimal:
        return top_pad + plot - plot * max(v, Decimal(0)) / top

    out = _open(c, height)
    v = Decimal(0)
    while v <= top:
        y = y_of(v)
        out.append(f'<line x1="{left}" y1="{num(y)}" x2="{WIDTH - right}" y2="{num(y)}" stroke="#d9d9d9"/>'
                   f'<text x="{left - 4}" y="{num(y + 4)}" text-anchor="end" fill="{MUTED}">{esc(fmt(v, step))}</text>')
        v += step
    xy = [(Decimal(left) + Decimal(span_x) * i / n, y_of(p.value)) for i, (_, p) in enumerate(points)]
    out.append(f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="2" '
               f'points="{" ".join(f"{num(x)},{num(y)}" for x, y in xy)}"/>')
    for (label, p), (x, y) in zip(points, xy):
        out.append(f'<circle cx="{num(x)}" cy="{num(y)}" r="3" fill="{PALETTE[0]}">'
                   f'<title>{esc(label)}: {esc(p.shown)}</title></circle>'
                   f'<text x="{num(x)}" y="{top_pad + plot + 14}" text-anchor="middle" fill="{MUTED}">{esc(label)}</text>')
    if budget is not None:
        y = y_of(budget.value)
        out.append(f'<line x1="{left}" y1="{num(y)}" x2="{WIDTH - right}" y2="{num(y)}" stroke="{BUDGET}" '
                   f'stroke-width="1.5" stroke-dasharray="6 4"><title>budget: {esc(budget.shown)}</title></line>'
                   f'<text x="{WIDTH - right}" y="{num(y - 4 if y - 4 > FONT + 2 else y + FONT + 2)}" '
                   f'text-anchor="end" fill="{BUDGET}">'
                   f'budget {esc(budget.shown)}</text>')
    out.append(f'<text x="{left}" y="{height - 4}" fill="{MUTED}">month</text>')
    out.append("</svg>")
    return "\n".join(out)
