"""Prompts kept as string constants in Python code (``{file: app/prompts.py, symbol: ...}``),
read statically: the file is parsed with ``ast`` and never imported or executed.

Importing application code from a pull request would run it on the CI runner (and with
the runner's secrets); so costgate evaluates only what it can without running anything:
module-level ``NAME = ...`` and class attributes (``Class.NAME``), built from string
literals (implicit concatenation and parentheses included), ``+`` and ``+=``, names of
other such constants of the same file, ``textwrap.dedent``, ``inspect.cleandoc``,
``.strip()`` and f-strings. An f-string's plain names that are not constants of the file
(``f"Hello {user_name}"``) become the template's fields, filled from the samples; any
other expression in an f-string (a call, an attribute, a subscript) cannot be evaluated
without running code and is an error naming its line.

The template's format is Python's ``str.format`` when an f-string took part or the
constant is used with ``.format(...)``/``.format_map(...)`` in the file; otherwise the
text is Jinja2, like any template file. Its first line is the line where the string's
text starts, so render errors and the gate's growth report point into the ``.py`` file.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass, replace
from typing import Callable, Union

from ..errors import CostgateError, suggest
from ..fields import with_list

MAX_DEPTH = 100
"""Deepest expression evaluated (``+`` chains are flattened and do not count)."""
COPY_BUDGET = 100
"""Characters the evaluation of one file may copy, in units of its ``max_chars``: each
``P += "..."`` copies all of ``P`` so far, so a file of many short ``+=`` lines is
quadratic work (350,000 one-character lines: 17 s) while each string stays short."""


@dataclass(frozen=True)
class Text:
    """A string constant as far as it could be evaluated statically."""

    text: str
    """Plain text, or ``str.format`` syntax (literal braces doubled) when ``fields``."""
    fields: bool
    """An f-string took part (or ``.format`` was applied): the text is a format template."""
    line: int
    """The file line of the text's first line."""


@dataclass(frozen=True)
class Unknown:
    """A binding costgate cannot evaluate without running code, and why."""

    reason: str
    line: int


@dataclass
class Scope:
    """Names bound at one level (the module, or a class body), in statement order."""

    names: dict[str, Union[Text, Unknown, "Scope"]]
    parent: Scope | None = None

    def lookup(self, name: str) -> Text | Unknown | Scope | None:
        if name in self.names:
            return self.names[name]
        return self.parent.lookup(name) if self.parent is not None else None


class _Cannot(Exception):
    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


def from_symbol(source: str, rel: str, symbol: str, *, max_chars: int, spec: str, spec_line: int | None,
                modules: dict[str, tuple[frozenset[str], Scope]] | None = None) -> tuple[str, int, bool]:
    """(text, first line, is a ``str.format`` template) of ``symbol`` in Python file ``rel``;
    ``modules`` (file -> parsed and evaluated), given, keeps each file's work for the next
    symbol of the same file (a spec whose calls name several constants of one module)."""
    try:
        found = None if modules is None else modules.get(rel)
        if found is None:
            tree = _parse(source, rel)
            found = _formatted(tree), _Evaluator(source, max_chars).scope(tree.body, None)
            if modules is not None:
                modules[rel] = found
        return _resolve(found[0], found[1], rel, symbol, spec, spec_line)
    except (RecursionError, MemoryError):
        raise CostgateError(f"{symbol[:80]} cannot be read statically: {rel} nests expressions too deeply",
                            file=rel, hint=HINT) from None


