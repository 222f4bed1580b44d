"""The feature spec: what LLM calls one user session makes, and how much traffic.

The domain records only; reading and validating a file is ``spec.loader``'s job.
Closed sets are ``Literal`` types whose values double as the loader's allowed values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Mapping, NamedTuple, get_args

from ..limits import DEFAULT_LIMITS, WorkLimits

SPEC_VERSION = 1
HistoryPolicy = Literal["none", "full", "window", "tokens", "summary"]
CacheTTL = Literal["5m", "1h"]
Latency = Literal["interactive", "offline"]
CallKind = Literal["chat", "embedding"]
Effort = Literal["minimal", "low", "medium", "high", "xhigh"]
Detail = Literal["low", "high", "auto"]
StepLaw = Literal["fixed", "negative_binomial", "geometric"]
CALL_KINDS: tuple[CallKind, ...] = get_args(CallKind)
EFFORTS: tuple[Effort, ...] = get_args(Effort)
DETAILS: tuple[Detail, ...] = get_args(Detail)
STEP_LAWS: tuple[StepLaw, ...] = get_args(StepLaw)
CACHE_TTLS: tuple[CacheTTL, ...] = get_args(CacheTTL)
LATENCIES: tuple[Latency, ...] = get_args(Latency)
ZERO, ONE = Decimal(0), Decimal(1)


TemplateFormat = Literal["jinja2", "format", "mustache", "handlebars"]
TEMPLATE_FORMATS: tuple[TemplateFormat, ...] = get_args(TemplateFormat)
FORMAT_BY_EXTENSION: Mapping[str, TemplateFormat] = {
    ".j2": "jinja2", ".jinja": "jinja2", ".jinja2": "jinja2", ".txt": "jinja2", ".md": "jinja2",
    ".mustache": "mustache", ".hbs": "handlebars", ".handlebars": "handlebars",
}
"""A template file's format by its extension (lower-cased) when the spec gives no
``format:``; any other extension is Jinja2, as every template was before formats existed.
Python format strings have no common extension: they are always named (``format: format``)."""
Undefined = Literal["strict", "empty"]
UNDEFINED: tuple[Undefined, ...] = get_args(Undefined)


@dataclass(frozen=True)
class Template:
    """Template source plus where it came from, so render errors can name file and line."""

    text: str
    file: str
    first_line: int = 1
    """Line in ``file`` where the template text starts (an inline template: its spec line)."""
    format: TemplateFormat = "jinja2"
    """How the text is rendered: Jinja2, Python ``str.format`` fields, Mustache or Handlebars."""
    includes: tuple[tuple[str, Template], ...] = ()
    """The templates this one includes, imports or extends (and theirs), by the name the
    template uses, read when the spec is loaded (confined to the repository; on the base
    side from git objects), so rendering reads no file. Names are looked up in this
    template's folder, as a Jinja2 ``FileSystemLoader`` rooted there would, so one name is
    one file throughout the tree (``spec.includes``)."""


@dataclass(frozen=True)
class Output:
    mean: Decimal
    max: int | None = None


@dataclass(frozen=True)
class Cache:
    prompt_prefix: bool = False
    ttl: CacheTTL = "5m"
    semantic_hit_rate: Decimal = ZERO
    exact_hit_rate: Decimal | Literal["auto"] = ZERO
    """A share, or "auto": measured from duplicate samples."""
    embedding_model: str | None = None
    history: bool = False
    """Conversation caching: each request reads the conversation so far from the cache
    and writes its new turn (a cache breakpoint on the latest message)."""


@dataclass(frozen=True)
class History:
    policy: HistoryPolicy = "none"
    window: int | None = None
    tokens: int | None = None
    every: int | None = None
    """Policy ``summary``: a summary call every K turns."""
    summary_tokens: int | None = None


@dataclass(frozen=True)
class Reasoning:
    """Hidden reasoning tokens per request, billed as output, never resent in history.
    One of: an ``effort`` (its default tokens are pricing data), a ``mean`` (and
    optionally a ``p95`` for the tails), or a thinking ``budget`` (priced in full: the
    most it can cost)."""

    effort: Effort | None = None
    mean: Decimal | None = None
    p95: Decimal | None = None
    budget: int | None = None


@dataclass(frozen=True)
class Steps:
    """Requests of an agent loop per session: a mean, and a p95 that sets the tail."""

    mean: Decimal
    p95: Decimal | None = None
    distribution: StepLaw = "negative_binomial"
    max: int | None = None
    """The loop stops after this many steps (the mean then falls below ``mean``)."""


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    detail: Detail = "auto"


@dataclass(frozen=True)
class Tools:
    """Tool (function) definitions sent with every request, and where they came from."""

    file: str
    definitions: tuple[Mapping[str, Any], ...]
    tool_choice: str = "auto"


@dataclass(frozen=True)
class Router:
    """A classifier call that routing itself costs (cheap model, short output)."""

    model: str
    output_tokens: int = 5


@dataclass(frozen=True)
class Binding:
    """A call setting read from the app's own settings file (``{from: FILE, key: a.b.c}``)
    instead of written in the spec: kept so reports, errors and the gate can point at
    the line the app's value is written on."""

    field: str
    """The setting within its call: ``model``, ``mix.gpt-4o``, ``output_tokens.mean``,
    ``max_tokens``, ``reasoning.effort``, ``steps.p95``, ``per_session``, ..."""
    file: str
    """The settings file, repository-relative."""
    key: str
    """The dotted key in it (a ``.env`` file: the variable's name)."""
    line: int | None
    """Where the key is written in ``file``."""
    value: str | int | Decimal | bool
    """The value read (before the spec's checks, which it passed)."""
    spec_line: int | None = None
    """Where the spec binds it."""


