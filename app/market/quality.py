"""Tick validation: every feed's raw prints pass through here before anything sees them.

Why: alerts are only as good as the prices they see. A single bad print (a 0.00 before
the open, a fat-finger print far outside the day's band, a replayed old tick after a
reconnect) must never fire a stop-loss, and nothing here may raise into a feed thread.

The contract, per symbol and in arrival order (the first check that applies decides):

1. time not finite → ``bad_time``; price not finite or ≤ 0 → ``bad_price``;
2. time later than the feed's clock + ``future_tolerance_s`` → ``future_time``;
3. time before the symbol's last tick (accepted or held) → ``out_of_order``; the same
   time with the same values (price, volume, cumulative volume/turnover, bid, ask) →
   ``duplicate``;
4. a live feed's A-share print outside 09:25–11:30 / 13:00–15:00 (+ ``session_grace_s``
   for the closing prints) on a trading day → ``outside_session`` (09:15–09:25 prices are
   indicative auction prices, not trades);
5. bid above ask → ``crossed_book``; the day's high below its low → ``bad_range``; the
   price outside the day's high..low → ``outside_day_range``;
6. an impossible jump is *held back*: an A-share price outside its limit band (the feed's
   limit-up/limit-down prices, else previous close × the board's band, else a move
   beyond the band from the last accepted price) or a crypto price more than
   ``max_jump_pct`` from the last accepted price. It is released (``confirmed_jump``) once
   ``confirm_ticks`` further prints lie beyond the same side; any print back in range
   drops the held ones (``unconfirmed_jump``).

Accepted ticks carry the volume traded since the symbol's previous accepted tick: taken
from cumulative volume when the feed gives it (a new trading day starts from the day's
total; a cumulative total that goes backwards within a day is a feed restart: re-based,
counted as ``volume_rebased``, never a negative volume).

The work is vectorised over one print per symbol at a time ("rounds"), so a whole-market
snapshot of 5,500 codes costs a few dozen numpy operations; only held-back jumps take a
per-tick Python path. ``tests/reference_market.py`` is the plain per-tick statement of
the same contract and the property tests compare the two.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from app.core.models import Tick
from app.core.rounds import rounds
from app.market.limits import limit_prices, limit_ratio
from app.market.quality_types import NAN, DropReason, QualityNote, RawTick
from app.monitors.sessions import XSHG, is_ashare, market_timezone

log = logging.getLogger(__name__)

__all__ = ["RawBatch", "Screened", "TickValidator", "ValidatorConfig"]

_SHANGHAI_OFFSET = 8 * 3600
_DAY = 86400
_AUCTION_PRINT = 9 * 3600 + 25 * 60  # 09:25: the opening call auction's match
_AM_CLOSE = 11 * 3600 + 30 * 60
_PM_OPEN = 13 * 3600
_PM_CLOSE = 15 * 3600
_PRICE_EPS = 1e-9  # relative slack for float noise in day high/low comparisons
_FEN_SLACK = 0.005  # half a fen: limit prices are exact to the fen

VECTOR_FROM = 24  # see TickValidator.vector_from

# Reason codes in the per-row result array.
ACCEPTED = -1
HELD = -2
_REASONS: tuple[DropReason, ...] = tuple(DropReason)
_CODE = {reason: i for i, reason in enumerate(_REASONS)}
_FIELDS = ("time", "price", "volume", "cum_volume", "cum_turnover", "bid", "ask",
           "day_high", "day_low", "limit_up", "limit_down", "prev_close", "received")
_SIGNATURE = ("price", "volume", "cum_volume", "cum_turnover", "bid", "ask")  # duplicates


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)  # NaN equals NaN here


@dataclass(frozen=True, slots=True)
class ValidatorConfig:
    """Knobs a feed may set. Defaults suit a desktop PC with a roughly synced clock."""

    future_tolerance_s: float = 10.0
    max_jump_pct: float = 10.0  # crypto (and A-shares without a known band)
    confirm_ticks: int = 2
    session_grace_s: float = 60.0

    def __post_init__(self) -> None:
        checks = (
            ("future_tolerance_s", self.future_tolerance_s, 0.0),
            ("max_jump_pct", self.max_jump_pct, 0.0),
            ("session_grace_s", self.session_grace_s, 0.0),
        )
        for name, value, low in checks:
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > low):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if isinstance(self.confirm_ticks, bool) or not isinstance(self.confirm_ticks, int) \
                or not 1 <= self.confirm_ticks <= 20:
            raise ValueError(f"confirm_ticks must be an int from 1 to 20, got {self.confirm_ticks!r}")


@dataclass(slots=True)
class RawBatch:
    """Raw prints in columns, one entry per print in arrival order (NaN = not given).

    Feeds that receive arrays (a QMT whole-market push) fill the columns directly;
    ``from_ticks`` converts ``RawTick`` records.
    """

    symbols: list[str]
    time: np.ndarray
    price: np.ndarray
    volume: np.ndarray | None = None
    cum_volume: np.ndarray | None = None
    cum_turnover: np.ndarray | None = None
    bid: np.ndarray | None = None
    ask: np.ndarray | None = None
    day_high: np.ndarray | None = None
    day_low: np.ndarray | None = None
    limit_up: np.ndarray | None = None
    limit_down: np.ndarray | None = None
    prev_close: np.ndarray | None = None
    received: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.symbols)

    @classmethod
    def from_ticks(cls, ticks: Sequence[RawTick]) -> RawBatch:
        n = len(ticks)
        columns = {
            name: np.fromiter((_number(getattr(t, name)) for t in ticks), np.float64, n)
            for name in _FIELDS
        }
        return cls(symbols=[str(t.symbol) for t in ticks], **columns)

    def column(self, name: str) -> np.ndarray:
        """The column as float64 (all NaN when the feed does not send it)."""
        values = getattr(self, name)
        n = len(self.symbols)
        if values is None:
            return np.full(n, NAN)
        array = np.asarray(values, dtype=np.float64)
        if array.shape != (n,):
            raise ValueError(f"column {name!r} has shape {array.shape}, expected ({n},)")
        return array


def _number(value: object) -> float:
    """A float, or NaN for anything a vendor might send instead (None, '', 'abc')."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return NAN


