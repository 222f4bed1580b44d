"""Prompts and settings in a Python file, read statically with ``ast``: the file is
parsed, never imported or run (a module's import may do anything).

A prompt is a module-level constant: ``NAME = "..."`` (implicitly concatenated literals
included) or ``NAME = textwrap.dedent('''...''')`` / ``inspect.cleandoc(...)``; f-strings
and anything computed are not constants and are left alone. Settings are literal model
ids anywhere in the file, and ``max_tokens``/``reasoning_effort`` given as keyword
arguments, dictionary items or module constants.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import Iterator, Mapping

from .detect_values import FoundSetting, Role, guess_role, looks_like_prompt, model_id, setting

STATIC_CALLS = ("dedent", "cleandoc")
"""Functions of one literal whose result is still a constant prompt."""
MAX_NODES = 200_000
"""Syntax nodes of one file visited for settings, at most."""


@dataclass(frozen=True)
class PythonPrompt:
    symbol: str
    role: Role
    line: int


def _static(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in STATIC_CALLS:
            return _static(node.args[0])
    return None


def _assignments(tree: ast.Module) -> Iterator[tuple[str, ast.expr | None, int]]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            yield node.targets[0].id, node.value, node.lineno
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            yield node.target.id, node.value, node.lineno


def _pairs(tree: ast.Module) -> Iterator[tuple[str, ast.expr | None, int]]:
    """(name, value node, line) of keyword arguments, dictionary items with a literal
    key and assignments to a name, anywhere in the file."""
    for i, node in enumerate(ast.walk(tree)):
        if i >= MAX_NODES:
            return
        if isinstance(node, ast.keyword) and node.arg:
            yield node.arg, node.value, node.value.lineno
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    yield k.value, v, v.lineno
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    yield t.id, node.value, node.lineno


def read_python(text: str, rel: str, models: Mapping[str, str],
                prompts: bool) -> tuple[list[PythonPrompt], list[FoundSetting]]:
    """The prompt constants (when ``prompts``) and settings of Python source ``text``;
    nothing for a file that does not parse."""
    try:
        with warnings.catch_warnings():  # invalid escapes in the file are its business, not the user's screen
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], []
    found: list[PythonPrompt] = []
    if prompts:
        for name, value, line in _assignments(tree):
            s = _static(value)
            if s is not None and looks_like_prompt(name, s):
                found.append(PythonPrompt(name, guess_role(name, s), line))
    settings: list[FoundSetting] = []
    for name, value, line in _pairs(tree):
        if isinstance(value, ast.Constant) and isinstance(value.value, (str, int)):
            got = setting(name, value.value, models, rel, line)
            if got is not None:
                settings.append(got)
    lines = {s.line for s in settings if s.kind == "model"}
    for i, node in enumerate(ast.walk(tree)):  # model ids wherever they are written
        if i >= MAX_NODES:
            break
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.lineno not in lines:
            mid = model_id(node.value, models)
            if mid is not None:
                settings.append(FoundSetting("model", mid, rel, node.lineno))
                lines.add(node.lineno)
    return found, sorted(settings, key=lambda s: (s.line or 0, s.kind, str(s.value)))
