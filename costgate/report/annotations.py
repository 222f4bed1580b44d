"""GitHub workflow commands (``::error file=...,line=...::message``) pointing at the file
behind each crossed threshold, escaped as GitHub's toolkit escapes them.

GitHub shows at most 10 annotations of a kind per step, so a run prints at most
``MAX_ANNOTATIONS`` in all: failures first, and when some are left out the last one is a
notice pointing to the job summary, which lists every crossing."""

from ..gate.model import Crossing, GateResult
from .crossings import crossing_message, setting_note

MAX_ANNOTATIONS = 10
"""The most workflow-command annotations one run prints (GitHub displays 10 per kind)."""


def annotations(result: GateResult, limit: int = MAX_ANNOTATIONS) -> list[str]:
    crossings = sorted(result.crossings, key=lambda c: c.level != "fail")  # stable: failures first
    if len(crossings) <= limit:
        return [_annotation(c) for c in crossings]
    shown = crossings[:max(limit - 1, 0)]
    left = len(crossings) - len(shown)
    pointer = (f"::notice title={escape_property('costgate')}::"
               + escape_data(f"{left} more crossed threshold{'s' if left != 1 else ''} not annotated "
                             f"(at most {limit} annotations a run): the job summary lists all {len(crossings)}"))
    return [_annotation(c) for c in shown] + ([pointer] if limit else [])


def _annotation(c: Crossing) -> str:
    props = [f"file={escape_property(c.file)}"] if c.file else []
    if c.file and c.line:
        props.append(f"line={c.line}")
    props.append(f"title={escape_property('costgate ' + c.threshold)}")
    return (f"::{'error' if c.level == 'fail' else 'warning'} {','.join(props)}::"
            f"{escape_data(crossing_message(c) + setting_note(c))}")


def escape_data(value: str) -> str:
    """Escape a workflow-command message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