@dataclass(slots=True)
class Screened:
    """What one batch produced: accepted ticks in columns (per symbol in time order;
    released held prints from earlier batches included), and the counts by reason.

    ``reasons`` gives, per input row, ``ACCEPTED`` (-1), ``HELD`` (-2) or the index of its
    ``DropReason`` in ``DropReason`` order (a held print decided later is counted then).
    """

    symbols: list[str]
    slots: np.ndarray
    time: np.ndarray
    price: np.ndarray
    volume: np.ndarray
    received: np.ndarray
    dropped: Counter[DropReason] = field(default_factory=Counter)
    notes: Counter[QualityNote] = field(default_factory=Counter)
    reasons: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def __len__(self) -> int:
        return len(self.symbols)

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    def ticks(self) -> list[Tick]:
        """Accepted prints as ``Tick`` records with tz-aware market times."""
        out: list[Tick] = []
        zones: dict[str, object] = {}
        for symbol, t, p, v in zip(self.symbols, self.time.tolist(), self.price.tolist(),
                                   self.volume.tolist()):
            tz = zones.get(symbol)
            if tz is None:
                tz = zones[symbol] = market_timezone(symbol)
            out.append(Tick(symbol, datetime.fromtimestamp(t, tz=tz), p, v))  # type: ignore[arg-type]
        return out


@dataclass(slots=True)
class _Held:
    """A print held back as an impossible jump, with what acceptance needs later."""

    batch: int  # tells a print of this batch (its ``reasons`` row) from an earlier one
    row: int
    time: float
    price: float
    side: int
    cum_volume: float
    cum_turnover: float
    volume: float
    received: float
    day: int


