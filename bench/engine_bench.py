"""The estimator against its floor, in one run: python bench/engine_bench.py [--repeat N]

Workload (the issue's): one spec, 4 calls x 10,000 samples; one call with 5-turn full
history, one with a 3-model mix. Measured here, as ratios of the same run:

* the **floor**: tokenising every distinct text the estimate needs, with tiktoken, once;
* costgate **in-process** (token memo cleared) ÷ floor — target ≤ 1.5;
* costgate **whole process** (`python -m costgate estimate`) − floor — target ≤ 1 s;
* a **tokencost loop** over the same requests (if the tokencost package is installed;
  it reads the BPE file from a cache seeded from costgate's own copy: no network) ÷
  costgate — target ≥ 20;
* **peak memory** of the whole process — target ≤ 300 MB.
Prints min / median / max of each timing. Not a test: the figures go in the closing note.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from costgate.estimate import counting  # noqa: E402
from costgate.estimate.simulate import estimate  # noqa: E402
from costgate.pricing import load_table  # noqa: E402
from costgate.spec import load_spec  # noqa: E402
from costgate.tokens.encodings import load_encoding  # noqa: E402

AS_OF = date(2026, 11, 1)
WORDS = ("how do I export the quarterly report to a spreadsheet without losing formatting invoice refund password "
         "team plan billing upgrade cancel account data privacy integration webhook api key limit error timeout").split()
SPEC = """version: 1
feature: four
traffic: {sessions_per_day: 20000}
samples: {file: s.jsonl}
calls:
  - name: classify
    model: gpt-4o-mini
    per_session: 1
    system: "Classify the query into one of 12 intents."
    user: "{{ query }}"
    output_tokens: 5
  - name: chat
    model: gpt-4o
    per_session: 5
    system: {file: sys.j2}
    user: "{{ query }} (turn {{ turn }})"
    history: full
    output_tokens: 250
    cache: {prompt_prefix: true}
  - name: answer
    mix: {gpt-4o-mini: 0.6, gpt-4o: 0.3, gpt-4.1: 0.1}
    per_session: 1
    system: "Answer using the document."
    context: "{{ doc }}"
    user: "{{ query }}"
    output_tokens: 300
  - name: summarize
    model: gpt-4.1-mini
    per_session: 1
    context: "{{ doc }}"
    user: "Summarize for {{ name }}."
    output_tokens: 120
