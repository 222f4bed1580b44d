"""Reading a spec file: strict validation with the spec line of every mistake.

A typo'd key (``retry_rat``) silently ignored would be a wrong number in a cost gate,
which is worse than an error; so every unknown key, bad number and missing file is a
CostgateError pointing at the spec line, with the fix. The allowed keys of every mapping
are the table ``KEYS``, which the JSON Schema test checks at every nesting level.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import CostgateError
from ..limits import DEFAULT_LIMITS, WorkLimits
from ..repo.paths import join
from ..repo.source import Source, find_root, read_data, read_text, relative
from ..repo.worktree import WorkTree
from ..yamlio import DocPath, loads
from .agents import AgentParts
from .bindings import BindingParts
from .calibration import apply_calibration, read_calibration
from .keys import BINDABLE, BINDING_KEYS, CALL_KEYS, CALL_NAME, FEATURE_ID, KEYS, MAXIMA, TOP_KEYS
from .model import (
    CACHE_TTLS,
    CALL_KINDS,
    LATENCIES,
    ONE,
    SPEC_VERSION,
    UNDEFINED,
    ZERO,
    Budget,
    Cache,
    Call,
    History,
    Limits,
    Mix,
    ModelShare,
    Output,
    Router,
    Scenario,
    Spec,
    Template,
    Traffic,
    Users,
)
from .samples import Samples, read_samples

__all__ = ["load_spec", "KEYS", "MAXIMA", "TOP_KEYS", "CALL_KEYS", "BINDABLE", "BINDING_KEYS"]


def load_spec(path: str | Path, source: Source | None = None, limits: WorkLimits = DEFAULT_LIMITS) -> Spec:
    """Load and validate a spec. Without ``source``, ``path`` is a file on disk, read from
    the work tree of its repository; with one, a ``str`` is repository-relative and a
    ``Path`` is a file on disk inside it."""
    if source is None:
        source = WorkTree(find_root(Path(path).resolve().parent))
        rel = relative(source, path)
    else:
        rel = relative(source, path) if isinstance(path, Path) else path
    doc = loads(read_text(source, rel), rel)
    return _Parser(doc, source, rel, limits).spec()


class _Parser(AgentParts, BindingParts):
    def per_session(self, path: DocPath, value: Any) -> Decimal:
        number = self.f.number(path, value)
        if number > self.work.turns_per_session:
            over = self.work.exceeded("turns_per_session", number, self.f.where(path))
            raise self.err(path, over.message, over.hint)  # at the settings file, when bound
        return number

    def growth(self, path: DocPath, value: Any) -> Decimal:
        """Monthly growth: a fraction above -1 (a -100% month ends the feature)."""
        number = self.f.number(path, value, minimum=Decimal(-1), maximum=Decimal(MAXIMA["traffic.growth_per_month"]))
        if number <= -1:
            raise self.err(path, f"traffic.growth_per_month must be > -1, got {value}",
                           "write -0.1 for a 10% monthly decline")
        return number

    def constants(self, path: DocPath, value: Any) -> dict[str, Any]:
        """Template constants (the spec's ``vars``, a call's ``vars``): a mapping by name."""
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise self.err(path, f"{self.f.where(path)} must be a mapping of template constants by name, e.g. "
                                 "{product: Acme Cloud}")
        return value

    # -- sections -----------------------------------------------------------------
    def spec(self) -> Spec:
        if self.doc.data is None:
            raise CostgateError("spec is empty", file=self.rel, hint="start from `costgate init` or docs/spec.md")
        data = self.mapping((), self.doc.data, "", ("version", "feature", "traffic", "samples", "calls"))
        if type(data["version"]) is not int or data["version"] != SPEC_VERSION:
            raise self.err(("version",), f"unsupported spec version {data['version']!r}", "this costgate reads version: 1")
        feature = data["feature"]
        if not isinstance(feature, str) or not re.fullmatch(FEATURE_ID, feature):
            raise self.err(("feature",), f"feature must be an id like 'support-bot', got {feature!r}")
        variables = self.constants(("vars",), data.get("vars"))
        calls_raw = data["calls"]
        if not isinstance(calls_raw, list) or not calls_raw:
            raise self.err(("calls",), "calls must be a non-empty list")
        calls = tuple(self.call(("calls", i), c) for i, c in enumerate(calls_raw))
        names = [c.name for c in calls]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.err(("calls", i, "name"), f"duplicate call name {name!r}")
        samples_file, samples = self.samples(data["samples"])
        calls, calibration = self.calibration(feature, calls, data.get("calibration"))
        return Spec(
            feature=feature, file=self.rel, description=str(data.get("description") or ""), vars=variables,
            traffic=self.traffic(data["traffic"]), samples=samples.rows, samples_file=samples_file,
            samples_total=samples.total, calls=calls,
            scenarios=self.scenarios(data.get("scenarios"), names), budget=self.budget(data.get("budget")),
            limits=self.limits(data.get("limits")), files=tuple(dict.fromkeys(self.files)), work=self.work,
            undefined=self.f.choice(("undefined",), data.get("undefined", "strict"), UNDEFINED),
            calibration=calibration,
        )

    def calibration(self, feature: str, calls: tuple[Call, ...], value: Any) -> tuple[tuple[Call, ...], Any]:
        """``calibration: {file}``: the measured values read (confined, like a template)
        and applied to the calls."""
        if value is None:
            return calls, None
        p: DocPath = ("calibration",)
        value = self.mapping(p, value, "calibration", ("file",))
        rel = join(self.rel, self.f.text(p + ("file",), value["file"]))
        measured = read_calibration(self.source, rel, feature, referenced_from=self.rel, line=self.doc.line(p),
                                    work=self.work)
        self.files.append(rel)
        return apply_calibration(calls, measured, feature, self.rel, self.doc.line(p))

    def traffic(self, value: Any) -> Traffic:
        p: DocPath = ("traffic",)
        value = self.mapping(p, value, "traffic", ("sessions_per_day",))
        f = self.f
        return Traffic(
            sessions_per_day=f.number(p + ("sessions_per_day",), value["sessions_per_day"],
                                      maximum=Decimal(MAXIMA["traffic.sessions_per_day"])),
            days_per_month=f.number(p + ("days_per_month",), value.get("days_per_month", 30), maximum=Decimal(31),
                                    positive=True),
            growth_per_month=self.growth(p + ("growth_per_month",), value.get("growth_per_month", 0)),
            users=self.users(p + ("users",), value.get("users")),
        )

    def users(self, p: DocPath, value: Any) -> Users | None:
        if value is None:
            return None
        value = self.mapping(p, value, "traffic.users", ("count",))
        if "zipf" in value and "zipf_exponent" in value:
            raise self.err(p + ("zipf_exponent",), "give zipf or zipf_exponent (its long spelling), not both")
        zipf_key = "zipf_exponent" if "zipf_exponent" in value else "zipf"
        if zipf_key in value and ("heavy_user_share" in value or "heavy_user_multiplier" in value):
            raise self.err(p, "users takes either zipf or heavy_user_share/heavy_user_multiplier, not both")
        f = self.f
        return Users(
            count=self.within_limit(p + ("count",), f.count(p + ("count",), value["count"], positive=True),
                                    "tail_users"),
            heavy_user_share=f.share(p + ("heavy_user_share",), value.get("heavy_user_share", 0)),
            heavy_user_multiplier=f.number(p + ("heavy_user_multiplier",), value.get("heavy_user_multiplier", 1),
                                           minimum=ONE, maximum=Decimal(MAXIMA["traffic.users.heavy_user_multiplier"])),
            zipf=None if value.get(zipf_key) is None else f.number(p + (zipf_key,), value[zipf_key], positive=True,
                                                                    maximum=Decimal(MAXIMA["traffic.users.zipf"])),
        )

    def optional_numbers(self, p: DocPath, value: dict) -> dict[str, Decimal | None]:
        return {k: None if value.get(k) is None else self.f.number(p + (k,), value[k], integer=k == "max_input_tokens",
                                                                 maximum=Decimal(MAXIMA[f"{p[0]}.{k}"]))
                for k in KEYS[p[0]]}

    def limits(self, value: Any) -> Limits | None:
        if value is None:
            return None
        p: DocPath = ("limits",)
        got = self.optional_numbers(p, self.mapping(p, value, "limits"))
        mx = got["max_input_tokens"]
        return Limits(calls_per_user_per_hour=got["calls_per_user_per_hour"],
                      calls_per_user_per_day=got["calls_per_user_per_day"],
                      max_input_tokens=None if mx is None else int(mx))

    def budget(self, value: Any) -> Budget:
        if value is None:
            return Budget()
        p: DocPath = ("budget",)
        got = self.optional_numbers(p, self.mapping(p, value, "budget"))
        return Budget(monthly_usd=got["monthly_usd"], worst_case_usd=got["worst_case_usd"])

    def samples(self, value: Any) -> tuple[str, Samples]:
        p: DocPath = ("samples",)
        value = self.mapping(p, value, "samples", ("file",))
        rel = join(self.rel, str(value["file"]))
        if not rel.endswith((".txt", ".jsonl")):
            raise self.err(p + ("file",), f"samples file must end in .txt or .jsonl: {rel}",
                           ".txt holds one query per line; .jsonl one object of template variables per line")
        data = read_data(self.source, rel, referenced_from=self.rel, line=self.doc.line(p + ("file",)),
                         max_bytes=self.work.sample_bytes)
        self.files.append(rel)
        work = self.work
        if value.get("max_rows") is not None:  # a spec may sample harder than the limit, never softer
            rows = self.f.count(p + ("max_rows",), value["max_rows"], positive=True)
            work = replace(work, sample_rows=min(rows, work.sample_rows))
        return rel, read_samples(data, rel, work)

    def parse_mix(self, p: DocPath, holder: dict) -> Mix:
        if "model" in holder:
            if not isinstance(holder["model"], str):
                raise self.err(p + ("model",), "model must be a model id such as gpt-4o-mini")
            return (ModelShare(holder["model"], ONE),)
        mix = holder["mix"]
        if not isinstance(mix, dict) or not mix:
            raise self.err(p + ("mix",), "mix must map model ids to shares, e.g. {gpt-4o-mini: 0.7, gpt-4o: 0.3}")
        shares = tuple(ModelShare(str(m), self.f.share(p + ("mix", m), s)) for m, s in mix.items())
        total = sum((s.share for s in shares), ZERO)
        if total != ONE:
            raise self.err(p + ("mix",), f"mix shares sum to {total}, not 1", "adjust the shares so they add up to exactly 1")
        return shares

    def call(self, p: DocPath, value: Any) -> Call:
        value = self.bind(p, self.mapping(p, value, "calls[]", ("name",)))
        name = value["name"]
        if not isinstance(name, str) or not re.fullmatch(CALL_NAME, name):
            raise self.err(p + ("name",), f"call name must be an identifier, got {name!r}")
        prompt = self.prompt(p + ("prompt",), value.get("prompt"))
        if prompt is not None:
            value = self.with_prompt(value, prompt)
        if ("model" in value) == ("mix" in value):
            raise self.err(p, f"call {name!r} needs exactly one of 'model' or 'mix'")
        if "per_session" not in value and "steps" not in value:
            raise self.err(p, f"missing required key 'per_session' in {self.f.where(p)}",
                           "per_session: N is a fixed number of requests a session; an agent loop takes "
                           "steps: {mean: N, p95: M} instead")
        if "per_session" in value and "steps" in value:
            raise self.err(p + ("steps",), f"call {name!r} takes per_session (a fixed number of requests) or steps "
                                           "(an agent loop's {mean: N, p95: M}), not both")
        if all(value.get(role) in (None, "") for role in ("user", "system", "context", "observation")) and (
                prompt is None or (prompt.user is None and prompt.system is None)):
            raise self.err(p, f"call {name!r} sends no message", "add user: \"{{ query }}\" (the message each "
                                                                 "request sends), or a system or context template")
        f = self.f
        max_tokens = value.get("max_tokens")
        mix = self.parse_mix(p, value)
        steps = self.steps(p + ("steps",), value.get("steps"))
        call = Call(
            name=name, mix=mix,
            per_session=steps.mean if steps else self.per_session(p + ("per_session",), value["per_session"]),
            system=self.role(p, value, prompt, "system"),
            context=self.template(p + ("context",), value.get("context"), "calls[].context"),
            user=self.role(p, value, prompt, "user") or Template("", self.rel),
            history=self.history(p + ("history",), value.get("history", "none")),
            output=self.output(p + ("output_tokens",), value.get("output_tokens", 0)),
            cache=self.cache(p + ("cache",), value.get("cache")),
            batch=f.share(p + ("batch",), value.get("batch", 0)),
            retry_rate=f.share(p + ("retry_rate",), value.get("retry_rate", 0)),
            latency=f.choice(p + ("latency",), value.get("latency", "interactive"), LATENCIES),
            max_tokens=None if max_tokens is None else self.count(p + ("max_tokens",), max_tokens, "calls[].max_tokens",
                                                                  positive=True),
            router=self.router(p + ("router",), value.get("router")),
            kind=f.choice(p + ("kind",), value.get("kind", "chat"), CALL_KINDS),
            tools=self.tools(p + ("tools",), value.get("tools")),
            reasoning=self.reasoning(p + ("reasoning",), value.get("reasoning")),
            steps=steps,
            images=self.images(p + ("images",), value.get("images")),
            observation=self.template(p + ("observation",), value.get("observation"), "calls[].observation"),
            vars=self.constants(p + ("vars",), value.get("vars")),
            line=self.doc.line(p),
            model_lines=tuple((m, self.doc.line(p + (("model",) if "model" in value else ("mix", m))))
                              for m, _ in mix),
            bindings=self.bindings(p),
        )
        return self.coherent(p, call)

    def router(self, p: DocPath, value: Any) -> Router | None:
        if value is None:
            return None
        r = self.mapping(p, value, "calls[].router", ("model",))
        if not isinstance(r["model"], str):
            raise self.err(p + ("model",), "router.model must be a model id such as gpt-4o-mini")
        return Router(model=r["model"], output_tokens=self.count(p + ("output_tokens",), r.get("output_tokens", 5),
                                                                  "calls[].router.output_tokens"))

    def history(self, p: DocPath, value: Any) -> History:
        if value in ("none", "full", None):
            return History(policy="full" if value == "full" else "none")
        if not isinstance(value, dict):
            raise self.err(p, f"history must be none, full, {{window: N}}, {{tokens: N}} or {{summary: ...}}, got {value!r}")
        value = self.mapping(p, value, "calls[].history")
        if len(value) != 1:
            raise self.err(p, "history takes one policy: {window: N}, {tokens: N} or {summary: {every: K, tokens: T}}")
        if "window" in value:
            return History("window", window=self.count(p + ("window",), value["window"], "calls[].history.window"))
        if "tokens" in value:
            return History("tokens", tokens=self.count(p + ("tokens",), value["tokens"], "calls[].history.tokens"))
        s = self.mapping(p + ("summary",), value["summary"], "calls[].history.summary", ("every", "tokens"))
        return History("summary", every=self.count(p + ("summary", "every"), s["every"], "calls[].history.summary.every",
                                                   positive=True),
                       summary_tokens=self.count(p + ("summary", "tokens"), s["tokens"], "calls[].history.summary.tokens"))

    def output(self, p: DocPath, value: Any) -> Output:
        if not isinstance(value, dict):
            return Output(self.f.number(p, value, maximum=Decimal(MAXIMA["calls[].output_tokens"])))
        value = self.mapping(p, value, "calls[].output_tokens", ("mean",))
        mean = self.f.number(p + ("mean",), value["mean"], maximum=Decimal(MAXIMA["calls[].output_tokens"]))
        mx = value.get("max")
        if mx is None:
            return Output(mean)
        cap = self.count(p + ("max",), mx, "calls[].output_tokens")
        if cap < mean:
            raise self.err(p + ("max",), f"output_tokens.max ({cap}) is below its mean ({mean})")
        return Output(mean, cap)

    def cache(self, p: DocPath, value: Any) -> Cache:
        if value is None:
            return Cache()
        value = self.mapping(p, value, "calls[].cache")
        f = self.f
        prefix = f.boolean(p + ("prompt_prefix",), value.get("prompt_prefix", False))
        ttl = value.get("ttl", "5m")
        if ttl not in CACHE_TTLS:
            raise self.err(p + ("ttl",), f"cache ttl must be 5m or 1h, got {ttl!r}")
        exact = value.get("exact_hit_rate", 0)
        emb = value.get("embedding_model")
        return Cache(prompt_prefix=prefix, ttl=f.choice(p + ("ttl",), ttl, CACHE_TTLS),
                     history=f.boolean(p + ("history",), value.get("history", False)),
                     semantic_hit_rate=f.share(p + ("semantic_hit_rate",), value.get("semantic_hit_rate", 0)),
                     exact_hit_rate="auto" if exact == "auto" else f.share(p + ("exact_hit_rate",), exact),
                     embedding_model=None if emb is None else str(emb))

    def scenarios(self, value: Any, call_names: list[str]) -> tuple[Scenario, ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            raise self.err(("scenarios",), "scenarios must map a scenario name to per-call overrides")
        out = []
        for name, overrides in value.items():
            p: DocPath = ("scenarios", name)
            if not isinstance(name, str) or not re.fullmatch(CALL_NAME, name):
                raise self.err(p, f"scenario name must be an identifier such as all-mini, got {str(name)[:40]!r}")
            overrides = self.f.mapping(p, overrides, call_names)
            mixes = {}
            for call_name, o in overrides.items():
                o = self.mapping(p + (call_name,), o, "scenarios.*.*")
                if ("model" in o) == ("mix" in o):
                    raise self.err(p + (call_name,), "a scenario override needs exactly one of 'model' or 'mix'")
                mixes[call_name] = self.parse_mix(p + (call_name,), o)
            out.append(Scenario(str(name), mixes, lines={c: self.doc.line(p + (c,)) for c in mixes}))
        return tuple(out)
