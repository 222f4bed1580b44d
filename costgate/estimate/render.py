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
from .sandbox import BoundedSandbox, RenderTimeout

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
        try:
            ast = env.parse(template.text, name=name)
            self.uses = meta.find_undeclared_variables(ast)
            self.parts = _plain_parts(ast)
            # The same parts as a format string: str.format does the lookups and joins in C.
            self.fmt = None if self.parts is None else "".join(
                "{" + part + "}" if line >= 0 else part.replace("{", "{{").replace("}", "}}") for line, part in self.parts)
            # Compiled under ``name`` as its filename, so a render error's traceback frames
            # carry the template's own line numbers (see _line).
            code = env.compile(template.text, name=name, filename=name)
            self.template = env.template_class.from_code(env, code, env.make_globals(None))
        except jinja2.TemplateSyntaxError as exc:
            raise CostgateError(f"template syntax error: {exc.message}", file=template.file,
                                line=template.first_line + (exc.lineno or 1) - 1,
                                hint="see https://jinja.palletsprojects.com/templates/") from None

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
            raise CostgateError(f"undefined template variable: {exc.message}{sample}", file=self.source.file,
                                line=self._line(exc),
                                hint="define it in the samples rows or under vars:, or guard it with "
                                     "{% if x is defined %}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise CostgateError(f"template does something unsafe: {exc}", file=self.source.file, line=self._line(exc),
                                hint="templates run sandboxed and bounded: use plain variables, loops and filters; "
                                     "size limits are raised with `limits: {rendered_chars: N}` in costgate.yaml on the "
                                     "base branch") from None
        except jinja2.TemplateError as exc:
            raise CostgateError(f"template error: {exc}", file=self.source.file, line=self._line(exc)) from None
        except (TypeError, ValueError, ArithmeticError, AttributeError, LookupError, AssertionError) as exc:
            raise CostgateError(f"template failed to render: {type(exc).__name__}: {exc}",
                                file=self.source.file, line=self._line(exc)) from None

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
            else:
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

    def _line(self, exc: BaseException) -> int | None:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename == self.name and frame.lineno:
                return self.source.first_line + frame.lineno - 1
        return None


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
    env = BoundedSandbox(limits)
    compiled: dict[str, Compiled | None] = {}
    for role in ROLES:
        tpl = getattr(call, role)
        compiled[role] = None if tpl is None else _compile(env, tpl, f"<{call.name}.{role}>@{tpl.file}")
    uses_turn = any(c is not None and "turn" in c.uses for c in compiled.values())
    n_turns = max(1, turns) if uses_turn else 1
    if call.observation is not None:  # row 0 opens with the user message, later rows with an observation
        n_turns = max(n_turns, min(2, turns))
    with env.watch():
        columns = _render_columns(spec, compiled, n_turns)
    return RenderedCall(call=call, columns=columns, written_system=written_system(spec, call, n_turns, limits))


def _render_columns(spec: Spec, compiled: dict[str, Compiled | None],
                    n_turns: int) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each template rendered as often as its text can differ: once if it uses no
    variable, once per sample if it uses the sample's, once per sample and turn if it
    uses ``turn``."""
    n = len(spec.samples)
    columns: dict[str, tuple[tuple[str, ...], ...]] = {}
    merged: list[dict[str, Any]] | None = None
    for role, c in compiled.items():
        if c is None or not c.uses:
            text = "" if c is None else c.render(dict(spec.vars), f" (rendering {spec.samples_file})")
            columns[role] = ((text,) * n,) * n_turns
            continue
        if merged is None:
            merged = [{**spec.vars, **sample} for sample in spec.samples]
        where = f" of {spec.samples_file})"
        if "turn" not in c.uses:
            row = tuple(c.render(v, f" (rendering sample {i + 1}{where}") for i, v in enumerate(merged))
            columns[role] = (row,) * n_turns
            continue
        rows = []
        for t in range(n_turns):
            rows.append(tuple(c.render({**v, "turn": t + 1}, f" (rendering sample {i + 1}{where}")
                              for i, v in enumerate(merged)))
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
    shows), the spec's ``vars`` and the template's own text count, and data passed
    through a filter counts (conservatively). Retrieved documents substituted into the
    system message are input, not prompt growth."""
    tpl = call.system
    if tpl is None:
        return ()
    env = BoundedSandbox(limits)
    env.finalize = lambda value: "" if isinstance(value, Data) else value
    compiled = _compile(env, tpl, f"<{call.name}.system>@{tpl.file}")
    compiled.fmt = None  # str.format would print the data
    sample_keys = {k for row in spec.samples for k in row}
    if not compiled.uses & sample_keys:
        variables = [dict(spec.vars)]
    else:
        variables = [{**spec.vars, **_wrap(dict(row))} for row in spec.samples]
    turns = range(1, n_turns + 1) if "turn" in compiled.uses else range(1, 2)
    texts: dict[str, None] = {}
    with env.watch():
        for t in turns:
            for v in variables:
                texts.setdefault(compiled.render({**v, "turn": t}) if compiled.parts is None
                                 else _written_parts(compiled.parts, v, t), None)
    return tuple(texts)


def _written_parts(parts: list[tuple[int, str]], variables: Mapping[str, Any], turn: int) -> str:
    """A plain template's parts with sample text left out."""
    out = []
    for line, part in parts:
        value = part if line < 0 else ({**variables, "turn": turn}).get(part, "")
        out.append("" if isinstance(value, Data) else str(value))
    return "".join(out)
