"""Stop-loss sound repeated until acknowledged, and the sound files behind each kind."""

from __future__ import annotations

import sys
import wave
from pathlib import Path
from typing import Any

import pytest

from app.core.models import AlertKind
from app.ui.popup import PopupManager
from app.ui.sound import SOUND_FILES, SOUNDS_DIR, AlertSound, SoundRepeater
from tests.test_notify import make_alert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_sounds  # noqa: E402

#: Repeat interval for tests: 20 ms instead of 5 s.
TICK = 0.02


class FakePlayer:
    """Records the files the AlertSound would have played."""

    def __init__(self) -> None:
        self.played: list[Path] = []

    def __call__(self, path: Path) -> None:
        self.played.append(path)

    def names(self) -> list[str]:
        return [p.name for p in self.played]


@pytest.fixture
def player() -> FakePlayer:
    return FakePlayer()


@pytest.fixture
def sound(player: FakePlayer) -> AlertSound:
    return AlertSound(player=player, beep=lambda: None)


@pytest.fixture
def make_repeater(qtbot: Any, sound: AlertSound) -> Any:
    """SoundRepeater factory (enabled, 20 ms interval by default); stopped after the test."""
    made: list[SoundRepeater] = []

    def make(**kwargs: Any) -> SoundRepeater:
        kwargs.setdefault("enabled", True)
        kwargs.setdefault("interval_s", TICK)
        kwargs.setdefault("max_duration_s", 60.0)
        repeater = SoundRepeater(sound, **kwargs)
        made.append(repeater)
        return repeater

    yield make
    for repeater in made:
        repeater.stop_all()


@pytest.fixture
def make_popups(qtbot: Any) -> Any:
    made: list[PopupManager] = []

    def make(**kwargs: Any) -> PopupManager:
        made.append(PopupManager(**kwargs))
        return made[-1]

    yield make
    for manager in made:
        manager.close_all()


# -- sound files ---------------------------------------------------------------------


def test_sound_files_exist_and_stop_take_profit_entry_differ() -> None:
    for name in set(SOUND_FILES.values()):
        assert (SOUNDS_DIR / name).is_file(), name
    stop, tp, entry = (SOUND_FILES[k] for k in
                       (AlertKind.STOP_LOSS, AlertKind.TAKE_PROFIT, AlertKind.ENTRY))
    assert len({stop, tp, entry}) == 3
    assert SOUND_FILES[AlertKind.TRAILING_STOP] == stop
    assert SOUND_FILES[AlertKind.TRAILING_ENTRY] == entry
    # Nothing but a stop sounds like a stop.
    assert [k for k, name in SOUND_FILES.items() if name == stop] == [
        AlertKind.STOP_LOSS, AlertKind.TRAILING_STOP]


def test_make_sounds_reproduces_the_shipped_files(tmp_path: Path) -> None:
    written = make_sounds.write_all(tmp_path)
    assert {p.name for p in written} == set(SOUND_FILES.values())
    for path in written:
        assert path.read_bytes() == (SOUNDS_DIR / path.name).read_bytes(), path.name
        assert path.stat().st_size < 60_000
        with wave.open(str(path), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)


# -- repeater ------------------------------------------------------------------------


def test_repeats_the_stop_sound_until_acknowledged(qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any) -> None:
    repeater = make_repeater()
    assert repeater.track(make_alert(AlertKind.STOP_LOSS), 1)
    assert player.played == []  # the first sound is the caller's, on arrival
    qtbot.waitUntil(lambda: len(player.played) >= 3, timeout=1000)
    assert set(player.names()) == {"stop_loss.wav"}
    repeater.acknowledge(1)
    assert not repeater.active and repeater.tracked_ids() == []
    count = len(player.played)
    qtbot.wait(int(TICK * 1000 * 5))
    assert len(player.played) == count


def test_trailing_stop_repeats_too_and_other_kinds_never(qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any) -> None:
    repeater = make_repeater()
    for i, kind in enumerate(k for k in AlertKind if k not in (AlertKind.STOP_LOSS, AlertKind.TRAILING_STOP)):
        assert not repeater.track(make_alert(kind), 10 + i)
    assert not repeater.active
    qtbot.wait(int(TICK * 1000 * 5))
    assert player.played == []
    assert repeater.track(make_alert(AlertKind.TRAILING_STOP), 2)
    qtbot.waitUntil(lambda: len(player.played) >= 2, timeout=1000)
    assert set(player.names()) == {"stop_loss.wav"}


def test_disabled_setting_never_repeats(qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any) -> None:
    repeater = make_repeater(enabled=False)
    assert not repeater.track(make_alert(AlertKind.STOP_LOSS), 1)
    qtbot.wait(int(TICK * 1000 * 5))
    assert player.played == []
    repeater.set_enabled(True)
    assert repeater.track(make_alert(AlertKind.STOP_LOSS), 1)
    qtbot.waitUntil(lambda: len(player.played) >= 1, timeout=1000)
    repeater.set_enabled(False)  # turning the setting off stops what rings
    count = len(player.played)
    qtbot.wait(int(TICK * 1000 * 5))
    assert len(player.played) == count and repeater.tracked_ids() == []


