"""The templates a Jinja2 template includes, imports or extends, read when the spec is loaded.

Rendering must read no file: the base side of the gate is read from git objects, and a
template that could name a file while rendering could name one outside the repository.
So when a spec is loaded, each template is parsed (not rendered), every ``{% include %}``,
``{% import %}``, ``{% from ... import %}`` and ``{% extends %}`` is found, and the file it
names is read through the spec's confined ``Source``, recursively. A name must be a
constant string (an include list of constant strings is Jinja's "first that exists");
anything computed while rendering could not be read before it.

The path rule is Jinja's own: names are looked up as a ``FileSystemLoader`` rooted at the
folder of the template the spec names would (the spec's folder, for an inline template),
so a name means the same file everywhere in that template's tree and the templates an
application renders render the same here. The result is flattened onto the top template
(``Template.includes``: name as written, template), which is all the renderer serves.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from ..errors import CostgateError
from ..repo.paths import join
from ..repo.source import Source, confine, read_text
from .model import Template

MAX_DEPTH = 32
"""Templates one include chain may nest (deeper is a runaway, not a prompt)."""
MAX_INCLUDES = 100
"""Distinct files one template's tree may read."""
TAGS = ("include", "import", "extends")
"""Every tag that names a template holds one of these words (``from`` imports too), so a
text with none of them is not parsed at all."""


class Reference(NamedTuple):
    """One tag naming a template: its names (None: not constant), line in the text, and
    whether a missing file is allowed (``ignore missing``)."""

    tag: str
    names: tuple[str, ...] | None
    line: int
    optional: bool


def references(text: str) -> tuple[Reference, ...]:
    """The tags of ``text`` that name templates, in line order; none when it does not parse
    (rendering then reports the syntax error, at its line, as it always has)."""
    if not any(tag in text for tag in TAGS):
        return ()
    import jinja2  # here, not at the top: loading a spec without includes needs no Jinja2
    from jinja2 import nodes

    try:
        ast = jinja2.Environment().parse(text)
    except (jinja2.TemplateSyntaxError, RecursionError):
        return ()
    found = []
    for node in ast.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):  # in text order
        if isinstance(node, nodes.Include):
            found.append(Reference("include", _names(node.template, lists=True), node.lineno, node.ignore_missing))
        elif isinstance(node, (nodes.Import, nodes.FromImport, nodes.Extends)):
            tag = "extends" if isinstance(node, nodes.Extends) else "import"
            found.append(Reference(tag, _names(node.template, lists=False), node.lineno, False))
    return tuple(sorted(found, key=lambda r: r.line))


def _names(expr: object, *, lists: bool) -> tuple[str, ...] | None:
    from jinja2 import nodes

    if isinstance(expr, nodes.Const) and isinstance(expr.value, str):
        return (expr.value,)
    items = expr.items if lists and isinstance(expr, (nodes.List, nodes.Tuple)) else []
    names = [i.value for i in items if isinstance(i, nodes.Const) and isinstance(i.value, str)]
    return tuple(names) if names and len(names) == len(items) else None


