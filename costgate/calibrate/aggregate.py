"""The aggregation, in DuckDB: usage records in, per-call sums and percentiles out.

DuckDB is embedded and out of core: the records are read once into a compressed table of
a database file in the spill directory, ``memory_limit`` bounds what DuckDB holds and it
spills to that directory beyond it (docs/limits.md). SQL text here is fixed; every name
from a mapping or the command line is either a bound parameter (attribute keys, the
feature id, call names) or an identifier quoted by ``ident`` (tabular column names).
Means are exact (integer sums over counts); p95 is exact too, read off a histogram of
the values (``quantile.quantile_cont``), so no query holds every value in memory.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

from ..errors import CostgateError
from .mapping import SPAN_NAME, Mapping
from .model import CallSums, ModelSums, Usage
from .quantile import quantile_cont
from .sources import Files, relation

INSTALL = "pip install 'costgate[calibrate]'"


@dataclass(frozen=True)
class Settings:
    memory_limit: str = "512MB"
    """DuckDB's memory_limit: what the aggregation may hold before it spills to disk."""
    temp_directory: str | None = None
    """Where DuckDB keeps its database file and spills (a fresh directory is made in it,
    default the system temp dir, and removed after)."""
    threads: int | None = None
    """DuckDB worker threads (default: DuckDB's, one per core)."""
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


def connect(settings: Settings, spill: str, name: str = "records.duckdb") -> Any:
    """A DuckDB database file ``name`` in ``spill`` (tables compressed, buffer-managed)."""
    duckdb = duckdb_module()
    config: dict[str, Any] = {"memory_limit": settings.memory_limit, "temp_directory": spill,
                              "preserve_insertion_order": False}
    if settings.threads:
        config["threads"] = settings.threads
    try:
        con = duckdb.connect(os.path.join(spill, name), config=config)
        con.execute("SET enable_progress_bar = false")  # never on stdout, whatever the terminal
        return con
    except duckdb.Error as exc:
        raise CostgateError(f"DuckDB refused the settings: {str(exc).splitlines()[0][:200]}",
                            hint="--memory-limit takes a size such as 512MB or 2GB (docs/limits.md)") from None


def read_usage(files: Files, m: Mapping, feature: str, calls: tuple[str, ...], settings: Settings) -> Usage:
    """Every record of ``feature`` in ``files``, aggregated per call (``model.Usage``)."""
    duckdb = duckdb_module()
    with tempfile.TemporaryDirectory(prefix="costgate-duckdb-", dir=settings.temp_directory) as spill:
        con = connect(settings, spill)
        try:
            _load(con, files, m, feature, settings)
            return _aggregate(con, calls)
        except duckdb.Error as exc:
            raise _read_error(duckdb, settings, files, m, exc) from None
        finally:
            con.close()


def _read_error(duckdb: Any, settings: Settings, files: Files, m: Mapping, exc: Exception) -> CostgateError:
    """The file DuckDB could not read, found by reading each alone; else DuckDB's reason."""
    first = str(exc).splitlines()[0][:300]
    if isinstance(exc, duckdb.OutOfMemoryException):
        return CostgateError(f"the aggregation needs more than memory_limit {settings.memory_limit}: {first}",
                             hint="raise --memory-limit (docs/limits.md)")
    culprit = None
    if len(files.paths) > 1:
        with tempfile.TemporaryDirectory(prefix="costgate-duckdb-", dir=settings.temp_directory) as spill:
            con = connect(settings, spill, "probe.duckdb")
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
    cols: list[str] = []
    for field in ("feature", "call", "session", "model", "timestamp", "input_tokens", "output_tokens",
                  "reasoning_tokens", "cached_tokens"):
        sql, p = _pick(m, files.kind, field)
        cols.append(f"{sql} AS {field}")
        params += p
    source = "raw" if files.kind != "otlp" else (
        "(SELECT unnest(ss.spans) AS sp FROM (SELECT unnest(rs.scopeSpans) AS ss FROM "
        "(SELECT unnest(resourceSpans) AS rs FROM raw)))")
    where = "call IS NOT NULL" + (" AND feature = ?" if m.feature is not None else "")
    params += [feature] if m.feature is not None else []
    con.execute(f"""
        CREATE OR REPLACE TABLE records AS
        WITH picked AS (SELECT {", ".join(cols)} FROM {source}),
        typed AS (
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
        FROM typed""", params + [m.input_includes_cached, m.input_includes_cached, m.output_includes_reasoning])


def _count(field: str) -> str:
    v = f"TRY_CAST({field} AS DOUBLE)"
    return f"(CASE WHEN {v} >= 0 AND {v} = floor({v}) AND {v} < 1e15 THEN CAST({v} AS BIGINT) END)"


