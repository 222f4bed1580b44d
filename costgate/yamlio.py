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
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .errors import CostgateError

MAX_BYTES = 2_000_000
MAX_ALIASES = 50
MAX_NODES = 500_000

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


class _CountingLoader(yaml.SafeLoader):
    aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                event = self.peek_event()
                raise CostgateError(
                    f"more than {MAX_ALIASES} YAML aliases",
                    line=event.start_mark.line + 1,
                    hint="write the values out; costgate refuses alias-heavy YAML (alias bombs)",
                )
        return super().compose_node(parent, index)


def loads(text: str, file: str) -> Doc:
    """Parse one YAML document from ``text``; ``file`` is only used in messages."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise CostgateError(
            f"file is larger than {MAX_BYTES // 1_000_000} MB", file=file,
            hint="costgate reads specs and price tables, not data dumps",
        )
    loader = _CountingLoader(text)
    try:
        node = loader.get_single_node()
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
    finally:
        loader.dispose()
    doc = Doc(data=None, file=file)
    if node is None:
        return doc
    counter = [0]
    doc.data = _convert(node, (), doc, counter)
    return doc


_constructor = yaml.SafeLoader(" ")


def _convert(node: yaml.Node, path: DocPath, doc: Doc, counter: list[int]) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise CostgateError("YAML document expands to too many values", file=doc.file,
                            hint="aliases that expand exponentially are refused")
    doc.lines.setdefault(path, node.start_mark.line + 1)
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


def _scalar(node: yaml.ScalarNode, doc: Doc) -> Any:
    tag = node.tag
    value = node.value
    if tag == "tag:yaml.org,2002:float":
        text = value.replace("_", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise CostgateError(f"unsupported number {value!r}", file=doc.file,
                                line=node.start_mark.line + 1, hint="use a finite decimal such as 0.25")
        return number
    if tag == "tag:yaml.org,2002:timestamp":
        stamp = _constructor.construct_yaml_timestamp(node)
        return stamp.date() if isinstance(stamp, _dt.datetime) else stamp
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"):
        return _constructor.construct_object(node)
    if tag == "tag:yaml.org,2002:str":
        return value
    raise CostgateError(f"unsupported YAML tag {tag}", file=doc.file, line=node.start_mark.line + 1)
