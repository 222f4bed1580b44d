"""``.prompty`` files (``prompt: {file: chat.prompty}``): a call's prompts and model in
Microsoft's Prompty format, read by a small bounded parser of our own rather than the
``prompty`` runtime (which would bring an executor, tracing and provider SDKs along).

The format: YAML front matter between ``---`` lines (``model: {api, configuration:
{type, name | model | azure_deployment}, parameters: {max_tokens, ...}}``, ``template:
jinja2 | mustache`` or ``{format: ...}``, and keys costgate does not use: name,
description, inputs, sample, ...), then a body whose role lines (``system:``, ``user:``,
``assistant:``, ``function:``; as Prompty reads them: any case, optional leading ``#``,
optional ``[key=value]`` arguments) start the messages; text before the first role line
is system.

How the body becomes the call (docs/spec.md, "Where prompts can live"): the body is split
at its **last** ``user:`` line. What follows is the ``user`` template, the message every
request sends. Everything before it (the system section, and any few-shot ``user:`` /
``assistant:`` examples, role lines and all, in order) is the ``system`` template: a
few-shot example is input the model gets on every request, so it counts as part of the
prompt as written, and its role lines stand in for those messages' overhead. Role lines
are found in the file as written: Prompty renders the whole body before splitting it, so
a role line produced by template logic, or a ``{% %}`` block spanning the split, reads
differently here (the latter is a template error at its line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import CostgateError
from ..fields import Fields
from ..yamlio import Doc, loads
from .model import TemplateFormat

ROLE_LINE = re.compile(r"(?i)[ \t]*(?:#[ \t]*)?(system|user|assistant|function|tools)(\[[^\]\n]*\])?[ \t]*:\s*$")
"""A message boundary, as Prompty's chat parser matches it (written so that no two parts
can match the same blanks: a hostile line of spaces is read in linear time)."""
REFUSED_ROLES = {
    "tools": "declare tool definitions on the call with tools: {file: tools.json}",
}
"""Body sections costgate does not price from the body, and what to do instead."""
THREAD = re.compile(r"^\s*!\[thread\]")
FORMATS: dict[str, TemplateFormat] = {"jinja2": "jinja2", "mustache": "mustache"}
"""Prompty template engines -> costgate template formats."""
MODEL_KEYS: tuple[tuple[str, ...], ...] = (("id",), ("configuration", "model"), ("configuration", "name"),
                                          ("configuration", "azure_deployment"))
"""Where the front matter may name the model, first found wins (an Azure deployment
name is used as the model id; when it is not one, set ``model:`` on the call)."""
MAX_TOKENS_KEYS = ("max_tokens", "max_completion_tokens")
"""``model.parameters`` keys that cap a request's output."""


@dataclass(frozen=True)
class Section:
    """One message template of the body: text, and the file line its text starts on."""

    text: str
    first_line: int


@dataclass(frozen=True)
class Prompty:
    """What a ``.prompty`` file gives a call. ``None``: the file does not say."""

    file: str
    system: Section | None
    user: Section | None
    format: TemplateFormat
    model: str | None = None
    model_line: int | None = None
    max_tokens: int | None = None

    def require_model(self) -> str:
        """The model id the call uses when its spec names none, or why there is none."""
        if self.model is None:
            raise CostgateError(f"{self.file} names no model", file=self.file, line=self.model_line,
                                hint="set model: on the call, or model: {configuration: {name: gpt-4o}} in the "
                                     "front matter")
        if "${" in self.model:
            raise CostgateError(f"the model in {self.file} comes from the environment ({self.model[:60]!r})",
                                file=self.file, line=self.model_line,
                                hint="costgate does not read environment variables: set model: on the call")
        return self.model


