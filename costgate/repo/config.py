"""The repository's costgate configuration: ``costgate.yaml`` or ``[tool.costgate]``.

Which specs to gate (``specs:`` globs), which pricing layers to use, and the thresholds,
globally with per-feature and per-call overrides. It lives with the repository view
because it decides what the view discovers and which price layers it reads; the gate
only consumes its thresholds. Without any config the defaults below apply, so a team can
try ``costgate diff`` before writing one.
"""

from __future__ import annotations

import posixpath
import re
import sys
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Literal, Mapping

from ..errors import CostgateError
from ..fields import Fields
from ..limits import DEFAULT_LIMITS, WorkLimits
from ..limits import LIMIT_KEYS as WORK_LIMIT_KEYS
from ..limits import MAXIMA as LIMIT_MAXIMA
from ..yamlio import Doc, DocPath, loads
from .paths import check_pattern, normalise
from .source import Source, read_text

DEFAULT_SPECS = ("**/*.costgate.yaml",)
CONFIG_FILE = "costgate.yaml"
PYPROJECT = "pyproject.toml"


LimitMode = Literal["any", "all"]
"""How a growth limit's percentage and amount combine: crossed when growth exceeds
either (``any``, the default) or both (``all``)."""
LIMIT_MODES: tuple[LimitMode, ...] = ("any", "all")


@dataclass(frozen=True)
class Limit:
    """A growth limit (the gate's ``compare.crossed`` applies it): growth beyond the
    percentage or the amount (``mode: any``), or beyond both (``mode: all``), of the
    ones set."""

    percent: Decimal | None = None
    amount: Decimal | None = None
    """Tokens or USD, by threshold."""
    mode: LimitMode = "any"
    """``all`` lets a team say "fail at +10% *and* +200 tokens": a small prompt may double
    and a large one may grow by many tokens without failing, only both together do."""
    min_monthly_usd: Decimal | None = None
    """A floor on what the growth costs: when the feature's monthly cost rises by less
    than this (USD, at cents), a failing crossing is reported as a warning instead. Growth
    that costs pennies is not worth a red check."""


@dataclass(frozen=True)
class Thresholds:
    system_prompt_growth: Limit | None = None
    """Growth of a call's system prompt as written (its static text), in tokens."""
    tool_definitions_growth: Limit | None = None
    """Growth of a call's tool definitions, in tokens (billed with every request)."""
    monthly_cost_increase: Limit | None = None
    monthly_budget_usd: Decimal | None = None
    calibration_drift: Decimal | None = None
    """Percent: a calibrated spec's projection may move this far from the projection its
    calibration recorded (``projected_monthly_usd``) before the gate fails."""
    new_feature_system_prompt_tokens: Decimal | None = None
    """A feature the pull request adds may not have a system prompt over this size."""
    new_feature_monthly_usd: Decimal | None = None
    """A feature the pull request adds may not cost more than this a month."""
    retired_model: bool | None = None
    """Moving a feature onto a model retired on the price day fails the gate (None: on)."""
    deprecated_model: bool | None = None
    """Moving a feature onto a deprecated model is a warning (None: on)."""

    def merged(self, other: Thresholds) -> Thresholds:
        """``other``'s values where it sets them, else ours."""
        values = {f.name: getattr(other, f.name) if getattr(other, f.name) is not None else getattr(self, f.name)
                  for f in fields(Thresholds)}
        return Thresholds(**values)


DEFAULT_THRESHOLDS = Thresholds(
    system_prompt_growth=Limit(Decimal(10), Decimal(200)),
    monthly_cost_increase=Limit(Decimal(20), Decimal(500)),
    new_feature_system_prompt_tokens=Decimal(8_000),
    new_feature_monthly_usd=Decimal(10_000),
)


NEW_FEATURE_DEFAULTS = Thresholds(
    new_feature_system_prompt_tokens=DEFAULT_THRESHOLDS.new_feature_system_prompt_tokens,
    new_feature_monthly_usd=DEFAULT_THRESHOLDS.new_feature_monthly_usd,
)
"""New features are held to absolute limits even where a config replaces the thresholds."""


@dataclass(frozen=True)
class Config:
    file: str | None = None
    """Repository-relative path of the file read, or None for the built-in defaults."""
    specs: tuple[str, ...] = DEFAULT_SPECS
    pricing: tuple[str, ...] = ()
    """Repository-relative override layers, in order."""
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    warn: Thresholds = Thresholds()
    features: Mapping[str, Thresholds] = field(default_factory=dict)
    calls: Mapping[tuple[str, str], Thresholds] = field(default_factory=dict)
    limits: WorkLimits = DEFAULT_LIMITS
    """Bounds on the work one run may do (see ``costgate.limits``)."""

    def for_feature(self, feature: str, warn: bool = False) -> Thresholds:
        if warn:
            return self.warn
        return self.thresholds.merged(self.features.get(feature, Thresholds()))

    def for_call(self, feature: str, call: str) -> Thresholds:
        return self.for_feature(feature).merged(self.calls.get((feature, call), Thresholds()))


