"""Is a QMT / MiniQMT terminal running on this PC? Asked once at start-up on the demo feed.

Why a probe of its own: the trader's main feed is QMT, but the app must start on a PC
without it (or with the terminal closed) and must say why it shows demo data instead.
Importing xtquant makes a PyPI request with a 10 s timeout and ``connect`` scans for
terminals, so this runs on a worker thread, never the GUI's.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Callable
from types import ModuleType

from app.feeds.qmt_feed import import_xtdata
from app.feeds.reconnect import describe_error

log = logging.getLogger(__name__)

__all__ = ["probe_qmt"]


def probe_qmt(load_sdk: Callable[[], ModuleType] = import_xtdata, *, ip: str = "",
              port: int | None = None) -> str:
    """'' when a terminal answers, else one line saying why QMT cannot be used."""
    if load_sdk is import_xtdata:
        if sys.platform != "win32":  # the wheel installs anywhere, its binaries do not
            return "xtquant runs only on Windows (its binaries are Windows-only)"
        if importlib.util.find_spec("xtquant") is None:
            return "xtquant is not installed (pip install xtquant)"
    try:
        xt = load_sdk()
    except Exception as exc:  # e.g. its Windows-only binaries on another system
        return f"xtquant could not be loaded ({describe_error(exc)})"
    try:
        xt.enable_hello = False
        client = xt.connect(ip=ip, port=port)
        if client is None or not client.is_connected():
            return "no QMT terminal answered"
    except Exception as exc:
        return f"no QMT terminal answered ({describe_error(exc)})"
    finally:
        try:
            xt.disconnect()  # the feed, if chosen, makes its own connection
        except Exception as exc:
            log.debug("QMT probe disconnect: %s", describe_error(exc))
    return ""
