"""Calibration: production usage records (OTel GenAI spans, CSV and Parquet exports)
measured with DuckDB and set against the spec's projection (``costgate calibrate``).

DuckDB is an optional extra (``pip install 'costgate[calibrate]'``), imported only when
records are read.
"""

from .mapping import PRESETS, Mapping, mapping_for
from .model import Calibrated

__all__ = ["PRESETS", "Mapping", "mapping_for", "Calibrated"]
