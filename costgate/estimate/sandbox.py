"""The Jinja2 environment templates from pull requests run in: sandboxed, deterministic,
and bounded.

* Jinja2's ``SandboxedEnvironment`` refuses attribute escapes and bounds ``range``.
* Deterministic: no ``random`` filter and no ``lipsum`` (which draws random words), no
  clock; the same template and samples render the same text on every run.
* Reads no file: its only loader serves the templates the spec read when it was loaded
  (``Template.includes``), so ``{% include %}`` and friends render what was read,
  confined, at load time (on the base side, from git objects).
* Bounded: a string a template builds (``'x' * n``, ``s|replace(...)``, ``'{:>n}'.format``,
  ``join``) may not exceed ``rendered_chars``; integer powers may not explode; numeric
  arguments that size an output (widths, counts) are capped; rendering is streamed and
  stopped at ``rendered_chars``; and, on the main thread of a Unix process, a render
  taking over ``render_seconds`` is stopped by a timer.
"""

from __future__ import annotations

import functools
import math
import re
import signal
import string
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from ..limits import DEFAULT_LIMITS, WorkLimits
from ..spec import Template
from ..spec.model import Undefined

MAX_INT_BITS = 4_096
"""Largest integer a template may compute (about 1,233 digits)."""
_PERCENT_WIDTH = re.compile(r"%[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?")