def _timestamp(kind: str) -> str:
    if kind == "otlp":  # epoch nanoseconds
        return "make_timestamp(CAST(TRY_CAST(timestamp AS HUGEINT) // 1000 AS BIGINT))"
    # an ISO date-time, else an epoch number in seconds, ms, µs or ns (told apart by size:
    # 1e11 seconds is the year 5138)
    d = "TRY_CAST(timestamp AS DOUBLE)"
    micros = (f"CASE WHEN {d} >= 1e17 THEN {d} / 1e3 WHEN {d} >= 1e14 THEN {d} WHEN {d} >= 1e11 THEN {d} * 1e3 "
              f"ELSE {d} * 1e6 END")
    return f"coalesce(TRY_CAST(timestamp AS TIMESTAMP), make_timestamp(CAST({micros} AS BIGINT)))"


def _aggregate(con: Any, calls: tuple[str, ...]) -> Usage:
    skipped = con.execute("SELECT count(*) FROM records WHERE input IS NULL OR output IS NULL").fetchone()[0]
    con.execute("DELETE FROM records WHERE input IS NULL OR output IS NULL")
    records, start, end, sessions = con.execute(
        "SELECT count(*), CAST(min(ts) AS DATE), CAST(max(ts) AS DATE), count(DISTINCT session) FROM records").fetchone()
    names = [list(calls)]
    unmatched = con.execute("SELECT call, count(*) FROM records WHERE NOT list_contains(?, call) GROUP BY call "
                            "ORDER BY 2 DESC, 1 LIMIT 10", names).fetchall()
    unmatched_total = con.execute("SELECT count(*) FROM records WHERE NOT list_contains(?, call)", names).fetchone()[0]
    hist = {col: _histograms(con, col, names) for col in ("input", "output", "reasoning")}
    per_session = _per_session(con, names)
    models: dict[str, list[ModelSums]] = {}
    for call, model, n, inp, cached, out, reasoning in con.execute("""
            SELECT call, model, count(*), sum(input), sum(cached), sum(output), sum(reasoning)
            FROM records WHERE list_contains(?, call) GROUP BY call, model ORDER BY call, model NULLS FIRST""",
            names).fetchall():
        models.setdefault(call, []).append(ModelSums(model, n, int(inp), int(cached), int(out), int(reasoning)))
    out_calls = []
    for call in sorted(models):
        ms = models[call]
        sess = per_session.get(call)
        with_call = sum(c for _, c in sess or ())
        if sess is not None and sessions > with_call:
            sess = [(0, sessions - with_call), *sess]  # sessions without the call made it 0 times
        out_calls.append(CallSums(
            name=call, count=sum(m.count for m in ms), input_sum=sum(m.input for m in ms),
            input_p95=quantile_cont(hist["input"][call]), output_sum=sum(m.output for m in ms),
            output_p95=quantile_cont(hist["output"][call]), reasoning_sum=sum(m.reasoning for m in ms),
            reasoning_p95=quantile_cont(hist["reasoning"][call]), cached_sum=sum(m.cached for m in ms),
            sessions=sessions if sess is not None else None,
            session_calls=None if sess is None else sum(v * c for v, c in sess),
            per_session_p95=None if sess is None else quantile_cont(sess), models=tuple(ms)))
    return Usage(records=records, skipped=skipped, start=start, end=end, sessions=sessions,
                 unmatched=tuple((str(c), int(k)) for c, k in unmatched), unmatched_records=int(unmatched_total),
                 calls=tuple(out_calls))


def _histograms(con: Any, column: str, names: list) -> dict[str, list[tuple[int, int]]]:
    """Per call, ``[(value, records with it), ...]`` ascending (``column`` is one of ours)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for call, value, n in con.execute(f"SELECT call, {column}, count(*) FROM records WHERE list_contains(?, call) "
                                      f"GROUP BY call, {column} ORDER BY call, {column}", names).fetchall():
        out.setdefault(call, []).append((int(value), int(n)))
    return out


def _per_session(con: Any, names: list) -> dict[str, list[tuple[int, int]]]:
    """Per call, ``[(requests in a session, sessions with that many), ...]`` over the
    sessions that made it at least once (records without a session are left out)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for call, k, n in con.execute("""
            SELECT call, n, count(*) FROM (SELECT call, session, count(*) AS n FROM records
                                           WHERE session IS NOT NULL AND list_contains(?, call) GROUP BY call, session)
            GROUP BY call, n ORDER BY call, n""", names).fetchall():
        out.setdefault(call, []).append((int(k), int(n)))
    return out


__all__ = ["Settings", "read_usage", "ident", "duckdb_module", "INSTALL"]
