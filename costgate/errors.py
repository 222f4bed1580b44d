"""One exception type for everything a user can get wrong.

The CLI turns a CostgateError into a message and exit code 2 in one place; the library
never prints. Carrying the location and the fix on the exception (rather than in the
message string) lets every formatter present them the same way, ruff-style:
``file:line: message`` then ``  hint: ...``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file


class CostgateError(Exception):
    """Bad input: a spec, template, pricing file, config or argument the user can fix."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = Location(file, line)
        self.hint = hint

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def suggest(word: str, choices: list[str] | tuple[str, ...], n: int = 3) -> str | None:
    """A 'Did you mean ...?' hint, or None when nothing is close."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(repr(c) for c in close) + "?"