def test_pauses_while_snoozed_and_rings_again_on_resume(qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any) -> None:
    repeater = make_repeater()
    repeater.track(make_alert(AlertKind.STOP_LOSS), 1)
    qtbot.waitUntil(lambda: len(player.played) >= 1, timeout=1000)
    repeater.pause(1)
    assert not repeater.is_repeating(1) and repeater.tracked_ids() == [1]
    count = len(player.played)
    qtbot.wait(int(TICK * 1000 * 6))
    assert len(player.played) == count
    repeater.resume(1)
    qtbot.waitUntil(lambda: len(player.played) >= count + 2, timeout=1000)


def test_one_sound_per_interval_while_several_stops_wait(qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any) -> None:
    repeater = make_repeater(interval_s=0.05)
    repeater.track(make_alert(AlertKind.STOP_LOSS), 1)
    repeater.track(make_alert(AlertKind.STOP_LOSS), 2)
    with qtbot.waitSignal(repeater.replayed, timeout=1000) as replayed:
        pass
    assert replayed.args == [(1, 2)]
    assert len(player.played) == 1  # not one copy per alert on top of each other
    repeater.acknowledge(1)
    with qtbot.waitSignal(repeater.replayed, timeout=1000) as replayed:
        pass
    assert replayed.args == [(2,)]


def test_gives_up_after_the_safety_cap(qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any) -> None:
    now = [100.0]
    repeater = make_repeater(max_duration_s=600.0, clock=lambda: now[0])
    repeater.track(make_alert(AlertKind.STOP_LOSS), 1)
    qtbot.waitUntil(lambda: len(player.played) >= 2, timeout=1000)
    now[0] += 599.0
    qtbot.waitUntil(lambda: len(player.played) >= 3, timeout=1000)  # still within the cap
    now[0] += 1.0
    with qtbot.waitSignal(repeater.expired, timeout=1000) as expired:
        pass
    assert expired.args == [1]
    count = len(player.played)
    qtbot.wait(int(TICK * 1000 * 5))
    assert len(player.played) == count and not repeater.active


def test_cap_counts_from_the_resume(qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any) -> None:
    now = [0.0]
    repeater = make_repeater(max_duration_s=10.0, clock=lambda: now[0])
    repeater.track(make_alert(AlertKind.STOP_LOSS), 1)
    repeater.pause(1)
    now[0] = 300.0  # snoozed longer than the cap: paused time does not count
    repeater.resume(1)
    qtbot.waitUntil(lambda: len(player.played) >= 2, timeout=1000)
    assert repeater.is_repeating(1)


def test_mute_ends_the_repeats(qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any) -> None:
    repeater = make_repeater()
    repeater.track(make_alert(AlertKind.STOP_LOSS), 1)
    qtbot.waitUntil(lambda: len(player.played) >= 1, timeout=1000)
    sound.enabled = False  # what the window's mute / sound setting does
    count = len(player.played)
    qtbot.waitUntil(lambda: not repeater.active, timeout=1000)
    sound.enabled = True  # mute over: the old alert does not start ringing again
    qtbot.wait(int(TICK * 1000 * 5))
    assert len(player.played) == count and repeater.tracked_ids() == []
    sound.enabled = False
    assert not repeater.track(make_alert(AlertKind.STOP_LOSS), 3)  # muted: nothing to repeat
    assert not repeater.active


def test_stop_all(qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any) -> None:
    repeater = make_repeater()
    repeater.track(make_alert(AlertKind.STOP_LOSS), 1)
    repeater.track(make_alert(AlertKind.TRAILING_STOP), 2)
    repeater.stop_all()
    qtbot.wait(int(TICK * 1000 * 5))
    assert player.played == [] and not repeater.active


def test_follows_the_popups_snooze_and_acknowledge(
    qtbot: Any, sound: AlertSound, player: FakePlayer, make_repeater: Any, make_popups: Any
) -> None:
    popups = make_popups(snooze_minutes=0.01)  # 600 ms snooze
    repeater = make_repeater()
    repeater.follow_popups(popups)
    alert = make_alert(AlertKind.STOP_LOSS)
    card = popups.show_alert(alert, 5)
    repeater.track(alert, 5)
    qtbot.waitUntil(lambda: len(player.played) >= 1, timeout=1000)

    card.snooze()
    assert not repeater.is_repeating(5)
    count = len(player.played)
    qtbot.wait(150)  # a quarter of the snooze: silent
    assert len(player.played) == count
    qtbot.waitUntil(lambda: popups.count() == 1, timeout=2000)  # back
    assert repeater.is_repeating(5)
    qtbot.waitUntil(lambda: len(player.played) >= count + 1, timeout=1000)

    card.acknowledge()
    assert repeater.tracked_ids() == [] and not repeater.active


def test_a_card_closed_otherwise_stops_its_repeat(
    qtbot: Any, make_repeater: Any, make_popups: Any
) -> None:
    """A stop card closed by its timeout or the cap can no longer be acknowledged:
    its sound must not go on until the safety cap."""
    popups = make_popups(stop_loss_duration_s=0.05)
    repeater = make_repeater()
    repeater.follow_popups(popups)
    alert = make_alert(AlertKind.STOP_LOSS)
    popups.show_alert(alert, 6)
    repeater.track(alert, 6)
    qtbot.waitUntil(lambda: popups.count() == 0, timeout=2000)
    assert repeater.tracked_ids() == [] and not repeater.active