class Includes:
    """Reads the trees of one spec's templates: each file once (a partial several calls
    include is read and parsed once), each recorded in the spec's ``files`` (the
    estimate cache key covers them)."""

    def __init__(self, source: Source, files: list[str]) -> None:
        self.source, self.files = source, files
        self._read: dict[str, Template] = {}
        self._refs: dict[str, tuple[Reference, ...]] = {}

    def resolve(self, top: Template, *, inline: bool) -> Template:
        """``top`` with its tree's templates in ``includes`` (unchanged when it has none)."""
        if top.format != "jinja2":
            return top
        tree: dict[str, Template] = {}
        self._walk(top, _Walk(top.file, tree), () if inline else (top.file,), 0)
        return replace(top, includes=tuple(tree.items())) if tree else top

    def _walk(self, tpl: Template, walk: _Walk, chain: tuple[str, ...], depth: int) -> None:
        known = self._read.get(tpl.file) is tpl  # an included file, parsed when it was read
        for ref in self._refs[tpl.file] if known else references(tpl.text):
            line = tpl.first_line + ref.line - 1
            found = self._pick(ref, walk.root, tpl.file, line)
            if found is None:
                continue
            name, path = found
            if path in chain:
                loop = " -> ".join(chain[chain.index(path):] + (path,))
                raise CostgateError(f"{{% {ref.tag} %}} cycle: {loop}", file=tpl.file, line=line,
                                    hint="a template may not include itself, directly or through others: costgate "
                                         "reads every include before rendering")
            child = self._file(path, ref.tag, walk.root, tpl.file, line)
            walk.tree.setdefault(name, child)
            if path in walk.done:
                continue
            if depth + 1 > MAX_DEPTH:
                raise CostgateError(f"{{% {ref.tag} %}} of {path} nests templates over {MAX_DEPTH} deep", file=tpl.file,
                                    line=line, hint="an include chain this deep is a loop written out; flatten it")
            if len(walk.done) >= MAX_INCLUDES:
                raise CostgateError(f"{{% {ref.tag} %}} of {path}: the template reads over {MAX_INCLUDES} files",
                                    file=tpl.file, line=line, hint="merge partials; one prompt does not need this many")
            walk.done.add(path)
            self._walk(child, walk, chain + (path,), depth + 1)

    def _pick(self, ref: Reference, root: str, file: str, line: int) -> tuple[str, str] | None:
        """The name and path of the first named file that exists; None for an optional
        include of none. Every name must stay in the repository, found or not."""
        if ref.names is None:
            raise CostgateError(f"{ref.tag} names must be constant strings so costgate can read them at the base "
                                f"commit", file=file, line=line,
                                hint=f"write the name in quotes, e.g. {{% {ref.tag} \"partials/tone.j2\" %}}; to choose "
                                     f"between templates, put constant {ref.tag}s under {{% if %}}")
        paths = [(name, self._confined(name, ref.tag, root, file, line)) for name in ref.names]
        for name, path in paths:
            if self.source.exists(path):
                return name, path
            # Looked for and absent: with no bytes to record, the spec gets no cache key,
            # so the file appearing later changes the estimate.
            self.files.append(path)
        if ref.optional:
            return None
        self._file(paths[0][1], ref.tag, root, file, line)  # raises the reader's "file not found"
        return None

    def _confined(self, name: str, tag: str, root: str, file: str, line: int) -> str:
        """The repository path ``name`` means in the tree of ``root``, if it stays inside."""
        try:
            return confine(join(root, name), referenced_from=file, line=line)
        except CostgateError as exc:
            raise CostgateError(f"{{% {tag} {name[:120]!r} %}}: {exc.message}", file=file, line=line,
                                hint=_hint(root)) from None

    def _file(self, path: str, tag: str, root: str, file: str, line: int) -> Template:
        """The included file (read once per spec); a failure names the including line."""
        if path not in self._read:
            try:
                text = read_text(self.source, path, referenced_from=file, line=line)
            except CostgateError as exc:
                hint = _hint(root) if exc.message.startswith("file not found") else exc.hint
                raise CostgateError(f"{{% {tag} %}}: {exc.message}", file=file, line=line, hint=hint) from None
            self.files.append(path)
            self._read[path] = Template(text, path)
            self._refs[path] = references(text)
        return self._read[path]


def _hint(root: str) -> str:
    folder = posixpath.dirname(root)
    return (f"names are looked up in {folder + '/' if folder else 'the repository root'}, the folder of the template "
            f"the spec names, as Jinja's FileSystemLoader rooted there would (docs/spec.md, \"Includes\")")


@dataclass(frozen=True)
class _Walk:
    """One template's tree while it is read."""

    root: str
    """The file of the template the spec names: names resolve against its folder."""
    tree: dict[str, Template]
    """Name as written -> the template it names."""
    done: set[str] = field(default_factory=set)
    """Files whose own tags were followed (diamonds are read once; the count bound)."""
