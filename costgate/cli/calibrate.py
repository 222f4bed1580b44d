"""``costgate calibrate``: a spec against production usage records."""

from __future__ import annotations

from pathlib import Path

import click

from .options import RendererChoice, as_of_option, emit, output_option, parse_day, pricing_layers_option

CALIBRATE_FORMATS = RendererChoice("costgate.report.calibrate")
PRESET_NAMES = ("otel", "litellm", "openai", "anthropic", "costgate")


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--usage", "usage", multiple=True, required=True, metavar="FILE_OR_GLOB",
              help="Usage records (repeatable): OTLP JSON/JSON-lines spans (.json, .jsonl), .csv or .parquet "
                   "exports; globs are expanded (quote them); s3://, gs://, https:// URLs are read by DuckDB "
                   "with your own DuckDB configuration.")
@click.option("--preset", type=click.Choice(PRESET_NAMES), default=None,
              help="Which fields records use (docs/calibrate.md, 'Mapping').  [default: otel for JSON, "
                   "costgate for CSV and Parquet]")
@click.option("--map", "overrides", multiple=True, metavar="FIELD=NAME",
              help="Read FIELD (feature, call, session, model, timestamp, input_tokens, output_tokens, "
                   "reasoning_tokens, cached_tokens) from attribute or column NAME (repeatable; FIELD= unsets an "
                   "optional one).")
@click.option("--format", "fmt", type=CALIBRATE_FORMATS, default="table", show_default=True, help="Output format.")
@click.option("--write", is_flag=True, help="Write calibration.yaml beside the spec (reference it with "
                                            "calibration: {file: calibration.yaml}).")
@click.option("--memory-limit", default="512MB", show_default=True, metavar="SIZE",
              help="DuckDB's memory limit; beyond it DuckDB spills to --temp-directory.")
@click.option("--temp-directory", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
              help="Where DuckDB keeps its database file and spills (in a new directory, removed after).  "
                   "[default: the system temp dir]")
@click.option("--threads", type=click.IntRange(1, 1024), default=None, help="DuckDB threads.  [default: one a core]")
@click.option("--json-object-limit", "max_object_mb", type=click.IntRange(1, 4096), default=16, show_default=True,
              metavar="MiB", help="Largest OTLP JSON document (a file, or a line of JSON lines).")
@as_of_option("Price with the table as it stood that day.")
@pricing_layers_option()
@output_option()
def calibrate(spec, usage, preset, overrides, fmt, write, memory_limit, temp_directory, threads,
              max_object_mb, as_of, pricing, output) -> None:
    """Measure SPEC's calls in production usage records and compare them with its projection.

    Per call: input, output and reasoning tokens (mean and p95), cached share, calls per
    session, cost per call and per month, observed beside projected, with the error.
    Reads counts and ids only, never prompt or response content. Needs the DuckDB extra:
    pip install 'costgate[calibrate]'.

    \b
    Examples:
      costgate calibrate support-bot.costgate.yaml --usage 'traces/*.jsonl'
      costgate calibrate support-bot.costgate.yaml --usage spend.parquet --preset litellm --write
    """
    from ..calibrate.aggregate import Settings
    from ..calibrate.mapping import mapping_for
    from ..calibrate.run import calibrate_spec
    from ..calibrate.sources import expand
    from ..report.calibrate import FORMATS

    files = expand(tuple(usage))
    if preset is None:
        preset = "otel" if files.kind == "otlp" else "costgate"
    settings = Settings(memory_limit=memory_limit, temp_directory=None if temp_directory is None
                        else str(temp_directory), threads=threads, max_object_mb=max_object_mb)
    result = calibrate_spec(spec, files, mapping_for(preset, tuple(overrides)), settings=settings,
                            as_of=parse_day(as_of), pricing=pricing, write=write)
    emit(FORMATS[fmt](result), output)
