"""The app as a user starts it: `main.py` in a real X window (Xvfb), screenshot checked.

Skipped where there is no Xvfb (e.g. a Windows developer machine); .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QFontDatabase, QImage

ROOT = Path(__file__).resolve().parents[1]
DEMO_LABEL = QColor("#ffb300")


@pytest.fixture
def x_display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        number = server.stdout.readline().strip()  # type: ignore[union-attr]
        assert number.isdigit(), "Xvfb did not report a display"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def count_colour(image: QImage, colour: QColor, step: int = 2) -> int:
    hits = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            if image.pixelColor(x, y).rgb() == colour.rgb():
                hits += 1
    return hits


def test_main_opens_a_live_window_on_a_real_x_server(x_display: str, tmp_path: Path) -> None:
    shot = tmp_path / "screen.png"
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(tmp_path / "m.db"),
         "--settings", str(tmp_path / "s.ini"), "--lang", "zh_CN", "--speed", "8",
         "--screenshot", str(shot), "--screenshot-after", "6"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(shot))
    assert not image.isNull() and image.width() == 1600
    assert count_colour(image, DEMO_LABEL) > 200, "the DEMO DATA label is visible"
    distinct = {image.pixel(x, y) for y in range(0, image.height(), 7) for x in range(0, image.width(), 7)}
    assert len(distinct) > 50, "a drawn window, not a blank screen"
    assert (tmp_path / "m.db").exists()


def test_a_simplified_chinese_font_is_available(qapp: object) -> None:
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert families, "no CJK font: Chinese UI text would render as boxes (install fonts-wqy-microhei)"
