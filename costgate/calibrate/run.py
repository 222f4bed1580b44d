"""``costgate calibrate``: a spec and its usage records in, the comparison out, and on
request the ``calibration.yaml`` beside the spec."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Sequence

from ..errors import CostgateError
from ..estimate.simulate import estimate
from ..pricing import table_for
from ..repo import open_view
from ..repo.paths import join
from ..repo.source import find_root, relative
from ..spec import load_spec
from ..spec.calibration import apply_calibration
from .aggregate import Settings, read_usage
from .compare import calibrate
from .mapping import Mapping
from .model import Calibrated
from .sources import Files, expand
from .write import CALIBRATION_FILE, calibration_of, render, write_file

DEFAULT_SETTINGS = Settings()


def calibrate_spec(spec_path: str | Path, usage: Sequence[str] | Files, mapping: Mapping, *,
                   settings: Settings = DEFAULT_SETTINGS, as_of: date | None = None, pricing: Sequence[Path] = (),
                   write: bool = False) -> Calibrated:
    """Measure the spec's calls in ``usage`` (files, globs, URLs, or ``Files`` already
    expanded: never globbed twice, so a file named ``a[1].csv`` stays itself) and compare
    them with its projection; ``write`` leaves ``calibration.yaml`` beside the spec."""
    path = Path(spec_path).absolute()
    if not path.is_file():
        raise CostgateError(f"no such spec file: {str(spec_path)[:200]!r}")
    view = open_view(find_root(path.parent))
    view.source.max_bytes = view.config.limits.file_bytes
    table = table_for(view, tuple(pricing))
    spec = load_spec(relative(view.source, path), view.source, view.config.limits)
    day = as_of or date.today()
    projection = estimate(spec, table, as_of=day, alternatives=False)
    files = usage if isinstance(usage, Files) else expand(tuple(usage))
    measured = read_usage(files, mapping, spec.feature, tuple(c.name for c in spec.calls), settings)
    if measured.records == 0:
        raise CostgateError(f"no usage records of feature {spec.feature!r} with input and output counts in "
                            f"{len(files.paths)} usage file(s)",
                            hint=f"records are matched on {mapping.feature or 'every record'} = {spec.feature!r} "
                                 "and need a call name and token counts; --map FIELD=NAME maps other names "
                                 "(docs/calibrate.md)")
    result = calibrate(spec, projection, measured, table, day)
    if not write:
        return result
    if not result.calls:
        raise CostgateError("no record measured a call of the spec, so there is nothing to write",
                            hint="the records' call names must be the spec's call names (--map call=NAME)")
    rel = join(spec.file, CALIBRATION_FILE)
    cal = calibration_of(result, rel)
    calls, applied = apply_calibration(spec.calls, cal, spec.feature, spec.file, None)
    calibrated = estimate(replace(spec, calls=calls, calibration=applied), table, as_of=day, alternatives=False)
    cal = replace(cal, projected_monthly_usd=calibrated.monthly_cost)
    write_file(view.source.root / rel, render(cal, spec.feature))
    return replace(result, written=rel)


__all__ = ["calibrate_spec"]
