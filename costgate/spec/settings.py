"""Reading the app's own settings files, which a spec binds call settings to.

A binding (``model: {from: app/config.yaml, key: llm.model}``) prices the value the app
really runs with, so a change to the app's config is a change in the estimate. Each file
kind is one reader in ``READERS`` (picked by the file's name) that returns the parsed
data and the line of every key, because an error about a bound value, and the gate's
annotation of a changed one, must point at the line in the app's file, not at the spec.
Numbers are exact (``Decimal``, never a float) and bounded like the spec's own YAML.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from ..errors import CostgateError
from ..yamlio import MAX_BYTES, MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, DocPath, loads
from .keyed import toml_lines
from .prompty import front_matter

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class Settings:
    """One settings file as read: plain data, and where each key is written."""

    file: str
    data: Any
    lines: dict[DocPath, int] = field(default_factory=dict)
    """Line of every key (a path of keys and list indices), 1-based, in ``file``."""

    def line(self, path: DocPath) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)


def _number(text: str, file: str, line: int | None = None) -> Decimal:
    """A number literal of a JSON or TOML file, as exact as YAML's in a spec: finite,
    at most ``MAX_DIGITS`` long, within 1e±``MAX_EXPONENT``."""
    try:
        number = Decimal(text.replace("_", ""))
    except InvalidOperation:
        number = Decimal("NaN")
    if (not number.is_finite() or len(text) > MAX_DIGITS + 10
            or (number and not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT)):
        raise CostgateError(f"unsupported number {text[:40]!r}", file=file, line=line,
                            hint=f"costgate reads finite numbers between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT}")
    return number


def _integer(text: str, file: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise CostgateError(f"number {text[:40]}... is too long", file=file, hint="costgate reads numbers up to 1e30")
    return int(text)


def read_yaml(text: str, file: str) -> Settings:
    doc = loads(text, file)
    return Settings(file, doc.data, doc.lines)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+|\n')


def _json_lines(text: str) -> dict[DocPath, int]:
    """The line of every key and item of a JSON text ``json`` has already accepted."""
    lines: dict[DocPath, int] = {}
    stack: list[list[Any]] = []  # [path, key or index, expecting a key]
    line = 1
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok == "\n":
            line += 1
        elif tok in "{[":
            path = () if not stack else stack[-1][0] + (stack[-1][1],)
            lines.setdefault(path, line)
            stack.append([path, 0, tok == "{"])
        elif tok in "}]":
            stack.pop()
        elif tok == ",":
            top = stack[-1]
            top[2] = isinstance(top[1], str) or top[1] is None
            if isinstance(top[1], int):
                top[1] += 1
        elif stack and stack[-1][2] and tok.startswith('"'):
            stack[-1][1], stack[-1][2] = json.loads(tok), False
            lines[stack[-1][0] + (stack[-1][1],)] = line
        elif stack and tok != ":":
            lines.setdefault(stack[-1][0] + (stack[-1][1],), line)
    return lines


def read_json(text: str, file: str) -> Settings:
    def constant(name: str) -> Any:
        raise CostgateError(f"unsupported number {name}", file=file, hint="costgate reads finite numbers")

    try:
        data = json.loads(text, parse_float=lambda s: _number(s, file), parse_int=lambda s: _integer(s, file),
                          parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise CostgateError(f"invalid JSON: {exc.msg}", file=file, line=exc.lineno,
                            hint="check quoting and commas on that line") from None
    except RecursionError:
        raise CostgateError(f"JSON nested more than {MAX_DEPTH} levels deep", file=file) from None
    return Settings(file, data, _json_lines(text))


def _toml_lines(text: str) -> dict[DocPath, int]:
    """The line of every table header and ``key =`` line, and of each key's first
    appearance on the way to it. Values come from ``tomllib``; where they are written is
    the one TOML scan prompts under a key use too (``keyed.toml_lines``: arrays of tables
    by index, ``[a.b]`` after ``[[a]]`` as ``a[n].b``, multi-line strings and arrays skipped)."""
    lines: dict[DocPath, int] = {}
    for path, (n, _) in toml_lines(text).items():
        for i in range(1, len(path) + 1):
            lines.setdefault(path[:i], n)
    return lines


def read_toml(text: str, file: str) -> Settings:
    try:
        data = tomllib.loads(text, parse_float=lambda s: _number(s, file))
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        raise CostgateError(f"invalid TOML: {str(exc).split(' (at ')[0]}", file=file,
                            line=int(at.group(1)) if at else None) from None
    return Settings(file, data, _toml_lines(text))


_ENV_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*")
_ENV_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")


def _env_value(raw: str, file: str, line: int) -> Any:
    """A variable's value: quotes removed (``\\"`` and ``\\\\`` inside double quotes), an
    unquoted value up to a `` #`` comment; a plain number becomes a number, as the app
    that reads the variable converts it."""
    if raw[:1] in ("'", '"'):
        q = raw[0]
        m = re.match(r'"((?:[^"\\]|\\.)*)"' if q == '"' else r"'([^']*)'", raw)
        if m is None or raw[m.end():].strip()[:1] not in ("", "#"):
            raise CostgateError(f"unterminated or trailing text after a {q}-quoted value", file=file, line=line,
                                hint="quote the whole value on one line")
        value = m.group(1)
        value = re.sub(r"\\([\\\"])", r"\1", value) if q == '"' else value
    else:
        value = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
    if _ENV_NUMBER.fullmatch(value):
        return _number(value, file, line) if "." in value else _integer(value, file)
    return value


def read_env(text: str, file: str) -> Settings:
    """``KEY=VALUE`` lines (``export`` allowed), ``#`` comments; a variable set twice
    takes its last value, as dotenv loaders do."""
    data: dict[str, Any] = {}
    lines: dict[DocPath, int] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        m = _ENV_LINE.fullmatch(raw)
        if m is None:
            raise CostgateError("not a KEY=VALUE line", file=file, line=n,
                                hint="a .env file holds NAME=value lines and # comments")
        data[m.group(1)] = _env_value(m.group(2), file, n)
        lines[(m.group(1),)] = n
    return Settings(file, data, lines)


def read_prompty(text: str, file: str) -> Settings:
    """A ``.prompty`` file's front matter, read by the one reader of that format."""
    doc, _, _ = front_matter(text, file)
    return Settings(file, doc.data, doc.lines)


READERS: dict[str, Callable[[str, str], Settings]] = {
    "yaml": read_yaml, "json": read_json, "toml": read_toml, "env": read_env, "prompty": read_prompty,
}
"""Settings readers by file kind; ``kind`` names the kind of a file."""


def kind(file: str) -> str | None:
    """The reader for ``file`` by its name: ``.yaml``/``.yml``, ``.json``, ``.toml``,
    ``.prompty``, and ``.env`` files (``.env``, ``.env.local``, ``prod.env``)."""
    name = file.rsplit("/", 1)[-1].lower()
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "env"
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    return {"yaml": "yaml", "yml": "yaml", "json": "json", "toml": "toml", "prompty": "prompty"}.get(suffix)


def read_settings(text: str, file: str) -> Settings:
    """``text`` of ``file`` parsed by its kind's reader (``kind`` must know it)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise CostgateError(f"file is larger than {MAX_BYTES // 1_000_000} MB", file=file,
                            hint="bind to a settings file, not a data dump")
    found = kind(file)
    assert found is not None, file
    return READERS[found](text, file)


__all__ = ["Settings", "READERS", "kind", "read_settings"]