def _resolve(formatted: frozenset[str], module: Scope, rel: str, symbol: str, spec: str, spec_line: int | None
             ) -> tuple[str, int, bool]:
    scope, parts = module, symbol.split(".")
    for i, part in enumerate(parts):
        found = scope.names.get(part)
        if found is None:
            at = ".".join(parts[:i]) or "the module"
            names = sorted(scope.names)
            hint = with_list(suggest(part, names), "names there", names[:20]) if names else \
                "costgate reads module-level assignments and class attributes"
            raise CostgateError(f"{rel} has no constant {part[:60]!r} in {at}", file=spec, line=spec_line, hint=hint)
        if isinstance(found, Unknown):
            raise CostgateError(f"{'.'.join(parts[:i + 1])[:80]} cannot be read statically: {found.reason}",
                                file=rel, line=found.line, hint=HINT)
        if i < len(parts) - 1:
            if not isinstance(found, Scope):
                raise CostgateError(f"{'.'.join(parts[:i + 1])[:80]} in {rel} is not a class", file=spec,
                                    line=spec_line, hint="symbol: is NAME or Class.NAME")
            scope = found
        elif isinstance(found, Scope):
            raise CostgateError(f"{symbol[:80]} in {rel} is a class, not a string", file=spec, line=spec_line,
                                hint="name one of its attributes: Class.NAME")
        else:
            fields = found.fields or parts[-1] in formatted
            return found.text, found.line, fields
    raise AssertionError("unreachable")  # pragma: no cover


HINT = ("costgate reads Python prompts without running them: keep the prompt in string literals, + and names of "
        "other constants of the file, with plain {names} for what the code fills in")


def _parse(source: str, rel: str) -> ast.Module:
    try:
        return ast.parse(source, filename=rel)
    except SyntaxError as exc:
        raise CostgateError(f"invalid Python: {str(exc.msg)[:80]}", file=rel, line=exc.lineno,
                            hint="costgate parses the file (it never imports it); fix the syntax") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, nesting beyond the parser's limits
        raise CostgateError(f"cannot parse this Python file: {type(exc).__name__}", file=rel,
                            hint="costgate parses the file (it never imports it); simplify deeply nested "
                                 "expressions") from None


def _formatted(tree: ast.Module) -> frozenset[str]:
    """The names the file calls ``.format``/``.format_map`` on (``NAME.format(...)``,
    ``self.NAME.format(...)``, ``Class.NAME.format(...)``), found in one walk of the tree."""
    names = set()
    for node in ast.walk(tree):  # breadth first, no recursion
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("format", "format_map"):
            target = node.func.value
            if isinstance(target, ast.Name):
                names.add(target.id)
            elif isinstance(target, ast.Attribute):
                names.add(target.attr)
    return frozenset(names)


def _strip(text: str) -> tuple[str, int]:
    out = text.strip()
    return out, text[:len(text) - len(text.lstrip())].count("\n")


def _lstrip(text: str) -> tuple[str, int]:
    out = text.lstrip()
    return out, text[:len(text) - len(out)].count("\n")


def _cleandoc(text: str) -> tuple[str, int]:
    lines = text.expandtabs().split("\n")
    return inspect.cleandoc(text), next((i for i, ln in enumerate(lines) if ln.strip()), 0)


# Pure string functions a prompt constant may be built with: name -> (text -> (result,
# lines dropped from the start)). Data, so another is one row.
CALLS: dict[str, Callable[[str], tuple[str, int]]] = {
    "textwrap.dedent": lambda t: (textwrap.dedent(t), 0), "dedent": lambda t: (textwrap.dedent(t), 0),
    "inspect.cleandoc": _cleandoc, "cleandoc": _cleandoc,
}
METHODS: dict[str, Callable[[str], tuple[str, int]]] = {
    "strip": _strip, "lstrip": _lstrip, "rstrip": lambda t: (t.rstrip(), 0),
}
CONVERSIONS = {-1: "", 115: "!s", 114: "!r", 97: "!a"}


