"""Reading a spec file: strict validation with the spec line of every mistake.

A typo'd key (``retry_rat``) silently ignored would be a wrong number in a cost gate,
which is worse than an error; so every unknown key, bad number and missing file is a
CostgateError pointing at the spec line, with the fix.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from .errors import CostgateError, suggest
from .source import GitTree, WorkTree, find_root, join
from .spec import (
    ONE,
    SPEC_VERSION,
    ZERO,
    Budget,
    Cache,
    Call,
    History,
    Limits,
    Output,
    Router,
    Scenario,
    Spec,
    Template,
    Traffic,
    Users,
)
from .yamlio import Doc, loads

MAX_SAMPLES = 100_000


TOP_KEYS = {"version", "feature", "description", "vars", "traffic", "samples", "calls", "scenarios", "budget",
            "limits"}
CALL_KEYS = {"name", "model", "mix", "per_session", "system", "context", "user", "history", "output_tokens",
             "cache", "batch", "retry_rate", "latency", "max_tokens", "router"}


def load_spec(path: str | Path, source: WorkTree | GitTree | None = None) -> Spec:
    """Load and validate a spec. ``source`` defaults to the working tree of its repository."""
    if source is None:
        source = WorkTree(find_root(Path(path).resolve().parent))
    rel = source.rel(path) if isinstance(path, Path) or not isinstance(source, GitTree) else str(path)
    text = source.read_text(rel)
    doc = loads(text, rel)
    return _Parser(doc, source, rel).spec()


class _Parser:
    def __init__(self, doc: Doc, source, rel: str) -> None:
        self.doc, self.source, self.rel = doc, source, rel
        self.files: list[str] = [rel]

    # -- helpers ------------------------------------------------------------------
    def err(self, path, message: str, hint: str | None = None) -> CostgateError:
        return self.doc.error(path, message, hint)

    def where(self, path) -> str:
        return ".".join(str(p) for p in path)

    def mapping(self, value, path, allowed: set[str], required: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            raise self.err(path, f"{self.where(path) or 'spec'} must be a mapping")
        for key in value:
            if key not in allowed:
                hint = suggest(key, sorted(allowed)) or f"allowed keys: {', '.join(sorted(allowed))}"
                raise self.err(path + (key,), f"unknown key {key!r} in {self.where(path) or 'spec'}", hint)
        for key in sorted(required):
            if key not in value:
                raise self.err(path, f"missing required key {key!r} in {self.where(path) or 'spec'}")
        return value

    def number(self, value, path, *, minimum=ZERO, maximum=None, integer=False, positive=False) -> Decimal:
        name = self.where(path)
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise self.err(path, f"{name} must be a number, got {value!r}", "write a plain number such as 0.25 or 1000")
        number = Decimal(value)
        if integer and number != number.to_integral_value():
            raise self.err(path, f"{name} must be a whole number, got {value}")
        if number < minimum or (positive and number == 0):
            raise self.err(path, f"{name} must be {'> 0' if positive else f'>= {minimum}'}, got {value}")
        if maximum is not None and number > maximum:
            raise self.err(path, f"{name} must be <= {maximum}, got {value}")
        return number

    def share(self, value, path) -> Decimal:
        return self.number(value, path, maximum=ONE)

    def template(self, value, path) -> Template | None:
        if value is None:
            return None
        if isinstance(value, str):
            return Template(value, self.rel, self.doc.text_starts.get(tuple(path)) or self.doc.line(path) or 1)
        value = self.mapping(value, path, {"file"}, {"file"})
        if not isinstance(value["file"], str):
            raise self.err(path + ("file",), "template file must be a path string")
        rel = join(self.rel, value["file"])
        text = self.source.read_text(rel, referenced_from=self.rel, line=self.doc.line(path + ("file",)))
        self.files.append(rel)
        return Template(text, rel, 1)

    # -- sections -----------------------------------------------------------------
    def spec(self) -> Spec:
        data = self.doc.data
        if data is None:
            raise CostgateError("spec is empty", file=self.rel, hint="start from `costgate init` or docs/spec.md")
        data = self.mapping(data, (), TOP_KEYS, {"version", "feature", "traffic", "samples", "calls"})
        if data["version"] != SPEC_VERSION:
            raise self.err(("version",), f"unsupported spec version {data['version']!r}", "this costgate reads version: 1")
        feature = data["feature"]
        if not isinstance(feature, str) or not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", feature):
            raise self.err(("feature",), f"feature must be an id like 'support-bot', got {feature!r}")
        variables = data.get("vars") or {}
        if not isinstance(variables, dict):
            raise self.err(("vars",), "vars must be a mapping of template constants")
        calls_raw = data["calls"]
        if not isinstance(calls_raw, list) or not calls_raw:
            raise self.err(("calls",), "calls must be a non-empty list")
        calls = tuple(self.call(c, ("calls", i)) for i, c in enumerate(calls_raw))
        names = [c.name for c in calls]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.err(("calls", i, "name"), f"duplicate call name {name!r}")
        samples_file, samples = self.samples(data["samples"])
        return Spec(
            feature=feature,
            file=self.rel,
            description=str(data.get("description") or ""),
            vars=variables,
            traffic=self.traffic(data["traffic"]),
            samples=samples,
            samples_file=samples_file,
            calls=calls,
            scenarios=self.scenarios(data.get("scenarios"), names),
            budget=self.budget(data.get("budget")),
            limits=self.limits(data.get("limits")),
            files=tuple(dict.fromkeys(self.files)),
        )

    def traffic(self, value) -> Traffic:
        p = ("traffic",)
        value = self.mapping(value, p, {"sessions_per_day", "days_per_month", "growth_per_month", "users"},
                             {"sessions_per_day"})
        return Traffic(
            sessions_per_day=self.number(value["sessions_per_day"], p + ("sessions_per_day",)),
            days_per_month=self.number(value.get("days_per_month", 30), p + ("days_per_month",), maximum=Decimal(31), positive=True),
            growth_per_month=self.number(value.get("growth_per_month", 0), p + ("growth_per_month",), minimum=Decimal(-1)),
            users=self.users(value.get("users"), p + ("users",)),
        )

    def users(self, value, p) -> Users | None:
        if value is None:
            return None
        value = self.mapping(value, p, {"count", "heavy_user_share", "heavy_user_multiplier", "zipf", "zipf_exponent"},
                             {"count"})
        if "zipf" in value and "zipf_exponent" in value:
            raise self.err(p + ("zipf_exponent",), "give zipf or zipf_exponent (its long spelling), not both")
        zipf_key = "zipf_exponent" if "zipf_exponent" in value else "zipf"
        if zipf_key in value and ("heavy_user_share" in value or "heavy_user_multiplier" in value):
            raise self.err(p, "users takes either zipf or heavy_user_share/heavy_user_multiplier, not both")
        return Users(
            count=int(self.number(value["count"], p + ("count",), integer=True, positive=True)),
            heavy_user_share=self.share(value.get("heavy_user_share", 0), p + ("heavy_user_share",)),
            heavy_user_multiplier=self.number(value.get("heavy_user_multiplier", 1), p + ("heavy_user_multiplier",),
                                              minimum=ONE),
            zipf=None if value.get(zipf_key) is None else self.number(value[zipf_key], p + (zipf_key,), positive=True),
        )

    def limits(self, value) -> Limits | None:
        if value is None:
            return None
        p = ("limits",)
        value = self.mapping(value, p, {"calls_per_user_per_hour", "calls_per_user_per_day", "max_input_tokens"})
        get = lambda k: None if value.get(k) is None else self.number(value[k], p + (k,))  # noqa: E731
        mx = get("max_input_tokens")
        return Limits(calls_per_user_per_hour=get("calls_per_user_per_hour"),
                      calls_per_user_per_day=get("calls_per_user_per_day"),
                      max_input_tokens=None if mx is None else int(mx))

    def budget(self, value) -> Budget:
        if value is None:
            return Budget()
        p = ("budget",)
        value = self.mapping(value, p, {"monthly_usd", "worst_case_usd"})
        get = lambda k: None if value.get(k) is None else self.number(value[k], p + (k,))  # noqa: E731
        return Budget(monthly_usd=get("monthly_usd"), worst_case_usd=get("worst_case_usd"))

    def samples(self, value) -> tuple[str, tuple[Mapping[str, Any], ...]]:
        p = ("samples",)
        value = self.mapping(value, p, {"file"}, {"file"})
        rel = join(self.rel, str(value["file"]))
        line = self.doc.line(p + ("file",))
        text = self.source.read_text(rel, referenced_from=self.rel, line=line)
        self.files.append(rel)
        rows: list[Mapping[str, Any]] = []
        if rel.endswith(".jsonl"):
            for n, raw in enumerate(text.splitlines(), 1):
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise CostgateError(f"invalid JSON: {exc.msg}", file=rel, line=n,
                                        hint="each line of a .jsonl samples file is one JSON object") from None
                if not isinstance(row, dict):
                    raise CostgateError("each row must be a JSON object of template variables", file=rel, line=n)
                rows.append(row)
        elif rel.endswith(".txt"):
            rows = [{"query": line.strip()} for line in text.splitlines() if line.strip()]
        else:
            raise self.err(p + ("file",), f"samples file must end in .txt or .jsonl: {rel}",
                           ".txt holds one query per line; .jsonl one object of template variables per line")
        if not rows:
            raise CostgateError("samples file has no samples", file=rel,
                                hint="add real user queries, one per line (.txt) or one JSON object per line (.jsonl)")
        if len(rows) > MAX_SAMPLES:
            raise CostgateError(f"more than {MAX_SAMPLES} samples", file=rel, hint="a representative subset is enough")
        return rel, tuple(rows)

    def mix(self, call: dict, p) -> tuple[tuple[str, Decimal], ...]:
        if ("model" in call) == ("mix" in call):
            raise self.err(p, f"call {call.get('name', '?')!r} needs exactly one of 'model' or 'mix'")
        return self.parse_mix(call, p)

    def parse_mix(self, holder: dict, p) -> tuple[tuple[str, Decimal], ...]:
        if "model" in holder:
            if not isinstance(holder["model"], str):
                raise self.err(p + ("model",), "model must be a model id such as gpt-4o-mini")
            return ((holder["model"], ONE),)
        mix = holder["mix"]
        if not isinstance(mix, dict) or not mix:
            raise self.err(p + ("mix",), "mix must map model ids to shares, e.g. {gpt-4o-mini: 0.7, gpt-4o: 0.3}")
        shares = tuple((str(m), self.share(s, p + ("mix", m))) for m, s in mix.items())
        total = sum((s for _, s in shares), ZERO)
        if total != ONE:
            raise self.err(p + ("mix",), f"mix shares sum to {total}, not 1", "adjust the shares so they add up to exactly 1")
        return shares

    def call(self, value, p) -> Call:
        value = self.mapping(value, p, CALL_KEYS, {"name", "user", "per_session"})
        name = value["name"]
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise self.err(p + ("name",), f"call name must be an identifier, got {name!r}")
        latency = value.get("latency", "interactive")
        if latency not in ("interactive", "offline"):
            raise self.err(p + ("latency",), f"latency must be interactive or offline, got {latency!r}")
        max_tokens = value.get("max_tokens")
        if max_tokens is not None:
            max_tokens = int(self.number(max_tokens, p + ("max_tokens",), integer=True, positive=True))
        router = None
        if value.get("router") is not None:
            r = self.mapping(value["router"], p + ("router",), {"model", "output_tokens"}, {"model"})
            router = Router(model=str(r["model"]),
                            output_tokens=int(self.number(r.get("output_tokens", 5), p + ("router", "output_tokens"), integer=True)))
        return Call(
            name=name,
            mix=self.mix(value, p),
            per_session=self.number(value["per_session"], p + ("per_session",)),
            system=self.template(value.get("system"), p + ("system",)),
            context=self.template(value.get("context"), p + ("context",)),
            user=self.template(value["user"], p + ("user",)),
            history=self.history(value.get("history", "none"), p + ("history",)),
            output=self.output(value.get("output_tokens", 0), p + ("output_tokens",)),
            cache=self.cache(value.get("cache"), p + ("cache",)),
            batch=self.share(value.get("batch", 0), p + ("batch",)),
            retry_rate=self.share(value.get("retry_rate", 0), p + ("retry_rate",)),
            latency=latency,
            max_tokens=max_tokens,
            router=router,
            line=self.doc.line(p),
            model_lines=tuple((m, self.doc.line(p + (("model",) if "model" in value else ("mix", m))))
                              for m, _ in self.mix(value, p)),
        )

    def history(self, value, p) -> History:
        if value in ("none", "full", None):
            return History(policy=value or "none")
        if isinstance(value, dict):
            value = self.mapping(value, p, {"window", "tokens", "summary"})
            if len(value) != 1:
                raise self.err(p, "history takes one policy: {window: N}, {tokens: N} or {summary: {every: K, tokens: T}}")
            if "window" in value:
                return History("window", window=int(self.number(value["window"], p + ("window",), integer=True)))
            if "tokens" in value:
                return History("tokens", tokens=int(self.number(value["tokens"], p + ("tokens",), integer=True)))
            s = self.mapping(value["summary"], p + ("summary",), {"every", "tokens"}, {"every", "tokens"})
            return History("summary", every=int(self.number(s["every"], p + ("summary", "every"), integer=True, positive=True)),
                           summary_tokens=int(self.number(s["tokens"], p + ("summary", "tokens"), integer=True)))
        raise self.err(p, f"history must be none, full, {{window: N}}, {{tokens: N}} or {{summary: ...}}, got {value!r}")

    def output(self, value, p) -> Output:
        if isinstance(value, dict):
            value = self.mapping(value, p, {"mean", "max"}, {"mean"})
            mean = self.number(value["mean"], p + ("mean",))
            mx = value.get("max")
            if mx is not None:
                mx = int(self.number(mx, p + ("max",), integer=True))
                if mx < mean:
                    raise self.err(p + ("max",), f"output_tokens.max ({mx}) is below its mean ({mean})")
            return Output(mean, mx)
        return Output(self.number(value, p))

    def cache(self, value, p) -> Cache:
        if value is None:
            return Cache()
        value = self.mapping(value, p, {"prompt_prefix", "ttl", "semantic_hit_rate", "exact_hit_rate", "embedding_model"})
        prefix = value.get("prompt_prefix", False)
        if not isinstance(prefix, bool):
            raise self.err(p + ("prompt_prefix",), "prompt_prefix must be true or false")
        ttl = value.get("ttl", "5m")
        if ttl not in ("5m", "1h"):
            raise self.err(p + ("ttl",), f"cache ttl must be 5m or 1h, got {ttl!r}")
        exact = value.get("exact_hit_rate", 0)
        exact = "auto" if exact == "auto" else self.share(exact, p + ("exact_hit_rate",))
        emb = value.get("embedding_model")
        return Cache(prompt_prefix=prefix, ttl=ttl,
                     semantic_hit_rate=self.share(value.get("semantic_hit_rate", 0), p + ("semantic_hit_rate",)),
                     exact_hit_rate=exact, embedding_model=None if emb is None else str(emb))

    def scenarios(self, value, call_names: list[str]) -> tuple[Scenario, ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            raise self.err(("scenarios",), "scenarios must map a scenario name to per-call overrides")
        out = []
        for name, overrides in value.items():
            p = ("scenarios", name)
            overrides = self.mapping(overrides, p, set(call_names))
            mixes = {}
            for call_name, o in overrides.items():
                o = self.mapping(o, p + (call_name,), {"model", "mix"})
                if ("model" in o) == ("mix" in o):
                    raise self.err(p + (call_name,), "a scenario override needs exactly one of 'model' or 'mix'")
                mixes[call_name] = self.parse_mix(o, p + (call_name,))
            out.append(Scenario(str(name), mixes, lines={c: self.doc.line(p + (c,)) for c in mixes}))
        return tuple(out)
