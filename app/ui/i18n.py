"""UI language: Simplified Chinese or English, from the system locale or the user's choice.

Source strings are English in the code (``tr``/``translate``); the Chinese text
lives in ``resources/i18n/price_monitor_zh_CN.ts`` and is compiled to ``.qm``
(see docs/translations.md). Qt's own dialogs are translated from PySide6's
bundled qtbase catalogue.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.resources import RESOURCES_DIR

log = logging.getLogger(__name__)

I18N_DIR = RESOURCES_DIR / "i18n"
CATALOGUE = "price_monitor"
LANGUAGES = ("zh_CN", "en")
AUTO = "auto"


def resolve_language(choice: str | None, system_locale: str | None = None) -> str:
    """'zh_CN' or 'en': the explicit choice, else Chinese for any Chinese system locale."""
    if choice in LANGUAGES:
        return choice  # type: ignore[return-value]
    locale = system_locale if system_locale is not None else QLocale.system().name()
    return "zh_CN" if locale.lower().startswith("zh") else "en"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the app and Qt catalogues for ``language``; English needs none.

    The translators are returned so the caller keeps them alive (Qt does not own them).
    """
    if language == "en":
        return []
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(f"{CATALOGUE}_{language}", str(I18N_DIR)):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("no %s translation found in %s; showing English", language, I18N_DIR)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    QLocale.setDefault(QLocale(language))
    return installed
