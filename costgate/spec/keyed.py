"""Prompts kept under a key of a YAML, JSON or TOML file (``{file: agent.yaml, key: ...}``).

Applications often keep their prompts in the config they already load (an agent's YAML,
a JSON of templates, ``pyproject``-style TOML). Copying the prompt into a template file
for costgate would price a copy that drifts from what ships; so the spec names the file
and the key, and the template is the string found there, with the file and the line
where that string's text starts, so render errors and the gate's growth report point at
the line the author edits.

A key is a dotted path (``agent.templates.system``); a segment of digits indexes a list
(``prompts.0.text``). A key that itself contains dots is written as a list of segments
(``key: [models, gpt-4.1, system]``), which needs no quoting rules. Each format is one
row of ``READERS``: how to parse it and how to find the line of a value.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from ..errors import CostgateError, suggest
from ..fields import kind_of, where, with_list
from ..yamlio import DocPath, loads

Segment = str | int
MAX_SEGMENTS = 32
"""Segments a key may have (documents nest a few levels; yamlio stops at 50)."""


@dataclass(frozen=True)
class Keyed:
    """A parsed data file and where its values are written."""

    data: Any
    line: Callable[[DocPath], int | None]
    """Line of the value at a (concrete) path, or of its nearest ancestor."""
    text_start: Callable[[DocPath, str], int | None]
    """Line where the text of the string at a path starts (after a block scalar's key,
    after a TOML multi-line string's opening quotes)."""


def key_path(value: Any) -> tuple[Segment, ...] | None:
    """The segments of a ``key:`` value (a dotted string or a list), or None when it is neither."""
    if isinstance(value, str):
        parts: list[Any] = value.split(".")
    elif isinstance(value, list):
        parts = value
    else:
        return None
    if not parts or len(parts) > MAX_SEGMENTS:
        return None
    if any(isinstance(p, bool) or not isinstance(p, (str, int)) or p == "" for p in parts):
        return None
    return tuple(parts)


def from_key(text: str, rel: str, segments: tuple[Segment, ...], *, spec: str, spec_line: int | None,
             parsed: dict[str, Keyed] | None = None) -> tuple[str, int]:
    """The string under ``segments`` of data file ``rel`` and the line its text starts on.
    A missing key is an error at the spec's ``key:`` line (that is where the typo is),
    naming the file and line of the mapping it was looked up in; a value that is not a
    string is an error at its own line in ``rel``. ``parsed`` (file -> parsed), given,
    keeps each file's parse for the next key of the same file."""
    reader = READERS.get(_suffix(rel))
    if reader is None:
        raise CostgateError(f"key: reads YAML, JSON or TOML files, not {rel}", file=spec, line=spec_line,
                            hint="keep the prompt in a .yaml, .yml, .json or .toml file, or drop key: to read "
                                 "the whole file as the template")
    keyed = None if parsed is None else parsed.get(rel)
    if keyed is None:
        keyed = reader(text, rel)
        if parsed is not None:
            parsed[rel] = keyed
    node: Any = keyed.data
    path: DocPath = ()
    for seg in segments:
        step = _step(node, seg)
        if step is None:
            raise _missing(node, seg, path, keyed, rel, spec, spec_line)
        node, path = step[0], path + (step[1],)
    if not isinstance(node, str):
        raise CostgateError(f"{_where(path)} in {rel} is {kind_of(node)[:60]}, not a prompt string", file=rel,
                            line=keyed.line(path), hint="point key: at a string value (a prompt's text)")
    return node, keyed.text_start(path, node) or keyed.line(path) or 1


def _shown(key: object) -> str:
    """A key of an in-repository file as a message may quote it: short, and with control
    characters escaped (a newline in a key must not forge a line of the log)."""
    text = str(key)[:60]
    return text if text.isprintable() else repr(text)


def _where(path: DocPath) -> str:
    return where(tuple(p if isinstance(p, int) else _shown(p) for p in path), "the top level")


def _suffix(rel: str) -> str:
    return rel.rsplit(".", 1)[-1].lower() if "." in rel.rsplit("/", 1)[-1] else ""


def _step(node: Any, seg: Segment) -> tuple[Any, Segment] | None:
    if isinstance(node, dict):
        key = str(seg)
        return (node[key], key) if key in node else None
    if isinstance(node, list):
        if isinstance(seg, int) or seg.isdigit():
            index = int(seg)
            return (node[index], index) if index < len(node) else None
    return None


def _missing(node: Any, seg: Segment, path: DocPath, keyed: Keyed, rel: str, spec: str,
             spec_line: int | None) -> CostgateError:
    at = f"{rel}:{keyed.line(path) or 1}"
    name = _where(path)
    if isinstance(node, dict):
        keys = sorted(str(k) for k in node)
        hint = with_list(suggest(str(seg), keys), "keys there", [_shown(k) for k in keys[:20]]) if keys else \
            "that mapping is empty"
        return CostgateError(f"{rel} has no key {str(seg)[:60]!r} under {name} ({at})", file=spec, line=spec_line,
                             hint=hint)
    if isinstance(node, list):
        return CostgateError(f"{name} in {rel} is a list of {len(node)} ({at}); {str(seg)[:60]!r} is not an index "
                             f"in it", file=spec, line=spec_line, hint=f"use an index from 0 to {len(node) - 1}")
    return CostgateError(f"{name} in {rel} is {kind_of(node)[:60]} ({at}), so it has no key {str(seg)[:60]!r}",
                         file=spec, line=spec_line, hint="shorten key: to end at the prompt string")


# -- YAML ------------------------------------------------------------------------------

def _yaml(text: str, rel: str) -> Keyed:
    doc = loads(text, rel)  # the bounded, line-keeping reader every spec goes through
    return Keyed(doc.data, doc.line, lambda path, _value: doc.text_starts.get(tuple(path)) or doc.line(path))


# -- JSON ------------------------------------------------------------------------------

def _json(text: str, rel: str) -> Keyed:
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise CostgateError(f"invalid JSON: {exc.msg}", file=rel, line=exc.lineno) from None
    except (RecursionError, MemoryError):
        raise CostgateError("JSON nested too deeply", file=rel, hint="prompt files nest a few levels") from None
    except ValueError as exc:  # a number too long to read
        raise CostgateError(f"invalid JSON: {str(exc)[:80]}", file=rel) from None

    def line(path: DocPath) -> int | None:
        return _json_line(text, tuple(path))

    return Keyed(data, line, lambda path, _value: line(path))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_float=Decimal)
