"""Dry run of one rule level over loaded bars: where would it have fired?

While the trader drags a stop-loss line on the chart, the chart marks every bar at
which that level would have fired over the history it has loaded. The markers come
from ``RuleEngine`` — the same code that judges live prices and runs the headless
replay — so what the dry run shows is what the rule would really do, not a second
opinion written for the chart.

Only the dragged condition is kept (a take-profit drag shows take-profit alerts, not
the entry zone's), and it re-arms after each alert: a rule that fires once shows
where it would have fired first *and* where it would have fired again, which is
what a trader placing a level wants to see. No Qt here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import numpy as np
import numpy.typing as npt

from app.core.models import AlertFired, AlertKind, AlertSource, TaskStatus, TriggerMode, Validity
from app.monitors.conditions import rearm_band
from app.monitors.engine import PriceBatch, RuleEngine
from app.monitors.rules import Rule

#: The rule fields a chart line stands for, and the alert kinds each one fires.
LEVEL_KINDS: dict[str, frozenset[AlertKind]] = {
    "take_profit": frozenset({AlertKind.TAKE_PROFIT}),
    "stop_loss": frozenset({AlertKind.STOP_LOSS}),
    "entry_min": frozenset({AlertKind.ENTRY}),
    "entry_max": frozenset({AlertKind.ENTRY}),
    "cross_level": frozenset({AlertKind.CROSS_UP, AlertKind.CROSS_DOWN}),
    "trailing_activation": frozenset({AlertKind.TRAILING_STOP}),
    "rebound_activation": frozenset({AlertKind.TRAILING_ENTRY}),
}
LEVEL_FIELDS = tuple(LEVEL_KINDS)

#: The fields each level needs besides itself to mean the same thing in the dry run.
_COMPANIONS: dict[str, tuple[str, ...]] = {
    "entry_min": ("entry_max",),
    "entry_max": ("entry_min",),
    "cross_level": ("cross_direction",),
    "trailing_activation": ("trailing_pct", "trailing_amount"),
    "rebound_activation": ("rebound_pct", "rebound_amount"),
}
#: The rule's shape and re-arm band carry over; every other condition is left out.
_KEPT = ("task_name", "stock_code", "stock_name", "direction", "rearm_band", "rearm_band_pct")

#: Most bars a dry run looks at (the newest). A drag re-runs it several times a second.
MAX_BARS = 200_000
#: Most bars handed to the engine after the quiet ones are left out (the newest win).
MAX_JUDGED = 3_000
#: Levels whose alerts depend on the path, not only on which side of a price it is.
_PATH_FIELDS = frozenset({"trailing_activation", "rebound_activation"})


def moved_level(rule: Rule, field: str, value: float) -> dict[str, object]:
    """The field changes that put ``rule``'s ``field`` line at ``value``.

    A take-profit or stop-loss given as % from the cost becomes a price: the trader
    put the line at a price, so the price is what is kept.
    """
    if field not in LEVEL_KINDS:
        raise ValueError(f"{field!r} is not a level a chart line can move")
    changes: dict[str, object] = {field: float(value)}
    if field == "take_profit":
        changes["take_profit_pct"] = None
    elif field == "stop_loss":
        changes["stop_loss_pct"] = None
    return changes


def level_rule(rule: Rule, field: str, value: float) -> Rule:
    """``rule`` reduced to the one condition drawn by ``field``, moved to ``value``."""
    moved = rule.with_changes(**moved_level(rule, field, value))
    kept = {name: getattr(moved, name) for name in _KEPT + (field,) + _COMPANIONS.get(field, ())}
    return Rule(
        **kept,
        status=TaskStatus.RUNNING,
        trigger_mode=TriggerMode.REARM,
        validity=Validity.UNTIL_CANCELLED,
    )


@dataclass(frozen=True, slots=True)
class DryRunMark:
    """One bar where the level would have fired: its index in the loaded bars."""

    index: int
    price: float
    kind: AlertKind


class _BarTimes(Sequence[datetime]):
    """Bar start times made on demand: the engine reads only the bars that fire."""

    def __init__(self, epochs: npt.NDArray[np.float64], tz: tzinfo) -> None:
        self._epochs = epochs
        self._tz = tz

    def __len__(self) -> int:
        return len(self._epochs)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        # The engine reads one time per alert (``times[tick]``), never a slice.
        return datetime.fromtimestamp(float(self._epochs[i]), self._tz)


def dry_run(
    rule: Rule,
    field: str,
    value: float,
    times: npt.ArrayLike,
    open_: npt.ArrayLike,
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    tz: tzinfo,
) -> list[DryRunMark]:
    """Where ``rule``'s ``field`` level at ``value`` would have fired over these bars.

    ``times`` are bar starts in epoch seconds; at most the newest ``MAX_BARS`` are
    judged. Index ``i`` of a mark is the position in the arrays passed in.
    """
    epochs = np.asarray(times, dtype=np.float64)
    n = len(epochs)
    start = max(0, n - MAX_BARS)
    columns = [np.ascontiguousarray(np.asarray(a, dtype=np.float64)[start:]) for a in
               (open_, high, low, close)]
    epochs = np.ascontiguousarray(epochs[start:])
    usable = np.isfinite(epochs)
    for c in columns:
        usable &= np.isfinite(c) & (c > 0)
    usable &= columns[1] >= columns[2]
    rule_for_run = level_rule(rule, field, value)
    if field not in _PATH_FIELDS:
        usable &= _not_quiet(rule_for_run, *columns)
    rows = np.flatnonzero(usable)[-MAX_JUDGED:]
    if len(rows) == 0:
        return []
    o, h, lo, c = (col[rows] for col in columns)
    e = epochs[rows]
    batch = PriceBatch(
        symbols=[rule.stock_code] * len(rows),
        epoch=e, open=o, high=h, low=lo, close=c,
        times=_BarTimes(e, tz),
        is_tick=False,
    )
    alerts: list[AlertFired] = RuleEngine([rule_for_run]).evaluate(
        batch, AlertSource.REPLAY
    ).alerts
    wanted = LEVEL_KINDS[field]
    position = {float(t): int(i) for i, t in zip(rows, e)}
    marks = []
    for alert in alerts:
        if alert.kind not in wanted:
            continue
        i = position.get(alert.time.timestamp())
        if i is not None:
            marks.append(DryRunMark(start + i, alert.price, alert.kind))
    return marks


def _thresholds(rule: Rule) -> npt.NDArray[np.float64]:
    """Every price at which the level rule's state can change: its levels and re-arm edges."""
    levels = [v for v in (rule.take_profit, rule.stop_loss, rule.entry_min, rule.entry_max,
                          rule.cross_level) if v is not None]
    edges = []
    for level in levels:
        band = rearm_band(rule, level)
        edges += [level - band, level, level + band]
    return np.unique(np.asarray(edges, dtype=np.float64))


