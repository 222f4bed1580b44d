"""Price-table reports: what a pricing pull request changes (``pricing diff``), the
table itself (``pricing list`` / ``show``) and a comparison with genai-prices (``sync``).
Strings out; the commands in ``cli.pricing`` only choose a format and write."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Callable

from ..gate.model import PricingDiff
from ..pricing.diff import RateChange
from ..version import __version__
from .escape import code, md, plain
from .money import change, dollars, percent, plain_number, usd
from .width import tabulate

MARKER = "<!-- costgate-pricing-report -->"
SCHEMA_VERSION = 1
Escape = Callable[[str], str]


def _price(value) -> str:
    return "—" if value is None else str(value)


def change_percent(c: RateChange) -> str | None:
    """The change of a rate in percent ('+25.0'-style without the sign), or None."""
    if isinstance(c.before, Decimal) and isinstance(c.after, Decimal):
        return percent(c.after - c.before, c.before)
    return None


def _change(c: RateChange) -> str:
    if c.before is None:
        return "new"
    if c.after is None:
        return "dropped"
    pct = change_percent(c)
    return "changed" if pct is None else f"{'+' if not pct.startswith('-') else ''}{pct}%"


def _delta(before: Decimal | None, after: Decimal | None) -> str:
    return "n/a" if before is None or after is None else change(before, after)


def _money(v: Decimal | None) -> str:
    return "n/a" if v is None else dollars(v)


def verdict(r: PricingDiff) -> str:
    t = r.table
    if not t.changed:
        return "costgate pricing: no price changes"
    n = len(t.changes)
    parts = [f"{n} rate{'s' if n != 1 else ''} changed on {len(t.changed_models)} "
             f"model{'s' if len(t.changed_models) != 1 else ''}",
             f"{len(t.added)} model{'s' if len(t.added) != 1 else ''} added",
             f"{len(t.removed)} removed"]
    return (f"costgate pricing: {', '.join(parts)}; gated monthly spend "
            f"{_delta(r.monthly_before, r.monthly_after)}")


RATE_HEADERS = ["model", "provider", "rate (USD / 1M tokens)", "before", "after", "change"]
IMPACT_HEADERS = ["feature", "models", "$/month before", "$/month after", "change"]


def rate_rows(r: PricingDiff, esc: Escape) -> list[list[str]]:
    return [[esc(c.model), esc(c.provider), esc(c.field), esc(_price(c.before)), esc(_price(c.after)), _change(c)]
            for c in r.table.changes]


def impact_rows(r: PricingDiff, markdown: bool) -> list[list[str]]:
    esc = md if markdown else plain
    q = "`" if markdown else ""
    return [[f"{q}{i.feature}{q}", ", ".join(esc(m) for m in i.models), _money(i.before), _money(i.after),
             _delta(i.before, i.after) if i.error is None else f"n/a ({esc(i.error)})"]
            for i in r.impacts]


def pricing_section(r: PricingDiff, level: str = "###") -> list[str]:
    """The markdown body: rate changes, models added and removed, history, impact, under
    headings of ``level``."""
    t = r.table
    out: list[str] = []
    if t.changes:
        out += [f"{level} Price changes", "",
                tabulate(rate_rows(r, md), headers=RATE_HEADERS, tablefmt="github", disable_numparse=True), ""]
    if t.added or t.removed:
        out += [f"{level} Models added and removed", ""]
        out += [f"- added {code(m.id)} ({md(m.provider)})" for m in t.added]
        out += [f"- removed {code(m.id)} ({md(m.provider)})" for m in t.removed]
        out.append("")
    if t.history:
        out += [f"{level} Price history", "", *[f"- {md(h)}" for h in t.history], ""]
    out += [f"{level} Gated features", ""]
    out.append(tabulate(impact_rows(r, True), headers=IMPACT_HEADERS, tablefmt="github",
                        disable_numparse=True) if r.impacts else "_No gated specs found._")
    return out


def to_markdown(r: PricingDiff) -> str:
    icon = "💲" if r.table.changed else "✅"
    out = [MARKER, f"## {icon} **{verdict(r).replace(';', '**;', 1) if ';' in verdict(r) else verdict(r) + '**'}", "",
           f"Base {code(r.base)} → head {code(r.head)}, prices as of {r.as_of.isoformat()}; "
           "templates and samples held fixed at head, so only prices move the numbers.", ""]
    out += pricing_section(r)
    out += ["", f"<sub>costgate {__version__} · {code('costgate pricing diff --base ' + r.base)} · "
            "reports only, never fails</sub>", ""]
    return "\n".join(out)


def to_table(r: PricingDiff) -> str:
    t = r.table
    out = [verdict(r), f"base {plain(r.base)} -> head {plain(r.head)}, prices as of {r.as_of.isoformat()}", ""]
    if t.changes:
        out += [tabulate(rate_rows(r, plain), headers=RATE_HEADERS, tablefmt="simple", disable_numparse=True), ""]
    out += [f"added: {plain(m.id)} ({plain(m.provider)})" for m in t.added]
    out += [f"removed: {plain(m.id)} ({plain(m.provider)})" for m in t.removed]
    out += [plain(h) for h in t.history]
    if t.added or t.removed or t.history:
        out.append("")
    if r.impacts:
        out.append(tabulate(impact_rows(r, False), headers=IMPACT_HEADERS, tablefmt="simple",
                            disable_numparse=True))
    return "\n".join(out) + "\n"


def _json_price(v: object) -> str | None:
    return None if v is None else plain_number(v) if isinstance(v, Decimal) else str(v)


def pricing_dict(r: PricingDiff) -> dict:
    return {
        "base": r.base, "head": r.head, "as_of": r.as_of.isoformat(), "changed": r.table.changed,
        "changes": [{"model": c.model, "provider": c.provider, "field": c.field,
                     "before": _json_price(c.before), "after": _json_price(c.after),
                     "change_percent": change_percent(c)} for c in r.table.changes],
        "added": [{"model": m.id, "provider": m.provider} for m in r.table.added],
        "removed": [{"model": m.id, "provider": m.provider} for m in r.table.removed],
        "history": list(r.table.history),
        "monthly_cost_before_usd": usd(r.monthly_before), "monthly_cost_after_usd": usd(r.monthly_after),
        "features": [{"feature": i.feature, "spec": i.spec_file, "models": list(i.models),
                      "monthly_cost_before_usd": None if i.before is None else usd(i.before),
                      "monthly_cost_after_usd": None if i.after is None else usd(i.after),
                      "monthly_delta_usd": None if i.delta is None else usd(i.delta),
                      "monthly_delta_percent": None if i.delta is None or i.before is None else percent(i.delta, i.before),
                      "error": i.error} for i in r.impacts],
    }


def to_json(r: PricingDiff) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "kind": "pricing-diff", **pricing_dict(r)}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


FORMATS = {"table": to_table, "json": to_json, "markdown": to_markdown}
