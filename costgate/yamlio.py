"""Safe YAML for files that arrive in pull requests from strangers.

PyYAML's ``safe_load`` is safe against code execution but not against a billion-laughs
alias bomb or a 2 GB file, and it throws away the line numbers a good error needs. So we
compose the node graph ourselves (cheap: aliases are shared nodes), refuse oversized
input and more than a handful of aliases, and convert nodes to plain Python while
recording where every key and item came from.

Numbers with a fraction become ``Decimal`` built from the source text, never a float, so
``0.3`` in a spec is exactly three tenths.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from .errors import CostgateError

MAX_BYTES = 2_000_000
MAX_ALIASES = 50
MAX_NODES = 500_000
MAX_DEPTH = 50
"""Deepest nesting of mappings and lists read (specs nest five levels)."""

DocPath = tuple  # a document path: str keys and int indices, e.g. ("calls", 0, "model")


@dataclass
class Doc:
    """Plain data plus the line of every key, so validators can point at the culprit."""

    data: Any
    file: str
    lines: dict[DocPath, int] = field(default_factory=dict)
    # First line of the *text* of block scalars (``key: |``): one below the key, which is
    # where a template error's line numbers must start counting.
    text_starts: dict[DocPath, int] = field(default_factory=dict)

    def line(self, path: DocPath) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def error(self, path: DocPath, message: str, hint: str | None = None) -> CostgateError:
        return CostgateError(message, file=self.file, line=self.line(path), hint=hint)


def too_deep(line: int | None, file: str | None = None) -> CostgateError:
    """The one refusal of nesting past ``MAX_DEPTH``, whichever composer found it."""
    return CostgateError(f"YAML nested more than {MAX_DEPTH} levels deep", file=file, line=line,
                         hint="specs, configs and price files nest a few levels; flatten the document")


def too_many_aliases(line: int | None) -> CostgateError:
    """The one refusal of more than ``MAX_ALIASES`` aliases, whichever composer found it."""
    return CostgateError(f"more than {MAX_ALIASES} YAML aliases", line=line,
                         hint="write the values out; costgate refuses alias-heavy YAML (alias bombs)")


class _CountingLoader(yaml.SafeLoader):
    aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise too_many_aliases(self.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)


def loads(text: str, file: str) -> Doc:
    """Parse one YAML document from ``text``; ``file`` is only used in messages."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise CostgateError(
            f"file is larger than {MAX_BYTES // 1_000_000} MB", file=file,
            hint="costgate reads specs and price tables, not data dumps",
        )
    try:
        node = _compose(text)
    except CostgateError as exc:
        raise CostgateError(exc.message, file=file, line=exc.location.line, hint=exc.hint) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{exc.context}, {problem}"
        raise CostgateError(f"invalid YAML: {problem}", file=file, line=line,
                            hint="check indentation and quoting on that line") from None
    except yaml.YAMLError as exc:
        raise CostgateError(f"invalid YAML: {exc}", file=file) from None
    except RecursionError:
        raise too_deep(None, file) from None
    doc = Doc(data=None, file=file)
    if node is None:
        return doc
    counter = [0]
    doc.data = _convert(node, (), doc, counter)
    return doc


def _compose(text: str) -> yaml.Node | None:
    """The node graph of ``text``, by libyaml when it is there (ten times faster: the
    price table is read on every run), else by PyYAML's pure-Python composer.

    libyaml's composer recurses in C, where deep nesting would overflow the stack
    instead of raising, so its event stream (an iterative parser) is checked first
    for depth and aliases; only a document within both limits is composed.
    """
    if not _LIBYAML:
        loader = _CountingLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    _prescan(text)
    c_loader = yaml.CSafeLoader(text)
    try:
        return c_loader.get_single_node()
    finally:
        c_loader.dispose()


def _prescan(text: str) -> None:
    """Refuse, at the offending line, nesting deeper than ``MAX_DEPTH`` and more than
    ``MAX_ALIASES`` aliases, reading libyaml's events (no recursion, no nodes)."""
    try:
        _check_events(yaml.parse(text, Loader=yaml.CSafeLoader))
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in str(exc.problem):  # libyaml's own cap (1,000 levels)
            raise
        mark = exc.problem_mark
        raise too_deep(mark.line + 1 if mark else None) from None


def _check_events(events) -> None:
    depth = aliases = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:
                raise too_deep(_line(event))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise too_many_aliases(_line(event))


def _line(event: yaml.Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark else None


_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))


_constructor = yaml.SafeLoader(" ")


