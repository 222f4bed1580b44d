"""``costgate calibrate`` on 10,000,000 records, in one run: python bench/calibrate_bench.py

Draws the records from known laws inside DuckDB (tests/usage_synth.py: a router call and a
geometric multi-turn answer call with reasoning and cached input; 2.5 M sessions), writes
them as Parquet (and, with --csv, as CSV too), then runs ``python -m costgate calibrate``
on the support-bot fixture in a child process and reports:

* wall time of the whole process (import, estimate of the spec, DuckDB aggregation);
* **peak memory**: the calibrate process's own maximum resident set size (Python with
  DuckDB inside it), from ``os.wait4`` on that one child — target <= 1 GB. The records
  are drawn in another child process, so this process stays small (a forked child's peak
  RSS counts the parent's pages it started with);
* the recovered means and p95s against the laws' true values.

Not a test: the figures go in the closing note. ``--records N`` and ``--memory-limit``
change the workload.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from usage_synth import ACCEPTANCE  # noqa: E402

LAWS = ACCEPTANCE
SPEC = ROOT / "fixtures" / "support-bot" / "support-bot.costgate.yaml"


def draw(path: Path, sessions: int, csv: Path | None) -> int:
    """Draw the records into ``path`` (or copy them to ``csv``) in a child process; the count."""
    code = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; from pathlib import Path; "
            "from calibrate_bench import LAWS; from usage_synth import write_csv_sql, write_parquet_sql; "
            "p = Path(sys.argv[3]); "
            "print(write_parquet_sql(p, LAWS, sessions=int(sys.argv[4])) if sys.argv[5] == '-' "
            "else write_csv_sql(p, Path(sys.argv[5])) or 0)")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "tests"), str(ROOT / "bench"), str(path),
                          str(sessions), "-" if csv is None else str(csv)], capture_output=True, text=True, check=True)
    return int((out.stdout.strip().splitlines() or ["0"])[-1])


def run(usage: Path, args: argparse.Namespace) -> tuple[float, float, dict]:
    """(seconds, peak RSS in MiB, the JSON document) of one calibrate process."""
    cmd = [sys.executable, "-m", "costgate", "calibrate", str(SPEC), "--usage", str(usage), "--format", "json",
           "--as-of", "2026-11-01", "--memory-limit", args.memory_limit]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"calibrate failed ({proc.returncode}): {err.read()}")
        return seconds, usage.ru_maxrss / 1024, json.loads(out.read())["calibration"]  # kB -> MiB (Linux)


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
        n = draw(path, sessions, csv=None)
        print(f"drew {n:,} records in {time.perf_counter() - t:.1f} s")
        seconds, peak, doc = run(path, args)
        report("parquet", n, path.stat().st_size, seconds, peak, doc)
        if args.csv:
            csv = Path(tmp) / "usage.csv"
            draw(path, 0, csv=csv)
            seconds, peak, doc = run(csv, args)
            report("csv", n, csv.stat().st_size, seconds, peak, doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
