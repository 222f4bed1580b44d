"""GitHub workflow commands (``::error file=...,line=...::message``) pointing at the file
behind each crossed threshold, escaped as GitHub's toolkit escapes them."""

from ..gate.model import GateResult
from .crossings import crossing_message, setting_note


def annotations(result: GateResult) -> list[str]:
    lines = []
    for c in result.crossings:
        props = [f"file={escape_property(c.file)}"] if c.file else []
        if c.file and c.line:
            props.append(f"line={c.line}")
        props.append(f"title={escape_property('costgate ' + c.threshold)}")
        lines.append(f"::{'error' if c.level == 'fail' else 'warning'} {','.join(props)}::"
                     f"{escape_data(crossing_message(c) + setting_note(c))}")
    return lines


def escape_data(value: str) -> str:
    """Escape a workflow-command message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
