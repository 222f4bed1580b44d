"""Mustache templates (``.mustache``, ``format: mustache``), rendered by ``mstache``.

Why mstache rather than pystache or chevron: its tokenizer is linear (pystache's regular
expressions take quadratic time on a run of spaces, inside C where no timer can stop
them), it renders as a stream (so output is cut at ``rendered_chars`` chunk by chunk,
never built whole first), it walks sections without recursion, its syntax errors carry
the line, and every hook a hostile template could abuse can be replaced:

* **Lookups**: the library's default getter falls back to ``getattr`` and calls what it
  finds, so ``{{x.__class__...}}`` could walk from a string to the interpreter's
  internals. Here names resolve through mappings and list indexes only (and the
  ``length`` of a list or string, as mstache and mustache.js offer); samples are plain
  JSON data, so nothing found is ever callable.
* **Partials** (``{{> name}}``) are refused when the template is compiled: they would
  read other templates, which only the spec's own includes may do.
* **Undefined**: ``{{name}}`` with no such variable is the same error as in Jinja2;
  a section on a missing name (``{{#name}}...{{/name}}``) is false, Mustache's way of
  writing an optional part.
* **Escaping** is the library's default: ``{{x}}`` is HTML-escaped as mustache.js does
  (``& < > " ' / ` =``), ``{{{x}}}`` and ``{{&x}}`` are not; that is what an application
  rendering the same template with mstache sends.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping, Sequence

import mstache

from ...spec import Template
from ..sandbox import BoundedSandbox
from .base import Data, bounded, pattern_line, refused, short, syntax, tag_line, too_big, undefined

DOCS = "https://mustache.github.io/mustache.5.html"
SECTION_COPIES = 8
"""How many times over the template (or ``rendered_chars``, if larger) its sections' texts may add up."""
GUARD = ", or make the part optional with a section: {{#x}}...{{/x}}"
_PARTIAL = re.compile(r"\{\{\s*>")
_LINE = re.compile(r" at line (\d+) column \d+$")
_SYNTAX = {
    mstache.UnclosedTokenException: "a tag is never closed",
    mstache.UnclosedSectionException: "a section is never closed",
    mstache.UnopenedSectionException: "a closing tag matches no open section",
    mstache.DelimiterTokenException: "a delimiter change ({{=<% %>=}}) is malformed",
}
"""mstache's syntax errors, in words (its own messages quote the rest of the template)."""


def section_bytes(text: bytes) -> int:
    """The bytes mstache's tokenizer will copy for the template's sections: it keeps each
    section's source text (for lambdas), so nesting N deep copies the inner text N times
    and a template of 100,000 nested sections would take gigabytes before rendering
    starts. Tags are found as mstache finds them, delimiter changes included."""
    start, end, total, opened, i = b"{{", b"}}", 0, [], 0
    while (j := text.find(start, i)) >= 0:
        k = j + len(start)
        kind = text[k:k + 1]
        closer = {b"=": b"=" + end, b"{": b"}" + end}.get(kind, end)
        close = text.find(closer, k)
        if close < 0:
            break
        i = close + len(closer)
        if kind == b"=":
            tags = [t for t in text[k + 1:close].split(b" ") if t]
            if len(tags) >= 2:
                start, end = tags[0], tags[1]
        elif kind in (b"#", b"^"):
            opened.append(i)
        elif kind == b"/" and opened:
            total += j - opened.pop()
    return total


class Undefined(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


@lru_cache(maxsize=1024)
def _path(key: bytes) -> tuple[str, ...]:
    return tuple(key.decode("utf-8", "replace").split("."))


def _resolve(scope: Any, parts: tuple[str, ...]) -> tuple[bool, Any]:
    """``a.b.0`` through mappings and list indexes only; never an attribute."""
    for part in parts:
        if isinstance(scope, Mapping) and part in scope:
            scope = scope[part]
        elif isinstance(scope, (list, tuple)) and part.isdigit() and (part == "0" or part[0] != "0") \
                and int(part) < len(scope):
            scope = scope[int(part)]
        elif part == "length" and isinstance(scope, (list, tuple, str)):
            scope = len(scope)
        else:
            return False, None
    return True, scope


def getter(scope: Any, scopes: Sequence[Any], key: str | bytes, default: Any = None) -> Any:
    """mstache's property getter, restricted (module docstring). mstache asks with
    ``default=None`` for a section and with its MISSING marker for a variable to print:
    only the second is an error when nothing is found."""
    key = key.encode() if isinstance(key, str) else key
    if key == b".":
        return scope
    parts = _path(key)
    for ref in (scope, *reversed(scopes)):
        found, value = _resolve(ref, parts)
        if found:
            return value
    if default is not None:
        raise Undefined(key.decode("utf-8", "replace"))
    return default


def stringify(value: Any, text: bool) -> bytes:
    """mstache's own stringification (``str(value)`` as UTF-8, None as nothing), but
    sample text in the prompt as written prints as nothing, and a lone surrogate (which
    JSON can encode) passes through as the rest of costgate's text does."""
    if value is None or isinstance(value, Data):
        return b""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


class MustacheTemplate:
    """A Mustache template tokenized once and streamed per sample (module docstring)."""

    parts: list[tuple[int, str]] | None = None
    fmt: str | None = None

    def __init__(self, env: BoundedSandbox, template: Template, name: str) -> None:
        self.env, self.source, self.name = env, template, name
        self.bytes = template.text.encode("utf-8", "surrogatepass")
        self.cache: dict = {}
        """mstache's token cache for this template alone (its default is process-wide)."""
        allowed = SECTION_COPIES * max(len(self.bytes), env.limits.rendered_chars)
        if (copied := section_bytes(self.bytes)) > allowed:
            raise refused(template, f"sections nested so deep that their texts add up to {copied:,} bytes, over "
                                    f"{SECTION_COPIES} times the template or the rendered_chars limit",
                          template.first_line, "nest fewer sections")
        try:
            with bounded(env, template, ""):
                _, tokens, _ = mstache.tokenize(self.bytes, cache=self.cache)
        except mstache.TokenException as exc:
            m = _LINE.search(str(exc))
            line = template.first_line + int(m.group(1)) - 1 if m else None
            message = next((v for k, v in _SYNTAX.items() if isinstance(exc, k)), "invalid tag")
            raise syntax(template, message, line, DOCS) from None
        self.uses: set[str] = set()
        for a, b, c, key, _, _ in tokens:
            if a and not b and not c:
                partial = key.decode("utf-8", "replace")
                raise refused(template, f"the partial '{{{{> {short(partial)}}}}}'", pattern_line(template, _PARTIAL),
                              "partials would read other files: put the text in this template")
            if key not in (b"", b".") and (a or (b and not c)):  # a section or a variable
                self.uses.add(_path(key)[0])

    def render(self, variables: Mapping[str, Any], sample: str = "") -> str:
        limit = self.env.limits.rendered_chars
        out: list[str] = []
        size = 0
        try:
            with bounded(self.env, self.source, sample):
                for chunk in mstache.stream(self.bytes, variables, getter=getter, stringify=stringify,
                                            cache=self.cache):
                    text = chunk.decode("utf-8", "surrogatepass")
                    size += len(text)
                    if size > limit:
                        raise too_big(self.source, limit, sample)
                    out.append(text)
        except Undefined as exc:
            raise undefined(self.source, exc.name, tag_line(self.source, exc.name), sample, GUARD) from None
        return "".join(out)
