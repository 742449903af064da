"""Where the shipped files (data, sounds, icons, translations) live.

One place, so a frozen build (PyInstaller puts them under ``sys._MEIPASS``) and a
source checkout resolve them the same way, whatever the current directory is.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    if getattr(sys, "frozen", False):
        base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
        return base / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


RESOURCES_DIR: Path = resources_dir()