def front_matter(text: str, rel: str) -> tuple[Doc, list[str], int]:
    """A ``.prompty`` file's front matter (the YAML between its first two ``---`` lines,
    with the file's line numbers), its lines, and the index of the closing ``---``. The
    one reader of that format: the call's ``prompt:`` and bindings to the front matter
    both use it."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # a final line break ends the last line; it starts no empty one (as splitlines reads it)
    opening = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if opening is None or lines[opening].rstrip() != "---":
        raise CostgateError(f"{rel} does not start with front matter", file=rel, line=(opening or 0) + 1,
                            hint="a .prompty file starts with YAML between two --- lines, then the prompt")
    closing = next((i for i in range(opening + 1, len(lines)) if lines[i].rstrip() == "---"), None)
    if closing is None:
        raise CostgateError("the front matter has no closing --- line", file=rel, line=opening + 1,
                            hint="end the YAML front matter with a line holding only ---")
    try:
        doc = loads("\n".join(lines[:closing]), rel)  # the opening --- is YAML's own document start
    except CostgateError as exc:
        raise CostgateError(f"front matter: {exc.message}", file=rel, line=exc.location.line,
                            hint=exc.hint) from None
    if doc.data is not None and not isinstance(doc.data, dict):
        raise CostgateError("the front matter must be a YAML mapping", file=rel, line=opening + 1,
                            hint="write keys such as model: and template: between the --- lines")
    return doc, lines, closing


def parse_prompty(text: str, rel: str, max_tokens_cap: int) -> Prompty:
    """Front matter and body of a ``.prompty`` file (``max_tokens_cap``: the largest
    ``max_tokens`` a spec may state)."""
    doc, lines, closing = front_matter(text, rel)
    meta = doc.data or {}
    model, model_line, max_tokens = _model(doc, meta.get("model"), max_tokens_cap)
    system, user = _split(lines, closing + 1, rel)
    return Prompty(rel, system, user, _format(doc, meta.get("template")), model, model_line, max_tokens)


def _model(doc: Doc, value: Any, cap: int) -> tuple[str | None, int | None, int | None]:
    """(model id, its line, max_tokens) from the front matter's ``model``."""
    f = Fields(doc, top="the front matter")
    if value is None:
        return None, doc.line(()), None
    if isinstance(value, str):
        return value, doc.line(("model",)), None
    model = _mapping(f, ("model",), value)
    api = model.get("api", "chat")
    if api != "chat":
        raise f.error(("model", "api"), f"model.api is {str(api)[:40]!r}; costgate prices chat prompts",
                      "set api: chat (a completion prompt has no roles to price)")
    found: tuple[str, int | None] | None = None
    for path in MODEL_KEYS:
        node: Any = model
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            found = (f.ident(("model",) + path, node), doc.line(("model",) + path))
            break
    params = _mapping(f, ("model", "parameters"), model.get("parameters") or {})
    key = next((k for k in MAX_TOKENS_KEYS if params.get(k) is not None), None)
    tokens = None if key is None else int(f.number(("model", "parameters", key), params[key], integer=True,
                                                   positive=True, maximum=Decimal(cap)))
    return (found[0], found[1], tokens) if found else (None, doc.line(("model",)), tokens)


def _mapping(f: Fields, path: tuple, value: Any) -> dict:
    """A mapping of the front matter, whatever its keys (Prompty's schema, not costgate's)."""
    if not isinstance(value, dict):
        raise f.error(path, f"{f.where(path)} must be a mapping")
    return value


def _format(doc: Doc, value: Any) -> TemplateFormat:
    f = Fields(doc, top="the front matter")
    if value is None:
        return "jinja2"
    if isinstance(value, dict):
        value = value.get("format", "jinja2")
        return FORMATS[f.choice(("template", "format"), value, tuple(FORMATS))]
    return FORMATS[f.choice(("template",), value, tuple(FORMATS))]


def _split(lines: list[str], start: int, rel: str) -> tuple[Section | None, Section | None]:
    """(system, user) of the body starting at index ``start`` (see the module docstring)."""
    roles: list[tuple[int, str]] = []
    for i in range(start, len(lines)):
        if THREAD.match(lines[i]):
            raise CostgateError("![thread] inserts the conversation, which costgate models with history:", file=rel,
                                line=i + 1, hint="remove ![thread] and set history: full (or a window) on the call")
        match = ROLE_LINE.match(lines[i])
        if match:
            role = match.group(1).lower()
            if role in REFUSED_ROLES:
                raise CostgateError(f"a {role}: section in the body", file=rel, line=i + 1, hint=REFUSED_ROLES[role])
            roles.append((i, role))
    last_user = next((i for i, role in reversed(roles) if role == "user"), None)
    end = len(lines) if last_user is None else last_user
    begin = start
    while begin < end and not lines[begin].strip():  # blank lines before the first section
        begin += 1
    if roles and roles[0][0] == begin and roles[0][1] == "system":
        begin += 1  # the system role line itself is no text
    system = _section(lines, begin, end)
    user = None if last_user is None else _section(lines, last_user + 1, len(lines))
    return system, user


def _section(lines: list[str], begin: int, end: int) -> Section | None:
    """Lines ``begin`` to ``end`` (exclusive) joined as Prompty joins a message's lines;
    None when they hold only whitespace."""
    text = "\n".join(lines[begin:end])
    return Section(text, begin + 1) if text.strip() else None
