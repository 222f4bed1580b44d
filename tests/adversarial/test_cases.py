"""Every hostile case of the adversarial tables, one test each (see harness.py for what
each case asserts, and the cases_*.py modules for the tables, one per category)."""

from __future__ import annotations

import pytest
from adversarial.cases_bypass import CASES as BYPASS
from adversarial.cases_crashes import CASES as CRASHES
from adversarial.cases_exhaustion import CASES as EXHAUSTION
from adversarial.cases_formats import CASES as FORMATS
from adversarial.cases_git import CASES as GIT
from adversarial.cases_injection import CASES as INJECTION
from adversarial.cases_outside import CASES as OUTSIDE
from adversarial.harness import Case, run_case
from adversarial.known_failures import KNOWN

ALL: list[Case] = [*OUTSIDE, *BYPASS, *INJECTION, *EXHAUSTION, *CRASHES, *GIT, *FORMATS]


@pytest.mark.parametrize("case", [c.param(KNOWN) for c in ALL])
def test_hostile_case(case: Case, tmp_path):
    run_case(case, tmp_path)
