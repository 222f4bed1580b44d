"""The spec parser's shared steps: errors at a spec line, mappings checked against the
key table, templates inline, from a file (with the files they include), under a key of a
data file, from a Python constant or from a .prompty file (docs/spec.md, "Where prompts
can live"), bounded counts."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from ..errors import CostgateError
from ..fields import Fields
from ..limits import WorkLimits
from ..repo.paths import join
from ..repo.source import Source, read_text
from ..yamlio import Doc, DocPath
from .includes import Includes
from .keyed import from_key, key_path
from .keys import KEYS, MAXIMA, SYMBOL
from .model import FORMAT_BY_EXTENSION, TEMPLATE_FORMATS, Template
from .prompty import Prompty, Section, parse_prompty
from .pyconst import from_symbol


class ParserBase:
    def __init__(self, doc: Doc, source: Source, rel: str, limits: WorkLimits) -> None:
        self.doc, self.source, self.rel, self.work = doc, source, rel, limits
        self.f = Fields(doc, top="spec")
        self.files: list[str] = [rel]
        self.includes = Includes(source, self.files)
        self.embedded_files: dict[str, Any] = {}
        """Data and Python files prompts are read from, parsed once per spec (file -> parsed)."""

    def err(self, path: DocPath, message: str, hint: str | None = None) -> CostgateError:
        return self.doc.error(path, message, hint)

    def mapping(self, path: DocPath, value: Any, schema: str, required: tuple[str, ...] = ()) -> dict:
        return self.f.mapping(path, value, KEYS[schema], required)

    def template(self, path: DocPath, value: Any, schema: str) -> Template | None:
        """An inline string (Jinja2), ``{file: path}`` (format by extension), ``{file, key}``
        or ``{file, symbol}`` (a prompt inside a data or Python file) or ``{text: ...}``
        (Jinja2), each with an optional explicit ``format:``; the files it includes read now."""
        if value is None:
            return None
        if isinstance(value, str):
            inline = Template(value, self.rel, self._text_line(path))
            return self.includes.resolve(inline, inline=True)
        value = self.mapping(path, value, schema)
        if ("file" in value) == ("text" in value):
            raise self.err(path, f"{self.f.where(path)} needs exactly one of 'file' or 'text'",
                           "{file: prompts/system.mustache} reads a file; {text: \"Hello {name}\", format: format} "
                           "is an inline template in another format")
        fmt = None if "format" not in value else self.f.choice(path + ("format",), value["format"], TEMPLATE_FORMATS)
        if "text" in value:
            if "key" in value or "symbol" in value:
                raise self.err(path, "key: and symbol: read a file: give them with file:, not text:")
            if not isinstance(value["text"], str):
                raise self.err(path + ("text",), "template text must be a string")
            text_tpl = Template(value["text"], self.rel, self._text_line(path + ("text",)), format=fmt or "jinja2")
            return self.includes.resolve(text_tpl, inline=True)
        if not isinstance(value["file"], str):
            raise self.err(path + ("file",), "template file must be a path string")
        rel = join(self.rel, value["file"])
        text = read_text(self.source, rel, referenced_from=self.rel, line=self.doc.line(path + ("file",)))
        self.files.append(rel)
        if "key" in value or "symbol" in value:
            embedded = self.embedded(path, value, rel, text)
            if fmt is not None:
                embedded = replace(embedded, format=fmt)
            return self.includes.resolve(embedded, inline=False)
        by_extension = FORMAT_BY_EXTENSION.get(PurePosixPath(rel).suffix.lower(), "jinja2")
        return self.includes.resolve(Template(text, rel, 1, format=fmt or by_extension), inline=False)

    def _text_line(self, path: DocPath) -> int:
        """Where an inline template's text starts: one below ``key: |``, else the key's line."""
        return self.doc.text_starts.get(tuple(path)) or self.doc.line(path) or 1

    def embedded(self, path: DocPath, value: dict, rel: str, text: str) -> Template:
        """The prompt under ``key:`` of a YAML/JSON/TOML file or ``symbol:`` of a Python
        file (read statically, never run), with the line in that file where it starts."""
        if "key" in value and "symbol" in value:
            raise self.err(path + ("symbol",), "a template takes key: (a data file) or symbol: (a Python file), "
                                               "not both")
        if "symbol" in value:
            where = path + ("symbol",)
            symbol = value["symbol"]
            if not isinstance(symbol, str) or not re.fullmatch(SYMBOL, symbol):
                raise self.err(where, f"symbol must be NAME or Class.NAME, got {str(symbol)[:60]!r}")
            if not rel.endswith(".py"):
                raise self.err(where, f"symbol: reads Python files, not {rel}",
                               "use key: for a YAML, JSON or TOML file")
            found, line, fields = from_symbol(text, rel, symbol, max_chars=self.work.file_bytes, spec=self.rel,
                                              spec_line=self.doc.line(where), modules=self.embedded_files)
            return Template(found, rel, line, "format" if fields else "jinja2")
        where = path + ("key",)
        segments = key_path(value["key"])
        if segments is None:
            raise self.err(where, f"key must be a dotted path such as agent.prompts.system (or a list of keys), "
                                  f"got {str(value['key'])[:60]!r}")
        if rel.endswith(".py"):
            raise self.err(where, f"key: reads YAML, JSON or TOML files; {rel} is Python", "use symbol: NAME")
        found, line = from_key(text, rel, segments, spec=self.rel, spec_line=self.doc.line(where),
                               parsed=self.embedded_files)
        return Template(found, rel, line)

    def prompt(self, path: DocPath, value: Any) -> Prompty | None:
        """A call's ``.prompty`` file: its system and user templates, model and max_tokens."""
        if value is None:
            return None
        value = self.mapping(path, value, "calls[].prompt", ("file",))
        where = path + ("file",)
        if not isinstance(value["file"], str) or not value["file"].endswith(".prompty"):
            raise self.err(where, f"prompt.file must be a .prompty file, got {str(value['file'])[:60]!r}",
                           "prompt: reads Prompty files; a plain template goes under system: or user:")
        rel = join(self.rel, value["file"])
        text = read_text(self.source, rel, referenced_from=self.rel, line=self.doc.line(where))
        self.files.append(rel)
        return parse_prompty(text, rel, MAXIMA["calls[].max_tokens"])

    def with_prompt(self, value: dict, prompt: Prompty) -> dict:
        """A call's keys with its .prompty file's model and max_tokens where the call sets
        none: the spec's own keys win, so a spec can price a deployment under its model id."""
        out = dict(value)
        if "model" not in out and "mix" not in out:
            out["model"] = prompt.require_model()
        if "max_tokens" not in out and prompt.max_tokens is not None:
            out["max_tokens"] = prompt.max_tokens
        return out

    def role(self, path: DocPath, value: dict, prompt: Prompty | None, role: str) -> Template | None:
        """A call's ``system`` or ``user`` template: from the spec or from its .prompty
        file, never both (two sources of one prompt would leave it unclear which is gated)."""
        section: Section | None = getattr(prompt, role) if prompt is not None else None
        if prompt is None or section is None:
            return self.template(path + (role,), value.get(role), f"calls[].{role}")
        if role in value:
            raise self.err(path + (role,), f"{role} is set here and in {prompt.file} (line {section.first_line})",
                           f"keep one: remove {role}: from the call, or its section from the .prompty file")
        return Template(section.text, prompt.file, section.first_line, prompt.format)

    def count(self, path: DocPath, value: Any, maximum: str, *, positive: bool = False) -> int:
        """A whole number within ``MAXIMA[maximum]``."""
        return int(self.f.number(path, value, integer=True, positive=positive, maximum=Decimal(MAXIMA[maximum])))

    def within_limit(self, path: DocPath, value: int, limit: str) -> int:
        if value > getattr(self.work, limit):
            raise self.work.exceeded(limit, f"{value:,}", self.f.where(path), file=self.rel, line=self.doc.line(path))
        return value
