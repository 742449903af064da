"""Alert sounds.

PySide6-Essentials ships no QtMultimedia, so on Windows (where traders run the
app next to QMT) we use the stdlib ``winsound`` module, which plays a WAV
asynchronously with no extra dependency. Elsewhere (developer machines, CI) we
fall back to ``QApplication.beep()`` - an audible hint is better than silence.

The platform player is injectable so tests can check which file would be
played for each kind "on Windows" without being on Windows. Playing a sound is
never allowed to raise: a broken audio device must not break alert delivery.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from PySide6.QtWidgets import QApplication

from app.core.models import AlertKind
from app.resources import RESOURCES_DIR

log = logging.getLogger(__name__)

#: Plays one WAV file without blocking the GUI thread.
SoundPlayer = Callable[[Path], None]



SOUNDS_DIR: Path = RESOURCES_DIR / "sounds"

#: Entry and take profit share the calm chime; stop loss gets its own urgent
#: pattern so the trader can tell them apart without looking.
SOUND_FILES: dict[AlertKind, str] = {
    AlertKind.ENTRY: "alert.wav",
    AlertKind.TAKE_PROFIT: "alert.wav",
    AlertKind.STOP_LOSS: "stop_loss.wav",
    AlertKind.TRAILING_STOP: "stop_loss.wav",  # a stop too: the same urgent pattern
    AlertKind.CROSS_UP: "alert.wav",
    AlertKind.CROSS_DOWN: "alert.wav",
    AlertKind.CHANGE_UP: "alert.wav",
    AlertKind.CHANGE_DOWN: "alert.wav",
    AlertKind.TRAILING_ENTRY: "alert.wav",
}


def winsound_player() -> SoundPlayer | None:
    """A player using ``winsound.PlaySound``, or None when winsound is unavailable.

    ``SND_ASYNC`` returns immediately (the GUI must not freeze for a second per
    alert); ``SND_NODEFAULT`` stops Windows from substituting its generic ding
    when the file is missing, because we prefer our own fallback beep.
    """
    try:
        import winsound  # type: ignore[import-not-found]  # Windows-only stdlib module
    except ImportError:
        return None

    flags = winsound.SND_FILENAME | winsound.SND_ASYNC | winsound.SND_NODEFAULT

    def play(path: Path) -> None:
        winsound.PlaySound(str(path), flags)

    return play


def default_player() -> SoundPlayer | None:
    """The best WAV player for this platform; None means "beep only"."""
    if sys.platform == "win32":
        return winsound_player()
    return None


def qt_beep() -> None:
    """System beep through Qt (works wherever a QApplication exists)."""
    QApplication.beep()


class AlertSound:
    """Plays the sound for an alert kind; non-blocking and never raising.

    ``player="auto"`` picks ``default_player()``; ``None`` means beep only;
    a callable overrides (tests, or a future QtMultimedia backend). ``beep`` is
    the fallback used when there is no player, the WAV file is missing, or the
    player fails.
    """

    def __init__(
        self,
        player: SoundPlayer | Literal["auto"] | None = "auto",
        *,
        beep: Callable[[], None] = qt_beep,
        sounds_dir: Path = SOUNDS_DIR,
        enabled: bool = True,
    ) -> None:
        if player == "auto":
            player = default_player()
        self._player = player
        self._beep = beep
        self._sounds_dir = Path(sounds_dir)
        self.enabled = enabled

    @property
    def has_player(self) -> bool:
        """True when real WAV files are played (False: only the fallback beep)."""
        return self._player is not None

    def sound_path(self, kind: AlertKind) -> Path:
        """The WAV file used for ``kind``."""
        return self._sounds_dir / SOUND_FILES[AlertKind(kind)]

    def play(self, kind: AlertKind) -> bool:
        """Start the sound for ``kind`` and return at once.

        Returns True if something was started (WAV or beep), False if sound is
        disabled or every attempt failed. Failures are logged, not raised.
        """
        if not self.enabled:
            return False
        try:
            path = self.sound_path(kind)
        except (KeyError, ValueError):
            log.warning("No alert sound for kind %r; beeping instead", kind)
            return self._safe_beep()
        if self._player is not None:
            if path.is_file():
                try:
                    self._player(path)
                    return True
                except Exception:  # noqa: BLE001 - audio must never break alerting
                    log.exception("Could not play alert sound %s; beeping instead", path)
            else:
                log.warning("Alert sound %s is missing; beeping instead", path)
        return self._safe_beep()

    def _safe_beep(self) -> bool:
        try:
            self._beep()
            return True
        except Exception:  # noqa: BLE001 - audio must never break alerting
            log.exception("Fallback beep failed")
            return False
