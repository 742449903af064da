"""The thin Qt hop from a feed's worker thread to the GUI thread.

Why a QObject with signals: a signal emitted on a worker thread is delivered to a
receiver living in the GUI thread as a queued call, executed by the GUI event loop. That
is the one safe way to get ticks to widgets without locks (widgets may only be touched
on the GUI thread). Feeds stay pure Python; only this file knows Qt.

Create one bridge per feed on the GUI thread, connect receivers that live on the GUI
thread (QObject slots or callables with a GUI-thread context object), and stop the feed
before the bridge is destroyed.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from app.core.models import Tick
from app.feeds.base import ErrorHandler, TickSink

log = logging.getLogger(__name__)

__all__ = ["FeedBridge"]


class FeedBridge(QObject):
    """Re-emits feed batches as Qt signals; callable from any thread.

    ``ticks_received(list[Tick])`` carries one batch per feed wake (not one signal per
    tick), which keeps the GUI event queue short even at 1000x replay speed.
    ``error(str)`` carries a one-line description of an error the feed survived.
    """

    ticks_received = Signal(object)
    error = Signal(str)

    def publish(self, ticks: list[Tick]) -> None:
        """Hand a batch to the GUI thread. The list must not be mutated afterwards."""
        self.ticks_received.emit(ticks)

    def publish_error(self, exc: BaseException | str) -> None:
        """Report a survived error to the GUI thread as one line."""
        text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        self.error.emit(" ".join(text.split()))

    def make_sink(self) -> TickSink:
        """A callable to pass as a feed's ``sink``."""
        return self.publish

    def make_error_handler(self) -> ErrorHandler:
        """A callable to pass as a feed's ``on_error``."""
        return self.publish_error
