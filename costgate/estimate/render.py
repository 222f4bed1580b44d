"""Render a call's prompt templates over the sample rows, safely.

Templates arrive in pull requests, so they run in a bounded, deterministic Jinja2
sandbox (``sandbox``) with StrictUndefined: a misspelt variable must fail loudly
rather than render as an empty string and make the prompt look cheaper than it is.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, Mapping

import jinja2
from jinja2 import meta, nodes

from ..errors import CostgateError
from ..limits import DEFAULT_LIMITS, WorkLimits
from ..spec import Call, Spec, Template
from .formats import Compiled, Data, compile_template
from .sandbox import TREE, BoundedSandbox, RenderTimeout

ROLES = ("system", "context", "user", "observation")


@dataclass(frozen=True)
class Prompt:
    """The rendered texts of one request (history excluded: that is the simulator's)."""

    system: str
    context: str
    user: str
    observation: str = ""


@dataclass(frozen=True)
class RenderedCall:
    """The rendered texts by role, column-wise: ``columns[role][r][i]`` is row ``r`` on
    sample ``i``, where row r is turn r + 1 (the last row serving every later turn). Only
    one row is kept when no template of the call mentions ``turn`` (the common case)."""

    call: Call
    columns: Mapping[str, tuple[tuple[str, ...], ...]]
    written_system: tuple[str, ...] = ()
    """The distinct system texts with the sample data left out (the prompt as written)."""

    @property
    def rows(self) -> int:
        return len(self.columns["user"])

    def texts(self, role: str, row: int) -> tuple[str, ...]:
        return self.columns[role][row]

    def at(self, turn: int, sample: int) -> Prompt:
        r = min(turn, self.rows - 1)
        return Prompt(*(self.columns[role][r][sample] for role in ROLES))

    def static(self, role: str) -> bool:
        """True when ``role`` renders to the same text for every sample and turn, i.e. is
        a candidate for provider prompt caching."""
        first = self.columns[role][0][0]
        return all(t == first for row in self.columns[role] for t in row)


class _Compiled:
    def __init__(self, env: BoundedSandbox, template: Template, name: str) -> None:
        self.env = env
        self.source = template
        self.name = name
        self.files = {name: template, **{t.file: t for _, t in template.includes}}
        """Traceback file names -> the templates they are (see _where)."""
        try:
            ast = env.parse(template.text, name=name)
            self.uses = meta.find_undeclared_variables(ast) | self._included(env, template, name)
            self.parts = None if template.includes else _plain_parts(ast)
            # The same parts as a format string: str.format does the lookups and joins in C.
            self.fmt = None if self.parts is None else "".join(
                "{" + part + "}" if line >= 0 else part.replace("{", "{{").replace("}", "}}") for line, part in self.parts)
            # Compiled under ``name`` as its filename, so a render error's traceback frames
            # carry the template's own line numbers (see _where).
            code = env.compile(template.text, name=name, filename=name)
            self.template = env.template_class.from_code(env, code, env.make_globals(None))
        except jinja2.TemplateSyntaxError as exc:
            where = self.files.get(exc.filename or name, template)
            raise CostgateError(f"template syntax error: {exc.message}", file=where.file,
                                line=where.first_line + (exc.lineno or 1) - 1,
                                hint="see https://jinja.palletsprojects.com/templates/") from None

    @staticmethod
    def _included(env: BoundedSandbox, template: Template, name: str) -> set[str]:
        """Serve ``template``'s includes under its tree and compile them now (a syntax error
        names the included file); the variables they use count as the template's (an
        include of a partial that prints ``{{ query }}`` makes the template vary by sample)."""
        env.loader.add(name, template.includes)  # type: ignore[union-attr]
        uses: set[str] = set()
        for written, tpl in template.includes:
            uses |= meta.find_undeclared_variables(env.parse(tpl.text, name=written, filename=tpl.file))
            env.get_template(name + TREE + written)
        return uses

    def render(self, variables: Mapping[str, Any], sample: str = "") -> str:
        """``sample`` names the sample row being rendered, for the message."""
        if self.fmt is not None:
            try:
                text = self.fmt.format_map(variables)
            except (KeyError, ValueError, TypeError):  # a name from the globals, or a missing one
                return self._render_plain(self.parts or [], variables, sample)
            if len(text) <= self.env.limits.rendered_chars:
                return text
            return self._render_plain(self.parts or [], variables, sample)
        try:
            return self.env.render_bounded(self.template, dict(variables))
        except RenderTimeout:
            raise CostgateError(f"template took longer than the render_seconds limit of "
                                f"{self.env.limits.render_seconds} s{sample}", file=self.source.file,
                                line=self.source.first_line,
                                hint="raise it with `limits: {render_seconds: N}` in costgate.yaml on the base "
                                     "branch, or simplify the template's loops") from None
        except (RecursionError, MemoryError):
            raise CostgateError(f"template recursed or allocated without bound{sample}", file=self.source.file,
                                line=self.source.first_line, hint="templates run sandboxed and bounded") from None
        except jinja2.UndefinedError as exc:
            raise CostgateError(f"undefined template variable: {exc.message}{sample}", **self._where(exc),
                                hint="define it in the samples rows or under vars:, or guard it with "
                                     "{% if x is defined %}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise CostgateError(f"template does something unsafe: {exc}", **self._where(exc),
                                hint="templates run sandboxed and bounded: use plain variables, loops and filters; "
                                     "size limits are raised with `limits: {rendered_chars: N}` in costgate.yaml on the "
                                     "base branch") from None
        except jinja2.TemplateNotFound as exc:  # only what loading the spec read is served (sandbox.PreRead)
            names = ", ".join(repr(str(n).rpartition(TREE)[2]) for n in getattr(exc, "templates", None) or [exc.name])
            raise CostgateError(f"template names a template the spec did not read when it was loaded: {names}",
                                **self._where(exc), hint="name templates by constant strings") from None
        except jinja2.TemplateError as exc:
            raise CostgateError(f"template error: {exc}", **self._where(exc)) from None
        except (TypeError, ValueError, ArithmeticError, AttributeError, LookupError, AssertionError) as exc:
            raise CostgateError(f"template failed to render: {type(exc).__name__}: {exc}",
                                **self._where(exc)) from None

    def _render_plain(self, parts: list[tuple[int, str]], variables: Mapping[str, Any], sample: str) -> str:
        """What Jinja2 renders for a template of text and bare ``{{ name }}``s (most
        prompt templates): each name's ``str``, without building a render context."""
        out = []
        for line, part in parts:
            if line < 0:
                out.append(part)
            elif part in variables:
                out.append(str(variables[part]))
            elif part in self.env.globals:
                out.append(str(self.env.globals[part]))
            elif not self.env.lenient:  # undefined: empty prints nothing
                raise CostgateError(f"undefined template variable: '{part}' is undefined{sample}",
                                    file=self.source.file, line=self.source.first_line + line - 1,
                                    hint="define it in the samples rows or under vars:, or guard it with "
                                         "{% if x is defined %}")
        text = "".join(out)
        if len(text) > self.env.limits.rendered_chars:
            raise CostgateError(f"template does something unsafe: the template rendered over the rendered_chars limit "
                                f"of {self.env.limits.rendered_chars:,} characters{sample}", file=self.source.file,
                                line=self.source.first_line,
                                hint="raise it with `limits: {rendered_chars: N}` in costgate.yaml on the base branch")
        return text

    def _where(self, exc: BaseException) -> dict[str, Any]:
        """The file and line of the innermost template frame of ``exc``: an included
        template's own, or the rendered template's (its first line when none is found)."""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            tpl = self.files.get(frame.filename)
            if tpl is not None and frame.lineno:
                return {"file": tpl.file, "line": tpl.first_line + frame.lineno - 1}
        return {"file": self.source.file, "line": None}


def _plain_parts(ast: nodes.Template) -> list[tuple[int, str]] | None:
    """(line, name) for each ``{{ name }}`` and (-1, text) for each piece of text, when
    the template is nothing else; None otherwise."""
    if not ast.body:
        return []
    if len(ast.body) != 1 or not isinstance(ast.body[0], nodes.Output):
        return None
    parts: list[tuple[int, str]] = []
    for node in ast.body[0].nodes:
        if isinstance(node, nodes.TemplateData):
            parts.append((-1, node.data))
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            parts.append((node.lineno, node.name))
        else:
            return None
    return parts


def _compile(env: BoundedSandbox, tpl: Template, name: str) -> Compiled:
    """The one place a template is compiled: Jinja2 here, the other formats in ``formats``."""
    return _Compiled(env, tpl, name) if tpl.format == "jinja2" else compile_template(env, tpl, name)


def render_call(spec: Spec, call: Call, turns: int = 1, limits: WorkLimits = DEFAULT_LIMITS) -> RenderedCall:
    """Render every template of ``call`` for every sample (and each of ``turns`` turns if a
    template uses ``turn``)."""
    env = BoundedSandbox(limits, spec.undefined)
    compiled: dict[str, Compiled | None] = {}
    for role in ROLES:
        tpl = getattr(call, role)
        compiled[role] = None if tpl is None else _compile(env, tpl, f"<{call.name}.{role}>@{tpl.file}")
    uses_turn = any(c is not None and "turn" in c.uses for c in compiled.values())
    n_turns = max(1, turns) if uses_turn else 1
    if call.observation is not None:  # row 0 opens with the user message, later rows with an observation
        n_turns = max(n_turns, min(2, turns))
    if n_turns * max(1, len(spec.samples)) > limits.renders:
        tpl = next(c.source for c in compiled.values() if c is not None and "turn" in c.uses)
        raise limits.exceeded("renders", f"{n_turns:,} turns x {len(spec.samples):,} samples",
                              f"call {call.name!r} uses turn in a template", file=tpl.file, line=tpl.first_line)
    with env.watch():
        columns = _render_columns(spec, constants(spec, call), compiled, n_turns)
    return RenderedCall(call=call, columns=columns, written_system=written_system(spec, call, n_turns, limits))


def constants(spec: Spec, call: Call) -> dict[str, Any]:
    """The constants ``call``'s templates see: the spec's ``vars``, overridden by the
    call's (a sample row's fields override both)."""
    return {**spec.vars, **call.vars}


def _render_columns(spec: Spec, fixed: dict[str, Any], compiled: dict[str, Compiled | None],
                    n_turns: int) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each template rendered as often as its text can differ: once if it uses no
    variable, once per sample if it uses the sample's, once per sample and turn if it
    uses ``turn``. ``fixed`` are the call's constants."""
    n = len(spec.samples)
    columns: dict[str, tuple[tuple[str, ...], ...]] = {}
    merged: list[dict[str, Any]] | None = None
    labels: list[str] = []
    for role, c in compiled.items():
        if c is None or not c.uses:
            text = "" if c is None else c.render(dict(fixed), f" (rendering {spec.samples_file})")
            columns[role] = ((text,) * n,) * n_turns
            continue
        if merged is None:
            merged = [{**fixed, **sample} for sample in spec.samples]
            # where an error happened, named once per sample rather than once per render
            labels = [f" (rendering sample {i + 1} of {spec.samples_file})" for i in range(n)]
        if "turn" not in c.uses:
            row = tuple(map(c.render, merged, labels))
            columns[role] = (row,) * n_turns
            continue
        rows = []
        for t in range(n_turns):
            for v in merged:  # our own copies: the turn is set in place, not copied in
                v["turn"] = t + 1
            rows.append(tuple(map(c.render, merged, labels)))
        for v in merged:
            v.pop("turn", None)
        columns[role] = tuple(rows)
    return columns


def _wrap(value: Any) -> Any:
    if isinstance(value, str):
        return Data(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    if isinstance(value, dict):
        return {k: _wrap(v) for k, v in value.items()}
    return value


def written_system(spec: Spec, call: Call, n_turns: int, limits: WorkLimits = DEFAULT_LIMITS) -> tuple[str, ...]:
    """The system message with every piece of sample text printed as nothing, for each
    sample and turn: what the gate's system-prompt threshold measures. Control flow still
    follows the real data (text inside ``{% if big %}`` counts for the samples where it
    shows), the ``vars`` (the spec's and the call's), the template's own text and the
    text of the templates it includes count, and data passed
    through a filter counts (conservatively). Retrieved documents substituted into the
    system message are input, not prompt growth."""
    tpl = call.system
    if tpl is None:
        return ()
    env = BoundedSandbox(limits, spec.undefined)
    env.finalize = lambda value: "" if isinstance(value, Data) else value
    compiled = _compile(env, tpl, f"<{call.name}.system>@{tpl.file}")
    compiled.fmt = None  # str.format would print the data
    sample_keys = {k for row in spec.samples for k in row}
    fixed = constants(spec, call)
    turns = range(1, n_turns + 1) if "turn" in compiled.uses else range(1, 2)
    if compiled.parts is not None:  # text and bare names: one text per set of names the rows set
        keysets = dict.fromkeys(frozenset(compiled.uses & row.keys()) for row in spec.samples)
        return tuple(dict.fromkeys(_written_parts(compiled.parts, {k: v for k, v in fixed.items() if k not in keys}, t)
                                   for keys in keysets for t in turns))
    if not compiled.uses & sample_keys:
        variables = [fixed]
    else:
        variables = [{**fixed, **_wrap(dict(row))} for row in spec.samples]
    texts: dict[str, None] = {}
    with env.watch():
        for t in turns:
            for v in variables:
                texts.setdefault(compiled.render({**v, "turn": t}), None)
    return tuple(texts)


def _written_parts(parts: list[tuple[int, str]], constants: Mapping[str, Any], turn: int) -> str:
    """A plain template's parts with every name that is not a constant (sample data) left out."""
    values = {**constants, "turn": turn}
    return "".join(part if line < 0 else str(values.get(part, "")) for line, part in parts)