def _convert(node: yaml.Node, path: DocPath, doc: Doc, counter: list[int]) -> Any:
    counter[0] += 1
    if len(path) > MAX_DEPTH:
        raise too_deep(node.start_mark.line + 1, doc.file)
    if counter[0] > MAX_NODES:
        raise CostgateError("YAML document expands to too many values", file=doc.file,
                            hint="aliases that expand exponentially are refused")
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
        raise CostgateError(f"unsupported YAML tag {node.tag[:60]}", file=doc.file, line=node.start_mark.line + 1,
                            hint="costgate reads plain mappings, lists and scalars; remove the tag")
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise CostgateError("YAML merge keys (<<) are not supported", file=doc.file,
                                    line=line, hint="write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise CostgateError("mapping keys must be plain strings", file=doc.file, line=line)
            key = key_node.value
            if key in out:
                raise CostgateError(f"duplicate key {key!r}", file=doc.file, line=line,
                                    hint="each key may appear once per mapping")
            doc.lines[path + (key,)] = line
            out[key] = _convert(value_node, path + (key,), doc, counter)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), doc, counter) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if node.style in ("|", ">"):
        doc.text_starts[path] = node.start_mark.line + 2
    return _scalar(node, doc)


# YAML 1.1 (PyYAML) reads 010 as 8, 1:30 as 90 and "no" as false; YAML 1.2 reads them as
# 10, a string and a string. A spec must mean the same to every reader, so the literals
# on which the two disagree are refused (numbers) or read as YAML 1.2 does (booleans).
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
_HEX_INT = re.compile(r"[-+]?0x[0-9a-fA-F_]+")
_PLAIN_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?")
_BOOLS = {"true": True, "false": False}
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
MAX_DIGITS = 30
"""Longest number literal read: far beyond any count or price, far below what slows Python."""
MAX_EXPONENT = 30
"""Numbers are refused beyond 1e30 and below 1e-30 in magnitude (prices, shares and
counts live well inside)."""


def _number_error(doc: Doc, node: yaml.ScalarNode, message: str, hint: str) -> CostgateError:
    return CostgateError(message, file=doc.file, line=node.start_mark.line + 1, hint=hint)


def _int(node: yaml.ScalarNode, doc: Doc) -> int:
    value = node.value
    digits = value.replace("_", "").lstrip("+-")
    if len(digits) > MAX_DIGITS:
        raise _number_error(doc, node, f"number {value[:40]}... is too long", "costgate reads numbers up to 1e30")
    if "_" in value:
        raise _number_error(doc, node, f"ambiguous number {value!r}: YAML 1.1 reads it as "
                            f"{value.replace('_', '')}, YAML 1.2 as text", f"write {value.replace('_', '')}")
    if _PLAIN_INT.fullmatch(value):
        return int(value)
    if _HEX_INT.fullmatch(value):
        return int(value.replace("_", ""), 16)
    meaning = "octal" if re.fullmatch(r"[-+]?0[0-7_]+", value) else "binary" if "0b" in value else "base 60"
    raise _number_error(doc, node, f"ambiguous number {value!r}: YAML 1.1 reads it as {meaning}, YAML 1.2 does not",
                        f"write it as a plain decimal without leading zeros, or quote it: '{value}'")


def _float(node: yaml.ScalarNode, doc: Doc) -> Decimal:
    value = node.value
    if "_" in value or len(value) > MAX_DIGITS + 10 or not _PLAIN_FLOAT.fullmatch(value):
        raise _number_error(doc, node, f"unsupported number {value[:40]!r}", "use a finite decimal such as 0.25")
    number = Decimal(value.replace("_", ""))
    if number and not (-MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT):
        raise _number_error(doc, node, f"number {value!r} is out of range",
                            f"costgate reads numbers between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT}")
    return number


def _scalar(node: yaml.ScalarNode, doc: Doc) -> Any:
    tag = node.tag
    value = node.value
    if tag == "tag:yaml.org,2002:float":
        return _float(node, doc)
    if tag == "tag:yaml.org,2002:int":
        return _int(node, doc)
    if tag == "tag:yaml.org,2002:bool":
        return _BOOLS.get(value.lower(), value)
    if tag == "tag:yaml.org,2002:timestamp":
        try:
            stamp = _constructor.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise _number_error(doc, node, f"invalid date {value!r}", "write dates as YYYY-MM-DD, e.g. 2025-06-10") from None
        return stamp.date() if isinstance(stamp, _dt.datetime) else stamp
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:str":
        return value
    raise CostgateError(f"unsupported YAML tag {tag}", file=doc.file, line=node.start_mark.line + 1)