TOP_KEYS = ("specs", "pricing", "thresholds", "warn", "features", "limits")
THRESHOLD_KEYS = ("system_prompt_growth", "tool_definitions_growth", "monthly_cost_increase", "monthly_budget_usd",
                  "calibration_drift", "new_feature")
NEW_FEATURE_KEYS = ("system_prompt_tokens", "monthly_usd")
LIFECYCLE_KEYS = ("retired_model", "deprecated_model")
"""Switches (true by default) for the model-lifecycle checks: only under ``thresholds:``
and ``features.<id>:`` (they are not limits, so ``warn:`` and per-call tables lack them)."""
FEATURE_KEYS = THRESHOLD_KEYS + LIFECYCLE_KEYS + ("calls",)
LIMIT_AMOUNTS = {"system_prompt_growth": "tokens", "tool_definitions_growth": "tokens", "monthly_cost_increase": "usd"}
"""Each growth limit and the key of its absolute amount (its unit)."""
LIMIT_OPTIONS = ("mode", "min_monthly_usd")
"""Keys every growth limit takes besides ``percent`` and its amount."""
LIMIT_KEYS = {k: ("percent", amount) + LIMIT_OPTIONS for k, amount in LIMIT_AMOUNTS.items()}


def _threshold_tables(at: str, extra: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    return {at: THRESHOLD_KEYS + extra, **{f"{at}.{k}": v for k, v in LIMIT_KEYS.items()}, f"{at}.new_feature": NEW_FEATURE_KEYS}


# Allowed keys per mapping, by schema path ("*" is any key): what the JSON Schema test
# compares with config.schema.json at every nesting level.
KEYS: dict[str, tuple[str, ...]] = {
    "": TOP_KEYS, **_threshold_tables("thresholds", LIFECYCLE_KEYS), **_threshold_tables("warn"),
    **_threshold_tables("features.*"), "features.*": FEATURE_KEYS, **_threshold_tables("features.*.calls.*"),
    "limits": WORK_LIMIT_KEYS,
}


def load_config(src: Source, path: str | None = None) -> Config:
    """Read repository-relative ``path``, else ``costgate.yaml``, else ``[tool.costgate]``
    in ``pyproject.toml``, else the defaults; all from ``src`` (a ref or the work tree)."""
    if path is not None:
        if not src.exists(path):
            raise CostgateError(f"config file not found: {path}")
        rel = path
    elif src.exists(CONFIG_FILE):
        rel = CONFIG_FILE
    elif src.exists(PYPROJECT):
        rel = PYPROJECT
    else:
        return Config()
    text = read_text(src, rel)
    if rel.endswith(".toml"):
        return _from_toml(rel, text)
    return _from_doc(loads(text, rel))


def discover_config(src: Source, start: str) -> str | None:
    """The config nearest to repository-relative folder ``start``: ``costgate.yaml``, else
    a ``pyproject.toml`` with a ``[tool.costgate]`` table, in ``start`` and then each
    parent folder below the root; None when only the root is left (``load_config`` then
    reads the root's, or the defaults). Paths inside any config are repository-relative."""
    folder = normalise(start) if start not in ("", ".") else None
    while folder and folder != ".":
        for name in (CONFIG_FILE, PYPROJECT):
            rel = f"{folder}/{name}"
            if src.exists(rel) and (name == CONFIG_FILE or _has_section(src, rel)):
                return rel
        folder = posixpath.dirname(folder)
    return None


def _has_section(src: Source, rel: str) -> bool:
    try:
        text = read_text(src, rel)
    except CostgateError:
        return True  # unreadable: loading it says why
    return re.search(r"^\s*\[\s*tool\s*\.\s*costgate\s*[\].]", text, re.MULTILINE) is not None


def _from_toml(rel: str, text: str) -> Config:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CostgateError(f"invalid TOML: {exc}", file=rel) from None
    tool = data.get("tool")
    section = tool.get("costgate") if isinstance(tool, dict) else None
    if section is None:
        return Config()
    if not isinstance(section, dict):
        raise CostgateError("[tool.costgate] must be a table", file=rel, hint="write [tool.costgate] followed by keys")
    return _from_doc(Doc(data=_decimalize(section), file=rel))


def _decimalize(value: Any) -> Any:
    if isinstance(value, float):  # nan and inf stay floats, which every number check refuses
        return Decimal(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else value
    if isinstance(value, dict):
        return {k: _decimalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimalize(v) for v in value]
    return value


def _strings(f: Fields, data: dict, key: str, default: list[str], message: str) -> list[str]:
    value = data.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise f.error((key,), message)
    return value


def _from_doc(doc: Doc) -> Config:
    f = Fields(doc, top="config")
    data = f.mapping((), doc.data if doc.data is not None else {}, TOP_KEYS)
    specs = _strings(f, data, "specs", list(DEFAULT_SPECS),
                     "specs must be a list of glob patterns such as '**/*.costgate.yaml'")
    if not specs:
        raise f.error(("specs",), "specs must be a list of glob patterns such as '**/*.costgate.yaml'")
    for i, pattern in enumerate(specs):
        try:
            check_pattern(pattern)
        except CostgateError as exc:
            raise f.error(("specs", i), exc.message, exc.hint) from None
    pricing = _strings(f, data, "pricing", [], "pricing must be a path or a list of paths (directories or .yaml files)")
    features: dict[str, Thresholds] = {}
    calls: dict[tuple[str, str], Thresholds] = {}
    raw_features = data.get("features") or {}
    if not isinstance(raw_features, dict):
        raise f.error(("features",), "features must map a feature id to its thresholds")
    for name, fcfg in raw_features.items():
        p: DocPath = ("features", name)
        fcfg = f.mapping(p, fcfg, FEATURE_KEYS)
        features[name] = _thresholds(f, {k: v for k, v in fcfg.items() if k != "calls"}, p, lifecycle=True)
        raw_calls = fcfg.get("calls") or {}
        if not isinstance(raw_calls, dict):
            raise f.error(p + ("calls",), "calls must map a call name to its thresholds")
        for call, ccfg in raw_calls.items():
            calls[(name, call)] = _thresholds(f, ccfg, p + ("calls", call))
    return Config(
        file=doc.file, specs=tuple(specs), pricing=tuple(pricing),
        thresholds=DEFAULT_THRESHOLDS if "thresholds" not in data
        else NEW_FEATURE_DEFAULTS.merged(_thresholds(f, data["thresholds"], ("thresholds",), lifecycle=True)),
        warn=_thresholds(f, data.get("warn") or {}, ("warn",)),
        features=features, calls=calls, limits=_limits(f, data.get("limits")),
    )


def _limits(f: Fields, value: Any) -> WorkLimits:
    if value is None:
        return DEFAULT_LIMITS
    value = f.mapping(("limits",), value, WORK_LIMIT_KEYS)
    return DEFAULT_LIMITS.with_overrides({
        k: int(f.number(("limits", k), v, integer=True, positive=True, maximum=Decimal(LIMIT_MAXIMA[k])))
        for k, v in value.items()})


def _limit(f: Fields, value: Any, path: DocPath, key: str) -> Limit:
    """One growth limit: ``{percent, <amount>, mode, min_monthly_usd}``."""
    amount_key = LIMIT_AMOUNTS[key]
    v = f.mapping(path, value, LIMIT_KEYS[key])
    n = {k: f.number(path + (k,), v[k]) for k in ("percent", amount_key, "min_monthly_usd") if k in v}
    if ("mode" in v or "min_monthly_usd" in v) and "percent" not in n and amount_key not in n:
        raise f.error(path, f"{f.where(path)} sets {' and '.join(k for k in LIMIT_OPTIONS if k in v)} but neither "
                            f"percent nor {amount_key}, so it could never be crossed",
                      f"add percent: or {amount_key}:, or write {key}: {{}} to switch the check off")
    return Limit(percent=n.get("percent"), amount=n.get(amount_key),
                 mode=f.choice(path + ("mode",), v["mode"], LIMIT_MODES) if "mode" in v else "any",
                 min_monthly_usd=n.get("min_monthly_usd"))


def _thresholds(f: Fields, value: Any, path: DocPath, lifecycle: bool = False) -> Thresholds:
    if value is None:
        return Thresholds()
    value = f.mapping(path, value, THRESHOLD_KEYS + (LIFECYCLE_KEYS if lifecycle else ()))
    switches: dict[str, bool | None] = {k: None for k in LIFECYCLE_KEYS}
    for k in LIFECYCLE_KEYS:
        if value.get(k) is not None:
            if not isinstance(value[k], bool):
                raise f.error(path + (k,), f"{f.where(path + (k,))} must be true or false, got {value[k]!r}",
                              f"write {k}: false to switch the check off (it is on by default)")
            switches[k] = value[k]
    limits = {k: None if value.get(k) is None else _limit(f, value[k], path + (k,), k) for k in LIMIT_AMOUNTS}
    budget, drift = value.get("monthly_budget_usd"), value.get("calibration_drift")
    new = f.mapping(path + ("new_feature",), value.get("new_feature") or {}, NEW_FEATURE_KEYS)
    new_limit = {k: None if new.get(k) is None else f.number(path + ("new_feature", k), new[k]) for k in NEW_FEATURE_KEYS}
    return Thresholds(
        **limits,
        monthly_budget_usd=None if budget is None else f.number(path + ("monthly_budget_usd",), budget),
        calibration_drift=None if drift is None else f.number(path + ("calibration_drift",), drift),
        new_feature_system_prompt_tokens=new_limit["system_prompt_tokens"],
        new_feature_monthly_usd=new_limit["monthly_usd"],
        retired_model=switches["retired_model"], deprecated_model=switches["deprecated_model"],
    )
