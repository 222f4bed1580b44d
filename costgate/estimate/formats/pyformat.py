"""Python format strings (``format: format``): what ``prompt.format_map(variables)`` sends.

Fields are walked with ``string.Formatter().parse`` and formatted one by one with
``format(value, spec)``, never by calling ``str.format`` on the template, because
``str.format`` would follow ``{a.b}`` attributes and ``{a[0]}`` indexes into whatever
it is given: a template from a pull request could walk from a string to its class and
on to the interpreter's internals. So a field may only name a variable, and the rest is
refused when the template is compiled, with its line:

* ``{a.b}``, ``{a[b]}`` (attribute and index access), ``{}`` and ``{0}`` (positional
  fields: there are no positional arguments, only variables);
* conversions other than ``!s``, ``!r`` and ``!a`` (all three are pure functions of the
  plain sample data, so all three are allowed);
* nested fields in a format spec other than a bare name (``{x:{width}}`` is fine).

A spec's widths and precisions are checked against ``rendered_chars`` before anything is
formatted (after nested fields are filled in), so ``{x:>1000000000}`` is an error, not a
gigabyte of spaces.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ...errors import CostgateError
from ...spec import Template
from ..sandbox import BoundedSandbox
from .base import Data, Lines, bounded, line_at, refused, short, syntax, too_big, undefined

DOCS = "https://docs.python.org/3/library/string.html#format-string-syntax"
CONVERSIONS: dict[str | None, Callable[[Any], Any]] = {None: lambda v: v, "s": str, "r": repr, "a": ascii}
"""The conversions a field may ask for, and what each does to the value."""
GUARD = " (format strings have no conditionals: every field must be defined for every sample)"
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Field:
    name: str
    conversion: str | None
    spec: str
    spec_parts: tuple[tuple[str, str | None], ...]
    """The spec as (text, variable) pairs when it has nested fields (``{x:{width}}``),
    filled in before formatting; empty when the spec is literal."""
    line: int

    @property
    def nested(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.spec_parts if name is not None)


def field_offsets(text: str) -> list[int] | int:
    """Where each replacement field starts, following the rules of CPython's format-string
    parser (``{{``/``}}`` are text; a field ends at the ``}`` that balances its ``{``); or
    the offset of the first malformed brace. Only for line numbers: ``Formatter().parse``
    decides what the fields are."""
    starts, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c not in "{}":
            i += 1
            continue
        if i + 1 < n and text[i + 1] == c:
            i += 2
            continue
        if c == "}":
            return i
        depth, j = 1, i + 1
        while j < n and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        if depth:
            return i
        starts.append(i)
        i = j
    return starts


class FormatTemplate:
    """A Python format string compiled into text and checked fields (see the module docstring)."""

    fmt: str | None = None

    def __init__(self, env: BoundedSandbox, template: Template, name: str) -> None:
        self.env, self.source, self.name = env, template, name
        with bounded(env, template, ""):
            self.pieces = self._parse(template)
        fields = [p for p in self.pieces if isinstance(p, Field)]
        self.uses = {f.name for f in fields} | {n for f in fields for n in f.nested}
        plain = all(not f.spec and f.conversion is None for f in fields)
        self.parts: list[tuple[int, str]] | None = None if not plain else [
            (p.line, p.name) if isinstance(p, Field) else (-1, p) for p in self.pieces]
        for f in fields:
            if not f.nested:
                self._check_spec(f, f.spec)

    def _parse(self, template: Template) -> list[str | Field]:
        offsets = field_offsets(template.text)
        try:
            parsed = list(string.Formatter().parse(template.text))
        except ValueError as exc:
            line = line_at(template, offsets) if isinstance(offsets, int) else None
            raise syntax(template, str(exc), line, DOCS) from None
        starts = offsets if isinstance(offsets, list) else []
        lines = Lines(template)
        pieces: list[str | Field] = []
        fields = 0
        for literal, name, spec, conversion in parsed:
            if literal and pieces and isinstance(pieces[-1], str):
                pieces[-1] += literal  # text split at an escaped brace: one piece again
            elif literal:
                pieces.append(literal)
            if name is None:
                continue
            line = lines(starts[fields]) if fields < len(starts) else template.first_line
            pieces.append(self._field(template, name, conversion, spec or "", line))
            fields += 1
        return pieces

    def _field(self, template: Template, name: str, conversion: str | None, spec: str, line: int) -> Field:
        self._check_name(template, name, line)
        if conversion not in CONVERSIONS:
            raise refused(template, f"unknown conversion '!{short(conversion or '')}' in field '{short(name)}'", line,
                          "a field may convert with !s, !r or !a")
        parts: list[tuple[str, str | None]] = []
        try:
            inside = list(string.Formatter().parse(spec))
        except ValueError as exc:
            raise syntax(template, f"{exc} (in the format spec of '{short(name)}')", line, DOCS) from None
        for literal, inner, inner_spec, inner_conversion in inside:
            parts.append((literal, inner))
            if inner is None:
                continue
            self._check_name(template, inner, line)
            if inner_spec or inner_conversion:
                raise refused(template, f"the nested field '{{{short(inner)}}}' in '{short(name)}''s format spec "
                                        "formats its value", line, "a nested field may only name a variable, "
                                                                   "e.g. {x:>{width}}")
        nested = any(inner is not None for _, inner in parts)
        return Field(name, conversion, spec, tuple(parts) if nested else (), line)

    @staticmethod
    def _check_name(template: Template, name: str, line: int) -> None:
        """A field names a variable: no positions, attributes or indexes (module docstring)."""
        if name == "" or name.isdigit():
            what = "'{}' is a positional field" if name == "" else f"'{{{name}}}' is a positional field"
        elif "." in name or "[" in name or "]" in name:
            what = f"'{{{short(name)}}}' uses {'attribute' if '.' in name.split('[')[0] else 'index'} access"
        else:
            return
        raise refused(template, f"format strings may only name variables: {what}", line,
                      "name a sample or vars: key, e.g. {query}; put derived values in the samples")

    def _check_spec(self, f: Field, spec: str) -> None:
        """Refuse a width or precision over ``rendered_chars`` before formatting allocates it."""
        limit = self.env.limits.rendered_chars
        for digits in _DIGITS.findall(spec):
            if len(digits) > len(str(limit)) or int(digits) > limit:
                raise CostgateError(f"template does something unsafe: the format spec '{short(spec)}' of field "
                                    f"'{short(f.name)}' asks for {short(digits)} characters, over the rendered_chars "
                                    f"limit of {limit:,}", file=self.source.file, line=f.line,
                                    hint="raise it with `limits: {rendered_chars: N}` in costgate.yaml on the base "
                                         "branch")

    def render(self, variables: Mapping[str, Any], sample: str = "") -> str:
        """Each field's value converted and formatted with its spec; a sample value that is
        ``Data`` (the prompt as written) prints as nothing, though its padding still counts."""
        limit = self.env.limits.rendered_chars
        out: list[str] = []
        size = 0
        with bounded(self.env, self.source, sample):
            for piece in self.pieces:
                text = piece if isinstance(piece, str) else self._format(piece, variables, sample)
                size += len(text)
                if size > limit:
                    raise too_big(self.source, limit, sample)
                out.append(text)
        return "".join(out)

    def _format(self, f: Field, variables: Mapping[str, Any], sample: str) -> str:
        for name in (f.name, *f.nested):
            if name not in variables:
                raise undefined(self.source, name, f.line, sample, GUARD)
        spec = f.spec
        if f.nested:
            spec = "".join(lit + ("" if inner is None else str(variables[inner])) for lit, inner in f.spec_parts)
            self._check_spec(f, spec)
        value = variables[f.name]
        if isinstance(value, Data):
            value = ""
        try:
            return format(CONVERSIONS[f.conversion](value), spec)
        except (ValueError, TypeError, OverflowError) as exc:
            raise CostgateError(f"template failed to render: {type(exc).__name__}: {short(str(exc))}{sample}",
                                file=self.source.file, line=f.line,
                                hint="the spec must suit the value's type (e.g. :.2f for numbers only)") from None
