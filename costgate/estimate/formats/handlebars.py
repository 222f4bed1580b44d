"""Handlebars templates (``.hbs``, ``.handlebars``, ``format: handlebars``), rendered by
``dotpromptz-handlebars``, the Genkit team's pure-Python Handlebars that takes
Handlebars.js 4.7 as its specification (Dotprompt's template language).

Why that library: pybars3, the other Python Handlebars, has had no release since 2019 and
compiles templates to Python source that it executes (its past advisories were code
execution from a crafted template); this one interprets a parsed tree, reads data only
through mappings and sequences, never calls a function found in the data, and bounds its
nesting (100 levels). What costgate adds or takes away:

* **Helpers**: the built-in blocks (``if``, ``unless``, ``each``, ``with``) and
  ``lookup`` only. ``log`` is removed (it prints to stdout, where a CI runner reads
  workflow commands) and any other helper is refused when the template is compiled:
  costgate cannot run the application's helpers, and would guess at their output.
* **Partials** (``{{> name}}``, ``{{#> name}}``, ``{{#*inline}}``) are refused: they
  would read other templates, which only the spec's own includes may do.
* **Undefined**: strict mode, so ``{{name}}`` with no such variable is the same error as
  in Jinja2, while ``{{#if name}}`` on a missing name is false (Handlebars' own rule).
* **Escaping** and printing are the library's defaults: ``{{x}}`` is HTML-escaped,
  ``{{{x}}}`` is not, ``true``/``false`` and ``1`` for ``1.0`` as JavaScript prints them.
* **Bounds**: the library builds each block's text whole, so the output cannot be cut
  while it streams. Instead the data is wrapped so that rendering pays as it goes: every
  string or number printed pays its length, every item a loop visits pays the largest
  loop body's text, and the render stops once the bill passes ``SLACK`` times
  ``rendered_chars`` (an over-estimate, hence the slack); the real text is then held to
  ``rendered_chars`` exactly. The timer stops loops that print nothing.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any, Iterator, Mapping

from dotpromptz_handlebars import (
    Block,
    ElseNode,
    Handlebars,
    InlinePartial,
    Mustache,
    Partial,
    PartialBlock,
    StrictModeError,
    TemplateRecursionError,
    Text,
)
from dotpromptz_handlebars._render import compile_template

from ...spec import Template
from ..sandbox import BoundedSandbox
from .base import Data, bounded, line_at, pattern_line, refused, short, syntax, tag_line, too_big, undefined

DOCS = "https://handlebarsjs.com/guide/"
GUARD = ", or guard it with {{#if x}}...{{/if}}"
BLOCKS = {"if": 1, "unless": 1, "each": 1, "with": 1}
"""The built-in block helpers and how many arguments each takes."""
HELPERS = {"lookup"}
"""Helpers a tag may call (besides the blocks)."""
TAG_COST = 32
"""What a loop body's tag is billed per item on top of its text: at least what a tag can
print without paying for itself (``true``, ``[object Object]``, an ``@index``); strings
and numbers from the data pay their own length."""
SLACK = 8
"""How far the bill may run past ``rendered_chars`` before a render is stopped."""
_PARTIAL = re.compile(r"\{\{~?\s*(#?>|#\*)")
_WORDS = re.compile(r"[^\s\"'()=|.\[\]/@]+")
_HELPER_CALL = re.compile(r"\(\s*([^\s()]+)")
_DATA = re.compile(r"@(?!root\b)[^\s.()/]*")
"""``@index``, ``@key``...: the loop's data, not variables (``@root.x`` reads ``x``)."""


class _Exceeded(Exception):
    pass


