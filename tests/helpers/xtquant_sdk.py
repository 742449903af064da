"""Read the real xtquant wheel's signatures with ``ast``, without importing it.

Why not import: ``xtquant.xtdata`` needs Windows-only binaries (ImportError on Linux) and
``import xtquant`` runs a PyPI version check. The wheel is a dev dependency only so these
sources can be read; tests using this module skip when it is not installed.

Typical use (fake or adapter conformance)::

    real = real_functions("xtdata")          # {name: [(param, default), ...]}
    assert signature_params(fake.connect) == real["connect"]
"""

from __future__ import annotations

import ast
import functools
import importlib.machinery
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.fake_qmt import FAKE_XTQUANT_DIR

Params = list[tuple[str, Any]]


def sdk_dir() -> Path | None:
    """Directory of the installed real ``xtquant`` package, or None.

    Uses ``PathFinder`` over ``sys.path`` minus the fake's directory: it only locates the
    package (no ``__init__`` runs) and cannot return the fake even when the developer switch
    has put the fake first on ``sys.path`` or in ``sys.modules``.
    """
    fake = FAKE_XTQUANT_DIR.resolve()
    paths = [p for p in sys.path if not _same_dir(p, fake)]
    spec = importlib.machinery.PathFinder.find_spec("xtquant", paths)
    if spec is None or not spec.submodule_search_locations:
        return None
    pkg = Path(list(spec.submodule_search_locations)[0])
    return pkg if (pkg / "xtdata.py").is_file() else None


def _same_dir(entry: str, target: Path) -> bool:
    try:
        return Path(entry or ".").resolve() == target
    except OSError:
        return False


def sdk_source(module: str) -> Path:
    """Path of ``xtquant/<module>.py`` in the real wheel; skips the test if not installed."""
    pkg = sdk_dir()
    if pkg is None:
        pytest.skip("xtquant wheel not installed (uv sync --dev installs it)")
    return pkg / f"{module}.py"


def _default(node: ast.expr | None) -> Any:
    if node is None:
        return inspect.Parameter.empty
    try:
        return ast.literal_eval(node)
    except ValueError:  # e.g. float('nan') defaults
        return ast.unparse(node)


def ast_params(fn: ast.FunctionDef) -> Params:
    """[(name, default), ...] like ``inspect.signature`` (empty default = Parameter.empty)."""
    a = fn.args
    pos = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
    return ([(p.arg, _default(d)) for p, d in zip(pos, defaults)]
            + [(p.arg, _default(d)) for p, d in zip(a.kwonlyargs, a.kw_defaults)])


def _tree(module: str) -> ast.Module:
    return _parse(sdk_source(module))


@functools.lru_cache(maxsize=8)
def _parse(path: Path) -> ast.Module:
    """Parsed once per process: xtdata.py is ~4,000 lines (~0.25 s to parse)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def real_functions(module: str) -> dict[str, Params]:
    """Top-level functions of ``xtquant/<module>.py``: {name: params}."""
    return {n.name: ast_params(n) for n in _tree(module).body if isinstance(n, ast.FunctionDef)}


def real_methods(module: str, cls: str) -> dict[str, Params]:
    """Methods of class ``cls`` in ``xtquant/<module>.py`` (``self`` included)."""
    node = next(n for n in _tree(module).body if isinstance(n, ast.ClassDef) and n.name == cls)
    return {m.name: ast_params(m) for m in node.body if isinstance(m, ast.FunctionDef)}


def real_module_constants(module: str) -> dict[str, Any]:
    """Top-level ``name = <literal>`` assignments (e.g. ``enable_hello = True``)."""
    out: dict[str, Any] = {}
    for node in _tree(module).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return out


def signature_params(fn: Callable[..., Any]) -> Params:
    """[(name, default), ...] of a live callable, comparable with ``ast_params``."""
    return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]
