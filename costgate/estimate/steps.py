"""How many steps (turns) a session makes: the weights every mean and tail is built on.

A call's turn k happens with probability ``P(S >= k)``; the expected session cost is the
sum over k of that probability times turn k's cost, exactly. A fixed ``per_session: 2.5``
is two certain turns and a third with probability one half. An agent's ``steps: {mean: N,
p95: M}`` is a negative binomial shifted to start at one step (an agent session makes at
least one request): over-dispersed, right-skewed and with as heavy a tail as the p95
asks, which is what agent loops look like. Its probabilities are computed in Decimal by
the exact recurrence (no platform maths), so the weights, and every mean built on them,
are the same on every machine.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from ..spec.model import Steps

_CTX = decimal.Context(prec=40)
TAIL = Decimal("1e-12")
"""Turns whose probability falls below this are not priced (their share of the mean is
below a trillionth of a turn)."""
# Dispersion values the fit chooses from: the shape r of the negative binomial, from very
# heavy tails (0.05) to nearly Poisson (1000). A fixed grid keeps the fit deterministic.
SHAPES: tuple[Decimal, ...] = tuple(Decimal(m) * Decimal(10) ** e for e in range(-2, 4)
                                    for m in ("1", "1.5", "2", "3", "5", "7")) + (Decimal(10000),)


def fixed_weights(per_session: Decimal) -> list[Fraction]:
    """``per_session`` turns: the whole ones certain, a fraction of one more."""
    whole = int(per_session)
    frac = Fraction(per_session) - whole
    return [Fraction(1)] * whole + ([frac] if frac else [])


@dataclass(frozen=True)
class StepDistribution:
    """``weights[k - 1]`` = P(S >= k), non-increasing, the first one 1."""

    weights: tuple[Fraction, ...]
    shape: Decimal | None = None
    """The fitted negative-binomial shape r (None for fixed steps)."""

    @property
    def mean(self) -> Fraction:
        return sum(self.weights, Fraction(0))

    def p95(self) -> int:
        """The smallest k with P(S <= k) = 1 - P(S >= k + 1) >= 0.95."""
        for k in range(1, len(self.weights)):
            if 1 - self.weights[k] >= Fraction(95, 100):
                return k
        return len(self.weights)


def distribution(steps: Steps, max_turns: int) -> StepDistribution:
    """The step distribution a spec declares, truncated at ``max_turns``."""
    if steps.p95 is None or steps.distribution == "fixed":
        return StepDistribution(tuple(fixed_weights(steps.mean)))
    if steps.distribution == "geometric":
        return StepDistribution(_survival(steps.mean, Decimal(1), max_turns), Decimal(1))
    shape = fit_shape(steps.mean, int(steps.p95), max_turns)
    return StepDistribution(_survival(steps.mean, shape, max_turns), shape)


@lru_cache(maxsize=256)
def fit_shape(mean: Decimal, p95: int, max_turns: int) -> Decimal:
    """The shape on ``SHAPES`` whose p95 is nearest the declared one (ties: the less
    dispersed)."""
    best: tuple[int, Decimal] | None = None
    for r in SHAPES:
        got = StepDistribution(_survival(mean, r, max_turns)).p95()
        score = abs(got - p95)
        if best is None or score <= best[0]:
            best = (score, r)
    assert best is not None
    return best[1]


@lru_cache(maxsize=256)
def _survival(mean: Decimal, shape: Decimal, max_turns: int) -> tuple[Fraction, ...]:
    """P(S >= k) for S = 1 + NegBin(r, p) with E[S] = mean: p = r / (r + mean - 1),
    pmf(0) = p^r, pmf(j + 1) = pmf(j) * (j + r) / (j + 1) * (1 - p)."""
    c = _CTX
    extra = c.subtract(mean, Decimal(1))
    if extra <= 0:
        return (Fraction(1),)
    p = c.divide(shape, c.add(shape, extra))
    pmf = c.power(p, shape)
    q = c.subtract(Decimal(1), p)
    weights = [Fraction(1)]
    below = Decimal(0)  # P(S <= k)
    j = 0
    while len(weights) < max_turns:
        below = c.add(below, pmf)
        survive = c.subtract(Decimal(1), below)
        if survive < TAIL:
            break
        weights.append(Fraction(survive.quantize(Decimal("1e-30"), context=c)))
        pmf = c.multiply(pmf, c.divide(c.multiply(c.add(Decimal(j), shape), q), Decimal(j + 1)))
        j += 1
    return tuple(weights)
