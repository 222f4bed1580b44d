"""The architecture, checked: folders are layers, data flows down, modules stay small.

Layers, lowest first: the foundation modules (errors, version, yamlio, fields), then
repo → spec → tokens → pricing → estimate → calibrate → gate → report → publish → cli, then the public API
package and ``__main__``. A module may import from its own layer and from layers before
it, never after; no import cycles; the library never imports click; no module over 400
lines and no function over 60.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "costgate"
FOUNDATION = ("errors", "version", "limits", "yamlio", "fields")
LAYERS = ("repo", "tokens", "spec", "pricing", "estimate", "calibrate", "gate", "report", "publish", "cli")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _rank(module: str) -> tuple[int, int]:
    """(layer, position within the foundation) of a costgate module; higher ranks sit above."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return (len(LAYERS) + 1, 0)  # the public API package and python -m costgate
    top = parts[1]
    if top in FOUNDATION:
        return (0, FOUNDATION.index(top))
    return (LAYERS.index(top) + 1, 0)


def _imports(module: str) -> set[str]:
    """Every costgate module ``module`` imports, lazy (function-level) imports included;
    ``from pkg import name`` counts as importing ``pkg.name`` when that is a module."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "costgate")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "costgate":
                continue
            names = [f"{target}.{a.name}" for a in node.names]
            subs = [n for n in names if n in MODULES]
            found.update(subs or [target])
            if len(subs) < len(names):
                found.add(target)
    found.discard(module)
    return {m for m in found if m in MODULES}


def _type_checking_only(module: str) -> set[str]:
    """Imports made only under ``if TYPE_CHECKING:`` (no runtime dependency)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for sub in node.body:
                if isinstance(sub, ast.ImportFrom) and sub.module:
                    out.add(f"costgate.{sub.module}" if sub.level else sub.module)
    return out


def test_every_module_has_a_layer():
    for module in MODULES:
        _rank(module)  # raises ValueError for a folder that is not a layer


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_from_a_higher_layer(module):
    upward = [m for m in _imports(module) - _type_checking_only(module) if _rank(m) > _rank(module)]
    assert not upward, f"{module} imports from a higher layer: {upward}"


def test_the_checker_sees_an_upward_import(tmp_path):
    """The rank check would catch estimate importing report (a test that cannot fail is a defect)."""
    assert _rank("costgate.report.money") > _rank("costgate.estimate.simulate")
    assert _rank("costgate.errors") < _rank("costgate.yamlio") < _rank("costgate.repo.source")
    assert "costgate.estimate.results" in _imports("costgate.report.money")


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph = {m: sorted(_imports(m) - _type_checking_only(m)) for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for m in graph:
        if m not in index:
            visit(m)
    return out


def test_no_import_cycles():
    assert _cycles() == []


def test_the_library_never_imports_click():
    offenders = [m for m in MODULES if not m.startswith("costgate.cli") and m != "costgate.__main__"
                 and "import click" in MODULES[m].read_text(encoding="utf-8")]
    assert offenders == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_functions_stay_small(module):
    text = MODULES[module].read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{module} has over {MAX_MODULE_LINES} lines"
    long = [f"{n.name} ({n.end_lineno - n.lineno + 1} lines)" for n in ast.walk(ast.parse(text))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{module}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_python_dash_m_costgate_runs_the_command():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "costgate", "--version"], capture_output=True, text=True,
                          check=False, cwd=PACKAGE.parent)
    assert proc.returncode == 0 and proc.stdout.startswith("costgate, version ")


def test_the_command_line_starts_without_the_heavy_libraries():
    """``costgate --help`` stays fast: the CLI imports neither the tokenizer nor Jinja2 nor
    the estimator until a command needs them (the start-up time itself is in bench/)."""
    import subprocess
    import sys

    code = ("import sys, costgate.cli; "
            "print(sorted(m for m in ('tiktoken', 'jinja2', 'costgate.estimate.simulate', 'costgate.pricing.loader') "
            "if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
