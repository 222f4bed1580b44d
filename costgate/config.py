"""The repository's gate configuration: ``costgate.yaml`` or ``[tool.costgate]``.

Which specs to gate, which pricing layers to use, and the thresholds, globally with
per-feature and per-call overrides. Without any config the defaults below apply, so a
team can try ``costgate diff`` before writing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from .errors import CostgateError, suggest
from .yamlio import Doc, loads

DEFAULT_SPECS = ("**/*.costgate.yaml",)


@dataclass(frozen=True)
class Limit:
    """Crossed when the increase exceeds either the percentage or the absolute amount."""

    percent: Decimal | None = None
    amount: Decimal | None = None  # tokens or USD, by threshold

    def crossed(self, before: Decimal, after: Decimal) -> bool:
        growth = after - before
        if growth <= 0:
            return False
        if self.amount is not None and growth > self.amount:
            return True
        if self.percent is not None:
            if before == 0:
                return True
            return growth * 100 / before > self.percent
        return False

    def describe(self, unit: str) -> str:
        parts = []
        if self.percent is not None:
            parts.append(f"{self.percent}%")
        if self.amount is not None:
            parts.append(f"${self.amount}" if unit == "usd" else f"{self.amount} tokens")
        return " or ".join(parts)


@dataclass(frozen=True)
class Thresholds:
    system_prompt_growth: Limit | None = None
    monthly_cost_increase: Limit | None = None
    monthly_budget_usd: Decimal | None = None

    def merged(self, other: "Thresholds") -> "Thresholds":
        return Thresholds(
            system_prompt_growth=other.system_prompt_growth or self.system_prompt_growth,
            monthly_cost_increase=other.monthly_cost_increase or self.monthly_cost_increase,
            monthly_budget_usd=other.monthly_budget_usd if other.monthly_budget_usd is not None else self.monthly_budget_usd,
        )


DEFAULT_THRESHOLDS = Thresholds(
    system_prompt_growth=Limit(Decimal(10), Decimal(200)),
    monthly_cost_increase=Limit(Decimal(20), Decimal(500)),
)


@dataclass(frozen=True)
class Config:
    root: Path
    file: str | None = None
    specs: tuple[str, ...] = DEFAULT_SPECS
    pricing: tuple[str, ...] = ()  # repository-relative override layers, in order
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    warn: Thresholds = Thresholds()
    features: Mapping[str, Thresholds] = field(default_factory=dict)
    calls: Mapping[tuple[str, str], Thresholds] = field(default_factory=dict)

    def for_feature(self, feature: str, warn: bool = False) -> Thresholds:
        base = self.warn if warn else self.thresholds
        return base if warn else base.merged(self.features.get(feature, Thresholds()))

    def for_call(self, feature: str, call: str) -> Thresholds:
        return self.for_feature(feature).merged(self.calls.get((feature, call), Thresholds()))


TOP = {"specs", "pricing", "thresholds", "warn", "features"}
THRESHOLD_KEYS = {"system_prompt_growth", "monthly_cost_increase", "monthly_budget_usd"}


def load_config(root: Path, path: Path | None = None, read_text=None) -> Config:
    """Read ``path``, else ``root/costgate.yaml``, else ``[tool.costgate]`` in
    ``root/pyproject.toml``, else defaults. ``read_text(rel)`` reads repo-relative files
    (a git ref for the base side); default: the working tree."""
    root = Path(root)
    read = read_text or (lambda rel: (root / rel).read_text(encoding="utf-8"))
    exists = (lambda rel: (root / rel).is_file()) if read_text is None else _exists_via(read)
    if path is not None:
        p = Path(path)
        if p.is_absolute():
            try:
                rel = p.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                raise CostgateError(f"config file {path} is outside the repository ({root})") from None
        else:
            rel = p.as_posix()  # relative to the repository root
        if not exists(rel):
            raise CostgateError(f"config file not found: {path}")
        if rel.endswith(".toml"):
            return _from_toml(root, rel, read(rel))
        return _from_doc(root, loads(read(rel), rel))
    if exists("costgate.yaml"):
        return _from_doc(root, loads(read("costgate.yaml"), "costgate.yaml"))
    if exists("pyproject.toml"):
        return _from_toml(root, "pyproject.toml", read("pyproject.toml"))
    return Config(root=root)


def _exists_via(read):
    def exists(rel: str) -> bool:
        try:
            read(rel)
            return True
        except (CostgateError, FileNotFoundError):
            return False
    return exists


def _from_toml(root: Path, rel: str, text: str) -> Config:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CostgateError(f"invalid TOML: {exc}", file=rel) from None
    section = data.get("tool", {}).get("costgate")
    if section is None:
        return Config(root=root)
    doc = Doc(data=_decimalize(section), file=rel)
    return _from_doc(root, doc)


def _decimalize(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _decimalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimalize(v) for v in value]
    return value


def _from_doc(root: Path, doc: Doc) -> Config:
    data = doc.data or {}
    if not isinstance(data, dict):
        raise doc.error((), "config must be a mapping")
    _keys(doc, data, (), TOP)
    specs = data.get("specs", list(DEFAULT_SPECS))
    if isinstance(specs, str):
        specs = [specs]
    if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs) or not specs:
        raise doc.error(("specs",), "specs must be a list of glob patterns such as '**/*.costgate.yaml'")
    pricing = data.get("pricing", [])
    if isinstance(pricing, str):
        pricing = [pricing]
    if not isinstance(pricing, list) or not all(isinstance(s, str) for s in pricing):
        raise doc.error(("pricing",), "pricing must be a path or a list of paths (directories or .yaml files)")
    features: dict[str, Thresholds] = {}
    calls: dict[tuple[str, str], Thresholds] = {}
    for name, fcfg in (data.get("features") or {}).items():
        p = ("features", name)
        if not isinstance(fcfg, dict):
            raise doc.error(p, f"features.{name} must be a mapping of thresholds")
        _keys(doc, fcfg, p, THRESHOLD_KEYS | {"calls"})
        features[name] = _thresholds(doc, {k: v for k, v in fcfg.items() if k != "calls"}, p)
        for call, ccfg in (fcfg.get("calls") or {}).items():
            calls[(name, call)] = _thresholds(doc, ccfg, p + ("calls", call))
    return Config(
        root=root, file=doc.file, specs=tuple(specs), pricing=tuple(pricing),
        thresholds=DEFAULT_THRESHOLDS if "thresholds" not in data else _thresholds(doc, data["thresholds"], ("thresholds",)),
        warn=_thresholds(doc, data.get("warn") or {}, ("warn",)),
        features=features, calls=calls,
    )


def _keys(doc: Doc, value: dict, path, allowed: set[str]) -> None:
    for key in value:
        if key not in allowed:
            raise doc.error(path + (key,), f"unknown key {key!r}",
                            suggest(key, sorted(allowed)) or f"allowed: {', '.join(sorted(allowed))}")


def _num(doc: Doc, value, path) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value < 0:
        raise doc.error(path, f"{'.'.join(map(str, path))} must be a non-negative number, got {value!r}")
    return Decimal(value)


def _thresholds(doc: Doc, value, path) -> Thresholds:
    if value is None:
        return Thresholds()
    if not isinstance(value, dict):
        raise doc.error(path, "thresholds must be a mapping")
    _keys(doc, value, path, THRESHOLD_KEYS)

    def limit(key: str, amount_key: str) -> Limit | None:
        v = value.get(key)
        if v is None:
            return None
        if not isinstance(v, dict):
            raise doc.error(path + (key,), f"{key} takes {{percent: N, {amount_key}: N}}")
        _keys(doc, v, path + (key,), {"percent", amount_key})
        return Limit(percent=None if "percent" not in v else _num(doc, v["percent"], path + (key, "percent")),
                     amount=None if amount_key not in v else _num(doc, v[amount_key], path + (key, amount_key)))

    budget = value.get("monthly_budget_usd")
    return Thresholds(
        system_prompt_growth=limit("system_prompt_growth", "tokens"),
        monthly_cost_increase=limit("monthly_cost_increase", "usd"),
        monthly_budget_usd=None if budget is None else _num(doc, budget, path + ("monthly_budget_usd",)),
    )