class _Bill:
    def __init__(self, limit: int, per_item: int) -> None:
        self.left, self.per_item = limit, per_item

    def pay(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise _Exceeded


_BILL: ContextVar[_Bill | None] = ContextVar("handlebars_bill", default=None)


def _pay(n: int) -> None:
    bill = _BILL.get()
    if bill is not None:
        bill.pay(n)


def _per_item() -> int:
    bill = _BILL.get()
    return 0 if bill is None else bill.per_item


class _Str(str):
    def __str__(self) -> str:
        _pay(len(self))
        return str.__str__(self)


class _Silent(_Str):
    """Sample text in the prompt as written: prints as nothing, tests as itself."""

    def __str__(self) -> str:
        return ""


class _Int(int):
    def __str__(self) -> str:
        text = int.__repr__(self)
        _pay(len(text))
        return text


class _Float(float):
    def __str__(self) -> str:
        text = float.__repr__(self)
        _pay(len(text))
        return text

    def is_integer(self) -> bool:
        whole = float.is_integer(self)
        if whole:  # the library then prints int(self): up to 309 digits
            _pay(len(str(int(self))))
        return whole


class _List(list):
    def __iter__(self) -> Iterator[Any]:
        for item in list.__iter__(self):
            _pay(_per_item())
            yield item


class _Dict(dict):
    def items(self) -> Any:
        _pay(_per_item() * len(self))
        return dict.items(self)


def wrap(value: Any) -> Any:
    """Sample data in the billing wrappers (module docstring); ``Data`` becomes silent."""
    if isinstance(value, Data):
        return _Silent(value)
    if isinstance(value, str):
        return _Str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return _Int(value)
    if isinstance(value, float):
        return _Float(value)
    if isinstance(value, (list, tuple)):
        return _List(wrap(v) for v in value)
    if isinstance(value, Mapping):
        return _Dict((_Str(k) if isinstance(k, str) else k, wrap(v)) for k, v in value.items())
    return value


class HandlebarsTemplate:
    """A Handlebars template checked and compiled once (module docstring)."""

    parts: list[tuple[int, str]] | None = None
    fmt: str | None = None

    def __init__(self, env: BoundedSandbox, template: Template, name: str) -> None:
        self.env, self.source, self.name = env, template, name
        engine = Handlebars(strict=True)
        engine.unregister_helper("log")
        with bounded(env, template, ""):  # the parser scans ahead for each {{{: quadratic in them
            try:
                nodes = compile_template(template.text, max_depth=engine.max_depth)  # parsed once: walked and rendered
            except TemplateRecursionError:
                raise syntax(template, "blocks nested over 100 deep", template.first_line, DOCS) from None
            except ValueError as exc:
                raise syntax(template, short(str(exc)), syntax_line(template), DOCS) from None
        self.engine, self.nodes = engine, nodes
        self.uses: set[str] = set()
        self.per_item = 1
        self._walk(nodes)

    def _walk(self, nodes: list[Any]) -> int:
        """Check every tag (no partials, known helpers), collect the names tags read, and
        find the largest loop body's bill; returns the bill of ``nodes`` themselves."""
        cost = 0
        for node in nodes:
            if isinstance(node, Text):
                cost += len(node.value)
            elif isinstance(node, (Partial, PartialBlock, InlinePartial)):
                raise refused(self.source, f"the partial '{short(node.name)}'", pattern_line(self.source, _PARTIAL),
                              "partials would read other files: put the text in this template")
            elif isinstance(node, ElseNode):
                cost += self._walk(node.body)
            elif isinstance(node, (Mustache, Block)):
                self._call(node.call, isinstance(node, Block))
                cost += TAG_COST
                if isinstance(node, Block):
                    loop = node.call["name"] not in ("if", "unless", "with")
                    body = self._walk(node.body) + self._walk(node.inverse)
                    if loop:
                        self.per_item = max(self.per_item, body)
                    cost += body
        return cost

    def _call(self, call: dict[str, Any], block: bool) -> None:
        """One tag: the names it reads (every word of its paths and strings, ``lookup``'s keys
        included: a superset is safe), its arity if it is a built-in block, and every helper
        it calls (itself, or in a subexpression)."""
        name, args, hashed = call["name"], call["args"], call["hash"]
        tokens = [name, *args, *hashed.values()]
        helper = name in BLOCKS or (name in HELPERS and bool(args or hashed))
        for token in tokens[1:] if helper else tokens:
            self.uses.update(_WORDS.findall(_HELPER_CALL.sub("(", _DATA.sub(" ", token))))
        self.uses.discard("this")
        if block and name in BLOCKS and len(args) != BLOCKS[name]:
            raise syntax(self.source, f"#{name} takes exactly one argument", tag_line(self.source, name), DOCS)
        called = [name] if (args or hashed or call.get("literal")) and name not in BLOCKS else []
        called += [h for t in tokens for h in _HELPER_CALL.findall(t)]
        for helper in called:
            if helper not in HELPERS:
                raise refused(self.source, f"the helper '{short(helper)}'", tag_line(self.source, name),
                              "costgate renders Handlebars' built-in helpers only (if, unless, each, with, "
                              "lookup); put the helper's result in the samples instead")

    def render(self, variables: Mapping[str, Any], sample: str = "") -> str:
        limit = self.env.limits.rendered_chars
        data = wrap(variables)
        token = _BILL.set(_Bill(SLACK * limit, self.per_item))
        try:
            with bounded(self.env, self.source, sample):
                text = self.engine._render_program(self.nodes, data, None, data=None)  # what compile()'s render does
        except _Exceeded:
            raise too_big(self.source, limit, sample, "would render (counting each item a loop visits as its "
                                                      "largest loop body)") from None
        except StrictModeError as exc:
            raise undefined(self.source, exc.path, tag_line(self.source, exc.path), sample, GUARD) from None
        except ValueError as exc:
            raise syntax(self.source, short(str(exc)), None, DOCS) from None
        finally:
            _BILL.reset(token)
        if len(text) > limit:
            raise too_big(self.source, limit, sample)
        return text


def syntax_line(template: Template) -> int | None:
    """Where a template the library refused goes wrong (its messages carry no line): the
    first tag never closed, the first closing tag that matches no open block, or the
    innermost block left open."""
    text, open_blocks, i = template.text, [], 0
    while (start := text.find("{{", i)) >= 0:
        end = text.find("}}", start + 2)
        if end < 0:
            return line_at(template, start)
        body = text[start + 2:end].strip("{}~ \t\r\n")
        if body.startswith(("#", "^")) and not body.startswith("#*"):
            open_blocks.append((body[1:].lstrip("> ").split(" ")[0], start))
        elif body.startswith("/"):
            if not open_blocks or open_blocks.pop()[0] != body[1:].strip():
                return line_at(template, start)
        i = end + 2
    return line_at(template, open_blocks[-1][1]) if open_blocks else None
