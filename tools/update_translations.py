"""Refresh the Chinese catalogue from the sources and compile it.

Runs pyside6-lupdate over every module in app/ (existing translations are kept,
new strings appear as unfinished) and pyside6-lrelease to build the .qm the app
loads. See docs/translations.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "i18n" / "price_monitor_zh_CN.ts"
QM = TS.with_suffix(".qm")


def tool(name: str) -> str:
    """The PySide6 wrapper next to the running interpreter (works in any venv)."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    return name


def sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py"))


def lupdate(ts: Path = TS) -> None:
    subprocess.run([tool("pyside6-lupdate"), *sources(), "-no-obsolete", "-ts", str(ts)],
                   cwd=ROOT, check=True, capture_output=True)


def lrelease(ts: Path = TS, qm: Path = QM) -> None:
    subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], cwd=ROOT, check=True,
                   capture_output=True)


if __name__ == "__main__":
    lupdate()
    lrelease()
    print(f"updated {TS.relative_to(ROOT)} and {QM.relative_to(ROOT)}")
