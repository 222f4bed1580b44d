"""Fixtures of the pricing tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from costgate.pricing import load_table


@pytest.fixture(scope="module")
def table():
    """The shipped price table."""
    return load_table()
