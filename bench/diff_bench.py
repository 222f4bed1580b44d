"""The pull-request gate on a monorepo: ``costgate diff`` over a generated 200-spec git
repository, timed as whole processes (what a CI job pays). Called from bench.py; runs
alone too: python bench/diff_bench.py [--repeat N] [--specs N]

Figures (targets from the issue "Fast enough to gate every pull request of a monorepo",
2 cores):

* 5 of 200 specs changed, cold cache (an empty --cache-dir): <= 15 s
* the same, warm cache (a second run with the same --cache-dir): <= 5 s
* all 200 changed (every spec's template edited), cold cache: <= 60 s

and, for the ratios, the same 5-changed diff without the cache in one process (every spec
estimated at base and at head, as before the cache), which has no target.

Each spec is shaped like fixtures/support-bot (a router call, then a multi-turn answer
call on a two-model mix with prompt caching, one scenario) with its own system template
(~2,000 tokens) and 200 sample queries. The price table is the shipped one; the head is
the working tree, as in a CI checkout of the pull request.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-01"
SPECS = 200
SAMPLES = 200
CHANGED = 5

TARGETS = {  # seconds
    "diff 200 specs, 5 changed, cold cache": 15.0,
    "diff 200 specs, 5 changed, warm cache": 5.0,
    "diff 200 specs, all changed, cold cache": 60.0,
}
BASELINE = "diff 200 specs, 5 changed, --no-cache --jobs 1"
"""No target: every spec estimated on both sides in one process, as before the cache."""

SPEC = """\
version: 1
feature: feature-{i:03d}
description: Generated feature {i} of the monorepo benchmark.
vars:
  product: Product {i}
traffic:
  sessions_per_day: {sessions}
  days_per_month: 30
samples: {{file: queries.txt}}
calls:
  - name: route
    model: gpt-4o-mini
    per_session: 1
    system: "Classify the request to {{{{ product }}}} as billing, bug or question."
    user: "{{{{ query }}}}"
    output_tokens: 5
  - name: answer
    mix: {{gpt-4o-mini: 0.7, gpt-4o: 0.3}}
    per_session: 3
    system: {{file: prompts/system.j2}}
    user: "{{{{ query }}}}"
    history: full
    output_tokens: {{mean: 220, max: 800}}
    cache: {{prompt_prefix: true}}
    retry_rate: 0.02
scenarios:
  all-mini:
    answer: {{model: gpt-4o-mini}}
budget: {{monthly_usd: 100000}}
"""

WORDS = ("account billing invoice export report project task member seat plan workspace calendar "
         "timeline automation permission guest storage upload download integration webhook password "
         "login token refund cancel upgrade downgrade notification email mobile desktop sync").split()


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _system(rng: random.Random, i: int) -> str:
    paragraphs = [f"You are the support assistant for {{{{ product }}}} (feature {i}). Answer kindly and briefly."]
    for p in range(12):
        paragraphs.append(" ".join(rng.choice(WORDS) for _ in range(120)) + f". Rule {p} of feature {i}.")
    return "\n\n".join(paragraphs) + "\n"


def make_repo(root: Path, specs: int = SPECS, samples: int = SAMPLES) -> list[Path]:
    """A git repository (branch ``main``, one commit) of ``specs`` features; returns each
    feature's system template, in feature order."""
    rng = random.Random(7)
    root.mkdir(parents=True)
    _git(root, "init", "-q")
    _git(root, "symbolic-ref", "HEAD", "refs/heads/main")
    templates = []
    for i in range(specs):
        d = root / "features" / f"feature-{i:03d}"
        (d / "prompts").mkdir(parents=True)
        (d / f"feature-{i:03d}.costgate.yaml").write_text(SPEC.format(i=i, sessions=1000 + 37 * i))
        (d / "prompts" / "system.j2").write_text(_system(rng, i))
        queries = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 25))) + "?" for _ in range(samples)]
        (d / "queries.txt").write_text("\n".join(queries) + "\n")
        templates.append(d / "prompts" / "system.j2")
    _git(root, "add", "-A")
    _git(root, "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-q", "-m", "base")
    return templates


