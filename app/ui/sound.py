"""Alert sounds.

PySide6-Essentials ships no QtMultimedia, so on Windows (where traders run the
app next to QMT) we use the stdlib ``winsound`` module, which plays a WAV
asynchronously with no extra dependency. Elsewhere (developer machines, CI) we
fall back to ``QApplication.beep()`` - an audible hint is better than silence.

The platform player is injectable so tests can check which file would be
played for each kind "on Windows" without being on Windows. Playing a sound is
never allowed to raise: a broken audio device must not break alert delivery.

``SoundRepeater`` replays the stop sound every few seconds while a stop-loss
alert is unacknowledged (an optional setting), with a cap so an empty desk is
not beeped at all night.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from app.core.models import AlertKind
from app.resources import RESOURCES_DIR

log = logging.getLogger(__name__)

#: Plays one WAV file without blocking the GUI thread.
SoundPlayer = Callable[[Path], None]

SOUNDS_DIR: Path = RESOURCES_DIR / "sounds"

#: One sound per meaning, so the trader can tell alerts apart without looking
#: (the files come from ``tools/make_sounds.py``): a rising two-tone for take
#: profit, a single soft chime for entries and plain level/change alerts, and
#: an urgent pattern for the stops.
SOUND_FILES: dict[AlertKind, str] = {
    AlertKind.ENTRY: "entry.wav",
    AlertKind.TAKE_PROFIT: "take_profit.wav",
    AlertKind.STOP_LOSS: "stop_loss.wav",
    AlertKind.TRAILING_STOP: "stop_loss.wav",  # a stop too: the same urgent pattern
    AlertKind.CROSS_UP: "entry.wav",  # information, not an exit: the soft chime
    AlertKind.CROSS_DOWN: "entry.wav",
    AlertKind.CHANGE_UP: "entry.wav",
    AlertKind.CHANGE_DOWN: "entry.wav",
    AlertKind.TRAILING_ENTRY: "entry.wav",  # an entry that followed the price
}

#: Kinds whose sound ``SoundRepeater`` repeats until acknowledged.
REPEATED_KINDS = frozenset({AlertKind.STOP_LOSS, AlertKind.TRAILING_STOP})
#: Defaults of the stop-loss repeat: every 5 s, for at most 10 minutes.
DEFAULT_REPEAT_INTERVAL_S = 5.0
DEFAULT_REPEAT_MAX_S = 600.0


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


@dataclass(slots=True)
class _Ringing:
    """One unacknowledged stop alert the repeater is sounding for."""

    kind: AlertKind
    deadline: float  # clock() value after which it gives up (the safety cap)
    paused: bool = False  # snoozed: silent until resumed


class SoundRepeater(QObject):
    """Replays the stop sound while stop-loss / trailing-stop alerts wait for acknowledgement.

    The caller plays the first sound itself (``AlertSound.play`` on arrival, as
    for every alert) and then calls ``track(alert, alert_id)``; from then on the
    repeater plays the stop sound again every ``interval_s`` until the alert is
    ``acknowledge``-d (also: its card closed for good), ``stop_all()`` is called,
    the sound is disabled or muted (``sound.enabled`` false ends every repeat), or
    ``max_duration_s`` has passed since it started (or last resumed) ringing.
    ``pause(alert_id)`` silences one alert while its card is snoozed and
    ``resume(alert_id)`` rings it again when the card comes back.

    One shared timer plays at most one sound per interval, however many stops
    are waiting: several overlapping copies would only be noise (and winsound
    plays one sound at a time anyway). Nothing here blocks: ``sound.play`` only
    starts an asynchronous player.

    With ``enabled=False`` (the "repeat stop-loss sound" setting off) ``track``
    does nothing.
    """

    #: tuple of alert ids still ringing, each time the sound was replayed
    replayed = Signal(object)
    #: alert_id that stopped ringing because of the safety cap
    expired = Signal(object)

    def __init__(
        self,
        sound: Any,
        parent: QObject | None = None,
        *,
        enabled: bool = False,
        interval_s: float = DEFAULT_REPEAT_INTERVAL_S,
        max_duration_s: float = DEFAULT_REPEAT_MAX_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``sound`` is the window's ``AlertSound`` (anything with ``play(kind)`` and
        ``enabled``), so mute and the sound setting apply to repeats as well."""
        super().__init__(parent)
        self._sound = sound
        self._enabled = bool(enabled)
        self._interval_s = max(0.001, interval_s)
        self._max_duration_s = max(0.0, max_duration_s)
        self._clock = clock
        self._ringing: dict[object, _Ringing] = {}
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.setInterval(self._interval_ms())

    # -- settings ----------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """The "repeat the stop-loss sound" setting; turning it off stops every repeat."""
        self._enabled = bool(enabled)
        if not self._enabled:
            self.stop_all()

    @property
    def interval_s(self) -> float:
        return self._interval_s

    def set_interval(self, seconds: float) -> None:
        self._interval_s = max(0.001, seconds)
        self._timer.setInterval(self._interval_ms())

    @property
    def max_duration_s(self) -> float:
        return self._max_duration_s

    def set_max_duration(self, seconds: float) -> None:
        """Safety cap for alerts that start (or resume) ringing from now on."""
        self._max_duration_s = max(0.0, seconds)

    # -- alerts ------------------------------------------------------------------

    def track(self, alert: Any, alert_id: object) -> bool:
        """Start repeating for a new alert (an ``AlertFired``: only its ``kind`` is read).

        Returns True if it will repeat: the setting is on, the kind is a stop,
        the alert has an id and sound is on.
        """
        kind = AlertKind(alert.kind)
        if (not self._enabled or kind not in REPEATED_KINDS or alert_id is None
                or not self._sound_on()):
            return False
        self._ringing[alert_id] = _Ringing(kind, self._clock() + self._max_duration_s)
        self._timer.start()  # the next replay is one interval after this alert's own sound
        return True

    def acknowledge(self, alert_id: object) -> None:
        """The alert was acknowledged (or its card is gone): stop repeating for it."""
        if self._ringing.pop(alert_id, None) is not None and not self._active():
            self._timer.stop()

    def pause(self, alert_id: object) -> None:
        """The alert's card is snoozed: silent until ``resume``."""
        entry = self._ringing.get(alert_id)
        if entry is not None:
            entry.paused = True
            if not self._active():
                self._timer.stop()

    def resume(self, alert_id: object) -> None:
        """The snoozed card is back (the caller plays its sound now): repeat again,
        with a fresh safety cap."""
        entry = self._ringing.get(alert_id)
        if entry is None or not entry.paused:
            return
        entry.paused = False
        entry.deadline = self._clock() + self._max_duration_s
        self._timer.start()

    def stop_all(self) -> None:
        """Forget every alert (e.g. on mute or quit)."""
        self._ringing.clear()
        self._timer.stop()

    def is_repeating(self, alert_id: object) -> bool:
        """True while ``alert_id`` rings (tracked and not paused)."""
        entry = self._ringing.get(alert_id)
        return entry is not None and not entry.paused

    def tracked_ids(self) -> list[object]:
        """Alert ids still waiting for acknowledgement, ringing or paused."""
        return list(self._ringing)

    @property
    def active(self) -> bool:
        """True while the timer runs (something will be replayed)."""
        return self._timer.isActive()

    def follow_popups(self, popups: Any) -> None:
        """Wire to a ``PopupManager``: acknowledge / card gone stops, snooze pauses,
        resurface resumes (the window still plays the resurfacing sound itself)."""
        popups.acknowledged.connect(self.acknowledge)
        popups.dismissed.connect(self.acknowledge)
        popups.snoozed.connect(self.pause)
        popups.resurfaced.connect(self._on_resurfaced)

    # -- internals ---------------------------------------------------------------

    def _on_resurfaced(self, _alert: object, alert_id: object) -> None:
        self.resume(alert_id)

    def _interval_ms(self) -> int:
        return max(1, int(round(self._interval_s * 1000)))

    def _sound_on(self) -> bool:
        return bool(getattr(self._sound, "enabled", True))

    def _active(self) -> list[object]:
        return [alert_id for alert_id, entry in self._ringing.items() if not entry.paused]

    def _tick(self) -> None:
        if not self._sound_on():  # muted or sound turned off: the repeats end
            self.stop_all()
            return
        now = self._clock()
        for alert_id, entry in list(self._ringing.items()):
            if not entry.paused and now >= entry.deadline:
                self._ringing.pop(alert_id, None)
                log.info("Stop sound for alert %s not acknowledged; repeat gave up", alert_id)
                self.expired.emit(alert_id)
        active = self._active()
        if not active:
            self._timer.stop()
            return
        self._sound.play(self._ringing[active[-1]].kind)
        self.replayed.emit(tuple(active))
