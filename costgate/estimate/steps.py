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
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from statistics import NormalDist

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
    """The step distribution a spec declares, truncated at ``max_turns`` and at the loop's
    own ``max`` (a cap stops every longer session at it)."""
    cap = min(max_turns, steps.max or max_turns)
    if steps.distribution == "fixed" or (steps.p95 is None and steps.distribution != "geometric"):
        return StepDistribution(tuple(fixed_weights(steps.mean))[:cap])
    if steps.distribution == "geometric":
        return StepDistribution(_survival(steps.mean, Decimal(1), max_turns)[:cap], Decimal(1))
    shape = fit_shape(steps.mean, int(steps.p95 or steps.mean), max_turns)
    return StepDistribution(_survival(steps.mean, shape, max_turns)[:cap], shape)


@lru_cache(maxsize=256)
def fit_shape(mean: Decimal, p95: int, max_turns: int) -> Decimal:
    """The shape on ``SHAPES`` whose p95 is nearest the declared one (ties: the less
    dispersed), among the shapes whose tail ends within ``max_turns`` (a tail cut at the
    limit would lose part of the declared mean); the least dispersed if none does."""
    best: tuple[int, Decimal] | None = None
    for r in SHAPES:
        weights = _survival(mean, r, max_turns)
        if len(weights) >= max_turns and r != SHAPES[-1]:
            continue  # truncated by the limit: its mean is not the declared one
        got = StepDistribution(weights).p95()
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


SPREAD_POINTS = 64


def lognormal_spread(mean: Decimal, p95: Decimal) -> tuple[float, ...]:
    """Deviations from the mean of ``SPREAD_POINTS`` equally likely values of a lognormal
    with this mean and p95, centred so they add to zero (the mean stays the exact one;
    the tails draw one of them per request). A p95 beyond what a lognormal with this mean
    reaches (about 3.87 x the mean) gets the widest one."""
    m, q = float(mean), float(p95)
    if m <= 0 or q <= m:
        return (0.0,)
    z = NormalDist().inv_cdf(0.95)
    gap = max(0.0, z * z - 2 * math.log(q / m))
    s = z - math.sqrt(gap)
    mu = math.log(m) - s * s / 2
    values = [math.exp(mu + s * NormalDist().inv_cdf((j + 0.5) / SPREAD_POINTS)) for j in range(SPREAD_POINTS)]
    centre = sum(values) / len(values)
    return tuple(v - centre for v in values)
