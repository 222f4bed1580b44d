"""``costgate calibrate`` on 10,000,000 records, in one run: python bench/calibrate_bench.py

Draws the records from known laws inside DuckDB (tests/usage_synth.py: a router call and a
geometric multi-turn answer call with reasoning and cached input; 2.5 M sessions), writes
them as Parquet (and, with --csv, as CSV too), then runs ``python -m costgate calibrate``
on the support-bot fixture in a child process and reports:

* wall time of the whole process (import, estimate of the spec, DuckDB aggregation);
* **peak memory**: the child's maximum resident set size (the Python process with DuckDB
  inside it; ``getrusage(RUSAGE_CHILDREN).ru_maxrss``) — target <= 1 GB;
* the recovered means and p95s against the laws' true values.

Not a test: the figures go in the closing note. ``--records N`` and ``--memory-limit``
change the workload.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from usage_synth import CallLaw, Law, write_csv_sql, write_parquet_sql  # noqa: E402

LAWS = (
    CallLaw("route", (("gpt-4o-mini", 1.0),), 1, Law(5.0, 0.2), Law(3.0, 0.3)),
    CallLaw("answer", (("gpt-4o-mini", 0.7), ("gpt-4o", 0.3)), 3, Law(7.0, 0.5), Law(5.3, 0.6),
            reasoning=Law(5.5, 0.6), cached_share=0.4, geometric=True),
)
SPEC = ROOT / "fixtures" / "support-bot" / "support-bot.costgate.yaml"


def run(usage: Path, args: argparse.Namespace) -> tuple[float, float, dict]:
    """(seconds, peak RSS in MiB, the JSON document) of one calibrate process."""
    cmd = [sys.executable, "-m", "costgate", "calibrate", str(SPEC), "--usage", str(usage), "--format", "json",
           "--as-of", "2026-11-01", "--memory-limit", args.memory_limit]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"calibrate failed ({proc.returncode}): {proc.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB -> MiB (Linux)
    return seconds, peak, json.loads(proc.stdout)["calibration"]


def report(kind: str, n: int, size: int, seconds: float, peak: float, doc: dict) -> None:
    print(f"{kind}: {n:,} records ({size / 2**20:,.0f} MiB): {seconds:.1f} s, peak RSS {peak:,.0f} MiB "
          f"({n / seconds / 1e6:.2f} M records/s)")
    for law, call in zip(LAWS, doc["calls"]):
        o = call["observed"]
        for name, true in (("input_tokens", law.input), ("output_tokens", law.output),
                           ("reasoning_tokens", law.reasoning)):
            if true is None:
                continue
            got_mean, got_p95 = float(o[name]["mean"]), float(o[name]["p95"])
            print(f"  {law.name}.{name}: mean {got_mean:.1f} (true {true.mean:.1f}, "
                  f"{(got_mean / true.mean - 1) * 100:+.2f}%), p95 {got_p95:.1f} (true {true.p95:.1f}, "
                  f"{(got_p95 / true.p95 - 1) * 100:+.2f}%)")
        cps = o["calls_per_session"]
        print(f"  {law.name}.calls_per_session: mean {cps['mean']} (true {law.per_session}), "
              f"p95 {cps['p95']} (true {law.per_session_p95})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=10_000_000, help="about this many records (whole sessions)")
    ap.add_argument("--memory-limit", default="512MB")
    ap.add_argument("--csv", action="store_true", help="also measure the same records as one CSV file")
    args = ap.parse_args()
    sessions = args.records // 4  # 1 route + 3 answers a session on average
    with tempfile.TemporaryDirectory(prefix="costgate-calibrate-bench-") as tmp:
        path = Path(tmp) / "usage.parquet"
        t = time.perf_counter()
        n = write_parquet_sql(path, LAWS, sessions=sessions)
        print(f"drew {n:,} records in {time.perf_counter() - t:.1f} s")
        seconds, peak, doc = run(path, args)
        report("parquet", n, path.stat().st_size, seconds, peak, doc)
        if args.csv:
            csv = Path(tmp) / "usage.csv"
            write_csv_sql(path, csv)
            seconds, peak, doc = run(csv, args)
            report("csv", n, csv.stat().st_size, seconds, peak, doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