def _not_quiet(
    rule: Rule,
    open_: npt.NDArray[np.float64],
    high: npt.NDArray[np.float64],
    low: npt.NDArray[np.float64],
    close: npt.NDArray[np.float64],
) -> npt.NDArray[np.bool_]:
    """Bars the engine must see; the rest cannot change what a level rule does.

    Why it is safe: a level rule's state (armed, waiting to re-arm, which side of a
    crossing) changes only when a price reaches one of its thresholds. A bar whose
    whole range lies strictly between the same two thresholds as the previous close
    reaches none of them, and once one such bar has acted on the state (fired or
    re-armed) the next ones in that zone cannot change it again. They are left out,
    so judging thousands of minutes costs about as much as judging the few dozen near
    the line. Kept generously: a bar that touches a threshold, opens in another zone
    than the last close, or follows such a bar.
    """
    thresholds = _thresholds(rule)
    n = len(close)
    keep = np.ones(n, dtype=bool)
    if len(thresholds) == 0 or n == 0:
        return keep
    low_zone = np.searchsorted(thresholds, low, side="left")
    high_zone = np.searchsorted(thresholds, high, side="right")
    quiet = low_zone == high_zone
    close_zone = np.searchsorted(thresholds, close, side="left")
    same_as_before = np.zeros(n, dtype=bool)
    same_as_before[1:] = low_zone[1:] == close_zone[:-1]
    changing = ~(quiet & same_as_before)
    changing[0] = True
    # The bar after a change acts on the new state (a stop re-armed by one bar fires
    # on the next even if that bar stays below the line); after it, a quiet bar in the
    # same zone meets a state it cannot change: every zone either fires or re-arms.
    keep = changing.copy()
    keep[1:] |= changing[:-1]
    return keep
