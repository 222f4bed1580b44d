"""Synthetic usage logs with known distributions (seeded): the calibrate tests' and
bench/calibrate_bench.py's input. Writes costgate's flat CSV layout, OTLP JSON lines
(OpenTelemetry GenAI span attributes) and Parquet (through DuckDB).

Per session every call's request count follows its law (fixed, or geometric on 1, 2, ...
with mean m); every request's input, output and reasoning tokens are
round(exp(mu + sigma * Z)) (lognormal), so the true mean is exp(mu + sigma^2 / 2) and the
true p95 exp(mu + 1.6448536 sigma) (rounding moves either by under half a token). Every
record also carries a prompt and a response text holding ``CANARY``: calibrate must never
read or echo them.
"""

from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

CANARY = "CANARY-PROMPT-CONTENT-7f3a"
Z95 = 1.6448536269514722
START = datetime(2026, 10, 1, tzinfo=timezone.utc)
DAYS = 30


@dataclass(frozen=True)
class Law:
    mu: float
    sigma: float

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma ** 2 / 2)

    @property
    def p95(self) -> float:
        return math.exp(self.mu + Z95 * self.sigma)

    def draw(self, rng: random.Random) -> int:
        return round(math.exp(self.mu + self.sigma * rng.gauss(0.0, 1.0)))


@dataclass(frozen=True)
class CallLaw:
    name: str
    models: tuple[tuple[str, float], ...]
    per_session: float
    """Fixed count when ``geometric`` is False, else the geometric mean (>= 1)."""
    input: Law
    output: Law
    reasoning: Law | None = None
    cached_share: float = 0.0
    """Each request's cached input: this share of its input, rounded down."""
    geometric: bool = False

    def count(self, rng: random.Random) -> int:
        if not self.geometric:
            return int(self.per_session)
        p = 1 / self.per_session
        return 1 + int(math.log(1 - rng.random()) / math.log(1 - p)) if p < 1 else 1

    @property
    def per_session_p95(self) -> float:
        if not self.geometric:
            return self.per_session
        p = 1 / self.per_session
        return float(math.ceil(math.log(0.05) / math.log(1 - p)))


SUPPORT_BOT = (
    CallLaw("route", (("gpt-4o-mini", 1.0),), 1, Law(5.0, 0.2), Law(1.6, 0.1)),
    CallLaw("answer", (("gpt-4o-mini", 0.7), ("gpt-4o", 0.3)), 3, Law(7.0, 0.5), Law(5.3, 0.6),
            cached_share=0.4, geometric=True),
)
"""A support bot like fixtures/support-bot: a router call, then a multi-turn answer."""
PRODUCTION = (
    CallLaw("route", (("gpt-4o-mini", 1.0),), 1, Law(5.173, 0.2), Law(1.6, 0.1)),
    CallLaw("answer", (("gpt-4o-mini", 0.7), ("gpt-4o", 0.3)), 2.4, Law(7.852, 0.25), Law(5.62, 0.45),
            cached_share=0.85, geometric=True),
)
"""fixtures/support-bot/usage/2026-10.csv (docs/calibrate.md): the support bot as production
saw it, close to its spec but with longer answers (mean ~305 tokens, not 220) and fewer
turns (2.4 a session, not 3): ``write_csv(path, records(PRODUCTION, 400, seed=2026))``."""
ACCEPTANCE = (
    CallLaw("route", (("gpt-4o-mini", 1.0),), 1, Law(5.0, 0.2), Law(3.0, 0.3)),
    CallLaw("answer", (("gpt-4o-mini", 0.7), ("gpt-4o", 0.3)), 3, Law(7.0, 0.5), Law(5.3, 0.6),
            reasoning=Law(5.5, 0.6), cached_share=0.4, geometric=True),
)
"""The accuracy test's and bench/calibrate_bench.py's laws: every figure measured
(reasoning and cached input on the answer call)."""


def records(laws: tuple[CallLaw, ...], n: int, seed: int = 1, feature: str = "support-bot") -> Iterator[dict]:
    """About ``n`` records (whole sessions), in session order."""
    rng = random.Random(seed)
    made, session = 0, 0
    span = DAYS * 86_400
    while made < n:
        session += 1
        t0 = START + timedelta(seconds=rng.randrange(span))
        for law in laws:
            for i in range(law.count(rng)):
                models, weights = zip(*law.models)
                inp = law.input.draw(rng)
                out = law.output.draw(rng)
                reasoning = law.reasoning.draw(rng) if law.reasoning else 0
                yield {"feature": feature, "call": law.name, "session": f"s{session}",
                       "model": rng.choices(models, weights)[0],
                       "timestamp": (t0 + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S"),
                       "input_tokens": inp, "output_tokens": out + reasoning, "reasoning_tokens": reasoning,
                       "cached_tokens": int(inp * law.cached_share), "prompt": f"{CANARY} user question",
                       "response": f"{CANARY} model answer"}
                made += 1


COLUMNS = ("feature", "call", "session", "model", "timestamp", "input_tokens", "output_tokens", "reasoning_tokens",
           "cached_tokens", "prompt", "response")


def write_csv(path: Path, rows: Iterator[dict]) -> int:
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in COLUMNS])
            n += 1
    return n


