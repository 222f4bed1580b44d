"""The pull-request gate: compare base and head, decide which thresholds a change crosses.

Import from the modules (``gate.diff.diff``, ``gate.model``): this package imports
nothing itself, so renderers that only need the result records stay light.
"""
