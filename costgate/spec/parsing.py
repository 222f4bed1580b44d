"""The spec parser's shared steps: errors at a spec line, mappings checked against the
key table, templates inline or from a file, bounded counts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from ..errors import CostgateError
from ..fields import Fields
from ..limits import WorkLimits
from ..repo.paths import join
from ..repo.source import Source, read_text
from ..yamlio import Doc, DocPath
from .keys import KEYS, MAXIMA
from .model import FORMAT_BY_EXTENSION, TEMPLATE_FORMATS, Template


class ParserBase:
    def __init__(self, doc: Doc, source: Source, rel: str, limits: WorkLimits) -> None:
        self.doc, self.source, self.rel, self.work = doc, source, rel, limits
        self.f = Fields(doc, top="spec")
        self.files: list[str] = [rel]

    def err(self, path: DocPath, message: str, hint: str | None = None) -> CostgateError:
        return self.doc.error(path, message, hint)

    def mapping(self, path: DocPath, value: Any, schema: str, required: tuple[str, ...] = ()) -> dict:
        return self.f.mapping(path, value, KEYS[schema], required)

    def template(self, path: DocPath, value: Any, schema: str) -> Template | None:
        """An inline string (Jinja2), or ``{file: path}`` (format by extension) or
        ``{text: ...}`` (Jinja2), either with an explicit ``format:``."""
        if value is None:
            return None
        if isinstance(value, str):
            return Template(value, self.rel, self._text_line(path))
        value = self.mapping(path, value, schema)
        if ("file" in value) == ("text" in value):
            raise self.err(path, f"{self.f.where(path)} needs exactly one of 'file' or 'text'",
                           "{file: prompts/system.mustache} reads a file; {text: \"Hello {name}\", format: format} "
                           "is an inline template in another format")
        fmt = None if "format" not in value else self.f.choice(path + ("format",), value["format"], TEMPLATE_FORMATS)
        if "text" in value:
            if not isinstance(value["text"], str):
                raise self.err(path + ("text",), "template text must be a string")
            return Template(value["text"], self.rel, self._text_line(path + ("text",)), format=fmt or "jinja2")
        if not isinstance(value["file"], str):
            raise self.err(path + ("file",), "template file must be a path string")
        rel = join(self.rel, value["file"])
        text = read_text(self.source, rel, referenced_from=self.rel, line=self.doc.line(path + ("file",)))
        self.files.append(rel)
        return Template(text, rel, 1, format=fmt or FORMAT_BY_EXTENSION.get(PurePosixPath(rel).suffix.lower(), "jinja2"))

    def _text_line(self, path: DocPath) -> int:
        """Where an inline template's text starts: one below ``key: |``, else the key's line."""
        return self.doc.text_starts.get(tuple(path)) or self.doc.line(path) or 1

    def count(self, path: DocPath, value: Any, maximum: str, *, positive: bool = False) -> int:
        """A whole number within ``MAXIMA[maximum]``."""
        return int(self.f.number(path, value, integer=True, positive=positive, maximum=Decimal(MAXIMA[maximum])))

    def within_limit(self, path: DocPath, value: int, limit: str) -> int:
        if value > getattr(self.work, limit):
            raise self.work.exceeded(limit, f"{value:,}", self.f.where(path), file=self.rel, line=self.doc.line(path))
        return value
