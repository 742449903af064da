"""User preferences in QSettings (never secrets: API keys go to the OS keyring).

Tests and a developer's second profile pass an explicit ini path so they never
touch the trader's real settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.ui.i18n import AUTO, LANGUAGES


class AppSettings:
    """Typed access to the few settings this slice has."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._qs = QSettings("PriceMonitor", "PriceMonitor")
        else:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def language(self) -> str:
        value = str(self._qs.value("ui/language", AUTO))
        return value if value in (*LANGUAGES, AUTO) else AUTO

    @language.setter
    def language(self, value: str) -> None:
        self._qs.setValue("ui/language", value)

    @property
    def demo_speed(self) -> float:
        return self._float("feed/demo_speed", 1.0)

    @demo_speed.setter
    def demo_speed(self, value: float) -> None:
        self._qs.setValue("feed/demo_speed", float(value))

    @property
    def popup_seconds(self) -> int:
        return int(self._float("alerts/popup_seconds", 10))

    @property
    def sound_enabled(self) -> bool:
        return str(self._qs.value("alerts/sound", "true")).lower() in ("true", "1")

    @sound_enabled.setter
    def sound_enabled(self, value: bool) -> None:
        self._qs.setValue("alerts/sound", "true" if value else "false")

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self._qs.value("window/geometry")
        state = self._qs.value("window/state")
        return (
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)

    def sync(self) -> None:
        self._qs.sync()

    def _float(self, key: str, default: float) -> float:
        try:
            return float(self._qs.value(key, default))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default
