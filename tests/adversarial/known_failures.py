"""What costgate gets wrong today: the cases of the adversarial tables that fail, each with
what happens instead. Every entry is a strict xfail, so a fix makes its case pass and the
suite fail until the entry is deleted here. ``test_catalog`` checks that every id names
a case. This file is the to-do list; the tables keep the expectation that is right.
"""

from __future__ import annotations

KNOWN: dict[str, str] = {
    # -- B. gate bypass -------------------------------------------------------------------------
    "B-split-feature-in-two":
        "moving the grown template into a new spec splits the growth off as a new feature under its absolute "
        "limits: the original feature is unchanged and the gate passes (exit 0). Documented in SECURITY.md: a new "
        "feature is judged by the base config's new_feature limits, which a team lowers to catch this",
}