_SPACE = re.compile(r"[ \t\n\r]*")


def _json_line(text: str, path: DocPath) -> int | None:
    """The line of the value at ``path``: walk the text, skipping the values off the path
    with the decoder itself (so the walk agrees with ``json.loads``, duplicates included:
    the last one wins)."""
    pos = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    try:
        for seg in path:
            found = _json_child(text, pos, seg)
            if found is None:
                return None
            pos = found
    except (ValueError, RecursionError, MemoryError):
        return None
    return text.count("\n", 0, pos) + 1


def _json_child(text: str, pos: int, seg: Segment) -> int | None:
    """Where the value of member/item ``seg`` of the container at ``pos`` starts."""
    opener = text[pos:pos + 1]
    if opener not in ("{", "["):
        return None
    pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
    found, index = None, 0
    while text[pos:pos + 1] not in ("}", "]", ""):
        if opener == "{":
            key, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
            pos = _SPACE.match(text, pos).end() + 1  # type: ignore[union-attr]  # past ':'
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            hit = key == seg
        else:
            hit, index = index == seg, index + 1
        if hit:
            found = pos
        _value, pos = _DECODER.raw_decode(text, pos)
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if text[pos:pos + 1] == ",":
            pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
    return found


# -- TOML ------------------------------------------------------------------------------

