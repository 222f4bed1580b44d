"""Rules for price files beyond single fields: rate sanity, ordering, lifecycle, names.

Every failure is a ``CostgateError`` pointing at the offending key's line, with the fix
in the hint. The loader applies these while reading; ``validate`` adds stricter lint.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Mapping, Sequence

from ..fields import Fields, where
from ..yamlio import Doc, DocPath
from .model import EFFORTS, RATE_KEYS, Effort, Rates

MAX_REASONING_TOKENS = 1_000_000
"""The most mean reasoning tokens per request a price file may state (models write at
most ~128k output tokens a request today): a larger figure is a typo."""


def rates(doc: Doc, path: DocPath, value: dict, *, kind: str) -> Rates:
    """The rate keys of a price period or tier, parsed, with sanity checks."""
    out = {key: Fields(doc).price(path + (key,), value[key]) if key in value else None
           for key in RATE_KEYS}
    if out["input"] is None:
        raise doc.error(path, f"missing required key 'input' in {where(path)}",
                        "add \"input: '1.00'\" (USD per 1M tokens)")
    if out["output"] is None and kind == "chat":
        raise doc.error(path, f"missing required key 'output' in {where(path)}",
                        "chat models need an output price; only kind: embedding may omit it")
    if out["cached_input"] is not None and out["cached_input"] > out["input"]:
        raise doc.error(path + ("cached_input",),
                        f"cached_input {out['cached_input']} is more than input {out['input']} "
                        f"in {where(path)}", "a cache read is never dearer than a normal read: "
                        "check that the two are not swapped")
    return Rates(**out)  # type: ignore[arg-type]  # input is checked above


def reasoning_tokens(doc: Doc, path: DocPath, tokens: Mapping[Effort, int],
                     context_window: int | None) -> None:
    """``reasoning.effort_tokens`` (already integers >= 0, in ``EFFORTS`` order): more
    effort never means fewer tokens, and a request's reasoning fits its context window."""
    limit, what = ((context_window, f"the context window {context_window:,}") if context_window
                   else (MAX_REASONING_TOKENS, f"{MAX_REASONING_TOKENS:,}"))
    previous: tuple[str, int] | None = None
    for effort in (e for e in EFFORTS if e in tokens):
        n, key = tokens[effort], path + (effort,)
        if n > limit:
            raise doc.error(key, f"{where(key)} {n:,} is more than {what}",
                            "effort_tokens are mean reasoning tokens per request, which fit in "
                            "one request's context window")
        if previous is not None and n < previous[1]:
            raise doc.error(key, f"{where(key)} {n:,} is less than {previous[0]} {previous[1]:,}",
                            "more effort never means fewer reasoning tokens: check that the "
                            "figures are not swapped")
        previous = (effort, n)


def ascending_dates(doc: Doc, path: DocPath, dates: list[_dt.date]) -> None:
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            raise doc.error(path + (i, "since"),
                            f"{where(path + (i,))}.since {dates[i]} is not after the previous "
                            f"period's {dates[i - 1]}",
                            "list price periods oldest first, each with a later 'since' date")


def ascending_tiers(doc: Doc, path: DocPath, aboves: list[int]) -> None:
    for i in range(1, len(aboves)):
        if aboves[i] <= aboves[i - 1]:
            raise doc.error(path + (i, "above"),
                            f"{where(path + (i,))}.above {aboves[i]} is not greater than the "
                            f"previous tier's {aboves[i - 1]}",
                            "list tiers in ascending order of 'above'")


def lifecycle(doc: Doc, path: DocPath, deprecated: _dt.date | None,
              retired: _dt.date | None) -> None:
    if deprecated and retired and retired < deprecated:
        raise doc.error(path + ("retired",),
                        f"{where(path)}.retired {retired} is before deprecated {deprecated}",
                        "a model is deprecated first, then retired")


def unique_names(files: Sequence[Any]) -> None:
    """Within one layer every id and alias names exactly one model, across all its files
    (each file: ``.doc``, ``.models`` and ``.model_paths`` as in ``pricing.ParsedFile``)."""
    owner: dict[str, tuple[str, Doc, DocPath]] = {}  # name -> (model id, doc, path)

    def loc(doc: Doc, path: DocPath) -> str:
        return f"{doc.file}:{doc.line(path)}"

    for pf in files:  # ids first, so an alias can be checked against every id of the layer
        for m in pf.models:
            path = pf.model_paths[m.id] + ("id",)
            if m.id in owner:
                raise pf.doc.error(path, f"duplicate model id {m.id!r} (also in "
                                   f"{loc(*owner[m.id][1:])})", "each model id appears once")
            owner[m.id] = (m.id, pf.doc, path)
    dated: dict[str, dict[_dt.date, tuple[str, Doc, DocPath]]] = {}  # dated alias -> since -> owner
    for pf in files:
        for m in pf.models:
            for j, alias in enumerate(m.aliases):
                path = pf.model_paths[m.id] + ("aliases", j)
                since = m.since_of(alias)
                history = dated.get(alias)
                if alias in owner:
                    other, odoc, opath = owner[alias]
                    what = "model id" if other == alias else f"alias of {other!r}"
                    hint = "remove the alias or rename one of them"
                    if since is not None and other != alias:
                        what = f"undated alias of {other!r}"
                        hint = ("a name is either one model's alias or a dated history: "
                                f"date every entry ({{name: {alias}, since: ...}}) or rename one")
                    raise pf.doc.error(path, f"alias {alias!r} of {m.id!r} collides with "
                                       f"{what} ({loc(odoc, opath)})", hint)
                if history is not None and since is None:
                    other, odoc, opath = next(iter(history.values()))
                    raise pf.doc.error(path, f"undated alias {alias!r} of {m.id!r} collides with the "
                                       f"dated alias of {other!r} ({loc(odoc, opath)})",
                                       f"date it ({{name: {alias}, since: ...}}) or rename one of them")
                if since is None:
                    owner[alias] = (m.id, pf.doc, path)
                    continue
                history = dated.setdefault(alias, {})
                if since in history:
                    other, odoc, opath = history[since]
                    raise pf.doc.error(path + ("since",), f"alias {alias!r} of {m.id!r} has the same since "
                                       f"{since} as on {other!r} ({loc(odoc, opath)})",
                                       "each model takes over a dated alias on its own day")
                history[since] = (m.id, pf.doc, path)
