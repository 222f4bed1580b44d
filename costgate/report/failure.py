"""The report of a gate that could not run: bad input (exit 2) or a bug (exit 3).

The pull-request comment, the job summary and the annotation must never keep saying
"✅" after a run that decided nothing, so a failed run writes a report too: what went
wrong, where (file and line, repository-relative), and what to do. A crash is never
reported as "no cost change". Everything quoted from the error is escaped: an error
message can quote a file name or a value the pull request chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..version import __version__
from .annotations import escape_data, escape_property
from .crossings import _short
from .escape import code, md

FailureKind = Literal["input", "bug"]
"""``input``: the input could not be used (exit 2); ``bug``: costgate crashed (exit 3)."""
EXIT_CODES: dict[FailureKind, int] = {"input": 2, "bug": 3}
MAX_QUOTE = 1_000
"""Characters of an error's message, and of its hint, that a report or annotation quotes:
a message can carry what a template raised, and a pull request writes the template."""


@dataclass(frozen=True)
class Failure:
    """Why the gate could not run."""

    kind: FailureKind
    message: str
    """The error as costgate prints it, without the location (for a bug: the exception's type)."""
    file: str | None = None
    """Repository-relative file the error is about, when known."""
    line: int | None = None
    hint: str | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.kind]

    @property
    def where(self) -> str | None:
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line else self.file


def failure_markdown(failure: Failure, marker: str) -> str:
    """The comment and job-summary body of a run that decided nothing."""
    if failure.kind == "bug":
        lines = [marker, "## 💥 **costgate crashed: no cost check ran**", "",
                 f"This is a bug in costgate ({md(failure.message)}), not a verdict on this pull request: "
                 "an earlier result, passing or failing, no longer applies.", "",
                 "Rerun the job; if it crashes again, please report it with the output of "
                 "`COSTGATE_DEBUG=1 costgate diff ...`.", ""]
    else:
        lines = [marker, "## ⚠️ **costgate: the gate could not run**", "",
                 "The cost gate could not read its input, so no threshold was checked: an earlier result, "
                 "passing or failing, no longer applies.", ""]
        where = f"{code(failure.where)}: " if failure.where else ""
        lines += [f"**Error**: {where}{md(_short(failure.message, MAX_QUOTE))}", ""]
        if failure.hint:
            lines += [f"**Fix**: {md(_short(failure.hint, MAX_QUOTE))}", ""]
    lines += [f"<sub>costgate {__version__} · exit {failure.exit_code}: "
              f"{'a bug in costgate' if failure.kind == 'bug' else 'bad input'}; the check fails until the "
              "gate runs again</sub>", ""]
    return "\n".join(lines)


def failure_annotation(failure: Failure) -> str:
    """One ``::error`` workflow command at the error's file and line (GitHub's escaping)."""
    props = []
    if failure.file:
        props.append(f"file={escape_property(failure.file)}")
        if failure.line:
            props.append(f"line={failure.line}")
    title = "costgate crashed" if failure.kind == "bug" else "costgate could not run"
    props.append(f"title={escape_property(title)}")
    text = _short(failure.message, MAX_QUOTE) + (f" (hint: {_short(failure.hint, MAX_QUOTE)})" if failure.hint else "")
    return f"::error {','.join(props)}::{escape_data(text)}"


__all__ = ["Failure", "FailureKind", "failure_markdown", "failure_annotation"]
