"""What every template format shares: the compiled-template interface, the marker for
sample text, and the errors and bounds a render runs under.

Each format compiles a ``Template`` once and renders it over many samples. Errors name
the template's file and line and read the same whatever the format ("undefined template
variable", "rendered over the rendered_chars limit"), so a reader of the gate's output
need not know which engine ran.
"""

from __future__ import annotations

import bisect
import re
import time
from contextlib import contextmanager
from typing import AbstractSet, Any, Iterator, Mapping, Protocol

from ...errors import CostgateError
from ...spec import Template
from ..sandbox import BoundedSandbox, RenderTimeout

QUOTE_CHARS = 60
"""Longest piece of a template an error message quotes."""
TAG = re.compile(r"\{\{[{&#^/>!~]*\s*")


class Compiled(Protocol):
    """A template ready to render; what ``render_call`` and ``written_system`` use."""

    source: Template
    parts: list[tuple[int, str]] | None
    """(line, name) per bare variable and (-1, text) per piece of text, when the template is
    nothing else and prints a variable exactly as ``str`` does; None otherwise."""
    fmt: str | None
    """The same parts as a ``str.format`` string (Jinja2's fast path), or None."""

    @property
    def uses(self) -> AbstractSet[str]:
        """Variable names the template may read (a superset is safe: it only renders more often)."""

    def render(self, variables: Mapping[str, Any], sample: str = "") -> str:
        """The text for one sample's variables; ``sample`` names the sample for messages."""


class Data(str):
    """Text that came from a sample row: left out when measuring the prompt as written.
    (Defined with the formats, which render.py imports, so every format can tell it apart.)"""


def short(text: str) -> str:
    """A piece of an in-repository template, short enough to quote in a message."""
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "..."


def line_at(template: Template, offset: int) -> int:
    """The file line of character ``offset`` of the template's text."""
    return template.first_line + template.text.count("\n", 0, max(0, offset))


class Lines:
    """File lines of many offsets into one template (each in log time, not a recount)."""

    def __init__(self, template: Template) -> None:
        self.first = template.first_line
        self.breaks = [m.start() for m in re.finditer("\n", template.text)]

    def __call__(self, offset: int) -> int:
        return self.first + bisect.bisect_left(self.breaks, offset)


def tag_line(template: Template, name: str) -> int:
    """The line of the first ``{{ ... name`` tag in the text (the template's first line if
    there is none: delimiters changed, or the name came from a subexpression)."""
    for m in TAG.finditer(template.text):
        if template.text.startswith(name, m.end()):
            return line_at(template, m.start())
    return template.first_line


def pattern_line(template: Template, pattern: re.Pattern[str]) -> int:
    """The line of the first match of ``pattern`` in the text (else the first line)."""
    m = pattern.search(template.text)
    return template.first_line if m is None else line_at(template, m.start())


def undefined(template: Template, name: str, line: int | None, sample: str, guard: str) -> CostgateError:
    return CostgateError(f"undefined template variable: '{short(name)}' is undefined{sample}", file=template.file,
                         line=line, hint=f"define it in the samples rows or under vars:{guard}")


def too_big(template: Template, limit: int, sample: str, how: str = "rendered") -> CostgateError:
    return CostgateError(f"template does something unsafe: the template {how} over the rendered_chars limit of "
                         f"{limit:,} characters{sample}", file=template.file, line=template.first_line,
                         hint="raise it with `limits: {rendered_chars: N}` in costgate.yaml on the base branch")


def syntax(template: Template, message: str, line: int | None, docs: str) -> CostgateError:
    return CostgateError(f"template syntax error: {message}", file=template.file,
                         line=line or template.first_line, hint=f"see {docs}")


def refused(template: Template, message: str, line: int | None, hint: str) -> CostgateError:
    return CostgateError(f"template does something costgate does not render: {message}", file=template.file,
                         line=line or template.first_line, hint=hint)


@contextmanager
def bounded(env: BoundedSandbox, template: Template, sample: str) -> Iterator[None]:
    """Run one render under the sandbox's timer (``render_seconds``), turning a timeout or
    runaway recursion into the same errors a Jinja2 template gets. The formats'
    libraries are pure Python, so the timer's signal stops them between bytecodes."""
    with env.watch():
        env.started = time.monotonic()
        try:
            yield
        except RenderTimeout:
            raise CostgateError(f"template took longer than the render_seconds limit of "
                                f"{env.limits.render_seconds} s{sample}", file=template.file,
                                line=template.first_line,
                                hint="raise it with `limits: {render_seconds: N}` in costgate.yaml on the base "
                                     "branch, or simplify the template's loops") from None
        except (RecursionError, MemoryError):
            raise CostgateError(f"template recursed or allocated without bound{sample}", file=template.file,
                                line=template.first_line, hint="templates run bounded") from None
        finally:
            env.started = None
