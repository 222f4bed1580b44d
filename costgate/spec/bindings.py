"""Bindings to the app's own settings: a call setting written ``{from: FILE, key: a.b.c}``.

A spec that copies ``model: gpt-4o-mini`` from the app's config prices what the spec
says, not what the app runs: the day someone switches the app to gpt-4o, the gate sees
nothing. A binding reads the value from the app's settings file instead (through the
spec's ``Source``: at base and at head each side reads its own commit, confined to the
repository), so that change is a change in the estimate, and the file joins
``Spec.files`` (the estimate cache key). The value read is then checked exactly like an
inline one; an error about it points at the settings file's line and names the spec
line that binds it (``BoundDoc``).
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from ..errors import CostgateError, suggest
from ..fields import kind_of, with_list
from ..limits import WorkLimits
from ..repo.paths import join
from ..repo.source import Source, confine, read_text
from ..yamlio import MAX_DIGITS, Doc, DocPath
from .keys import BINDABLE, BINDING_KEYS
from .model import Binding
from .parsing import ParserBase
from .settings import READERS, Settings, kind, read_settings

FIELDS: tuple[tuple[str, ...], ...] = tuple(tuple(p.removeprefix("calls[].").split(".")) for p in BINDABLE)
"""Where a call may bind, relative to the call (``*``: any key)."""
KEY = re.compile(r"[^.\s]+(?:\.[^.\s]+)*")
KINDS = ", ".join(f".{k}" for k in READERS)


def bound_error(b: Binding, spec_file: str, message: str, hint: str | None = None) -> CostgateError:
    """An error about a bound value: at its line in the settings file, naming the spec
    line that binds it (so both files are in the message). A value from a ``.env`` file
    is not quoted: such files hold secrets (CI may write one before costgate runs), and a
    spec binding a setting to ``OPENAI_API_KEY`` must not print it to the job log."""
    at = f"{spec_file}:{b.spec_line}" if b.spec_line else spec_file
    if kind(b.file) == "env" and isinstance(b.value, str) and b.value:
        for text in (repr(b.value), repr(b.value[:40])):  # how the checks quote a value
            message = message.replace(text, "<hidden>")
            hint = None if hint is None else hint.replace(text, "<hidden>")
    return CostgateError(f"{message} (the value of {b.key}, bound at {at})", file=b.file, line=b.line, hint=hint)


@dataclass
class BoundDoc(Doc):
    """The spec's document, knowing which of its values were read from a settings file:
    every check that reports through ``error`` points at that file for those."""

    bound: dict[DocPath, Binding] = field(default_factory=dict)
    """Spec path of a bound setting -> its binding."""

    def error(self, path: DocPath, message: str, hint: str | None = None) -> CostgateError:
        b = self.bound.get(tuple(path))
        return super().error(path, message, hint) if b is None else bound_error(b, self.file, message, hint)


def _leads(rel: tuple, exact: bool = False) -> bool:
    """Whether a bindable setting is at (``exact``) or under the call-relative path ``rel``."""
    return any(len(f) >= len(rel) and (len(f) == len(rel) or not exact) and all(a in ("*", b) for a, b in zip(f, rel))
               for f in FIELDS)


def is_binding(value: Any) -> bool:
    """A mapping with ``from`` or ``key``: no bindable setting's own mapping has either."""
    return isinstance(value, dict) and any(k in value for k in BINDING_KEYS)


