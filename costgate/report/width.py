"""Terminal tables that fit the terminal: columns of low priority hidden, then the widest
text wrapped, and prose lines wrapped under their label.

A renderer passes ``width`` (None: full width, as for a pipe, a file, ``--wide``, JSON
and markdown) and, per table, the columns it may hide, lowest priority first (the
renderer's ``*_HIDE_ORDER``; README "Terminal width" lists them). Hidden columns are
named under the table, so nothing disappears silently. Same input and width, same text.
"""

from __future__ import annotations

import re
import textwrap
from typing import Sequence


def tabulate(*args, **kwargs) -> str:  # noqa: ANN002, ANN003
    """tabulate's table, its module imported on first use: a JSON report draws no table,
    and importing tabulate (with wcwidth and importlib.metadata) costs 20 ms of every run."""
    from tabulate import tabulate as draw

    return draw(*args, **kwargs)



MIN_WRAP = 8
"""A wrapped column keeps at least this many characters a line."""
LABEL = re.compile(r"^([a-z0-9 %$/#.-]{1,24}:\s+)\S")
"""A prose line's label ("per month:   "): continuation lines are indented under the text."""


def _render(rows: Sequence[Sequence[str]], headers: Sequence[str], maxcol: list[int | None] | None) -> str:
    return tabulate([list(r) for r in rows], headers=list(headers), tablefmt="simple", disable_numparse=True,
                    maxcolwidths=maxcol)


def _widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def fit(rows: Sequence[Sequence[str]], headers: Sequence[str], width: int | None,
        hide: Sequence[str] = ()) -> str:
    """A ``simple`` table at most ``width`` characters wide when it can be: hide the
    columns named in ``hide`` (lowest priority first) until it fits, then wrap the widest
    column's text; a line under the table names what was hidden. ``width`` None: the
    whole table, unchanged."""
    text = _render(rows, headers, None)
    if width is None or _widest(text) <= width:
        return text
    keep = list(range(len(headers)))
    hidden: list[str] = []
    for name in hide:
        if _widest(text) <= width:
            break
        if name in headers and len(keep) > 1:
            keep.remove(list(headers).index(name))
            hidden.append(name)
            text = _render([[r[i] for i in keep] for r in rows], [headers[i] for i in keep], None)
    sub_rows, sub_headers = [[r[i] for i in keep] for r in rows], [headers[i] for i in keep]
    limits = [max(len(line) for cell in [h, *(r[i] for r in sub_rows)] for line in str(cell).splitlines() or [""])
              for i, h in enumerate(sub_headers)]
    for _ in range(4):  # wrapping at spaces may leave a line shorter than its limit: re-measure, a few times
        excess = _widest(text) - width
        if excess <= 0:
            break
        limits = _narrowed(limits, excess)
        text = _render(sub_rows, sub_headers, list(limits))
    if hidden:
        text += "\n" + wrap(f"(hidden to fit {width} columns: {', '.join(hidden)}; --wide shows every column)", width)
    return text


def _narrowed(limits: list[int], excess: int) -> list[int]:
    """Column widths ``excess`` characters narrower in all, taken from the widest columns
    first (levelling them down together), none below ``MIN_WRAP``."""
    limits = list(limits)
    while excess > 0:
        widest = max(limits)
        if widest <= MIN_WRAP:
            break
        tied = [i for i, w in enumerate(limits) if w == widest]
        floor = max([w for w in limits if w < widest] + [MIN_WRAP])
        step = min(widest - floor, -(-excess // len(tied)))
        for i in tied:
            limits[i] -= step
        excess -= step * len(tied)
    return limits


def wrap(text: str, width: int | None) -> str:
    """Each line longer than ``width`` wrapped at spaces, continuation lines indented under
    its label's text ("per month:   $1,670.70  (10,000 ..." wraps under "$1,670.70")."""
    if width is None:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        m = LABEL.match(line)
        indent = " " * (len(m.group(1)) if m and len(m.group(1)) < width // 2 else 2)
        out.extend(textwrap.wrap(line, width=width, subsequent_indent=indent, break_long_words=False,
                                 break_on_hyphens=False) or [line])
    return "\n".join(out)