def write_parquet(path: Path, rows: Iterator[dict]) -> int:
    import duckdb

    tmp = path.with_suffix(".tmp.csv")
    n = write_csv(tmp, rows)
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{tmp}', header=true)) TO '{path}' (FORMAT parquet)")
    con.close()
    tmp.unlink()
    return n


def _attr(key: str, value: object) -> dict:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": str(value)}}


def write_otlp(path: Path, rows: Iterator[dict], per_line: int = 100) -> int:
    """OTLP JSON lines: one ExportTraceServiceRequest per line, ``per_line`` spans each."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        batch: list[dict] = []
        for r in rows:
            ts = datetime.strptime(r["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
            nanos = int(ts.timestamp()) * 1_000_000_000
            batch.append({
                "traceId": f"{n:032x}", "spanId": f"{n:016x}", "name": f"chat {r['model']}",
                "startTimeUnixNano": str(nanos), "endTimeUnixNano": str(nanos + 1_000_000),
                "attributes": [
                    _attr("gen_ai.operation.name", "chat"), _attr("gen_ai.request.model", r["model"]),
                    _attr("gen_ai.conversation.id", r["session"]), _attr("costgate.feature", r["feature"]),
                    _attr("costgate.call", r["call"]), _attr("gen_ai.usage.input_tokens", r["input_tokens"]),
                    _attr("gen_ai.usage.output_tokens", r["output_tokens"]),
                    _attr("gen_ai.usage.reasoning.output_tokens", r["reasoning_tokens"]),
                    _attr("gen_ai.usage.cache_read.input_tokens", r["cached_tokens"]),
                    _attr("gen_ai.input.messages", json.dumps([{"role": "user", "content": r["prompt"]}])),
                ],
                "events": [{"name": "gen_ai.choice", "attributes": [_attr("gen_ai.output", r["response"])]}],
            })
            n += 1
            if len(batch) == per_line:
                fh.write(_request(batch) + "\n")
                batch = []
        if batch:
            fh.write(_request(batch) + "\n")
    return n


def _request(spans: list[dict]) -> str:
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [_attr("service.name", "support")]},
                                          "scopeSpans": [{"scope": {"name": "app"}, "spans": spans}]}]})


def _normal(k: int) -> str:
    """A standard normal draw in SQL (Box-Muller over two uniforms); ``k`` keeps the
    expressions apart so each is its own draw."""
    return f"(sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) + {k} * 0)"


def _lognormal(law: Law, k: int) -> str:
    return f"CAST(round(exp({law.mu!r} + {law.sigma!r} * {_normal(k)})) AS BIGINT)"


def _model(law: CallLaw) -> str:
    """A model drawn by its share (one uniform, cumulative shares)."""
    if len(law.models) == 1:
        return f"'{law.models[0][0]}'"
    cases, acc = [], 0.0
    for name, share in law.models[:-1]:
        acc += share
        cases.append(f"WHEN u < {acc!r} THEN '{name}'")
    return f"(CASE {' '.join(cases)} ELSE '{law.models[-1][0]}' END)"


def write_parquet_sql(path: Path, laws: tuple[CallLaw, ...], sessions: int, seed: float = 0.25,
                      feature: str = "support-bot") -> int:
    """The same laws as ``records``, drawn inside DuckDB (one thread, seeded: the same file
    every time) for millions of records in seconds; returns the record count. Carries a
    ``prompt`` content column holding ``CANARY`` like the other writers."""
    import duckdb

    con = duckdb.connect(config={"threads": 1})
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SELECT setseed({seed!r})")
    selects = []
    for law in laws:
        if law.geometric:
            p = 1 / law.per_session
            count = f"1 + CAST(floor(ln(1 - random()) / ln({1 - p!r})) AS BIGINT)"
        else:
            count = str(int(law.per_session))
        reasoning = _lognormal(law.reasoning, 3) if law.reasoning else "CAST(0 AS BIGINT)"
        selects.append(f"""
            SELECT s, i, '{law.name}' AS call, {_model(law)} AS model, input_tokens, out_answer + reasoning_tokens
                   AS output_tokens, reasoning_tokens,
                   CAST(floor(input_tokens * {law.cached_share!r}) AS BIGINT) AS cached_tokens
            FROM (SELECT s, i, random() AS u, {_lognormal(law.input, 1)} AS input_tokens,
                         {_lognormal(law.output, 2)} AS out_answer, {reasoning} AS reasoning_tokens
                  FROM (SELECT s, unnest(range({count})) AS i FROM range({sessions}) t(s)))""")
    body = " UNION ALL ".join(selects)
    con.execute(f"""
        COPY (SELECT '{feature}' AS feature, call, 's' || s AS session, model,
                     TIMESTAMP '2026-10-01' + to_seconds(CAST(s % {DAYS * 86_400} AS BIGINT) + i) AS timestamp,
                     input_tokens, output_tokens, reasoning_tokens, cached_tokens,
                     '{CANARY} user question' AS prompt
              FROM ({body}) ORDER BY s, call, i)
        TO '{path}' (FORMAT parquet)""")
    n = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    con.close()
    return int(n)


def write_csv_sql(parquet: Path, csv_path: Path) -> None:
    """The records of a ``write_parquet_sql`` file as one CSV file (header, no quoting needed)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{csv_path}' (FORMAT csv, HEADER true)")
    con.close()
