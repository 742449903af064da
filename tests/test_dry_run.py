"""The chart's dry run: where a dragged level would have fired, by the engine's own code.

Its one shortcut (bars whose range stays between the same two thresholds are not
judged) is checked against judging every bar, on random price paths on a 0.5 grid so
levels are touched exactly and often.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import app.monitors.dry_run as dry
from app.core.models import AlertKind, CrossDirection, Direction
from app.monitors.dry_run import DryRunMark, dry_run, level_rule, moved_level
from app.monitors.rules import Rule

UTC = ZoneInfo("UTC")


def _bars(steps: list[int], start: float = 100.0) -> tuple[np.ndarray, ...]:
    """Consistent OHLC bars from a walk of half-steps; each bar opens at the last close."""
    close = start + 0.5 * np.cumsum(np.asarray(steps, dtype=np.float64))
    open_ = np.concatenate([[start], close[:-1]])
    high = np.maximum(open_, close) + 0.5
    low = np.minimum(open_, close) - 0.5
    times = 1_700_000_000.0 + 60.0 * np.arange(len(close))
    return times, open_, high, low, close


def _all_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dry, "_not_quiet", lambda _rule, o, h, lo, c: np.ones(len(c), dtype=bool))


def test_stop_loss_marks_each_fresh_touch_from_the_bar_that_reached_it() -> None:
    #            bar: 0    1    2    3    4    5
    times = 1_700_000_000.0 + 60.0 * np.arange(6)
    open_ = np.array([105, 103, 100, 104, 103, 99.0])
    high = np.array([106, 104, 101, 106, 104, 100.0])
    low = np.array([104, 99, 99, 103, 98, 97.0])  # bar 1 and bar 4 reach 99.5
    close = np.array([103, 100, 104, 103, 99, 98.0])
    rule = Rule(task_name="t", stock_code="BTC/USDT", stop_loss=90.0, take_profit=120.0)
    marks = dry_run(rule, "stop_loss", 99.5, times, open_, high, low, close, UTC)
    # Bar 2 reaches 99 again, but the stop fired on bar 1 and waits for a price above
    # 99.5 (bar 2's own high re-arms it, after bar 2 was judged). Bar 4 fires again;
    # bar 5 is below the line but waits for the next re-arm.
    assert [m.index for m in marks] == [1, 4]
    assert all(m.kind is AlertKind.STOP_LOSS for m in marks)
    assert marks[0].price == 99.5  # the engine's fill: the level, as the bar passed through it


def test_only_the_dragged_condition_is_marked() -> None:
    times, o, h, lo, c = _bars([1] * 20 + [-1] * 40)
    rule = Rule(task_name="t", stock_code="BTC/USDT", stop_loss=95.0, take_profit=105.0,
                entry_min=99.0, entry_max=101.0)
    marks = dry_run(rule, "take_profit", 104.0, times, o, h, lo, c, UTC)
    assert marks and {m.kind for m in marks} == {AlertKind.TAKE_PROFIT}


def test_percent_levels_become_the_dragged_price() -> None:
    rule = Rule(task_name="t", stock_code="BTC/USDT", cost_price=100.0, stop_loss_pct=5.0)
    assert moved_level(rule, "stop_loss", 93.0) == {"stop_loss": 93.0, "stop_loss_pct": None}
    moved = level_rule(rule, "stop_loss", 93.0)
    assert moved.stop_loss_level == 93.0 and moved.take_profit_level is None
    with pytest.raises(ValueError, match="not a level"):
        moved_level(rule, "task_name", 1.0)


def test_bad_bars_are_invisible() -> None:
    times, o, h, lo, c = _bars([-1] * 30)
    lo = lo.copy()
    lo[3] = 0.0  # a zero print far below the stop
    lo[4] = float("nan")
    rule = Rule(task_name="t", stock_code="BTC/USDT", stop_loss=50.0)
    marks = dry_run(rule, "stop_loss", 50.0, times, o, h, lo, c, UTC)
    assert marks == []


def test_indices_count_from_the_arrays_passed_in_when_only_the_newest_are_judged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dry, "MAX_BARS", 10)
    times, o, h, lo, c = _bars([0] * 40 + [-4] * 2)
    rule = Rule(task_name="t", stock_code="BTC/USDT", stop_loss=97.0)
    marks = dry_run(rule, "stop_loss", 97.0, times, o, h, lo, c, UTC)
    assert [m.index for m in marks] == [41]  # bar 41's low 95.5 is the first below 97


LEVEL_FIELDS = ("take_profit", "stop_loss", "entry_min", "entry_max", "cross_level")


@settings(max_examples=50, deadline=None)
@given(
    steps=st.lists(st.integers(-3, 3), min_size=5, max_size=160),
    field=st.sampled_from(LEVEL_FIELDS),
    offset=st.integers(-12, 12),
    short=st.booleans(),
    band=st.sampled_from([None, 0.5, 1.5]),
    cross=st.sampled_from(list(CrossDirection)),
)
def test_leaving_quiet_bars_out_changes_no_mark(
    steps: list[int], field: str, offset: int, short: bool, band: float | None,
    cross: CrossDirection,
) -> None:
    times, o, h, lo, c = _bars(steps)
    level = 100.0 + 0.5 * offset
    rule = Rule(
        task_name="t", stock_code="BTC/USDT",
        direction=Direction.SHORT if short else Direction.LONG,
        entry_min=level - 2.0 if field == "entry_max" else None,
        entry_max=level + 2.0 if field == "entry_min" else None,
        cross_direction=cross, rearm_band=band,
    )
    fast = dry_run(rule, field, level, times, o, h, lo, c, UTC)
    with pytest.MonkeyPatch.context() as patch:
        _all_bars(patch)
        full = dry_run(rule, field, level, times, o, h, lo, c, UTC)
    assert fast == full
    assert all(isinstance(m, DryRunMark) for m in fast)