"""
SYSTEM = ("You are a meticulous assistant for Acme. Follow the policy. " * 60) + "\nUser name: {{ name }}\n"


def workload(tmp: Path) -> tuple[Path, list[dict]]:
    (tmp / ".git").mkdir()
    rng = random.Random(7)
    rows = []
    for i in range(10_000):
        rows.append({"query": " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40))) + f" #{i}",
                     "doc": " ".join(rng.choice(WORDS) for _ in range(rng.randint(50, 400))), "name": f"user{i % 97}"})
    (tmp / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp / "sys.j2").write_text(SYSTEM, encoding="utf-8")
    (tmp / "w.costgate.yaml").write_text(SPEC, encoding="utf-8")
    return tmp / "w.costgate.yaml", rows


def distinct_texts(rows: list[dict]) -> list[str]:
    texts = {"Classify the query into one of 12 intents.", "Answer using the document."}
    for r in rows:
        texts |= {r["query"], r["doc"], SYSTEM.replace("{{ name }}", r["name"]).rstrip("\n"),
                  f"Summarize for {r['name']}."}
        texts |= {f"{r['query']} (turn {t})" for t in range(1, 6)}
    return sorted(texts)


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return runs


def show(name: str, runs: list[float], note: str = "") -> None:
    print(f"{name:<44} min {min(runs):6.2f}s  median {statistics.median(runs):6.2f}s  max {max(runs):6.2f}s  {note}")


def tokencost_loop(rows: list[dict]):  # type: ignore[no-untyped-def]
    """What a user writes with tokencost: price each request's prompt and completion."""
    try:
        import tiktoken
        import tokencost
    except ImportError:
        return None
    cache = Path(tempfile.mkdtemp(prefix="tiktoken-"))
    for name in ("o200k_base", "cl100k_base"):  # tokencost maps some models to cl100k
        url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
        shutil.copy(ROOT / "costgate" / "encodings" / f"{name}.tiktoken", cache / hashlib.sha1(url.encode()).hexdigest())
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    tiktoken.get_encoding("o200k_base")

    def run() -> None:
        """Strings, prompt side only: the leanest loop a user could write."""
        for r in rows:
            system = SYSTEM.replace("{{ name }}", r["name"])
            tokencost.calculate_prompt_cost(r["query"], "gpt-4o-mini")
            history = ""
            for t in range(1, 6):
                history += f"{r['query']} (turn {t})"
                tokencost.calculate_prompt_cost(system + history, "gpt-4o")
            for model in ("gpt-4o-mini", "gpt-4o", "gpt-4.1"):
                tokencost.calculate_prompt_cost(r["doc"] + r["query"], model)
            tokencost.calculate_prompt_cost(r["doc"] + f"Summarize for {r['name']}.", "gpt-4.1-mini")

    def run_messages() -> None:
        """Chat messages as the requests send them, plus each answer's completion cost:
        the loop the issue's user wrote (tokencost counts message overheads itself)."""
        answer = "word " * 250
        for r in rows:
            system = SYSTEM.replace("{{ name }}", r["name"]).rstrip("\n")
            tokencost.calculate_prompt_cost([{"role": "system", "content": "Classify the query into one of 12 "
                                              "intents."}, {"role": "user", "content": r["query"]}], "gpt-4o-mini")
            tokencost.calculate_completion_cost("intent", "gpt-4o-mini")
            messages = [{"role": "system", "content": system}]
            for t in range(1, 6):
                messages.append({"role": "user", "content": f"{r['query']} (turn {t})"})
                tokencost.calculate_prompt_cost(messages, "gpt-4o")
                tokencost.calculate_completion_cost(answer, "gpt-4o")
                messages.append({"role": "assistant", "content": answer})
            for model in ("gpt-4o-mini", "gpt-4o", "gpt-4.1"):
                tokencost.calculate_prompt_cost([{"role": "system", "content": "Answer using the document."},
                                                 {"role": "system", "content": r["doc"]},
                                                 {"role": "user", "content": r["query"]}], model)
                tokencost.calculate_completion_cost(answer, model)
            tokencost.calculate_prompt_cost([{"role": "system", "content": r["doc"]},
                                             {"role": "user", "content": f"Summarize for {r['name']}."}],
                                            "gpt-4.1-mini")
            tokencost.calculate_completion_cost(answer[:600], "gpt-4.1-mini")

    return run, run_messages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        spec_path, rows = workload(Path(tmp))
        texts = distinct_texts(rows)
        enc = load_encoding("o200k_base")
        floor = timed(lambda: [len(enc.encode_ordinary(t)) for t in texts], args.repeat)
        show(f"floor: tokenise {len(texts):,} distinct texts", floor)
        table, spec = load_table(), load_spec(spec_path)

        def in_process() -> None:
            counting._MEMO.clear()
            estimate(spec, table, as_of=AS_OF)

        inproc = timed(in_process, args.repeat)
        show("costgate estimate, in-process (cold memo)", inproc,
             f"ratio {statistics.median(inproc) / statistics.median(floor):.2f}x floor (target <= 1.5)")
        cmd = [sys.executable, "-m", "costgate", "estimate", str(spec_path), "--as-of", AS_OF.isoformat(),
               "--format", "json", "-o", str(Path(tmp) / "out.json"), "--no-cache"]  # estimate every run
        whole = timed(lambda: subprocess.run(cmd, check=True, cwd=ROOT), max(3, args.repeat // 2))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        show("costgate estimate, whole process", whole,
             f"floor + {statistics.median(whole) - statistics.median(floor):.2f}s (target <= 1 s); "
             f"peak {peak:.0f} MB (target <= 300)")
        loop = tokencost_loop(rows)
        if loop is None:
            print("tokencost loop: skipped (pip install tokencost to compare)")
        else:
            for name, fn in zip(("tokencost loop, prompt strings only", "tokencost loop, messages + completions"),
                                loop):
                with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
                    logging.disable(logging.WARNING)  # tokencost warns about model aliases on every call
                    tc = timed(fn, 1)
                    logging.disable(logging.NOTSET)
                show(name, tc, f"costgate is {statistics.median(tc) / statistics.median(inproc):.1f}x faster "
                               "(target >= 20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
