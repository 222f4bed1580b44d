"""The aggregation, in DuckDB: usage records in, per-call sums and percentiles out.

DuckDB is embedded and out of core: ``memory_limit`` bounds what it holds and it spills
to ``temp_directory`` beyond that (docs/limits.md). SQL text here is fixed; every name
from a mapping or the command line is either a bound parameter (attribute keys, the
feature id, call names) or an identifier quoted by ``ident`` (tabular column names).
Means are exact (integer sums over counts); p95 is DuckDB's ``quantile_cont``
(exact, holds one group's values) or ``approx_quantile`` (a t-digest in bounded memory).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ..errors import CostgateError
from .mapping import SPAN_NAME, Mapping
from .model import CallSums, ModelSums, Usage
from .sources import Files, relation

Quantile = Literal["exact", "approx"]
QUANTILE_FN = {"exact": "quantile_cont", "approx": "approx_quantile"}
INSTALL = "pip install 'costgate[calibrate]'"


@dataclass(frozen=True)
class Settings:
    memory_limit: str = "512MB"
    """DuckDB's memory_limit: what the aggregation may hold before it spills to disk."""
    temp_directory: str | None = None
    """Where DuckDB spills (default: a fresh directory under the system temp dir, removed after)."""
    threads: int | None = None
    """DuckDB worker threads (default: DuckDB's, one per core)."""
    quantile: Quantile = "exact"
    max_object_mb: int = 16
    """The largest OTLP JSON document (a file, or one line of a JSON-lines file), in MiB."""


def duckdb_module() -> Any:
    try:
        import duckdb
    except ImportError:
        raise CostgateError("costgate calibrate needs DuckDB, an optional extra", hint=INSTALL) from None
    return duckdb


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (embedded quotes doubled)."""
    if "\0" in name:
        raise CostgateError("a column name contains a NUL byte")
    return '"' + name.replace('"', '""') + '"'


def connect(settings: Settings, spill: str) -> Any:
    duckdb = duckdb_module()
    config: dict[str, Any] = {"memory_limit": settings.memory_limit, "temp_directory": spill,
                              "preserve_insertion_order": False}
    if settings.threads:
        config["threads"] = settings.threads
    try:
        return duckdb.connect(":memory:", config=config)
    except duckdb.Error as exc:
        raise CostgateError(f"DuckDB refused the settings: {str(exc).splitlines()[0][:200]}",
                            hint="--memory-limit takes a size such as 512MB or 2GB (docs/limits.md)") from None


def read_usage(files: Files, m: Mapping, feature: str, calls: tuple[str, ...], settings: Settings) -> Usage:
    """Every record of ``feature`` in ``files``, aggregated per call (``model.Usage``)."""
    duckdb = duckdb_module()
    with tempfile.TemporaryDirectory(prefix="costgate-duckdb-") as own:
        spill = settings.temp_directory or own
        con = connect(settings, spill)
        try:
            _load(con, files, m, feature, settings)
            return _aggregate(con, calls, QUANTILE_FN[settings.quantile])
        except duckdb.Error as exc:
            raise _read_error(duckdb, settings, files, m, exc) from None
        finally:
            con.close()


def _read_error(duckdb: Any, settings: Settings, files: Files, m: Mapping, exc: Exception) -> CostgateError:
    """The file DuckDB could not read, found by reading each alone; else DuckDB's reason."""
    first = str(exc).splitlines()[0][:300]
    if isinstance(exc, duckdb.OutOfMemoryException):
        return CostgateError(f"the aggregation needs more than memory_limit {settings.memory_limit}: {first}",
                             hint="raise --memory-limit, or use --quantile approx (docs/limits.md)")
    culprit = None
    if len(files.paths) > 1:
        with tempfile.TemporaryDirectory(prefix="costgate-duckdb-") as spill:
            con = connect(settings, spill)
            for path in files.paths:
                try:
                    _load(con, Files(files.kind, (path,)), m, "", settings)
                except duckdb.Error:
                    culprit = path
                    break
                finally:
                    con.execute("DROP TABLE IF EXISTS records")
            con.close()
    where = culprit or (files.paths[0] if len(files.paths) == 1 else f"{len(files.paths)} usage files")
    return CostgateError(f"{where}: cannot read it as {files.kind.upper()} usage records: {first}",
                         hint="check the file is the export it is named as, and --map names its fields "
                              "(docs/calibrate.md, 'Mapping')")


def _pick(m: Mapping, kind: str, field: str) -> tuple[str, list[Any]]:
    """SQL reading mapped ``field`` as text from a record, with its parameters."""
    name = getattr(m, field)
    if name is None:
        return "NULL", []
    if kind != "otlp":
        return f"CAST({ident(name)} AS VARCHAR)", []
    if name == SPAN_NAME:
        return "sp.name", []
    if name == "startTimeUnixNano":
        return "sp.startTimeUnixNano", []
    value = "list_filter(sp.attributes, lambda a: a.key = ?)[1].value"
    return (f"coalesce({value}.stringValue, {value}.intValue, CAST({value}.doubleValue AS VARCHAR), "
            f"CAST({value}.boolValue AS VARCHAR))", [name] * 4)


