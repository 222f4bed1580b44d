"""The price table as reports: ``pricing list``, ``pricing show`` and ``pricing sync``."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from ..pricing import RATE_KEYS, Model, PricePeriod, PriceTable, Rates, shipped_pricing_dir
from ..pricing.model import RATE_LABELS
from ..pricing.sync import SyncReport
from .money import plain_number
from .width import fit, tabulate

SCHEMA_VERSION = 1
FORMATS = ("table", "json", "markdown")
"""The formats ``list_report`` and ``show_report`` write."""
LIST_HEADERS = ["model", "provider", "input", "cached", "write 5m/1h", "output", "batch in/out",
                "tiers >N in/out", "tokenizer", "context", "since", "checked", "retired"]
SPARSE_LIST_KEYS = ("reasoning_output",)
"""Rates ``pricing list`` shows as a column (after output) only when a listed model has
one: a rate few providers use must not widen every table."""
ALWAYS_SHOWN = ("input", "output")
"""Rates ``pricing show`` always shows; any other column appears only when some period
of the model has it (an empty column says nothing)."""


def _p(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:f}"


def _tokenizer(table: PriceTable, m: Model) -> str:
    if m.tokenizer in table.approximations:
        approx = table.approximations[m.tokenizer]
        return f"~{m.tokenizer} ({approx.ratio}x {approx.base})"
    return m.tokenizer


def _tiers(period: PricePeriod) -> str:
    return "; ".join(f">{t.above:,}: {_p(t.rates.input)}/{_p(t.rates.output)}" for t in period.tiers) or "-"


def _rates(r: Rates) -> dict[str, str | None]:
    return {k: None if getattr(r, k) is None else plain_number(getattr(r, k)) for k in RATE_KEYS}


def _period(p: PricePeriod) -> dict[str, Any]:
    return {"since": p.since.isoformat(), **_rates(p.rates),
            "tiers": [{"above": t.above, **_rates(t.rates)} for t in p.tiers]}


def _reasoning(m: Model) -> dict[str, Any] | None:
    r = m.reasoning
    return None if r is None else {"effort_tokens": dict(r.effort_tokens), "default": r.default,
                                   "approximate": True, "source": r.source}


def shown_file(file: str, root: Path | None) -> tuple[str, bool]:
    """(the price file as reports name it, whether it ships with costgate): a shipped
    file as ``pricing/<provider>.yaml`` (its place in costgate's own repository, wherever
    costgate is installed), any other one relative to the repository root ``root``,
    ``/``-separated; never an absolute path (it would differ from machine to machine)."""
    path = Path(file)
    if not path.is_absolute():
        return path.as_posix(), False
    shipped = shipped_pricing_dir().resolve()
    resolved = path.resolve()
    if resolved.parent == shipped:
        return f"pricing/{resolved.name}", True
    base = (root or Path.cwd()).resolve()
    return Path(os.path.relpath(resolved, base)).as_posix(), False


def model_dict(table: PriceTable, m: Model, as_of: date, root: Path | None = None) -> dict[str, Any]:
    cur = m.priced_at(as_of)
    approx = table.approximations.get(m.tokenizer)
    file, shipped = shown_file(m.file, root)
    return {
        "model": m.id, "provider": m.provider, "name": m.name, "kind": m.kind,
        "aliases": list(m.aliases), "alias_since": {a: d.isoformat() for a, d in m.alias_since},
        "tokenizer": m.tokenizer,
        "tokenizer_approximate": approx is not None,
        "tokenizer_ratio": None if approx is None else plain_number(approx.ratio),
        "capability": m.capability, "reasoning": _reasoning(m),
        "context_window": m.context_window, "checked": m.checked.isoformat(),
        "deprecated": m.deprecated and m.deprecated.isoformat(),
        "retired": m.retired and m.retired.isoformat(),
        "current": None if cur is None else _period(cur),
        "history": [_period(p) for p in m.prices],
        "file": file, "line": m.line, "shipped": shipped,
    }


def _pair(r: Rates | None, a: str, b: str) -> str:
    if r is None or (getattr(r, a) is None and getattr(r, b) is None):
        return "-"
    return f"{_p(getattr(r, a))}/{_p(getattr(r, b))}"


def _row(table: PriceTable, m: Model, as_of: date) -> list[str]:
    p = m.priced_at(as_of)
    r = p.rates if p else None
    return [m.id, m.provider, _p(r.input) if r else "-", _p(r.cached_input) if r else "-",
            _pair(r, "cache_write_5m", "cache_write_1h"), _p(r.output) if r else "-",
            _pair(r, "batch_input", "batch_output"), _tiers(p) if p else "-", _tokenizer(table, m),
            f"{m.context_window:,}" if m.context_window else "-",
            p.since.isoformat() if p else f"from {m.prices[0].since}", m.checked.isoformat(),
            m.retired.isoformat() if m.retired else "-"]


def _sparse(models: Sequence[Model], day: date) -> list[str]:
    """The ``SPARSE_LIST_KEYS`` some listed model has on ``day``."""
    rates = [p.rates for m in models if (p := m.priced_at(day))]
    return [k for k in SPARSE_LIST_KEYS if any(getattr(r, k) is not None for r in rates)]


LIST_HIDE_ORDER = ("retired", "checked", "since", "tiers >N in/out", "write 5m/1h", "batch in/out", "context",
                   "tokenizer", "provider", "cached", "reasoning out")
"""``pricing list``'s columns hidden to fit a terminal, first hidden first (model, input
and output always stay)."""


def list_report(table: PriceTable, models: Sequence[Model], day: date, fmt: str, root: Path | None = None,
                width: int | None = None) -> str:
    """``pricing list``; file paths relative to the repository ``root`` (``shown_file``);
    the table fitted to ``width`` (``report.width``)."""
    if fmt == "json":
        return json.dumps({"schema_version": SCHEMA_VERSION, "kind": "pricing-list", "as_of": day.isoformat(),
                           "models": [model_dict(table, m, day, root) for m in models]}, indent=2) + "\n"
    style = "github" if fmt == "markdown" else "simple"
    extra = _sparse(models, day)
    at = LIST_HEADERS.index("output") + 1
    headers = LIST_HEADERS[:at] + [RATE_LABELS[k] for k in extra] + LIST_HEADERS[at:]
    rows = []
    for m in models:
        row, p = _row(table, m, day), m.priced_at(day)
        rows.append(row[:at] + [_p(getattr(p.rates, k)) if p else "-" for k in extra] + row[at:])
    body = (fit(rows, headers, width, LIST_HIDE_ORDER) if style == "simple"
            else tabulate(rows, headers=headers, tablefmt=style, disable_numparse=True))
    return f"USD per 1M tokens, prices in force on {day.isoformat()}\n\n{body}\n"


def _alias(m: Model, alias: str) -> str:
    """An alias as ``pricing show`` lists it: a dated one with the day it took this model."""
    since = m.since_of(alias)
    return alias if since is None else f"{alias} (since {since.isoformat()})"


def _facts(table: PriceTable, m: Model, root: Path | None) -> list[list[str]]:
    approx = table.approximations.get(m.tokenizer)
    return [
        ["model", f"{m.id} ({m.name})"], ["provider", table.providers[m.provider].name],
        ["aliases", ", ".join(_alias(m, a) for a in m.aliases) or "-"], ["kind", m.kind],
        ["tokenizer", _tokenizer(table, m) + (f": {approx.source}" if approx else " (exact)")],
        ["context window", f"{m.context_window:,}" if m.context_window else "-"],
        ["cache min tokens", f"{m.cache_min_tokens:,}" if m.cache_min_tokens else "-"],
        ["capability", m.capability or "-"],
        *_reasoning_facts(m),
        ["checked", m.checked.isoformat()],
        ["deprecated", m.deprecated.isoformat() if m.deprecated else "-"],
        ["retired", m.retired.isoformat() if m.retired else "-"],
        ["source", f"{table.providers[m.provider].source} ({shown_file(m.file, root)[0]}:{m.line})"],
    ]


def _reasoning_facts(m: Model) -> list[list[str]]:
    r = m.reasoning
    if r is None:
        return [["reasoning", "-"]]
    levels = ", ".join(f"{effort} ~{n:,}" for effort, n in r.effort_tokens.items())
    default = f"default {r.default}" if r.default else "off unless asked for"
    return [["reasoning", f"{levels} tokens per request (approximate; {default})"],
            ["reasoning source", r.source]]


def show_keys(m: Model) -> list[str]:
    """The rate columns of ``m``'s show table: ``ALWAYS_SHOWN`` and every rate some
    period or tier of ``m`` has, in ``RATE_KEYS`` order."""
    rates = [r for p in m.prices for r in (p.rates, *(t.rates for t in p.tiers))]
    return [k for k in RATE_KEYS if k in ALWAYS_SHOWN or any(getattr(r, k) is not None for r in rates)]


def show_report(table: PriceTable, m: Model, day: date, fmt: str, root: Path | None = None) -> str:
    """``pricing show``; file paths relative to the repository ``root`` (``shown_file``)."""
    if fmt == "json":
        # the model's own `kind` (chat, embedding) is `model_kind` here: `kind` names the document
        model = model_dict(table, m, day, root)
        model["model_kind"] = model.pop("kind")
        return json.dumps({"schema_version": SCHEMA_VERSION, "kind": "pricing-show", "as_of": day.isoformat(),
                           **model}, indent=2) + "\n"
    style = "github" if fmt == "markdown" else "simple"
    cur = m.priced_at(day)
    keys = show_keys(m)
    rows = []
    for p in m.prices:
        mark = "*" if p is cur else ""
        for label, r in [("base", p.rates)] + [(f">{t.above:,} input", t.rates) for t in p.tiers]:
            rows.append([f"{p.since.isoformat()}{mark}" if label == "base" else "", label,
                         *[_p(getattr(r, k)) for k in keys]])
    headers = ["since", "applies to", *[RATE_LABELS[k] for k in keys]]
    text = tabulate(_facts(table, m, root), headers=() if style == "simple" else ["", ""],
                    tablefmt="plain" if style == "simple" else style, disable_numparse=True)
    return (text + f"\n\nUSD per 1M tokens; * marks the period in force on {day.isoformat()}"
            + ("" if cur else " (none yet)") + "\n\n"
            + tabulate(rows, headers=headers, tablefmt=style, disable_numparse=True) + "\n")


def sync_report(report: SyncReport, day: date, written: dict, fmt: str, write: bool) -> str:
    if fmt == "json":
        return json.dumps({
            "schema_version": SCHEMA_VERSION, "kind": "pricing-sync", "source": report.source,
            "as_of": day.isoformat(), "compared": report.compared,
            "differences": [{"model": d.model, "provider": d.provider, "field": d.field,
                             "ours": None if d.ours is None else plain_number(d.ours),
                             "theirs": None if d.theirs is None else plain_number(d.theirs),
                             "writable": d.writable} for d in report.differences],
            "unmapped": list(report.unmapped),
            "written": {str(k): v for k, v in written.items()},
        }, indent=2) + "\n"
    lines = [f"compared {report.compared} models with {report.source} on {day.isoformat()}: "
             f"{len(report.differences)} differences", ""]
    if report.differences:
        lines += [tabulate([[d.model, d.provider, d.field, _p(d.ours), _p(d.theirs),
                             "" if d.writable else "report only"] for d in report.differences],
                           headers=["model", "provider", "rate", "costgate", report.source.split()[0], ""],
                           tablefmt="simple", disable_numparse=True), ""]
    if report.unmapped:
        lines += ["not compared:", *[f"  {u}" for u in report.unmapped], ""]
    for path, models in written.items():
        lines.append(f"{'skipped' if str(path) == '-' else f'wrote {path}'}: {', '.join(models)}")
    if not write and any(d.writable for d in report.differences):
        lines.append("dry run: pass --write to append these prices as new periods")
    return "\n".join(lines) + "\n"
