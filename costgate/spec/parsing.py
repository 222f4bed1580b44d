"""The spec parser's shared steps: errors at a spec line, mappings checked against the
key table, templates inline or from a file (with the files they include), bounded counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import CostgateError
from ..fields import Fields
from ..limits import WorkLimits
from ..repo.paths import join
from ..repo.source import Source, read_text
from ..yamlio import Doc, DocPath
from .includes import Includes
from .keys import KEYS, MAXIMA
from .model import Template


class ParserBase:
    def __init__(self, doc: Doc, source: Source, rel: str, limits: WorkLimits) -> None:
        self.doc, self.source, self.rel, self.work = doc, source, rel, limits
        self.f = Fields(doc, top="spec")
        self.files: list[str] = [rel]
        self.includes = Includes(source, self.files)

    def err(self, path: DocPath, message: str, hint: str | None = None) -> CostgateError:
        return self.doc.error(path, message, hint)

    def mapping(self, path: DocPath, value: Any, schema: str, required: tuple[str, ...] = ()) -> dict:
        return self.f.mapping(path, value, KEYS[schema], required)

    def template(self, path: DocPath, value: Any, schema: str) -> Template | None:
        if value is None:
            return None
        if isinstance(value, str):
            inline = Template(value, self.rel, self.doc.text_starts.get(tuple(path)) or self.doc.line(path) or 1)
            return self.includes.resolve(inline, inline=True)
        value = self.mapping(path, value, schema, ("file",))
        if not isinstance(value["file"], str):
            raise self.err(path + ("file",), "template file must be a path string")
        rel = join(self.rel, value["file"])
        text = read_text(self.source, rel, referenced_from=self.rel, line=self.doc.line(path + ("file",)))
        self.files.append(rel)
        return self.includes.resolve(Template(text, rel, 1), inline=False)

    def count(self, path: DocPath, value: Any, maximum: str, *, positive: bool = False) -> int:
        """A whole number within ``MAXIMA[maximum]``."""
        return int(self.f.number(path, value, integer=True, positive=positive, maximum=Decimal(MAXIMA[maximum])))

    def within_limit(self, path: DocPath, value: int, limit: str) -> int:
        if value > getattr(self.work, limit):
            raise self.work.exceeded(limit, f"{value:,}", self.f.where(path), file=self.rel, line=self.doc.line(path))
        return value