def _load(con: Any, files: Files, m: Mapping, feature: str, settings: Settings) -> None:
    """``records``: one row per request of the feature, counts as integers (NULL where
    the field is missing or not a whole number >= 0), output without reasoning."""
    con.register("raw", relation(con, files, settings.max_object_mb * 2**20))
    params: list[Any] = []
    cols: dict[str, str] = {}
    for field in ("feature", "call", "session", "model", "timestamp", "input_tokens", "output_tokens",
                  "reasoning_tokens", "cached_tokens"):
        sql, p = _pick(m, files.kind, field)
        cols[field] = sql
        params += p
    source = "raw" if files.kind != "otlp" else (
        "(SELECT unnest(ss.spans) AS sp FROM (SELECT unnest(rs.scopeSpans) AS ss FROM "
        "(SELECT unnest(resourceSpans) AS rs FROM raw)))")
    where = "call IS NOT NULL"
    if m.feature is not None:
        where += " AND feature = ?"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE picked AS SELECT " + ", ".join(f"{sql} AS {k}" for k, sql in cols.items())
        + f" FROM {source}", params)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE records AS
        WITH typed AS (
            SELECT call, session, model, {_timestamp(files.kind)} AS ts,
                   {_count('input_tokens')} AS input, {_count('output_tokens')} AS output,
                   coalesce({_count('reasoning_tokens')}, 0) AS reasoning,
                   coalesce({_count('cached_tokens')}, 0) AS cached
            FROM picked WHERE {where})
        SELECT call, session, model, ts,
               input + (CASE WHEN ? THEN 0 ELSE cached END) AS input,
               least(cached, input + (CASE WHEN ? THEN 0 ELSE cached END)) AS cached,
               (CASE WHEN ? THEN greatest(output - reasoning, 0) ELSE output END) AS output,
               reasoning
        FROM typed""", ([feature] if m.feature is not None else [])
                + [m.input_includes_cached, m.input_includes_cached, m.output_includes_reasoning])
    con.execute("DROP TABLE picked")


def _count(field: str) -> str:
    v = f"TRY_CAST({field} AS DOUBLE)"
    return f"(CASE WHEN {v} >= 0 AND {v} = floor({v}) AND {v} < 1e15 THEN CAST({v} AS BIGINT) END)"


def _timestamp(kind: str) -> str:
    if kind == "otlp":  # epoch nanoseconds
        return "make_timestamp(CAST(TRY_CAST(timestamp AS HUGEINT) // 1000 AS BIGINT))"
    return ("coalesce(TRY_CAST(timestamp AS TIMESTAMP), "
            "make_timestamp(CAST(TRY_CAST(timestamp AS DOUBLE) * 1000000 AS BIGINT)))")


def _aggregate(con: Any, calls: tuple[str, ...], q: str) -> Usage:
    skipped = con.execute("SELECT count(*) FROM records WHERE input IS NULL OR output IS NULL").fetchone()[0]
    con.execute("DELETE FROM records WHERE input IS NULL OR output IS NULL")
    totals = con.execute("SELECT count(*), ?, CAST(min(ts) AS DATE), CAST(max(ts) AS DATE), count(DISTINCT session) "
                         "FROM records", [skipped]).fetchone()
    unmatched = con.execute(
        "SELECT call, count(*) FROM records WHERE NOT list_contains(?, call) GROUP BY call ORDER BY 2 DESC, 1 LIMIT 10",
        [list(calls)]).fetchall()
    unmatched_total = con.execute("SELECT count(*) FROM records WHERE NOT list_contains(?, call)",
                                  [list(calls)]).fetchone()[0]
    per_call = con.execute(f"""
        SELECT call, count(*), sum(input), {q}(input, 0.95), sum(output), {q}(output, 0.95),
               sum(reasoning), {q}(reasoning, 0.95), sum(cached)
        FROM records WHERE list_contains(?, call) GROUP BY call ORDER BY call""", [list(calls)]).fetchall()
    sessions = {row[0]: row[1:] for row in con.execute(f"""
        WITH s AS (SELECT DISTINCT session FROM records WHERE session IS NOT NULL),
             per AS (SELECT call, session, count(*) AS n FROM records
                     WHERE session IS NOT NULL AND list_contains(?, call) GROUP BY call, session),
             grid AS (SELECT c.call, s.session FROM s CROSS JOIN (SELECT DISTINCT call FROM per) c)
        SELECT g.call, count(*), sum(coalesce(per.n, 0)), {q}(coalesce(per.n, 0), 0.95)
        FROM grid g LEFT JOIN per USING (call, session) GROUP BY g.call""", [list(calls)]).fetchall()}
    models: dict[str, list[ModelSums]] = {}
    for call, model, n, inp, cached, out, reasoning in con.execute("""
            SELECT call, model, count(*), sum(input), sum(cached), sum(output), sum(reasoning)
            FROM records WHERE list_contains(?, call) GROUP BY call, model ORDER BY call, model NULLS FIRST""",
            [list(calls)]).fetchall():
        models.setdefault(call, []).append(ModelSums(model, n, int(inp), int(cached), int(out), int(reasoning)))
    out_calls = []
    for call, n, s_in, p_in, s_out, p_out, s_r, p_r, s_c in per_call:
        sess = sessions.get(call)
        out_calls.append(CallSums(
            name=call, count=n, input_sum=int(s_in), input_p95=_dec(p_in), output_sum=int(s_out),
            output_p95=_dec(p_out), reasoning_sum=int(s_r), reasoning_p95=_dec(p_r), cached_sum=int(s_c),
            sessions=None if sess is None else sess[0], session_calls=None if sess is None else int(sess[1]),
            per_session_p95=None if sess is None else _dec(sess[2]), models=tuple(models.get(call, ()))))
    return Usage(records=totals[0], skipped=totals[1], start=totals[2], end=totals[3], sessions=totals[4],
                 unmatched=tuple((str(c), int(k)) for c, k in unmatched), unmatched_records=int(unmatched_total),
                 calls=tuple(out_calls))


def _dec(value: Any) -> Decimal:
    """A percentile as DuckDB returns it (a double), to 4 decimal places."""
    return Decimal(repr(float(value))).quantize(Decimal("0.0001"))


__all__ = ["Settings", "read_usage", "ident", "duckdb_module", "INSTALL", "Quantile"]