class _Evaluator:
    def __init__(self, source: str, max_chars: int) -> None:
        self.lines = source.split("\n")
        self.max_chars = max_chars
        self.copy_left = COPY_BUDGET * max_chars

    def scope(self, body: list[ast.stmt], parent: Scope | None) -> Scope:
        """The bindings of one level, statement by statement (``+=`` extends the binding
        so far, as running the file would)."""
        scope = Scope({}, parent)
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                scope.names[stmt.name] = self.scope(stmt.body, scope if parent is None else parent)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = self.value(stmt.value, scope)
                for target in targets:
                    for name in _names(target):
                        scope.names[name] = value if isinstance(target, ast.Name) else \
                            Unknown("assigned by unpacking", stmt.lineno)
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                scope.names[stmt.target.id] = self.augment(stmt, scope)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope.names[stmt.name] = Unknown("a function", stmt.lineno)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    name = alias.asname or alias.name.split(".")[0]
                    scope.names[name] = Unknown("imported; costgate reads the constants of this file only",
                                                stmt.lineno)
        return scope

    def value(self, node: ast.expr, scope: Scope) -> Text | Unknown:
        try:
            return self.eval(node, scope, 0)
        except _Cannot as exc:
            return Unknown(exc.reason, exc.line)

    def augment(self, stmt: ast.AugAssign, scope: Scope) -> Text | Unknown:
        assert isinstance(stmt.target, ast.Name)
        name = stmt.target.id
        before = scope.lookup(name)
        if not isinstance(stmt.op, ast.Add):
            return Unknown(f"changed with {type(stmt.op).__name__}=", stmt.lineno)
        if not isinstance(before, Text):
            return before if isinstance(before, Unknown) else Unknown(f"{name} += before any {name} =", stmt.lineno)
        added = self.value(stmt.value, scope)
        if isinstance(added, Unknown):
            return added
        try:
            return self.join([before, added], stmt.lineno)
        except _Cannot as exc:
            return Unknown(exc.reason, exc.line)

    def eval(self, node: ast.expr, scope: Scope, depth: int) -> Text:
        if depth > MAX_DEPTH:
            raise _Cannot(f"an expression nested more than {MAX_DEPTH} levels deep", node.lineno)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (str, int, float)):
                raise _Cannot(f"{type(node.value).__name__} is not a string", node.lineno)
            return Text(str(node.value), False, self.text_line(node))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.join([self.eval(n, scope, depth + 1) for n in _operands(node)], node.lineno)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, scope, depth)
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.reference(node, scope)
        if isinstance(node, ast.Call):
            return self.call(node, scope, depth)
        raise _Cannot(f"a {type(node).__name__} expression, which only running the code can evaluate", node.lineno)

    def reference(self, node: ast.Name | ast.Attribute, scope: Scope) -> Text:
        found: Text | Unknown | Scope | None
        if isinstance(node, ast.Name):
            label, found = node.id, scope.lookup(node.id)
        elif isinstance(node.value, ast.Name) and isinstance(scope.lookup(node.value.id), Scope):
            owner = scope.lookup(node.value.id)
            label, found = f"{node.value.id}.{node.attr}", owner.names.get(node.attr)  # type: ignore[union-attr]
        else:
            raise _Cannot("an attribute of something other than a class of this file", node.lineno)
        if isinstance(found, Text):
            return found
        if isinstance(found, Unknown):
            raise _Cannot(f"{label} is {found.reason} (line {found.line})", node.lineno)
        raise _Cannot(f"{label} is not a string constant of this file", node.lineno)

    def call(self, node: ast.Call, scope: Scope, depth: int) -> Text:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("format", "format_map"):
            return replace(self.eval(func.value, scope, depth + 1), fields=True)
        if isinstance(func, ast.Attribute) and func.attr in METHODS and not node.args and not node.keywords:
            return self.apply(METHODS[func.attr], self.eval(func.value, scope, depth + 1))
        name = ast.unparse(func) if isinstance(func, (ast.Name, ast.Attribute)) else ""
        if name in CALLS and len(node.args) == 1 and not node.keywords:
            return self.apply(CALLS[name], self.eval(node.args[0], scope, depth + 1))
        raise _Cannot(f"a call to {name[:40] or 'a function'}, which only running the code can evaluate",
                      node.lineno)

    def apply(self, fn: Callable[[str], tuple[str, int]], text: Text) -> Text:
        out, dropped = fn(text.text)
        return Text(out, text.fields, text.line + dropped)

    def fstring(self, node: ast.JoinedStr, scope: Scope, depth: int) -> Text:
        """An f-string as a format template: literal text with braces doubled, plain names
        of constants substituted, other plain names as ``{name}`` fields."""
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(_escape(str(part.value)))
                continue
            assert isinstance(part, ast.FormattedValue)
            out.append(self.field(part, scope, depth))
        text = "".join(out)
        self.bounded(text, node.lineno)
        return Text(text, True, self.text_line(node))

    def field(self, part: ast.FormattedValue, scope: Scope, depth: int) -> str:
        expr = part.value
        source = ast.unparse(expr)[:60]
        if not isinstance(expr, ast.Name):
            raise _Cannot(f"the f-string field {{{source}}} is an expression; costgate cannot evaluate it "
                          f"statically", expr.lineno)
        spec = ""
        if part.format_spec is not None:
            assert isinstance(part.format_spec, ast.JoinedStr)
            if not all(isinstance(v, ast.Constant) for v in part.format_spec.values):
                raise _Cannot(f"the f-string field {{{source}}} has a computed format spec", part.lineno)
            spec = ":" + "".join(str(v.value) for v in part.format_spec.values)  # type: ignore[attr-defined]
        conversion = CONVERSIONS.get(part.conversion, "")
        found = scope.lookup(expr.id)
        if isinstance(found, Text):
            if spec or conversion:
                raise _Cannot(f"the f-string field {{{source}{conversion}{spec}}} formats a constant; costgate "
                              f"substitutes constants only as plain {{name}}", part.lineno)
            return found.text if found.fields else _escape(found.text)
        return "{" + expr.id + conversion + spec + "}"

    def join(self, parts: list[Text], line: int) -> Text:
        size = sum(len(p.text) for p in parts)
        self.bounded("", line, size)  # before building it
        self.copy_left -= size
        if self.copy_left < 0:
            raise _Cannot(f"built from more pieces than costgate evaluates (over {COPY_BUDGET} times "
                          f"{self.max_chars:,} characters copied)", line)
        fields = any(p.fields for p in parts)
        text = "".join(p.text if p.fields or not fields else _escape(p.text) for p in parts)
        self.bounded(text, line)
        first = next((p for p in parts if p.text), parts[0])
        return Text(text, fields, first.line)

    def bounded(self, text: str, line: int, size: int = 0) -> None:
        if max(len(text), size) > self.max_chars:
            raise _Cannot(f"a string longer than {self.max_chars:,} characters", line)

    def text_line(self, node: ast.expr) -> int:
        """The line of the string's first character: a literal opening with a line
        continuation (a triple quote then a backslash) starts on the next line."""
        line = self.lines[node.lineno - 1] if 0 < node.lineno <= len(self.lines) else ""
        rest = line.encode("utf-8", "surrogatepass")[node.col_offset:].decode("utf-8", "replace")  # a byte offset
        rest = rest.lstrip("rRbBuUfF")
        if rest[:3] in ('"""', "'''") and rest[3:].rstrip() == "\\":
            return node.lineno + 1
        return node.lineno


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _operands(node: ast.BinOp) -> list[ast.expr]:
    """The operands of a chain ``a + b + c`` in order, without recursion (a chain of a
    thousand ``+`` is flat data, not a deep tree to walk)."""
    out: list[ast.expr] = []
    stack: list[ast.expr] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.BinOp) and isinstance(item.op, ast.Add):
            stack += [item.right, item.left]
        else:
            out.append(item)
    return out


def _names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _names(elt)]
    return []
