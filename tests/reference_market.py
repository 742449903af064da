"""Plain per-tick statements of the market-data contracts (issue 4), for clarity not speed.

``ReferenceValidator`` screens one ``RawTick`` at a time with dicts and floats, written
straight from the contract in ``app.market.quality``'s docstring; ``ReferenceBars`` folds
accepted ticks into bars with the scalar ``bar_window``. The property tests compare the
vectorised code with these, and ``bench/market_data.py`` uses them as the naive baseline.
They deliberately do not import the code they check (only shared vocabulary and helpers
that have their own tests: the limit table, the calendar and ``bar_window``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.market.limits import limit_prices, limit_ratio
from app.market.quality_types import DropReason, QualityNote, RawTick
from app.market.timeframes import bar_window
from app.monitors.sessions import is_ashare, is_trading_day

SHANGHAI_OFFSET = 8 * 3600
DAY = 86400


@dataclass
class Accepted:
    symbol: str
    time: float
    price: float
    volume: float
    received: float


@dataclass
class _Symbol:
    last_time: float = -math.inf
    signature: tuple[float, ...] | None = None
    last_price: float | None = None
    cum_volume: float | None = None
    cum_turnover: float | None = None
    last_day: int | None = None
    held: list[tuple[RawTick, int, int]] = field(default_factory=list)  # (tick, side, day)
    reference: dict[str, float] = field(default_factory=dict)
    reference_day: int | None = None


def _finite(x: float) -> bool:
    return isinstance(x, float) and math.isfinite(x)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


class ReferenceValidator:
    """One tick at a time; same knobs and defaults as ``ValidatorConfig``."""

    def __init__(self, future_tolerance_s: float = 10.0, max_jump_pct: float = 10.0,
                 confirm_ticks: int = 2, session_grace_s: float = 60.0) -> None:
        self.future_tolerance_s = future_tolerance_s
        self.max_jump_pct = max_jump_pct
        self.confirm_ticks = confirm_ticks
        self.session_grace_s = session_grace_s
        self.symbols: dict[str, _Symbol] = {}
        self.names: dict[str, str] = {}
        self.dropped: dict[DropReason, int] = {}
        self.notes: dict[QualityNote, int] = {}

    def set_instrument(self, symbol: str, *, name: str | None = None,
                       prev_close: float | None = None,
                       limit_down: float | None = None, limit_up: float | None = None,
                       day: int | None = None, last_price: float | None = None) -> None:
        if name is not None:
            self.names[symbol] = name
        state = self.symbols.setdefault(symbol, _Symbol())
        if last_price is not None and last_price > 0 and state.last_price is None:
            state.last_price = float(last_price)
        state.reference = {
            k: float(v) for k, v in (("prev_close", prev_close), ("limit_down", limit_down),
                                     ("limit_up", limit_up)) if v is not None
        }
        state.reference_day = day

    def _count(self, table: dict, key: object, n: int = 1) -> None:
        table[key] = table.get(key, 0) + n

    def screen(self, tick: RawTick, now: float = math.nan, live: bool = True) -> list[Accepted]:
        """Accepted prints this tick produced (none, itself, or released held ones)."""
        state = self.symbols.setdefault(tick.symbol, _Symbol())
        reason = self._check(tick, state, now, live)
        if reason is not None:
            self._count(self.dropped, reason)
            return []
        day = self._day(tick.symbol, tick.time)
        state.last_time = tick.time
        state.signature = self._signature(tick)
        side = self._jump_side(tick, state, day)
        if side == 0 and not state.held:
            return [self._accept(tick, state, day)]
        if side == 0 or (state.held and state.held[0][1] != side):
            self._count(self.dropped, DropReason.UNCONFIRMED_JUMP, len(state.held))
            state.held = []
            if side == 0:
                return [self._accept(tick, state, day)]
        state.held.append((tick, side, day))
        self._count(self.notes, QualityNote.HELD)
        if len(state.held) <= self.confirm_ticks:
            return []
        released = [self._accept(held, state, held_day) for held, _, held_day in state.held]
        self._count(self.notes, QualityNote.CONFIRMED_JUMP, len(released))
        state.held = []
        return released

    @staticmethod
    def _signature(tick: RawTick) -> tuple[float, ...]:
        return (tick.price, tick.volume, tick.cum_volume, tick.cum_turnover, tick.bid, tick.ask)

    @staticmethod
    def _day(symbol: str, t: float) -> int:
        offset = SHANGHAI_OFFSET if is_ashare(symbol) else 0
        return math.floor((t + offset) / DAY)

    def _check(self, tick: RawTick, state: _Symbol, now: float, live: bool) -> DropReason | None:
        t, p = tick.time, tick.price
        if not _finite(t):
            return DropReason.BAD_TIME
        if not (_finite(p) and p > 0):
            return DropReason.BAD_PRICE
        if _finite(now) and t > now + self.future_tolerance_s:
            return DropReason.FUTURE_TIME
        if t < state.last_time:
            return DropReason.OUT_OF_ORDER
        if t == state.last_time and state.signature is not None and all(
            _same(a, b) for a, b in zip(self._signature(tick), state.signature)
        ):
            return DropReason.DUPLICATE
        if live and is_ashare(tick.symbol) and not self._in_session(t):
            return DropReason.OUTSIDE_SESSION
        if tick.bid > 0 and tick.ask > 0 and tick.bid > tick.ask:
            return DropReason.CROSSED_BOOK
        if tick.day_high > 0 and tick.day_low > 0:
            if tick.day_high < tick.day_low:
                return DropReason.BAD_RANGE
            if p > tick.day_high * (1 + 1e-9) or p < tick.day_low * (1 - 1e-9):
                return DropReason.OUTSIDE_DAY_RANGE
        return None

    def _in_session(self, t: float) -> bool:
        local = t + SHANGHAI_OFFSET
        day = math.floor(local / DAY)
        tod = local - day * DAY
        grace = self.session_grace_s
        if not (9 * 3600 + 1500 <= tod <= 11.5 * 3600 + grace or 13 * 3600 <= tod <= 15 * 3600 + grace):
            return False
        from datetime import date, timedelta

        return is_trading_day(date(1970, 1, 1) + timedelta(days=day))

    def _jump_side(self, tick: RawTick, state: _Symbol, day: int) -> int:
        ratio = limit_ratio(tick.symbol, self.names.get(tick.symbol, ""))
        band = None
        if tick.limit_down > 0 and tick.limit_up > 0 and tick.limit_down < tick.limit_up:
            band = (tick.limit_down, tick.limit_up)
        if state.reference and state.reference_day is None:
            state.reference_day = day
        today = state.reference if state.reference_day == day else {}
        if band is None and today.get("limit_up", 0) > today.get("limit_down", 0) > 0:
            band = (today["limit_down"], today["limit_up"])
        if band is None and ratio is not None:
            close = tick.prev_close if tick.prev_close > 0 else today.get("prev_close", math.nan)
            if close > 0:
                band = limit_prices(close, ratio)
        if band is not None:
            if tick.price > band[1] + 0.005:
                return 1
            if tick.price < band[0] - 0.005:
                return -1
            return 0
        if state.last_price is None:
            return 0
        pct = ratio if ratio is not None else self.max_jump_pct / 100
        change = tick.price / state.last_price - 1
        return 1 if change > pct else -1 if change < -pct else 0

    def _accept(self, tick: RawTick, state: _Symbol, day: int) -> Accepted:
        volume = tick.volume if _finite(tick.volume) and tick.volume > 0 else 0.0
        if _finite(tick.cum_volume):
            new_day = state.last_day != day
            backwards = not new_day and (
                (state.cum_volume is not None and tick.cum_volume < state.cum_volume)
                or (state.cum_turnover is not None and _finite(tick.cum_turnover)
                    and tick.cum_turnover < state.cum_turnover)
            )
            if new_day and state.last_day is not None:
                volume = tick.cum_volume
            elif backwards or state.cum_volume is None:
                volume = 0.0
            else:
                volume = tick.cum_volume - state.cum_volume
            volume = max(volume, 0.0)
            if backwards:
                self._count(self.notes, QualityNote.VOLUME_REBASED)
        elif (not state.last_day != day and _finite(tick.cum_turnover)
              and state.cum_turnover is not None and tick.cum_turnover < state.cum_turnover):
            self._count(self.notes, QualityNote.VOLUME_REBASED)
        if _finite(tick.cum_volume):
            state.cum_volume = tick.cum_volume
        if _finite(tick.cum_turnover):
            state.cum_turnover = tick.cum_turnover
        state.last_day = day
        state.last_price = tick.price
        return Accepted(tick.symbol, tick.time, tick.price, volume, tick.received)


@dataclass
class RefBar:
    start: float
    open: float
    high: float
    low: float
    close: float
    volume: float


class ReferenceBars:
    """Accepted ticks → bars of one timeframe per symbol, one tick at a time."""

    def __init__(self, timeframe: str) -> None:
        self.timeframe = timeframe
        self.bars: dict[str, list[RefBar]] = {}

    def add(self, symbol: str, time: float, price: float, volume: float) -> str:
        start, _ = bar_window(symbol, self.timeframe, time)
        bars = self.bars.setdefault(symbol, [])
        if not bars or start > bars[-1].start:
            bars.append(RefBar(start, price, price, price, price, volume))
            return "new"
        for bar in reversed(bars):
            if bar.start == start:
                bar.high = max(bar.high, price)
                bar.low = min(bar.low, price)
                if bar is bars[-1]:
                    bar.close = price
                bar.volume += volume
                return "updated" if bar is bars[-1] else "late"
        return "dropped"
