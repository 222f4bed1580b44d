"""Usage files → one DuckDB relation of usage records, read in bounded memory.

Kinds by extension: ``.json``/``.jsonl``/``.ndjson`` (OTLP JSON: one
``ExportTraceServiceRequest`` per file or per line, as the OpenTelemetry file exporter
writes), ``.csv`` (optionally ``.gz``/``.zst``) and ``.parquet``. Local globs are expanded
here (sorted, so the same files give the same answer); ``s3://``, ``gs://``, ``https://``
and other URLs go to DuckDB as they are, to be read with the user's own DuckDB
configuration (httpfs, credentials). Only the mapped fields are selected: OTLP spans are
read with an explicit schema (name, start time, attribute keys and scalar values; span
events, links and resource attributes are never read) and tabular files by column name.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import CostgateError

Kind = Literal["otlp", "csv", "parquet"]
EXTENSIONS: dict[str, Kind] = {".json": "otlp", ".jsonl": "otlp", ".ndjson": "otlp", ".csv": "csv",
                               ".tsv": "csv", ".parquet": "parquet"}
COMPRESSED = (".gz", ".zst")
REMOTE = ("s3://", "s3a://", "gs://", "gcs://", "r2://", "az://", "abfss://", "http://", "https://", "hf://")
MAX_FILES = 100_000
SPAN = ("STRUCT(name VARCHAR, startTimeUnixNano VARCHAR, attributes STRUCT(key VARCHAR, value STRUCT("
        "stringValue VARCHAR, intValue VARCHAR, doubleValue DOUBLE, boolValue BOOLEAN))[])")
OTLP_COLUMNS = {"resourceSpans": f"STRUCT(scopeSpans STRUCT(spans {SPAN}[])[])[]"}
"""The only part of an OTLP file read: spans' names, start times and attributes."""


@dataclass(frozen=True)
class Files:
    kind: Kind
    paths: tuple[str, ...]
    """Local files (expanded, sorted) and remote URLs, as DuckDB reads them."""


def kind_of(path: str) -> Kind:
    name = path.lower()
    for ext in COMPRESSED:
        if name.endswith(ext):
            name = name[: -len(ext)]
    for ext, kind in EXTENSIONS.items():
        if name.endswith(ext):
            return kind
    raise CostgateError(f"{path[:200]}: not a usage file costgate reads",
                        hint="usage files end in .json or .jsonl (OTLP spans), .csv or .parquet")


def expand(patterns: tuple[str, ...], cwd: Path | None = None) -> Files:
    """Every file ``patterns`` name (globs expanded, ``**`` recursive), of one kind."""
    if not patterns:
        raise CostgateError("no usage files given", hint="pass --usage FILE_OR_GLOB (repeatable)")
    found: list[str] = []
    for pattern in patterns:
        if "\0" in pattern or any(ord(c) < 32 for c in pattern):
            raise CostgateError(f"usage path {pattern[:60]!r} contains control characters")
        if pattern.startswith(REMOTE):
            found.append(pattern)
            continue
        full = pattern if os.path.isabs(pattern) else str((cwd or Path.cwd()) / pattern)
        matched = sorted(p for p in glob.glob(full, recursive=True) if os.path.isfile(p))
        if not matched:
            raise CostgateError(f"no usage files match {pattern[:200]!r}",
                                hint="quote a glob so costgate expands it: --usage 'exports/*.parquet'")
        found.extend(matched)
    found = list(dict.fromkeys(found))
    if len(found) > MAX_FILES:
        raise CostgateError(f"{len(found)} usage files; costgate reads at most {MAX_FILES:,} in one run",
                            hint="concatenate them, or pass a Parquet dataset (docs/limits.md)")
    kinds = {kind_of(p) for p in found}
    if len(kinds) > 1:
        raise CostgateError(f"usage files of different kinds ({', '.join(sorted(kinds))}) in one run",
                            hint="calibrate from one kind of export at a time")
    return Files(kinds.pop(), tuple(found))


def relation(con: Any, files: Files, max_object_bytes: int = 16 * 2**20) -> Any:
    """A DuckDB relation over ``files`` (not yet read: DuckDB streams it when queried);
    one OTLP JSON document (a file, or a line of JSON lines) may be ``max_object_bytes``."""
    paths = list(files.paths)
    if files.kind == "parquet":
        return con.read_parquet(paths, union_by_name=True)
    if files.kind == "csv":
        return con.read_csv(paths, header=True, all_varchar=True, union_by_name=True)
    return con.read_json(paths, columns=OTLP_COLUMNS, format="auto", maximum_object_size=max_object_bytes)


__all__ = ["Files", "Kind", "expand", "relation", "kind_of", "OTLP_COLUMNS"]
