"""The pull-request gate: estimate every gated spec at the base ref and at head, compare,
and decide which thresholds the change crosses.

Thresholds come from the *base* side's configuration when it has one, so a pull request
cannot loosen the gate that judges it (a change to costgate.yaml takes effect once merged).
Both sides are priced on the same day and seed, so only the change moves the numbers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Sequence

from .api import table_for
from .config import Config, Thresholds, load_config
from .errors import CostgateError
from .growth import worst_case
from .levers import suggestions as lever_suggestions
from .levers import what_if
from .money import dollars, number, percent
from .report import estimate_dict
from .simulate import DEFAULT_SEED, CallEstimate, Estimate, estimate
from .source import GitTree, WorkTree
from .spec import load_spec

ZERO = Decimal(0)


@dataclass(frozen=True)
class Crossing:
    level: str  # "fail" | "warn"
    threshold: str  # system_prompt_growth | monthly_cost_increase | monthly_budget_usd
    feature: str
    call: str | None
    before: Decimal | None
    after: Decimal
    limit: str
    message: str
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class CallDiff:
    name: str
    before: CallEstimate | None
    after: CallEstimate | None

    @property
    def status(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None else "kept"

    @property
    def monthly_delta(self) -> Decimal:
        return (self.after.monthly_cost if self.after else ZERO) - (self.before.monthly_cost if self.before else ZERO)


@dataclass(frozen=True)
class FeatureDiff:
    feature: str
    spec_file: str
    status: str  # changed | unchanged | added | removed
    before: Estimate | None
    after: Estimate | None
    calls: tuple[CallDiff, ...]
    crossings: tuple[Crossing, ...]

    @property
    def monthly_before(self) -> Decimal:
        return self.before.monthly_cost if self.before else ZERO

    @property
    def monthly_after(self) -> Decimal:
        return self.after.monthly_cost if self.after else ZERO

    @property
    def monthly_delta(self) -> Decimal:
        return self.monthly_after - self.monthly_before


@dataclass(frozen=True)
class GateResult:
    base: str
    head: str
    as_of: date
    features: tuple[FeatureDiff, ...]
    config_file: str | None = None
    suggestions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # failing feature -> top levers

    @property
    def crossings(self) -> tuple[Crossing, ...]:
        return tuple(c for f in self.features for c in f.crossings)

    @property
    def failures(self) -> tuple[Crossing, ...]:
        return tuple(c for c in self.crossings if c.level == "fail")

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def changed(self) -> bool:
        return any(f.status != "unchanged" for f in self.features)

    @property
    def monthly_before(self) -> Decimal:
        return sum((f.monthly_before for f in self.features), ZERO)

    @property
    def monthly_after(self) -> Decimal:
        return sum((f.monthly_after for f in self.features), ZERO)

    @property
    def monthly_delta(self) -> Decimal:
        return self.monthly_after - self.monthly_before


# ------------------------------------------------------------------------------ diff

def diff(
    root: Path,
    base: str,
    head: str | None = None,
    *,
    config_path: Path | None = None,
    as_of: date | None = None,
    seed: int = DEFAULT_SEED,
    sessions: int = 500,
) -> GateResult:
    """Compare every gated feature between ``base`` and ``head`` (default: working tree)."""
    root = Path(root).resolve()
    as_of = as_of or date.today()
    base_src = GitTree(root, base)
    head_src = WorkTree(root) if head is None else GitTree(root, head)
    head_cfg = load_config(root, config_path, None if head is None else lambda rel: head_src.read_text(rel))
    cfg_rel = None
    if config_path is not None:
        cfg_rel = WorkTree(root).rel(config_path) if Path(config_path).is_absolute() else Path(config_path).as_posix()
    base_cfg = _base_config(root, base_src, cfg_rel)
    gate_cfg = base_cfg if base_cfg.file else head_cfg
    before = _estimate_side(base_src, base_cfg, root, as_of, seed, sessions, "base")
    after = _estimate_side(head_src, head_cfg, root, as_of, seed, sessions, "head")
    features = []
    tips: dict[str, tuple[str, ...]] = {}
    for feature in sorted(set(before) | set(after)):
        b, a = before.get(feature), after.get(feature)
        fd = _compare(feature, b and b.estimate, a and a.estimate, gate_cfg, a)
        features.append(fd)
        if a is not None and any(c.level == "fail" for c in fd.crossings):
            tips[feature] = tuple(lever_suggestions(what_if(a.spec, a.table, a.estimate, seed=seed)))
    return GateResult(base=base, head=head or "working tree", as_of=as_of, features=tuple(features),
                      config_file=gate_cfg.file, suggestions=tips)


@dataclass(frozen=True)
class _Side:
    spec: object
    table: object
    estimate: Estimate


def _base_config(root: Path, src: GitTree, rel: str | None) -> Config:
    rel = rel or ("costgate.yaml" if src.exists("costgate.yaml") else None)
    if rel is None:
        if src.exists("pyproject.toml"):
            return load_config(root, Path("pyproject.toml"), lambda r: src.read_text(r))  # root-relative
        return Config(root=root)
    if not src.exists(rel):
        return Config(root=root)
    try:
        return load_config(root, Path(rel), lambda r: src.read_text(r))
    except CostgateError as exc:
        raise CostgateError(f"at base {src.ref}: {exc.message}", file=exc.location.file, line=exc.location.line,
                            hint=exc.hint) from None


def _estimate_side(src, cfg: Config, root: Path, as_of: date, seed: int, sessions: int,
                   role: str) -> dict[str, "_Side"]:
    label = role if isinstance(src, WorkTree) else f"{role} {src.label}"
    table = table_for(root, cfg, source=src if isinstance(src, GitTree) else None)
    out: dict[str, _Side] = {}
    files = sorted({f for pattern in cfg.specs for f in src.glob(pattern)})
    for rel in files:
        try:
            spec = load_spec(rel if isinstance(src, GitTree) else root / rel, src)
            est = estimate(spec, table, as_of=as_of, seed=seed, sessions=sessions)
        except CostgateError as exc:
            if isinstance(src, GitTree):
                raise CostgateError(f"at {label}: {exc.message}", file=exc.location.file,
                                    line=exc.location.line, hint=exc.hint) from None
            raise
        if spec.feature in out:
            raise CostgateError(f"feature {spec.feature!r} is declared twice ({out[spec.feature].estimate.spec_file} "
                                f"and {rel})", file=rel, hint="feature ids must be unique in a repository")
        out[spec.feature] = _Side(spec, table, est)
    return out


def _comparable(e: Estimate) -> dict:
    d = estimate_dict(e)
    d.pop("spec", None)
    return d


def _compare(feature: str, before: Estimate | None, after: Estimate | None, cfg: Config,
             head: "_Side | None" = None) -> FeatureDiff:
    spec_file = (after or before).spec_file
    if before is None:
        status = "added"
    elif after is None:
        status = "removed"
    else:
        status = "unchanged" if _comparable(before) == _comparable(after) else "changed"
    names = list(dict.fromkeys([c.name for c in (before.calls if before else ())] +
                               [c.name for c in (after.calls if after else ())]))
    calls = tuple(CallDiff(n, _call(before, n), _call(after, n)) for n in names)
    crossings: list[Crossing] = []
    if status in ("changed", "added"):
        for level, thresholds in (("fail", cfg.for_feature(feature)), ("warn", cfg.for_feature(feature, warn=True))):
            crossings += _feature_crossings(level, feature, before, after, thresholds, cfg, calls)
        worst = worst_case(head.spec, after, head.table, after.as_of) if head is not None else None
        if worst is not None and worst.over_budget:
            crossings.append(Crossing(
                "fail", "worst_case_usd", feature, None, None, worst.monthly, dollars(worst.budget),
                f"worst case of {feature} is {dollars(worst.monthly)}/month if every user hits the limits "
                f"({number(worst.calls_per_user_per_day)} calls/day at {dollars(worst.cost_per_call, True)}), "
                f"over its {dollars(worst.budget)} worst-case budget",
                file=after.spec_file, line=1))
    return FeatureDiff(feature, spec_file, status, before, after, calls, tuple(crossings))


def _call(e: Estimate | None, name: str) -> CallEstimate | None:
    if e is None:
        return None
    return next((c for c in e.calls if c.name == name), None)


def _growth(before: Decimal, after: Decimal) -> str:
    d = after - before
    pct = percent(d, before)
    return f"{'+' if d >= 0 else ''}{number(d)}" + (f", {'+' if d >= 0 else ''}{pct}%" if pct else "")


def _feature_crossings(level: str, feature: str, before: Estimate | None, after: Estimate, t: Thresholds,
                       cfg: Config, calls: Sequence[CallDiff]) -> list[Crossing]:
    out: list[Crossing] = []
    for cd in calls:
        if cd.before is None or cd.after is None:
            continue
        limit = (cfg.for_call(feature, cd.name) if level == "fail" else t).system_prompt_growth
        b, a = Decimal(cd.before.system_tokens), Decimal(cd.after.system_tokens)
        if limit and limit.crossed(b, a):
            out.append(Crossing(
                level, "system_prompt_growth", feature, cd.name, b, a, limit.describe("tokens"),
                f"system prompt of {feature}/{cd.name} grew from {number(b)} to {number(a)} tokens "
                f"({_growth(b, a)}), over the {limit.describe('tokens')} limit",
                file=cd.after.system_file or after.spec_file, line=1 if cd.after.system_file != after.spec_file else cd.after.line))
    if before is not None and t.monthly_cost_increase and t.monthly_cost_increase.crossed(before.monthly_cost, after.monthly_cost):
        lim = t.monthly_cost_increase
        d = after.monthly_cost - before.monthly_cost
        out.append(Crossing(
            level, "monthly_cost_increase", feature, None, before.monthly_cost, after.monthly_cost, lim.describe("usd"),
            f"projected monthly cost of {feature} rose from {dollars(before.monthly_cost)} to {dollars(after.monthly_cost)} "
            f"(+{dollars(d)}, +{percent(d, before.monthly_cost) or 'inf'}%), over the {lim.describe('usd')} limit",
            file=after.spec_file, line=1))
    budget = t.monthly_budget_usd
    if budget is None and level == "fail":
        budget = after.budget_monthly_usd
    grew = before is None or after.monthly_cost > before.monthly_cost  # decreases never fail
    if budget is not None and after.monthly_cost > budget and grew:
        out.append(Crossing(
            level, "monthly_budget_usd", feature, None, None if before is None else before.monthly_cost,
            after.monthly_cost, dollars(budget),
            f"projected monthly cost of {feature} is {dollars(after.monthly_cost)}, over its {dollars(budget)} budget"
            + (" (new feature)" if before is None else ""),
            file=after.spec_file, line=1))
    return out


def annotations(result: GateResult) -> list[str]:
    """GitHub workflow commands pointing at the file behind each crossed threshold."""
    lines = []
    for c in result.crossings:
        props = [f"file={_escape_property(c.file)}"] if c.file else []
        if c.file and c.line:
            props.append(f"line={c.line}")
        props.append(f"title={_escape_property('costgate ' + c.threshold)}")
        msg = c.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        lines.append(f"::{'error' if c.level == 'fail' else 'warning'} {','.join(props)}::{msg}")
    return lines


def _escape_property(value: str) -> str:
    """Escape a workflow-command property as GitHub's toolkit does."""
    return (value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            .replace(":", "%3A").replace(",", "%2C"))


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def ci_base_ref() -> str:
    """The base to compare against in CI: the PR's base SHA from the event, else
    origin/$GITHUB_BASE_REF, else origin/main."""
    import json

    event = os.environ.get("GITHUB_EVENT_PATH")
    if event and Path(event).is_file():
        try:
            data = json.loads(Path(event).read_text(encoding="utf-8"))
            sha = data.get("pull_request", {}).get("base", {}).get("sha")
            if sha:
                return sha
        except (OSError, ValueError):
            pass
    ref = os.environ.get("GITHUB_BASE_REF")
    if ref:
        return f"origin/{ref}"
    raise CostgateError("no base ref: not a pull request build",
                        hint="pass --base REF, or run `costgate check` in a pull_request workflow")


__all__ = ["diff", "GateResult", "FeatureDiff", "CallDiff", "Crossing", "annotations", "ci_base_ref"]
