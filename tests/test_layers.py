"""Domain code stays free of Qt, so it is fast to test and shared with the headless replay."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
PURE = [
    *sorted((APP / "core").glob("*.py")),
    *sorted((APP / "monitors").glob("*.py")),
    *sorted((APP / "market").glob("*.py")),
    *sorted((APP / "storage").rglob("*.py")),
    APP / "services" / "monitoring.py",
    APP / "feeds" / "demo.py",
    APP / "feeds" / "base.py",
    APP / "feeds" / "ccxt_feed.py",
    APP / "feeds" / "ccxt_convert.py",
    APP / "feeds" / "ccxt_urls.py",
    APP / "feeds" / "reconnect.py",
    APP / "feeds" / "credentials.py",
    APP / "replay.py",
]
GUI_PACKAGES = ("PySide6", "pyqtgraph", "qasync", "shiboken6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(APP)))
def test_domain_module_does_not_import_qt(path: Path) -> None:
    offending = {m for m in imported_modules(path) if m.split(".")[0] in GUI_PACKAGES}
    assert not offending, f"{path.name} imports {sorted(offending)}"
    ui = {m for m in imported_modules(path) if m.startswith(("app.ui", "app.feeds.bridge", "app.services.monitor_worker"))}
    assert not ui, f"{path.name} reaches into Qt layers: {sorted(ui)}"
