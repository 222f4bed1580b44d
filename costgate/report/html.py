"""HTML pages, in one self-contained file: the page around a report, its tables, and a
chart in a figure with its data as a table. Inline CSS only; no script, no network, no
external font or image, and a Content-Security-Policy that forbids them anyway.

Every piece of text is escaped by ``svg.esc``; callers pass plain strings, never markup,
except the chart SVG and the blocks built here. Reports built from these blocks:
``html_estimate.py`` (``costgate estimate``) and ``html_gate.py`` (``costgate diff``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..version import __version__
from .svg import Chart, esc

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""No script, font, frame, connection or external image of any kind."""

CSS = """
:root{color-scheme:light;--ink:#1a1a1a;--muted:#595959;--line:#d9d9d9;--bad:#b42318;--good:#1e6b2c}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:#fff}
main{max-width:1120px;margin:0 auto;padding:16px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:1px solid var(--line)}
h3{font-size:1.05em;margin:1.2em 0 .4em}
p,li,dd{overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.meta{color:var(--muted)}
.fail{color:var(--bad);font-weight:600}.pass{color:var(--good);font-weight:600}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.4em 0;font-size:.9em}
th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
td:nth-child(-n+2){white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1em 0;max-width:720px}
figure svg{width:100%;height:auto;display:block}
figcaption{font-weight:600;margin-bottom:.3em}
details{margin:.3em 0}summary{cursor:pointer;color:var(--muted)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:.5em 0}dt{color:var(--muted)}
footer{margin-top:2em;color:var(--muted);font-size:.85em}
@media (max-width:480px){body{font-size:14px}main{padding:10px}dl{grid-template-columns:1fr}
table{font-size:.8em}th,td{padding:2px 4px}}
@media print{body{font-size:10pt}main{max-width:none;padding:0}.scroll{overflow:visible}summary{display:none}
table{font-size:7.5pt}th,td{padding:2px 3px;white-space:normal!important}td{overflow-wrap:anywhere}
h2,h3{break-after:avoid}.chart,figure,table,dl{break-inside:avoid}section{break-before:auto}
a{color:inherit;text-decoration:none}}
"""


@dataclass(frozen=True)
class Cell:
    """A table cell: plain text (escaped on output), right-aligned when numeric."""

    text: str
    numeric: bool = False


def _cls(name: str | None) -> str:
    return "" if name is None else f' class="{name}"'


def cells(values: Sequence[str], numeric_from: int) -> list[Cell]:
    """A row whose columns from ``numeric_from`` on are numbers."""
    return [Cell(v, i >= numeric_from) for i, v in enumerate(values)]


def table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], caption: str | None = None) -> str:
    """A data table in a horizontally scrolling box (wide tables never widen the page)."""
    numeric = [any(r[i].numeric for r in rows) for i in range(len(headers))]
    out = ['<div class="scroll"><table>']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col"{_cls("n" if n else None)}>{esc(h)}</th>'
                                       for h, n in zip(headers, numeric)) + "</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f'<td{_cls("n" if c.numeric else None)}>{esc(c.text)}</td>' for c in r)
                   + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def figure(chart: Chart, svg: str, caption: str, data: str) -> str:
    """A chart: a ``<figure role="img">`` labelled by the chart's title and description,
    with a visible caption, and right after it the chart's numbers as a table (the text
    alternative), folded. The table sits outside the figure because an image's content is
    hidden from assistive technology."""
    return "\n".join(['<div class="chart">', f'<figure role="img" aria-label="{esc(chart.title)}. {esc(chart.desc)}">',
                      f"<figcaption>{esc(caption)}</figcaption>", svg, "</figure>",
                      f"<details><summary>{esc(caption)}: the numbers</summary>", data, "</details>", "</div>"])


def facts(pairs: Sequence[tuple[str, str]]) -> str:
    """A definition list of labelled figures."""
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs) + "</dl>"


def bullets(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def para(text: str, cls: str | None = None) -> str:
    return f"<p{_cls(cls)}>{esc(text)}</p>"


def heading(level: int, text: str, cls: str | None = None) -> str:
    return f"<h{level}{_cls(cls)}>{esc(text)}</h{level}>"


def page(title: str, body: Sequence[str]) -> str:
    """A complete HTML document: ``body`` blocks (already built from these helpers) in
    ``<main>``, a footer naming the costgate version. Deterministic: no clock is read."""
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        *body,
        f"<footer>costgate {esc(__version__)} · a self-contained report: no scripts, no network</footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ])