class ModelShare(NamedTuple):
    """One model of a call's mix and the share of requests it serves."""

    model: str
    share: Decimal


Mix = tuple[ModelShare, ...]


@dataclass(frozen=True)
class Call:
    name: str
    mix: Mix
    per_session: Decimal
    user: Template
    system: Template | None = None
    context: Template | None = None
    history: History = History()
    output: Output = Output(Decimal(0))
    cache: Cache = Cache()
    batch: Decimal = ZERO
    retry_rate: Decimal = ZERO
    latency: Latency = "interactive"
    max_tokens: int | None = None
    router: Router | None = None
    kind: CallKind = "chat"
    tools: Tools | None = None
    reasoning: Reasoning | None = None
    steps: Steps | None = None
    """An agent loop's requests per session (instead of a fixed ``per_session``)."""
    images: tuple[Image, ...] = ()
    """Images every request sends (a sample row's ``images`` field adds its own)."""
    observation: Template | None = None
    """The new message of every step after the first (a tool result), from the samples."""
    vars: Mapping[str, Any] = field(default_factory=dict)
    """Template constants of this call: they override the spec's ``vars`` and a sample
    row's fields override them (spec vars < call vars < sample row)."""
    line: int | None = None
    model_lines: tuple[tuple[str, int | None], ...] = ()
    """Where each model id of the mix is written in the spec."""
    bindings: tuple[Binding, ...] = ()
    """Settings of this call read from the app's settings files, in spec order."""

    def binding(self, setting: str) -> Binding | None:
        """The binding of ``setting`` (a ``Binding.field``), if it is bound."""
        return next((b for b in self.bindings if b.field == setting), None)

    def model_line(self, model: str) -> int | None:
        return dict(self.model_lines).get(model, self.line)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.mix)


@dataclass(frozen=True)
class Users:
    """How sessions spread over users: a heavy-user split, or a Zipf law over ranks."""

    count: int
    heavy_user_share: Decimal = ZERO
    heavy_user_multiplier: Decimal = Decimal(1)
    zipf: Decimal | None = None


@dataclass(frozen=True)
class Traffic:
    sessions_per_day: Decimal
    days_per_month: Decimal = Decimal(30)
    growth_per_month: Decimal = ZERO
    users: Users | None = None


@dataclass(frozen=True)
class Limits:
    """Per-user rate limits and request caps: the basis of the worst case."""

    calls_per_user_per_hour: Decimal | None = None
    calls_per_user_per_day: Decimal | None = None
    max_input_tokens: int | None = None


@dataclass(frozen=True)
class Budget:
    monthly_usd: Decimal | None = None
    worst_case_usd: Decimal | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    mixes: Mapping[str, Mix]
    """Call name -> the mix this scenario gives it."""
    lines: Mapping[str, int | None] = field(default_factory=dict)
    """Call name -> the line of its override."""


@dataclass(frozen=True)
class Measured:
    """An observed quantity of a call: its mean and 95th percentile."""

    mean: Decimal
    p95: Decimal


@dataclass(frozen=True)
class CalibratedCall:
    """One call as production usage records measured it (``costgate calibrate``)."""

    name: str
    count: int
    """Records (requests) of the call."""
    input_tokens: Measured
    output_tokens: Measured
    """Answer tokens (reasoning excluded)."""
    reasoning_tokens: Measured
    calls_per_session: Measured | None
    """None when the records carried no session (the declared value stays)."""
    cached_share: Decimal
    """Cached input tokens over all input tokens."""


@dataclass(frozen=True)
class Calibration:
    """A ``calibration.yaml``: what usage records measured, and the spec's projection
    with those measurements when it was written (the reference of ``calibration_drift``)."""

    file: str
    start: date
    end: date
    records: int
    calls: tuple[CalibratedCall, ...]
    projected_monthly_usd: Decimal | None = None
    replaced: tuple[str, ...] = ()
    """The spec settings the measured values replaced (``answer.output_tokens``, ...),
    filled in when a spec applies it."""

    def call(self, name: str) -> CalibratedCall | None:
        return next((c for c in self.calls if c.name == name), None)


@dataclass(frozen=True)
class Spec:
    feature: str
    file: str
    """Repository-relative path of the spec."""
    traffic: Traffic
    samples: tuple[Mapping[str, Any], ...]
    samples_file: str
    calls: tuple[Call, ...]
    samples_total: int = 0
    """Rows in the samples file (more than ``len(samples)`` when they were sampled)."""
    work: WorkLimits = DEFAULT_LIMITS
    """The bounds it was loaded under (the base config's), which rendering keeps to."""
    description: str = ""
    vars: Mapping[str, Any] = field(default_factory=dict)
    scenarios: tuple[Scenario, ...] = ()
    budget: Budget = Budget()
    limits: Limits | None = None
    files: tuple[str, ...] = ()
    """Every file the spec read (templates, the files they include, samples), and any
    optional include it looked for and did not find: a file without recorded bytes keeps
    the spec out of the estimate cache, so its later appearance changes the estimate."""
    undefined: Undefined = "strict"
    """An undefined template variable: an error (strict), or empty text (empty)."""
    calibration: Calibration | None = None
    """The spec's ``calibration: {file}``, already applied to ``calls``."""

    def call(self, name: str) -> Call:
        for c in self.calls:
            if c.name == name:
                return c
        raise KeyError(name)


__all__ = ["Spec", "Call", "Template", "Traffic", "Users", "Limits", "Budget", "Scenario", "Cache", "History",
           "Output", "Router", "Measured", "CalibratedCall", "Calibration", "Binding", "Reasoning", "Steps", "Image", "Tools", "ModelShare", "Mix", "HistoryPolicy", "CacheTTL", "Latency"]