def edit(templates: list[Path]) -> None:
    """The pull request: one more sentence in each of these templates (working tree)."""
    for t in templates:
        t.write_text(t.read_text() + "Always end with a one-line summary of the answer.\n")


def run_diff(root: Path, cache: Path, *extra: str) -> float:
    """Seconds one ``costgate diff --base main`` process takes (exit 0 or 1)."""
    cmd = [sys.executable, "-m", "costgate", "diff", "-C", str(root), "--base", "main", "--as-of", AS_OF,
           "--format", "json", "-o", str(root.parent / "report.json"), "--cache-dir", str(cache), *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"costgate diff failed ({proc.returncode}): {proc.stderr}")
    return took


@dataclass
class Figure:
    name: str
    runs: list[float]
    target: float | None

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def missed(self) -> bool:
        return self.target is not None and self.median > self.target

    def line(self, width: int) -> str:
        spread = f"median of {len(self.runs)}: min {min(self.runs):.2f}s, max {max(self.runs):.2f}s"
        if self.target is None:
            return f"{self.name:<{width}}  {self.median:7.3f}s  (no target: the serial, uncached baseline; {spread})"
        verdict = "MISSED" if self.missed else "ok"
        return f"{self.name:<{width}}  {self.median:7.3f}s  target {self.target:5.1f}s  {verdict}  ({spread})"


def measure(repeat: int = 3, specs: int = SPECS, jobs: int | None = None) -> list[Figure]:
    """The figures of TARGETS and the baseline, in one run. Warm runs repeat ``repeat``
    times; a cold run of 5 changed specs repeats ``repeat`` times with a fresh cache each
    time; the all-changed cold run and the baseline once (the expensive ones)."""
    extra = () if jobs is None else ("--jobs", str(jobs))
    with tempfile.TemporaryDirectory(prefix="costgate-diff-bench-") as tmp:
        base = Path(tmp)
        templates = make_repo(base / "repo", specs)
        edit(templates[:: max(1, specs // CHANGED)][:CHANGED])
        cold = [run_diff(base / "repo", base / f"cache-cold-{r}", *extra) for r in range(repeat)]
        warm = [run_diff(base / "repo", base / f"cache-cold-{repeat - 1}", *extra) for _ in range(repeat)]
        baseline = [run_diff(base / "repo", base / "unused", "--no-cache", "--jobs", "1")]
        _git(base / "repo", "checkout", "-q", "--", ".")
        edit(templates)
        everything = [run_diff(base / "repo", base / "cache-all", *extra)]
    names = list(TARGETS)
    return [Figure(names[0], cold, TARGETS[names[0]]), Figure(names[1], warm, TARGETS[names[1]]),
            Figure(names[2], everything, TARGETS[names[2]]), Figure(BASELINE, baseline, None)]


def report(figures: list[Figure], specs: int = SPECS, width: int = 0) -> int:
    """Print each figure with its target and the ratios; return how many targets were missed."""
    width = max(width, *(len(f.name) for f in figures))
    for f in figures:
        print(f.line(width))
    cold, warm, everything, baseline = (f.median for f in figures)
    print(f"{'  ratios':<{width}}  baseline/cold {baseline / cold:.1f}x, baseline/warm {baseline / warm:.1f}x, "
          f"cold/warm {cold / warm:.1f}x, all changed/5 changed (cold) {everything / cold:.1f}x, "
          f"all changed: {everything / (2 * specs) * 1000:.0f} ms per estimate")
    return sum(f.missed for f in figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--specs", type=int, default=SPECS)
    parser.add_argument("--jobs", type=int, default=None, help="passed to costgate diff  [default: its own]")
    args = parser.parse_args()
    print(f"costgate diff on {args.specs} generated specs ({os.cpu_count()} cores)")
    return 1 if report(measure(args.repeat, args.specs, args.jobs), args.specs) else 0


if __name__ == "__main__":
    sys.exit(main())
