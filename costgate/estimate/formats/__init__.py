"""Template formats besides Jinja2: one module per format, one ``FORMATS`` line each.

Every format compiles a spec ``Template`` into an object with the ``Compiled`` interface
(``uses``, ``parts``, ``fmt``, ``render(variables, sample)``, ``source``), so rendering a
call and measuring its prompt as written do not care which format a template is in.
Jinja2 templates compile in ``render.py`` (``_Compiled``), next to the sandbox
environment they share with the rest of the Jinja2 machinery; ``render._compile`` picks
between the two.
"""

from __future__ import annotations

from typing import Callable

from ...spec import Template
from ..sandbox import BoundedSandbox
from .base import Compiled, Data
from .handlebars import HandlebarsTemplate
from .mustache import MustacheTemplate
from .pyformat import FormatTemplate

FORMATS: dict[str, Callable[[BoundedSandbox, Template, str], Compiled]] = {
    "format": FormatTemplate,
    "mustache": MustacheTemplate,
    "handlebars": HandlebarsTemplate,
}
"""How each format other than Jinja2 compiles (``spec.model.TemplateFormat`` names them)."""


def compile_template(env: BoundedSandbox, template: Template, name: str) -> Compiled:
    """``template`` compiled by its format; ``env`` gives the work limits and the timer."""
    return FORMATS[template.format](env, template, name)


__all__ = ["Compiled", "Data", "FORMATS", "compile_template"]
