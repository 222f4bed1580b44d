"""The new fixtures' numbers, recomputed by hand from their files.

receipt-reader: every request is the system message, the user's note and the row's
images, each image priced by OpenAI's published tile rule for gpt-4o (fit in 2048x2048,
shortest side down to 768, 170 tokens per 512-px tile plus 85), written out again here.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal as D
from fractions import Fraction as F

from helpers import AS_OF_DATE, FIXTURES

from costgate.estimate.simulate import estimate
from costgate.pricing import load_table
from costgate.spec import load_spec
from costgate.tokens import get_tokenizer

MSG = 3 + 1  # OpenAI: 3 tokens per message + the role's token


def tiles(width: int, height: int) -> int:
    scale = min(1.0, 2048 / max(width, height))
    w, h = width * scale, height * scale
    scale = min(1.0, 768 / min(w, h))
    w, h = round(w * scale), round(h * scale)
    return 85 + 170 * math.ceil(w / 512) * math.ceil(h / 512)


def test_receipt_reader_by_hand():
    root = FIXTURES / "receipt-reader"
    tok = get_tokenizer("o200k_base")
    system = (root / "prompts" / "system.j2").read_text().replace("{{ company }}", "Acme Cloud").rstrip("\n")
    rows = [json.loads(line) for line in (root / "samples.jsonl").read_text().splitlines()]
    inputs = []
    for row in rows:
        images = sum(tiles(*map(int, spec.split(":")[0].split("x"))) for spec in row["images"])
        inputs.append(MSG + tok.count(system) + MSG + tok.count(f"Employee note: {row['note']}") + images + 3)
    mean = F(sum(inputs), len(inputs))
    e = estimate(load_spec(root / "receipt-reader.costgate.yaml"), load_table(), as_of=AS_OF_DATE, alternatives=False)
    call = e.call("extract")
    assert call.input_tokens_mean == D(mean.numerator) / D(mean.denominator)
    per_call = (mean * F("2.50") + 120 * 10) / 1_000_000  # no caching: the system message is under 1,024
    assert F(call.cost_per_call) == per_call
    assert F(e.monthly_cost) == per_call * 5000 * 22
    assert not call.approximate