def percent_size(fmt: str, args: Any) -> int:
    """An upper bound on the size of ``fmt % args``: widths and precisions written in the
    format, and those ``*`` takes from the arguments."""
    values = args if isinstance(args, tuple) else (args,)
    widths = [int(w) for m in _PERCENT_WIDTH.finditer(fmt) for w in m.groups() if w and w.isdigit()]
    if "*" in fmt:
        widths += [abs(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return len(fmt) + sum(widths) + sum(len(str(v)[:10_000]) for v in values)


class RenderTimeout(Exception):
    """Raised inside a render that ran past its time limit."""


TREE = "\x1f"
"""Joins a top template's name and a name its tree uses (no path or call name holds it)."""
UNDEFINED: dict[Undefined, type[jinja2.Undefined]] = {"strict": jinja2.StrictUndefined, "empty": jinja2.ChainableUndefined}
"""The spec's ``undefined`` policies: an error, or empty text (for a name, and any
attribute or item of it)."""


class PreRead(jinja2.BaseLoader):
    """The sandbox's loader: the included templates of each top template, read when the spec
    was loaded, by the top template's name and the name as written. One name means one
    file within a tree, but two trees (a system prompt in ``prompts/`` and an inline user
    template) may mean different files by it, hence the tree in the key."""

    def __init__(self) -> None:
        self.sources: dict[str, tuple[str, str]] = {}

    def add(self, tree: str, includes: Iterable[tuple[str, Template]]) -> None:
        for name, tpl in includes:
            self.sources[tree + TREE + name] = (tpl.text, tpl.file)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            text, file = self.sources[template]
        except KeyError:
            raise jinja2.TemplateNotFound(template.rpartition(TREE)[2]) from None
        return text, file, lambda: True  # compiled under its file's name: errors carry its lines


class BoundedTemplate(jinja2.Template):
    """A template whose ``~`` concatenations are size-checked: Jinja2 compiles ``a ~ b`` to
    a call of ``str_join`` in the template's own namespace, which is replaced here."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any, globals: Any,
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        namespace: dict[str, Any] = {"environment": environment, "__file__": code.co_filename}
        exec(code, namespace)
        if isinstance(environment, BoundedSandbox):
            namespace["str_join"] = environment.join
        rv = cls._from_namespace(environment, namespace, globals)
        rv._uptodate = uptodate
        return rv


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox with costgate's bounds (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def __init__(self, limits: WorkLimits = DEFAULT_LIMITS, undefined: Undefined = "strict") -> None:
        super().__init__(undefined=UNDEFINED[undefined], keep_trailing_newline=False, autoescape=False,
                         loader=PreRead())
        self.limits = limits
        self.lenient = undefined != "strict"
        """Undefined names render as empty text (the spec's ``undefined: empty``)."""
        self.started: float | None = None
        self._watching = False
        self.filters.pop("random", None)
        self.globals.pop("lipsum", None)
        self.filters = {name: self._guarded(f) for name, f in self.filters.items()}
        self.template_class = BoundedTemplate

    def join_path(self, template: str, parent: str) -> str:
        """A name an included template uses means what it means to its top template: the
        tree is the part of ``parent``'s name before ``TREE`` (see ``PreRead``)."""
        return parent.partition(TREE)[0] + TREE + template

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        """An unsafe attribute stays an error under ``undefined: empty`` (a lenient
        undefined would print it as nothing and hide the attempt)."""
        if self.lenient:
            raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.")
        return super().unsafe_undefined(obj, attribute)

    # -- sizes ------------------------------------------------------------------
    def join(self, seq: Any) -> str:
        """``a ~ b``: each piece's text, stopped before it exceeds ``rendered_chars``."""
        out, size = [], 0
        for piece in seq:
            text = str(piece)
            size += len(text)
            if size > self.limits.rendered_chars:
                raise SecurityError(f"'~' would build a value over the rendered_chars limit of "
                                    f"{self.limits.rendered_chars:,}")
            out.append(text)
        return "".join(out)

    def check_size(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) <= self.limits.rendered_chars:
            text = sum(len(v) for v in value if isinstance(v, str))  # what printing it would build
            if text > self.limits.rendered_chars:
                raise SecurityError(f"the template built a list of {text:,} characters, over the rendered_chars "
                                    f"limit of {self.limits.rendered_chars:,}")
        if isinstance(value, (str, list, tuple)) and len(value) > self.limits.rendered_chars:
            raise SecurityError(f"the template built a value of {len(value):,} items or characters, over the "
                                f"rendered_chars limit of {self.limits.rendered_chars:,}")
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
            raise SecurityError(f"the template computed an integer of over {MAX_INT_BITS} bits")
        return value

    def check_args(self, args: tuple, kwargs: dict) -> None:
        cap = self.limits.rendered_chars
        for a in (*args, *kwargs.values()):
            if isinstance(a, (int, float)) and not isinstance(a, bool) and abs(a) > cap:
                raise SecurityError(f"argument {a} is over the rendered_chars limit of {cap:,}")

    def _estimate(self, left: Any, right: Any, op: str) -> float:
        """An upper bound on the size of ``left <op> right`` before computing it."""
        size = lambda v: len(v) if isinstance(v, (str, list, tuple)) else 0  # noqa: E731
        if op == "*" and isinstance(right, int) and size(left):
            return size(left) * right
        if op == "*" and isinstance(left, int) and size(right):
            return size(right) * left
        if op == "+":
            return size(left) + size(right)
        if op == "%" and isinstance(left, str):
            return percent_size(left, right)
        return 0

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if self._estimate(left, right, operator) > self.limits.rendered_chars:
            raise SecurityError(f"'{operator}' would build a value over the rendered_chars limit of "
                                f"{self.limits.rendered_chars:,}")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * math.log2(abs(left)) > MAX_INT_BITS:
                raise SecurityError(f"'**' would compute an integer of over {MAX_INT_BITS} bits")
        if operator == "*" and isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise SecurityError(f"'*' would compute an integer of over {MAX_INT_BITS} bits")
        return self.check_size(super().call_binop(context, operator, left, right))

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if __obj is not self.globals.get("range"):  # range has its own bound (Range too big)
            self.check_args(args, kwargs)
        name = getattr(__obj, "__name__", "")
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)  # str.format comes wrapped
        if isinstance(owner, str):
            if name == "replace" and len(args) >= 2:
                self._check_replace(owner, args[0], args[1])
            elif name == "join" and args:
                self._check_join(owner, args[0])
            elif name in ("format", "format_map"):
                self._check_format(owner)
            elif name == "expandtabs":
                size = len(owner) + owner.count("\t") * (args[0] if args and isinstance(args[0], int) else 8)
                if size > self.limits.rendered_chars:
                    raise SecurityError("expandtabs would build a value over the rendered_chars limit")
        return self.check_size(super().call(__context, __obj, *args, **kwargs))

    def _check_format(self, s: str) -> None:
        try:
            specs = [spec for _, _, spec, _ in string.Formatter().parse(s)]
        except ValueError:
            return  # str.format will raise the same error
        for spec in specs:
            for width in re.findall(r"\d+", spec or ""):
                if int(width) > self.limits.rendered_chars:
                    raise SecurityError(f"format width {width} is over the rendered_chars limit")

    def _check_replace(self, value: str, old: Any, new: Any) -> None:
        if isinstance(old, str) and isinstance(new, str):
            hits = value.count(old) if old else len(value) + 1
            if len(value) + hits * max(0, len(new) - len(old)) > self.limits.rendered_chars:
                raise SecurityError("replace would build a value over the rendered_chars limit")

    def _check_join(self, sep: str, items: Any) -> None:
        if hasattr(items, "__len__") and len(sep) * len(items) > self.limits.rendered_chars:
            raise SecurityError("join would build a value over the rendered_chars limit")

    def _guarded(self, f: Callable) -> Callable:
        skip = 1 if hasattr(f, "jinja_pass_arg") else 0  # the context Jinja passes first

        @functools.wraps(f)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            value, rest = (args[skip], args[skip + 1:]) if len(args) > skip else (None, ())
            self.check_args(rest, kwargs)
            if f.__name__ == "do_replace" and len(rest) >= 2 and isinstance(value, str):
                self._check_replace(value, rest[0], rest[1])
            if f.__name__ == "do_join" and rest and isinstance(rest[0], str):
                self._check_join(rest[0], value)
            if f.__name__ == "do_format" and isinstance(value, str) and percent_size(value, rest) > self.limits.rendered_chars:
                raise SecurityError("format would build a value over the rendered_chars limit")
            return self.check_size(f(*args, **kwargs))

        return guarded

    def render_bounded(self, template: jinja2.Template, variables: dict[str, Any]) -> str:
        """Render, streaming, stopped at ``rendered_chars`` and after ``render_seconds``."""
        if not self._watching:
            with self.watch():
                return self.render_bounded(template, variables)
        out: list[str] = []
        size = 0
        self.started = time.monotonic()
        try:
            for chunk in template.generate(variables):
                size += len(chunk)
                if size > self.limits.rendered_chars:
                    raise SecurityError(f"the template rendered over the rendered_chars limit of "
                                        f"{self.limits.rendered_chars:,} characters")
                out.append(chunk)
        finally:
            self.started = None
        return "".join(out)

    @contextmanager
    def watch(self) -> Iterator[None]:
        """A timer for a whole batch of renders: it ticks a few times a second and stops
        a render that has run for over ``render_seconds`` (main thread on Unix; elsewhere
        the size bounds still hold). Arming a timer per render would cost more than most
        renders."""
        if self._watching:
            yield
            return
        if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            self._watching = True  # no timer here: the size bounds still hold
            try:
                yield
            finally:
                self._watching = False
            return

        def tick(signum: int, frame: Any) -> None:
            if self.started is not None and time.monotonic() - self.started > self.limits.render_seconds:
                raise RenderTimeout

        previous = signal.signal(signal.SIGALRM, tick)
        interval = max(0.05, min(1.0, self.limits.render_seconds / 4))
        signal.setitimer(signal.ITIMER_REAL, interval, interval)
        self._watching = True
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            self._watching, self.started = False, None