def _toml(text: str, rel: str) -> Keyed:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CostgateError(f"invalid TOML: {str(exc)[:120]}", file=rel) from None
    except (RecursionError, MemoryError):
        raise CostgateError("TOML nested too deeply", file=rel, hint="prompt files nest a few levels") from None
    lines = toml_lines(text)

    def line(path: DocPath) -> int | None:
        path = tuple(path)
        while path:
            if path in lines:
                return lines[path][0]
            path = path[:-1]
        return None

    def start(path: DocPath, value: str) -> int | None:
        found = lines.get(tuple(path))
        if found is not None:
            return found[0] + found[1]
        return _find_text(text, value)

    return Keyed(data, line, start)


_HEADER = re.compile(r"\s*(\[\[?)([^\]\[#]*)\]\]?\s*(#.*)?$")  # no two parts match the same text: linear
_ASSIGN = re.compile(r"\s*((?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*'))*)"
                     r"\s*=\s*(.*)$")
_KEY_PART = re.compile(r"\s*(\"[^\"\n]*\"|'[^'\n]*'|[A-Za-z0-9_-]+)\s*\.?")


def _toml_keys(dotted: str) -> tuple[str, ...]:
    return tuple(m.group(1).strip("\"'") for m in _KEY_PART.finditer(dotted))


def toml_lines(text: str) -> dict[tuple, tuple[int, int]]:
    """Path -> (line of its key, 1 when the string's text starts on the next line): tables,
    arrays of tables (by index) and ``key = value`` lines, outside multi-line strings and
    arrays. Keys inside inline tables are not mapped (their value is searched for instead)."""
    out: dict[tuple, tuple[int, int]] = {}
    table: tuple = ()
    arrays: dict[tuple, int] = {}
    quote: str | None = None
    depth = 0
    for n, raw in enumerate(text.split("\n"), 1):
        if quote is not None:  # inside a multi-line string
            quote = None if raw.count(quote) % 2 else quote
            continue
        if depth > 0:  # inside a multi-line array
            depth += _brackets(raw)
            continue
        assign = _ASSIGN.match(raw)
        header = None if assign else _HEADER.match(raw)
        if header:
            keys = _toml_keys(header.group(2))
            if header.group(1) == "[[":
                base = _concrete(keys[:-1], arrays) + keys[-1:]
                arrays[base] = arrays.get(base, -1) + 1
                table = base + (arrays[base],)
            else:
                table = _concrete(keys, arrays)
            out.setdefault(table, (n, 0))
        elif assign:
            value = assign.group(2)
            opens = next((q for q in ('"""', "'''") if value.startswith(q)), None)
            out.setdefault(table + _toml_keys(assign.group(1)), (n, 1 if opens and value.rstrip() == opens else 0))
            if opens and value.count(opens) % 2:
                quote = opens
            elif value.startswith("["):
                depth = _brackets(value)
    return out


def _brackets(line: str) -> int:
    """Open minus closed brackets of a line, strings and comments left out (enough to skip an array)."""
    line = _STRINGS.sub("", line).split("#", 1)[0]
    return line.count("[") - line.count("]")


_STRINGS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')


def _concrete(keys: tuple, arrays: dict[tuple, int]) -> tuple:
    """A table's path with the latest index after every array of tables on it
    (``[a.b]`` after the second ``[[a]]`` is ``a[1].b``)."""
    out: tuple = ()
    for key in keys:
        out += (key,)
        if out in arrays:
            out += (arrays[out],)
    return out


def _find_text(text: str, value: str) -> int | None:
    """The line where ``value``'s first non-empty line appears in ``text`` (a fallback for
    values whose key the scan above does not map)."""
    first = next((ln.strip() for ln in value.split("\n") if ln.strip()), "")
    at = text.find(first) if first else -1
    return None if at < 0 else text.count("\n", 0, at) + 1


READERS: dict[str, Callable[[str, str], Keyed]] = {"yaml": _yaml, "yml": _yaml, "json": _json, "toml": _toml}
"""File suffix -> its reader: a format is one row."""