class BindingParts(ParserBase):
    """The parser's step before a call's values are checked: its bindings resolved."""

    def __init__(self, doc: Doc, source: Source, rel: str, limits: WorkLimits) -> None:
        super().__init__(BoundDoc(**{f.name: getattr(doc, f.name) for f in fields(doc)}), source, rel, limits)
        self.settings_files: dict[str, Settings] = {}

    @property
    def bound(self) -> dict[DocPath, Binding]:
        assert isinstance(self.doc, BoundDoc)
        return self.doc.bound

    def bind(self, p: DocPath, call: dict) -> dict:
        """``call`` (the spec mapping at ``p``) with every binding replaced by the value it
        reads; the bindings are kept for ``bindings`` and for errors (``BoundDoc``)."""
        call = copy.deepcopy(call)
        self.bind_within(p, call, ())
        return call

    def bind_within(self, p: DocPath, holder: dict, rel: tuple) -> None:
        """Bindings of ``holder`` (at ``p + rel``) in the order the spec writes them: a
        binding is resolved where a setting may bind, mappings on the way searched."""
        for key, value in holder.items():
            if not isinstance(value, dict) or not _leads(rel + (key,)):
                continue
            if is_binding(value) and _leads(rel + (key,), exact=True):
                b = self.read_binding(p + rel + (key,), value)
                self.bound[p + rel + (key,)] = b
                holder[key] = b.value
            elif not is_binding(value):
                self.bind_within(p, value, rel + (key,))

    def bindings(self, p: DocPath) -> tuple[Binding, ...]:
        """The bindings of the call at ``p``, in the order they were read."""
        return tuple(b for path, b in self.bound.items() if path[:len(p)] == p)

    def read_binding(self, path: DocPath, value: dict) -> Binding:
        value = self.f.mapping(path, value, BINDING_KEYS, BINDING_KEYS)
        name, key = value["from"], value["key"]
        if not isinstance(name, str) or not name.strip():
            raise self.err(path + ("from",), f"{self.f.where(path + ('from',))} must be a path to the app's settings "
                                             f"file, got {kind_of(name)}", "write it relative to the spec file")
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise self.err(path + ("key",), f"{self.f.where(path + ('key',))} must be a dotted key such as "
                                            f"llm.model, got {kind_of(key)[:60]}",
                           "a .env file's key is the variable's name, e.g. LLM_MODEL")
        settings = self.settings_file(path, join(self.rel, name))
        got, at = self.lookup(path, settings, key)
        line = settings.line(at)
        return Binding(field=".".join(str(x) for x in path[2:]), file=settings.file, key=key, line=line,
                       value=self.scalar(settings, key, got, line, path), spec_line=self.doc.line(path))

    def settings_file(self, path: DocPath, rel: str) -> Settings:
        """The settings file ``rel``, read once per spec through the spec's source."""
        line = self.doc.line(path + ("from",))
        rel = confine(rel, referenced_from=self.rel, line=line)
        if rel not in self.settings_files:
            if kind(rel) is None:
                raise self.err(path + ("from",), f"cannot read settings from {rel}: not a settings file kind "
                                                 "costgate reads", f"bind to a {KINDS} file")
            text = read_text(self.source, rel, referenced_from=self.rel, line=line)
            self.files.append(rel)
            try:
                self.settings_files[rel] = read_settings(text, rel)
            except CostgateError as exc:
                raise CostgateError(f"{exc.message} (bound at {self.rel}:{line})", file=exc.location.file or rel,
                                    line=exc.location.line, hint=exc.hint) from None
        return self.settings_files[rel]

    def lookup(self, path: DocPath, s: Settings, key: str) -> tuple[Any, DocPath]:
        """The value at dotted ``key`` (list items by index: ``models.0.name``) and its path."""
        value: Any = s.data
        at: DocPath = ()
        for part in key.split("."):
            if isinstance(value, dict) and part in value:
                value, at = value[part], at + (part,)
                continue
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value, at = value[int(part)], at + (int(part),)
                continue
            raise self.err(path + ("key",), f"key {key!r} not found in {s.file}", self.missing(at, part, value))
        return value, at

    @staticmethod
    def missing(at: DocPath, part: str, value: Any) -> str:
        """The fix for a key not found under ``at``: the closest keys, then all of them."""
        prefix = "".join(f"{k}." for k in at)
        if isinstance(value, list):
            return f"{prefix.rstrip('.') or 'the file'} is a list of {len(value)}: write an index, e.g. {prefix}0"
        if not isinstance(value, dict) or not value:
            return f"{prefix.rstrip('.') or 'the file'} holds {kind_of(value)[:60]}, not keys"
        names = [prefix + str(k) for k in value]
        shown = sorted(names)[:20] + (["..."] if len(names) > 20 else [])
        return with_list(suggest(prefix + part, names), f"keys under {prefix.rstrip('.')}" if at else "keys", shown)

    def scalar(self, s: Settings, key: str, value: Any, line: int | None, path: DocPath) -> str | int | Decimal | bool:
        """A bound value is one scalar (a date reads as its text); numbers as bounded as
        a spec's."""
        at = f"{self.rel}:{self.doc.line(path)}"
        if isinstance(value, (_dt.date, _dt.time)):
            return value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) > MAX_DIGITS:
            raise CostgateError(f"number {str(value)[:40]}... is too long (the value of {key}, bound at {at})",
                                file=s.file, line=line, hint="costgate reads numbers up to 1e30")
        if isinstance(value, (str, int, Decimal, bool)):
            return value
        hint = "bind a key that holds one value (a string or a number)"
        if isinstance(value, dict) and value:
            hint += f", e.g. {key}.{next(iter(value))}"
        raise CostgateError(f"{key} in {s.file} is {kind_of(value)}, not one value (bound at {at})",
                            file=s.file, line=line, hint=hint)


__all__ = ["BindingParts", "BoundDoc", "bound_error", "is_binding", "FIELDS"]