class TickValidator:
    """Screens raw prints of any number of symbols; keeps per-symbol state in arrays.

    Not thread-safe: one feed's worker thread owns it. ``screen`` never raises on bad
    data (malformed values are dropped and counted); a programming error inside is
    caught, logged and the batch dropped as a whole, counted under ``bad_price`` — a feed
    thread must survive anything.
    """

    def __init__(self, config: ValidatorConfig | None = None) -> None:
        self.config = config or ValidatorConfig()
        self._slot_of: dict[str, int] = {}
        self._symbols: list[str] = []
        self._names: dict[str, str] = {}
        self._held: dict[int, list[_Held]] = {}
        self._day_open: dict[int, bool] = {}
        self._batch = 0  # tells a held print of this batch from one of an earlier batch
        #: Rounds with fewer prints than this take the per-print path: numpy's fixed cost
        #: per call outweighs its speed for a handful of symbols (a busy single symbol).
        self.vector_from = VECTOR_FROM
        self._alloc(64)
        self.total_dropped: Counter[DropReason] = Counter()
        self.total_notes: Counter[QualityNote] = Counter()
        self.total_accepted = 0

    # ------------------------------------------------------------------ state
    def _alloc(self, capacity: int) -> None:
        old = getattr(self, "_cap", 0)
        self._cap = capacity

        def grow(name: str, fill: float | int | bool, dtype: type) -> None:
            array = np.full(capacity, fill, dtype)
            if old:
                array[:old] = getattr(self, name)
            setattr(self, name, array)

        for name in ("_last_time",):
            grow(name, -np.inf, np.float64)
        for name in ("_last_price", "_sig_price", "_sig_volume", "_sig_cum_volume",
                     "_sig_cum_turnover", "_sig_bid", "_sig_ask", "_cum_volume",
                     "_cum_turnover", "_ratio", "_ref_close", "_ref_down", "_ref_up"):
            grow(name, NAN, np.float64)
        grow("_last_day", -1, np.int64)
        grow("_ref_day", -1, np.int64)
        grow("_held_n", 0, np.int64)
        grow("_ashare", False, np.bool_)

    def slots(self, symbols: Iterable[str]) -> np.ndarray:
        """Slot numbers of symbols (new ones are registered), for columnar callers."""
        slot_of = self._slot_of
        out = []
        for symbol in symbols:
            slot = slot_of.get(symbol)
            if slot is None:
                slot = self._register(symbol)
            out.append(slot)
        return np.asarray(out, dtype=np.int64)

    def _register(self, symbol: str) -> int:
        slot = len(self._symbols)
        if slot >= self._cap:
            self._alloc(self._cap * 2)
        self._slot_of[symbol] = slot
        self._symbols.append(symbol)
        self._ashare[slot] = is_ashare(symbol)
        ratio = limit_ratio(symbol, self._names.get(symbol, ""))
        self._ratio[slot] = NAN if ratio is None else ratio
        return slot

    def set_instrument(self, symbol: str, *, name: str | None = None,
                       prev_close: float | None = None,
                       limit_down: float | None = None, limit_up: float | None = None,
                       day: int | None = None, last_price: float | None = None) -> None:
        """What the feed knows about a symbol for today (``day`` = market day number:
        days since 1970-01-01 on the market's clock; None = the next print's day).

        A name with "ST" narrows a main-board band; previous close and limit prices set
        the band for that day only (limits change daily). ``last_price`` (the last close of
        the feed's history) is the jump reference until the first accepted print, so even
        the first live print of a crypto symbol is checked."""
        if name is not None:  # None keeps the name given before (an ST mark stays)
            self._names[symbol] = name
        slot = self.slots([symbol])[0]
        ratio = limit_ratio(symbol, self._names.get(symbol, ""))
        self._ratio[slot] = NAN if ratio is None else ratio
        self._ref_close[slot] = _number(prev_close) if prev_close is not None else NAN
        self._ref_down[slot] = _number(limit_down) if limit_down is not None else NAN
        self._ref_up[slot] = _number(limit_up) if limit_up is not None else NAN
        self._ref_day[slot] = -1 if day is None else int(day)
        seed = _number(last_price) if last_price is not None else NAN
        if seed > 0 and not math.isfinite(self._last_price[slot]):
            self._last_price[slot] = seed

    @property
    def held(self) -> int:
        """Prints currently held back, waiting for confirmation."""
        return int(self._held_n[: len(self._symbols)].sum())

    # ------------------------------------------------------------------ screening
    def screen(self, batch: RawBatch | Sequence[RawTick], *, now: float | np.ndarray = NAN,
               live: bool = True, slots: np.ndarray | None = None) -> Screened:
        """Validate one batch. ``now`` is the feed's clock (epoch seconds; an array gives
        one per print; NaN skips the future check); ``live`` enables the session check."""
        if not isinstance(batch, RawBatch):
            batch = RawBatch.from_ticks(list(batch))
        n = len(batch)
        try:
            if slots is None:
                slots = self.slots(batch.symbols)
            return self._screen(batch, np.asarray(slots, np.int64), now, live)
        except Exception:  # a bug here must not kill the feed: drop the batch, loudly
            log.exception("tick validation failed; %d print(s) dropped", n)
            result = _empty(self._symbols)
            result.dropped[DropReason.BAD_PRICE] += n
            self.total_dropped[DropReason.BAD_PRICE] += n
            result.reasons = np.full(n, _CODE[DropReason.BAD_PRICE], np.int64)
            return result

    def _screen(self, batch: RawBatch, slots: np.ndarray, now: float | np.ndarray,
                live: bool) -> Screened:
        n = len(batch)
        self._batch += 1
        cols = {name: batch.column(name) for name in _FIELDS}
        now_col = np.broadcast_to(np.asarray(now, np.float64), (n,)) if n else np.empty(0)
        reasons = np.full(n, ACCEPTED, np.int64)
        out = _Output()
        for rows in rounds(slots):
            if len(rows) < self.vector_from:
                for row in rows.tolist():
                    self._row(row, int(slots[row]), cols, float(now_col[row]), live, reasons, out)
            else:
                self._round(rows, slots[rows], cols, now_col[rows], live, reasons, out)
        result = out.result(self._symbols)
        result.reasons = reasons
        result.dropped.update(out.dropped)
        result.notes.update(out.notes)
        self.total_dropped.update(result.dropped)
        self.total_notes.update(result.notes)
        self.total_accepted += len(result)
        return result

    def _round(self, rows: np.ndarray, s: np.ndarray, cols: dict[str, np.ndarray],
               now: np.ndarray, live: bool, reasons: np.ndarray, out: _Output) -> None:
        t = cols["time"][rows]
        p = cols["price"][rows]
        code = np.full(len(rows), ACCEPTED, np.int64)

        def mark(mask: np.ndarray, reason: DropReason) -> None:
            np.copyto(code, _CODE[reason], where=mask & (code == ACCEPTED))

        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            mark(~np.isfinite(t), DropReason.BAD_TIME)
            mark(~(np.isfinite(p) & (p > 0)), DropReason.BAD_PRICE)
            mark(t > now + self.config.future_tolerance_s, DropReason.FUTURE_TIME)
            last = self._last_time[s]
            mark(t < last, DropReason.OUT_OF_ORDER)
            same = t == last
            if same.any():
                mark(same & self._same_values(rows, s, cols), DropReason.DUPLICATE)
            ashare = self._ashare[s]
            local = t + _SHANGHAI_OFFSET
            day_utc = np.floor(np.where(np.isfinite(t), t, 0) / _DAY).astype(np.int64)
            day_sh = np.floor(np.where(np.isfinite(t), local, 0) / _DAY).astype(np.int64)
            day = np.where(ashare, day_sh, day_utc)
            if live and ashare.any():
                mark(ashare & ~self._in_session(local, day_sh), DropReason.OUTSIDE_SESSION)
            bid, ask = cols["bid"][rows], cols["ask"][rows]
            mark((bid > 0) & (ask > 0) & (bid > ask), DropReason.CROSSED_BOOK)
            high, low = cols["day_high"][rows], cols["day_low"][rows]
            has_range = (high > 0) & (low > 0)
            mark(has_range & (high < low), DropReason.BAD_RANGE)
            outside = (p > high * (1 + _PRICE_EPS)) | (p < low * (1 - _PRICE_EPS))
            mark(has_range & outside, DropReason.OUTSIDE_DAY_RANGE)
            ok = code == ACCEPTED
            side = np.zeros(len(rows), np.int64)
            if ok.any():
                side[ok] = self._jump_side(rows[ok], s[ok], p[ok], day[ok], cols)
        reasons[rows] = code
        dropped = code[code >= 0]
        if len(dropped):
            for i, count in enumerate(np.bincount(dropped, minlength=len(_REASONS)).tolist()):
                if count:
                    out.dropped[_REASONS[i]] += count
        slow = ok & ((side != 0) | (self._held_n[s] > 0))
        fast = ok & ~slow
        if fast.any():
            self._accept(rows[fast], s[fast], day[fast], cols, out)
        for i in np.flatnonzero(slow).tolist():
            self._slow(int(rows[i]), int(s[i]), int(side[i]), int(day[i]), cols, reasons, out)

    def _same_values(self, rows: np.ndarray, s: np.ndarray, cols: dict[str, np.ndarray]) -> np.ndarray:
        same = np.ones(len(rows), bool)
        for name in _SIGNATURE:
            new = cols[name][rows]
            old = getattr(self, "_sig_" + name)[s]
            same &= (new == old) | (np.isnan(new) & np.isnan(old))
        return same

    def _in_session(self, local: np.ndarray, day: np.ndarray) -> np.ndarray:
        tod = local - day * _DAY
        grace = self.config.session_grace_s
        in_hours = ((tod >= _AUCTION_PRINT) & (tod <= _AM_CLOSE + grace)) | (
            (tod >= _PM_OPEN) & (tod <= _PM_CLOSE + grace)
        )
        return in_hours & self._trading_days(day)

    def _trading_days(self, day: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(day, return_inverse=True)
        flags = np.array([self._trading_day(int(d)) for d in unique.tolist()], bool)
        return flags[inverse]

    def _trading_day(self, day_number: int) -> bool:
        """From the exchange calendar; while it is still loading (seconds of pandas
        import on a slow PC), Monday–Friday, not remembered: a feed thread never waits."""
        known = self._day_open.get(day_number)
        if known is None:
            try:
                when = datetime.fromtimestamp(day_number * _DAY, tz=timezone.utc).date()
            except (OverflowError, ValueError, OSError):
                return False
            if not XSHG.is_loaded():
                XSHG.warm_up_in_background()
                return when.weekday() < 5
            known = self._day_open[day_number] = XSHG.is_trading_day(when)
        return known

    def _jump_side(self, rows: np.ndarray, s: np.ndarray, p: np.ndarray, day: np.ndarray,
                   cols: dict[str, np.ndarray]) -> np.ndarray:
        """+1 / -1 where the price is an impossible jump up / down, else 0."""
        down, up = self._band(rows, s, day, cols)
        has_band = np.isfinite(down) & np.isfinite(up)
        ref = self._last_price[s]
        pct = np.where(np.isfinite(self._ratio[s]), self._ratio[s], self.config.max_jump_pct / 100)
        has_ref = np.isfinite(ref) & ~has_band
        change = p / np.where(has_ref, ref, 1.0) - 1.0
        above = np.where(has_band, p > up + _FEN_SLACK, has_ref & (change > pct))
        below = np.where(has_band, p < down - _FEN_SLACK, has_ref & (change < -pct))
        return above.astype(np.int64) - below.astype(np.int64)

    def _band(self, rows: np.ndarray, s: np.ndarray, day: np.ndarray,
              cols: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Today's (limit-down, limit-up): the print's own limit prices, else the ones
        ``set_instrument`` gave for this day, else previous close × the board's band (the
        print's previous close, else the one given for this day). NaN where none is known."""
        down, up = cols["limit_down"][rows].copy(), cols["limit_up"][rows].copy()
        valid = (down > 0) & (up > 0) & (down < up)
        down[~valid], up[~valid] = NAN, NAN
        unbound = (self._ref_day[s] < 0) & ((self._ref_close[s] > 0) | (self._ref_up[s] > 0)
                                              | (self._ref_down[s] > 0))
        if unbound.any():  # a reference given without a day applies to the next print's day
            self._ref_day[s[unbound]] = day[unbound]
        ref_today = self._ref_day[s] == day
        ref_down, ref_up = self._ref_down[s], self._ref_up[s]
        use_ref = ~valid & ref_today & (ref_down > 0) & (ref_up > ref_down)
        down = np.where(use_ref, ref_down, down)
        up = np.where(use_ref, ref_up, up)
        ratio = self._ratio[s]
        close = cols["prev_close"][rows]
        close = np.where(close > 0, close, np.where(ref_today, self._ref_close[s], NAN))
        need = ~np.isfinite(up) & np.isfinite(ratio) & (close > 0)
        for i in np.flatnonzero(need).tolist():  # few: feeds usually send limits or nothing
            band = limit_prices(float(close[i]), float(ratio[i]))
            if band is not None:
                down[i], up[i] = band
        return down, up

    # ------------------------------------------------------------------ one print
    def _row(self, row: int, slot: int, cols: dict[str, np.ndarray], now: float, live: bool,
             reasons: np.ndarray, out: _Output) -> None:
        """The same contract as ``_round`` for one print, in plain floats."""
        reason = self._check_one(row, slot, cols, now, live)
        if reason is not None:
            reasons[row] = _CODE[reason]
            out.dropped[reason] += 1
            return
        t = float(cols["time"][row])
        day = int(math.floor((t + (_SHANGHAI_OFFSET if self._ashare[slot] else 0)) / _DAY))
        side = self._jump_side_one(row, slot, day, cols)
        if side or self._held_n[slot]:
            self._slow(row, slot, side, day, cols, reasons, out)
            return
        self._accept_one(row, slot, day, cols, out)

    def _check_one(self, row: int, slot: int, cols: dict[str, np.ndarray], now: float,
                   live: bool) -> DropReason | None:
        t, p = float(cols["time"][row]), float(cols["price"][row])
        if not math.isfinite(t):
            return DropReason.BAD_TIME
        if not (math.isfinite(p) and p > 0):
            return DropReason.BAD_PRICE
        if t > now + self.config.future_tolerance_s:
            return DropReason.FUTURE_TIME
        last = float(self._last_time[slot])
        if t < last:
            return DropReason.OUT_OF_ORDER
        if t == last and all(
            _same(float(cols[name][row]), float(getattr(self, "_sig_" + name)[slot]))
            for name in _SIGNATURE
        ):
            return DropReason.DUPLICATE
        if live and self._ashare[slot]:
            local = t + _SHANGHAI_OFFSET
            day = math.floor(local / _DAY)
            tod = local - day * _DAY
            grace = self.config.session_grace_s
            hours = _AUCTION_PRINT <= tod <= _AM_CLOSE + grace or _PM_OPEN <= tod <= _PM_CLOSE + grace
            if not (hours and self._trading_day(day)):
                return DropReason.OUTSIDE_SESSION
        bid, ask = float(cols["bid"][row]), float(cols["ask"][row])
        if bid > 0 and ask > 0 and bid > ask:
            return DropReason.CROSSED_BOOK
        high, low = float(cols["day_high"][row]), float(cols["day_low"][row])
        if high > 0 and low > 0:
            if high < low:
                return DropReason.BAD_RANGE
            if p > high * (1 + _PRICE_EPS) or p < low * (1 - _PRICE_EPS):
                return DropReason.OUTSIDE_DAY_RANGE
        return None

    def _jump_side_one(self, row: int, slot: int, day: int, cols: dict[str, np.ndarray]) -> int:
        """``_jump_side`` for one print (the band arithmetic only when a band can apply)."""
        if not self._needs_band(row, slot, cols):
            return self._relative_side(row, slot, cols)
        one = np.array([row])
        return int(self._jump_side(one, np.array([slot]), cols["price"][one], np.array([day]),
                                   cols)[0])

    def _needs_band(self, row: int, slot: int, cols: dict[str, np.ndarray]) -> bool:
        """Could a limit band apply? (Else only the move from the last price matters.)"""
        return bool(
            (cols["limit_up"][row] > 0) or (cols["prev_close"][row] > 0)
            or self._ref_close[slot] > 0 or self._ref_up[slot] > 0 or self._ref_down[slot] > 0
        )

    def _relative_side(self, row: int, slot: int, cols: dict[str, np.ndarray]) -> int:
        ref = float(self._last_price[slot])
        if not math.isfinite(ref):
            return 0
        ratio = float(self._ratio[slot])
        pct = ratio if math.isfinite(ratio) else self.config.max_jump_pct / 100
        change = float(cols["price"][row]) / ref - 1.0
        return 1 if change > pct else -1 if change < -pct else 0

    def _accept_one(self, row: int, slot: int, day: int, cols: dict[str, np.ndarray],
                    out: _Output) -> None:
        get = lambda name: float(cols[name][row])  # noqa: E731
        cum, turn, raw = get("cum_volume"), get("cum_turnover"), get("volume")
        last_cum, last_turn = float(self._cum_volume[slot]), float(self._cum_turnover[slot])
        last_day = int(self._last_day[slot])
        new_day = last_day != day
        backwards = not new_day and (
            (math.isfinite(cum) and math.isfinite(last_cum) and cum < last_cum)
            or (math.isfinite(turn) and math.isfinite(last_turn) and turn < last_turn)
        )
        if math.isfinite(cum):
            if new_day and last_day >= 0:
                volume = cum
            elif backwards or not math.isfinite(last_cum):
                volume = 0.0
            else:
                volume = cum - last_cum
            volume = volume if volume > 0 else 0.0
            self._cum_volume[slot] = cum
        else:
            volume = raw if math.isfinite(raw) and raw > 0 else 0.0
        if math.isfinite(turn):
            self._cum_turnover[slot] = turn
        if backwards:
            out.notes[QualityNote.VOLUME_REBASED] += 1
        self._last_time[slot] = get("time")
        for name in _SIGNATURE:
            getattr(self, "_sig_" + name)[slot] = cols[name][row]
        price = get("price")
        self._last_price[slot] = price
        self._last_day[slot] = day
        out.add_one(slot, get("time"), price, volume, get("received"))

    # ------------------------------------------------------------------ acceptance
    def _accept(self, rows: np.ndarray, s: np.ndarray, day: np.ndarray,
                cols: dict[str, np.ndarray], out: _Output) -> None:
        """Vectorised acceptance of prints that need no held-back handling."""
        t, p = cols["time"][rows], cols["price"][rows]
        cum, turn = cols["cum_volume"][rows], cols["cum_turnover"][rows]
        raw_volume = cols["volume"][rows]
        volume, rebased = _volumes(cum, turn, raw_volume, self._cum_volume[s],
                                   self._cum_turnover[s], self._last_day[s], day)
        self._remember(s, rows, cols)
        self._last_price[s] = p
        self._cum_volume[s] = np.where(np.isfinite(cum), cum, self._cum_volume[s])
        self._cum_turnover[s] = np.where(np.isfinite(turn), turn, self._cum_turnover[s])
        self._last_day[s] = day
        if rebased.any():
            out.notes[QualityNote.VOLUME_REBASED] += int(rebased.sum())
        out.add(s, t, p, volume, cols["received"][rows])

    def _remember(self, s: np.ndarray, rows: np.ndarray, cols: dict[str, np.ndarray]) -> None:
        """The last print's time and values (accepted or held), for order and duplicates."""
        self._last_time[s] = cols["time"][rows]
        for name in _SIGNATURE:
            getattr(self, "_sig_" + name)[s] = cols[name][rows]

    def _slow(self, row: int, slot: int, side: int, day: int, cols: dict[str, np.ndarray],
              reasons: np.ndarray, out: _Output) -> None:
        """Held-back jumps: hold, confirm and release, or drop what was held."""
        rows = np.array([row])
        one = np.array([slot])
        self._remember(one, rows, cols)
        held = self._held.setdefault(slot, [])
        if side == 0 or (held and held[0].side != side):
            for h in held:
                if h.batch == self._batch:
                    reasons[h.row] = _CODE[DropReason.UNCONFIRMED_JUMP]
                out.dropped[DropReason.UNCONFIRMED_JUMP] += 1
            held.clear()
            self._held_n[slot] = 0
            if side == 0:
                self._accept(rows, one, np.array([day]), cols, out)
                return
        get = lambda name: float(cols[name][row])  # noqa: E731
        held.append(_Held(self._batch, row, get("time"), get("price"), side, get("cum_volume"),
                          get("cum_turnover"), get("volume"), get("received"), day))
        reasons[row] = HELD
        out.notes[QualityNote.HELD] += 1
        if len(held) <= self.config.confirm_ticks:
            self._held_n[slot] = len(held)
            return
        for h in held:
            out.notes[QualityNote.CONFIRMED_JUMP] += 1
            if h.batch == self._batch:
                reasons[h.row] = ACCEPTED
            self._release(slot, h, h.day, out)  # its own day: a hold may span the close
        held.clear()
        self._held_n[slot] = 0

    def _release(self, slot: int, h: _Held, day: int, out: _Output) -> None:
        one = np.array([slot])
        volume, rebased = _volumes(
            np.array([h.cum_volume]), np.array([h.cum_turnover]), np.array([h.volume]),
            self._cum_volume[one], self._cum_turnover[one], self._last_day[one], np.array([day]),
        )
        self._last_price[slot] = h.price
        if math.isfinite(h.cum_volume):
            self._cum_volume[slot] = h.cum_volume
        if math.isfinite(h.cum_turnover):
            self._cum_turnover[slot] = h.cum_turnover
        self._last_day[slot] = day
        if rebased[0]:
            out.notes[QualityNote.VOLUME_REBASED] += 1
        out.add(one, np.array([h.time]), np.array([h.price]), volume, np.array([h.received]))


def _volumes(cum: np.ndarray, turn: np.ndarray, raw: np.ndarray, last_cum: np.ndarray,
             last_turn: np.ndarray, last_day: np.ndarray, day: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Volume since the previous accepted print, and where the running totals went back."""
    with np.errstate(invalid="ignore"):
        new_day = last_day != day
        has_cum = np.isfinite(cum)
        backwards = ~new_day & (
            (has_cum & np.isfinite(last_cum) & (cum < last_cum))
            | (np.isfinite(turn) & np.isfinite(last_turn) & (turn < last_turn))
        )
        diff = np.where(np.isfinite(last_cum), cum - last_cum, 0.0)
        from_cum = np.where(new_day & (last_day >= 0), cum, np.where(backwards, 0.0, diff))
        from_cum = np.where(from_cum > 0, from_cum, 0.0)
        plain = np.where(np.isfinite(raw) & (raw > 0), raw, 0.0)
        return np.where(has_cum, from_cum, plain), backwards


class _Output:
    """Accepted prints gathered over the rounds of one batch."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.notes: Counter[QualityNote] = Counter()
        self.dropped: Counter[DropReason] = Counter()

        self._rows: list[tuple[int, float, float, float, float]] = []

    def add(self, s: np.ndarray, t: np.ndarray, p: np.ndarray, v: np.ndarray,
            r: np.ndarray) -> None:
        self._flush()
        self.parts.append((s, t, p, v, r))

    def add_one(self, s: int, t: float, p: float, v: float, r: float) -> None:
        self._rows.append((s, t, p, v, r))

    def _flush(self) -> None:
        """Single prints become one array part, keeping the arrival order of parts."""
        if self._rows:
            s, t, p, v, r = zip(*self._rows)
            self.parts.append((np.array(s, np.int64), np.array(t), np.array(p), np.array(v),
                               np.array(r)))
            self._rows = []

    def result(self, names: list[str]) -> Screened:
        self._flush()
        if not self.parts:
            return _empty(names)
        s, t, p, v, r = (np.concatenate(column) for column in zip(*self.parts))
        return Screened([names[i] for i in s.tolist()], s, t, p, v, r)


def _empty(names: list[str]) -> Screened:
    empty = np.empty(0)
    return Screened([], np.empty(0, np.int64), empty, empty, empty, empty)
