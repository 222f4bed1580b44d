"""Aliases of models: parsing a model's ``aliases:`` and merging them across layers.

An alias is plain (``mistral-large-3``: one model's other name) or dated
(``{name: mistral-large-latest, since: 2025-12-02}``): the same dated name on several
models is a moving name's history, resolved by ``PriceTable.model(name, as_of=day)``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import replace
from typing import Any

from ..fields import Fields, where
from ..yamlio import Doc, DocPath
from .model import Model

ALIAS_KEYS = ("name", "since")
"""A dated alias: ``{name: mistral-large-latest, since: 2025-12-02}``."""

Names = tuple[dict[str, str], dict[str, dict[_dt.date, str]]]
"""The aliases merged so far: undated alias -> model id, dated alias -> since -> model id."""


def parse(doc: Doc, path: DocPath, raw: Any) -> tuple[tuple[str, ...], tuple[tuple[str, _dt.date], ...]]:
    """A model's ``aliases:``: names, each plain (``mistral-large-3``) or dated
    (``{name: mistral-large-latest, since: 2025-12-02}``: the name means this model from
    that day). Returns every name, and the dated ones with their day."""
    if not isinstance(raw, list):
        raise doc.error(path, "aliases must be a list of names",
                        "write aliases: [name-1, {name: name-latest, since: 2025-12-02}]")
    f = Fields(doc)
    names: list[str] = []
    dated: list[tuple[str, _dt.date]] = []
    for j, a in enumerate(raw):
        at = path + (j,)
        if isinstance(a, dict):
            a = f.mapping(at, a, allowed=ALIAS_KEYS, required=("name", "since"))
            name = f.ident(at + ("name",), a["name"])
            dated.append((name, f.day(at + ("since",), a["since"])))
        else:
            name = f.ident(at, a)
        if name in names:
            raise doc.error(at, f"alias {name!r} is listed twice in {where(path)}", "list each alias once")
        names.append(name)
    return tuple(names), tuple(dated)


def claim(doc: Doc, path: DocPath, m: Model, models: dict, names: Names) -> None:
    """Enter the aliases of ``m`` (at ``path``) on top of what earlier layers defined."""
    aliases, dated = names
    for j, alias in enumerate(m.aliases):
        if alias in models:
            raise doc.error(path + ("aliases", j),
                            f"alias {alias!r} of {m.id!r} collides with model id "
                            f"{alias!r} ({models[alias].file}:{models[alias].line})",
                            "remove the alias or rename one of them")
        since = m.since_of(alias)
        if since is None:
            if alias in dated or aliases.get(alias, m.id) != m.id:
                drop(models, names, alias)  # a later layer claims the name
            aliases[alias] = m.id
            continue
        if alias in aliases:  # a dated history replaces an earlier undated claim
            drop(models, names, alias)
        history = dated.setdefault(alias, {})
        before = history.get(since)
        if before is not None and before != m.id:  # a later layer takes over that day
            _unlist(models, before, alias)
        history[since] = m.id


def forget(old: Model, names: Names) -> None:
    """Remove the alias entries of a model that a later layer replaces."""
    aliases, dated = names
    for alias in old.aliases:
        if aliases.get(alias) == old.id:
            del aliases[alias]
        history = dated.get(alias, {})
        for since in [d for d, mid in history.items() if mid == old.id]:
            del history[since]
        if alias in dated and not history:
            del dated[alias]


def drop(models: dict, names: Names, alias: str) -> None:
    """Remove every entry of ``alias``, undated or dated, from the table and its owners."""
    aliases, dated = names
    owners = [aliases.pop(alias)] if alias in aliases else []
    owners += list(dated.pop(alias, {}).values())
    for mid in dict.fromkeys(owners):
        _unlist(models, mid, alias)


def _unlist(models: dict, mid: str, alias: str) -> None:
    owner = models[mid]
    models[mid] = replace(owner, aliases=tuple(a for a in owner.aliases if a != alias),
                          alias_since=tuple((a, d) for a, d in owner.alias_since if a != alias))
