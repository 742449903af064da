"""The rule engine: decides, for each price, which rules fire.

One engine serves the live GUI (ticks), backfilled data and the headless replay
command (bars), so what a trader tests in replay is exactly what runs live. It
is pure and in-memory: it returns the alerts and the rules whose persisted state
changed, and the caller stores both in one transaction before telling anybody
(``app.services.monitoring``). The exact semantics are in docs/alerts.md.

Why numpy: a full-market QMT snapshot is ~5,500 prices at once against tens of
thousands of rules. Every condition is a row of flat arrays (see
``app.monitors.conditions``), sorted by symbol, so one price batch is tested
against all rows with a few vector operations; Python only runs for the rare rows
that fire, re-arm, activate a trail or cross their level. A tick is a bar whose
open, high, low and close are the price, so ticks and bars share every line.

A batch is processed in *rounds*: round k holds the k-th price of every symbol
in the batch, so each symbol's prices are still seen in order. A round with one
symbol works on that symbol's contiguous slice with scalar prices (replay, quiet
markets); a round with many symbols gathers the prices per row (snapshots).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from app.core.models import AlertFired, AlertKind, AlertSource, Bar, TaskStatus, Tick, TriggerMode
from app.core.rounds import rounds
from app.market.timeframes import bar_window
from app.monitors.conditions import (
    CROSS_KINDS,
    INF,
    KIND_CODE,
    KIND_ORDER,
    NAN,
    STATE_VERSION,
    ConditionState,
    RuleState,
    condition_specs,
    parse_state,
    rearm_band,
)
from app.monitors.rules import Rule
from app.monitors.sessions import is_ashare, is_trading_day, market_timezone

RUNAWAY_MAX_FIRES = 15
RUNAWAY_WINDOW_S = 180.0
_MANY_SYMBOLS = 4  # rounds with more symbols than this use the gathered (whole-array) path
_DAY = 86400
_SHANGHAI_OFFSET = 8 * 3600
_STOP = KIND_CODE[AlertKind.STOP_LOSS]
_TARGET = KIND_CODE[AlertKind.TAKE_PROFIT]

# Row columns: dtype and the value of a fresh row.
_COLUMNS: dict[str, tuple[Any, Any]] = {
    "sym": (np.int32, 0),
    "rule": (np.int64, 0),  # the rule's insertion sequence number (orders alerts)
    "kind": (np.int8, 0),
    "lo": (np.float64, -INF),
    "hi": (np.float64, INF),
    "xu": (np.bool_, False),  # crossing up: needs last < lo
    "xd": (np.bool_, False),  # crossing down: needs last > hi
    "trail": (np.int8, 0),
    "change": (np.int8, 0),
    "mul": (np.float64, 1.0),
    "add": (np.float64, 0.0),
    "act": (np.float64, NAN),
    "active": (np.bool_, False),
    "ext": (np.float64, NAN),
    "last": (np.float64, NAN),
    "next_allowed": (np.float64, -INF),
    "next_check": (np.float64, -INF),
    "interval": (np.float64, 0.0),
    "valid_until": (np.float64, INF),
    "th_only": (np.bool_, False),
    "live": (np.bool_, False),  # the rule is running
    "armed": (np.bool_, True),  # the condition may fire (not fired in once/rearm mode)
    "waiting": (np.bool_, False),  # rearm mode: disarmed until the price leaves the band
    "rearm_lo": (np.float64, -INF),
    "rearm_hi": (np.float64, INF),
    "resume": (np.float64, -INF),  # after a restart: prices up to this time were seen
}


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What one batch of prices did: alerts in firing order, the rules whose persisted
    state changed (status, fired kinds, tracking), and the rules the runaway guard paused."""

    alerts: list[AlertFired] = field(default_factory=list)
    changed: list[Rule] = field(default_factory=list)
    paused: list[Rule] = field(default_factory=list)
    #: Rules whose only change is their tracking (a new trailing extreme, a crossing
    #: side): rule id -> new ``Rule.state``. Kept apart because it is frequent and the
    #: database needs just one column for it.
    states: dict[int, str] = field(default_factory=dict)


@dataclass(slots=True)
class PriceBatch:
    """Prices in columns: one entry per tick or bar, in arrival order.

    Feeds that already hold arrays (a QMT snapshot) can build this directly with
    ``RuleEngine.slots``; ``from_ticks``/``from_bars`` convert records.
    """

    symbols: list[str]
    epoch: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    times: Sequence[datetime]
    is_tick: bool
    slots: np.ndarray | None = None  # from RuleEngine.slots, to skip the symbol lookup

    @classmethod
    def from_ticks(cls, ticks: Sequence[Tick]) -> PriceBatch:
        prices = np.fromiter((t.price for t in ticks), np.float64, len(ticks))
        return cls(
            symbols=[t.symbol for t in ticks],
            epoch=np.fromiter((_epoch(t.symbol, t.time) for t in ticks), np.float64, len(ticks)),
            open=prices, high=prices, low=prices, close=prices,
            times=[t.time for t in ticks],
            is_tick=True,
        )

    @classmethod
    def from_bars(cls, bars: Sequence[Bar]) -> PriceBatch:
        n = len(bars)
        return cls(
            symbols=[b.symbol for b in bars],
            epoch=np.fromiter((_epoch(b.symbol, b.time) for b in bars), np.float64, n),
            open=np.fromiter((b.open for b in bars), np.float64, n),
            high=np.fromiter((b.high for b in bars), np.float64, n),
            low=np.fromiter((b.low for b in bars), np.float64, n),
            close=np.fromiter((b.close for b in bars), np.float64, n),
            times=[b.time for b in bars],
            is_tick=False,
        )


def _epoch(code: str, when: datetime) -> float:
    """Seconds since the epoch; a naive time is on the market's clock (replay files)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=market_timezone(code))
    return when.timestamp()


@dataclass(slots=True)
class _Armed:
    """One rule as the engine holds it: the record plus what only Python tracks."""

    rule: Rule
    key: int
    seq: int
    slot: int
    fired: set[AlertKind]
    fires: list[float]
    state: str = "{}"  # current tracking; ``rule.state`` catches up when rules() is called
    status: TaskStatus = TaskStatus.RUNNING


class _Round:
    """The prices of one round as the row arrays see them (scalars or per-row arrays)."""

    __slots__ = ("o", "h", "l", "c", "t", "tick_of", "present")

    def __init__(self, o: Any, h: Any, l: Any, c: Any, t: Any, tick_of: Any, present: Any) -> None:  # noqa: E741
        self.o, self.h, self.l, self.c, self.t = o, h, l, c, t
        self.tick_of = tick_of
        self.present = present

    def at(self, name: str, row: int) -> float:
        value = getattr(self, name)
        return float(value[row]) if isinstance(value, np.ndarray) else float(value)


class RuleEngine:
    """Evaluates running rules against ticks or bars, vectorised over rules."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[int, _Armed] = {}
        self._slot_of: dict[str, int] = {}
        self._codes: list[str] = []
        self._next_anonymous = -1
        self._next_seq = 0
        self._key_of_seq: dict[int, int] = {}
        self._cols = {name: np.empty(0, dtype) for name, (dtype, _) in _COLUMNS.items()}
        self._pending: list[dict[str, Any]] = []
        self._removed: set[int] = set()
        self._dirty = False
        self._start = np.zeros(0, np.int64)
        self._end = np.zeros(0, np.int64)
        # per symbol slot
        self._sym_last = np.zeros(0)
        self._sym_t = np.zeros(0)  # epoch of each symbol's last price
        self._sym_day = np.zeros(0, np.int64)
        self._prev_close = np.zeros(0)
        self._sym_offset = np.zeros(0)
        self._sym_ashare = np.zeros(0, np.bool_)
        self._sym_th = np.zeros(0, np.int64)  # rows with trading_hours_only per symbol
        self._has_cross = self._has_trail = self._has_change = self._has_interval = False
        self._has_resume = False
        self._run_start = np.zeros(0, np.int64)  # per row: first row of its rule
        self._run_end = np.zeros(0, np.int64)
        # per evaluation
        self._changed: set[int] = set()  # rule keys whose status or fired kinds changed
        self._touched: list[np.ndarray] = []  # rows whose tracking changed
        self._alerts: list[AlertFired] = []
        self._paused: list[int] = []
        self._source = AlertSource.LIVE
        self._times: Sequence[datetime] = ()
        self.load(rules)

    # ----- rule set -------------------------------------------------------
    def load(self, rules: Iterable[Rule]) -> None:
        """Replace all rules (e.g. after reading them from the database)."""
        for key in list(self._rules):
            self.remove(key)
        for rule in rules:
            self.upsert(rule)

    def upsert(self, rule: Rule) -> None:
        """Add or replace one rule, continuing from the tracking state it carries."""
        key = rule.id if rule.id is not None else self._anonymous_key()
        self.remove(key)
        slot = self._slot(rule.stock_code)
        state = parse_state(rule.state)
        armed = _Armed(rule=rule, key=key, seq=self._next_seq, slot=slot,
                       fired=set(rule.fired), fires=list(state.fires), state=rule.state,
                       status=rule.status)
        self._next_seq += 1
        self._rules[key] = armed
        self._key_of_seq[armed.seq] = key
        self._pending.extend(self._rows_for(armed, state))
        self._dirty = True

    def remove(self, rule_id: int) -> None:
        armed = self._rules.pop(rule_id, None)
        if armed is None:
            return
        del self._key_of_seq[armed.seq]
        self._removed.add(armed.seq)
        self._pending = [row for row in self._pending if row["rule"] != armed.seq]
        self._dirty = True

    def rules(self) -> list[Rule]:
        """Every rule with its current status, fired kinds and tracking state."""
        for armed in self._rules.values():
            if armed.rule.state != armed.state:
                armed.rule = armed.rule.with_changes(state=armed.state)
        return [armed.rule for armed in self._rules.values()]

    def slots(self, symbols: Iterable[str]) -> list[int]:
        """Symbol slots, e.g. to build a ``PriceBatch`` once for a fixed universe."""
        return [self._slot(code) for code in symbols]

    def set_previous_close(self, symbol: str, price: float) -> None:
        """The feed's previous close (QMT instrument detail) for today's % change rules."""
        if not (math.isfinite(price) and price > 0):
            return
        slot = self._slot(symbol)
        self._prev_close[slot] = price
        self._flush()
        self._apply_prev_close(slot)

    def _anonymous_key(self) -> int:
        """Rules without a database id (replay) get negative keys that never clash."""
        key = self._next_anonymous
        self._next_anonymous -= 1
        return key

    def _slot(self, code: str) -> int:
        slot = self._slot_of.get(code)
        if slot is not None:
            return slot
        slot = len(self._codes)
        self._slot_of[code] = slot
        self._codes.append(code)
        ashare = is_ashare(code)
        self._sym_last = np.append(self._sym_last, NAN)
        self._sym_t = np.append(self._sym_t, NAN)
        self._sym_day = np.append(self._sym_day, -1)
        self._prev_close = np.append(self._prev_close, NAN)
        self._sym_offset = np.append(self._sym_offset, _SHANGHAI_OFFSET if ashare else 0)
        self._sym_ashare = np.append(self._sym_ashare, ashare)
        self._sym_th = np.append(self._sym_th, 0)
        self._start = np.append(self._start, 0)
        self._end = np.append(self._end, 0)
        return slot

    def _rows_for(self, armed: _Armed, state: RuleState) -> list[dict[str, Any]]:
        """The array rows of one rule, with its restored tracking."""
        rule = armed.rule
        mode = rule.trigger_mode
        running = rule.status is TaskStatus.RUNNING
        valid_until = rule.valid_until.timestamp() if rule.valid_until is not None else INF
        cross_fired = bool(armed.fired & CROSS_KINDS)
        rows = []
        for spec in condition_specs(rule):
            cs = state.conditions.get(spec.kind, ConditionState())
            fired = cross_fired if spec.kind in CROSS_KINDS else spec.kind in armed.fired
            disarmed = fired and mode in (TriggerMode.ONCE, TriggerMode.REARM)
            row = {
                "sym": armed.slot, "rule": armed.seq, "kind": KIND_CODE[spec.kind],
                "lo": spec.lo, "hi": spec.hi, "xu": spec.cross > 0, "xd": spec.cross < 0,
                "trail": spec.trail, "change": spec.change, "mul": spec.mul, "add": spec.add,
                "act": spec.activation, "interval": float(rule.check_interval),
                "valid_until": valid_until, "th_only": rule.trading_hours_only,
                "live": running, "armed": not disarmed,
                "next_allowed": cs.next_allowed if cs.next_allowed is not None else -INF,
                "resume": state.seen if state.seen is not None else -INF,
                "next_check": state.next_check if state.next_check is not None else -INF,
            }
            if disarmed and mode is TriggerMode.REARM and cs.rearm is not None:
                row.update(waiting=True, rearm_lo=cs.rearm[0], rearm_hi=cs.rearm[1])
            if spec.trail and cs.active and cs.extreme is not None:
                row.update(active=True, ext=cs.extreme)
                bound = cs.extreme * spec.mul + spec.add
                row["hi" if spec.trail > 0 else "lo"] = bound
            if spec.cross and cs.side is not None:
                level = spec.lo if spec.cross > 0 else spec.hi
                row["last"] = level if cs.side == 0 else math.nextafter(level, cs.side * INF)
            rows.append(row)
        return rows

    def _flush(self) -> None:
        """Apply pending edits: drop removed rows, add new ones, re-sort by symbol."""
        if not self._dirty:
            return
        cols = self._cols
        keep = np.ones(len(cols["rule"]), np.bool_)
        if self._removed:
            keep = ~np.isin(cols["rule"], np.fromiter(self._removed, np.int64))
        merged = {}
        for name, (dtype, default) in _COLUMNS.items():
            new = np.array([row.get(name, default) for row in self._pending], dtype=dtype)
            merged[name] = np.concatenate([cols[name][keep], new])
        order = np.lexsort((merged["rule"], merged["sym"]))
        self._cols = {name: array[order] for name, array in merged.items()}
        self._pending = []
        self._removed = set()
        self._dirty = False
        sym = self._cols["sym"]
        slots = np.arange(len(self._codes))
        self._start = np.searchsorted(sym, slots, "left")
        self._end = np.searchsorted(sym, slots, "right")
        self._sym_th = np.bincount(sym[self._cols["th_only"]], minlength=len(self._codes))
        seq = self._cols["rule"]
        first = np.flatnonzero(np.r_[True, seq[1:] != seq[:-1]]) if len(seq) else np.zeros(0, np.int64)
        run = np.cumsum(np.r_[True, seq[1:] != seq[:-1]]) - 1 if len(seq) else np.zeros(0, np.int64)
        ends = np.r_[first[1:], len(seq)] if len(seq) else np.zeros(0, np.int64)
        self._run_start, self._run_end = first[run], ends[run]
        self._has_cross = bool((self._cols["xu"] | self._cols["xd"]).any())
        self._has_trail = bool((self._cols["trail"] != 0).any())
        self._has_change = bool((self._cols["change"] != 0).any())
        self._has_interval = bool((self._cols["interval"] > 0).any())
        self._has_resume = bool(np.isfinite(self._cols["resume"]).any())
        if self._has_change:
            for slot in np.unique(sym[self._cols["change"] != 0]):
                self._apply_prev_close(int(slot))

    def _rows_of(self, key: int) -> slice:
        armed = self._rules[key]
        start, end = int(self._start[armed.slot]), int(self._end[armed.slot])
        block = self._cols["rule"][start:end]
        first = start + int(np.searchsorted(block, armed.seq, "left"))
        return slice(first, int(self._run_end[first]) if first < end else first)

    def _keys(self, rows: np.ndarray) -> list[int]:
        """The rule keys of some rows."""
        return [self._key_of_seq[seq] for seq in self._cols["rule"][rows].tolist()]

    # ----- evaluation -----------------------------------------------------
    def on_ticks(self, ticks: Sequence[Tick], source: AlertSource = AlertSource.LIVE) -> Evaluation:
        usable = [t for t in ticks if math.isfinite(t.price) and t.price > 0]
        return self.evaluate(PriceBatch.from_ticks(usable), source)

    def on_bars(self, bars: Sequence[Bar], source: AlertSource = AlertSource.REPLAY) -> Evaluation:
        """Bars with a price that is not a finite number above 0 (or high below low) are
        invisible: a bad print must never fire a stop."""
        usable = [b for b in bars if _usable_bar(b)]
        return self.evaluate(PriceBatch.from_bars(usable), source)

    def evaluate(self, batch: PriceBatch, source: AlertSource = AlertSource.LIVE) -> Evaluation:
        """Evaluate a batch; each symbol's prices in order."""
        self._flush()
        self._changed, self._touched, self._alerts, self._paused = set(), [], [], []
        self._source, self._times = source, batch.times
        n = len(batch.symbols)
        if n and self._rules:
            slots = batch.slots
            if slots is None:
                slots = np.fromiter((self._slot(s) for s in batch.symbols), np.int64, n)
                self._flush()
            for ticks in rounds(slots):
                self._round(batch, slots, ticks)
        states = self._new_states()
        changed = []
        for key in sorted(self._changed):
            armed = self._rules[key]
            armed.rule = armed.rule.with_changes(
                status=armed.status, fired=frozenset(armed.fired), state=armed.state
            )
            if armed.rule.id is not None:
                changed.append(armed.rule)
        paused = [self._rules[key].rule for key in self._paused]
        self._times = ()
        tracked = {key: text for key, text in states.items()
                   if key not in self._changed and key >= 0}
        return Evaluation(self._alerts, changed, paused, tracked)

    def _round(self, batch: PriceBatch, slots: np.ndarray, ticks: np.ndarray) -> None:
        if len(ticks) <= _MANY_SYMBOLS:
            for tick in ticks.tolist():
                slot = int(slots[tick])
                start, end = int(self._start[slot]), int(self._end[slot])
                t = float(batch.epoch[tick])
                self._roll_day_of(slot, t)
                if end > start:
                    tradable = self._sym_th[slot] == 0 or bool(self._open_now(
                        np.array([slot]), np.array([t]))[0])
                    prices = _Round(float(batch.open[tick]), float(batch.high[tick]),
                                    float(batch.low[tick]), float(batch.close[tick]), t, tick, True)
                    self._evaluate(slice(start, end), prices, tradable, batch.is_tick)
                self._sym_last[slot] = batch.close[tick]
                self._sym_t[slot] = t
            return
        tick_slots = slots[ticks]
        t_sym = batch.epoch[ticks]
        self._roll_day(tick_slots, t_sym)
        nsym = len(self._codes)
        by_sym = np.full(nsym, -1, np.int64)
        by_sym[tick_slots] = ticks
        row_tick = by_sym[self._cols["sym"]]
        present = row_tick >= 0
        safe = np.where(present, row_tick, 0)
        t = np.where(present, batch.epoch[safe], NAN)
        c = np.where(present, batch.close[safe], NAN)
        if batch.is_tick:
            o = h = l = c  # noqa: E741
        else:
            o = np.where(present, batch.open[safe], NAN)
            h = np.where(present, batch.high[safe], NAN)
            l = np.where(present, batch.low[safe], NAN)  # noqa: E741
        tradable: Any = True
        if self._sym_th.any():
            open_sym = np.ones(nsym, np.bool_)
            open_sym[tick_slots] = self._open_now(tick_slots, t_sym)
            tradable = open_sym[self._cols["sym"]]
        self._evaluate(slice(None), _Round(o, h, l, c, t, row_tick, present), tradable, batch.is_tick)
        self._sym_last[tick_slots] = batch.close[ticks]
        self._sym_t[tick_slots] = t_sym

    def _evaluate(self, rows: slice, p: _Round, tradable: Any, is_tick: bool) -> None:
        """One round over a block of rows: expiry, fires, re-arming, tracking."""
        cols = self._cols
        live = cols["live"][rows]
        if p.present is not True:
            live = live & p.present
        if not live.any():
            return
        expired = live & (p.t > cols["valid_until"][rows])
        if expired.any():
            self._expire(_absolute(rows, expired))
            live = live & ~expired
        if self._has_resume:
            live = live & (p.t > cols["resume"][rows])
        if tradable is True:
            ev = live
        elif tradable is False:
            ev = live & ~cols["th_only"][rows]
        else:
            ev = live & (tradable | ~cols["th_only"][rows])
        if is_tick and self._has_interval:
            ev = ev & (p.t >= cols["next_check"][rows])
            timed = ev & (cols["interval"][rows] > 0)
            if timed.any():
                next_check = cols["next_check"][rows]
                next_check[timed] = (p.t + cols["interval"][rows])[timed]
                self._touched.append(_absolute(rows, timed))
        if not ev.any():
            return
        lo, hi = cols["lo"][rows], cols["hi"][rows]
        hits = ev & cols["armed"][rows] & (p.h >= lo) & (p.l <= hi)
        hits &= p.t >= cols["next_allowed"][rows]
        if self._has_cross:
            last = cols["last"][rows]
            hits &= ~cols["xu"][rows] | (last < lo)
            hits &= ~cols["xd"][rows] | (last > hi)
        waiting = cols["waiting"][rows]
        rearm = None
        if waiting.any():
            rearm = ev & waiting & ((p.l < cols["rearm_lo"][rows]) | (p.h > cols["rearm_hi"][rows]))
        if hits.any():
            self._fire(_absolute(rows, hits), p)
        if rearm is not None and rearm.any():
            self._rearm(_absolute(rows, rearm))
        if self._has_trail:
            self._track(rows, ev, p)
        if self._has_cross:
            self._note_side(rows, ev, p)

    def _track(self, rows: slice, ev: np.ndarray, p: _Round) -> None:
        """Ratchet trailing extremes (after this price was judged against the old ones)."""
        cols = self._cols
        trail = cols["trail"][rows]
        tracking = ev & cols["armed"][rows] & (trail != 0)
        if not tracking.any():
            return
        active, ext, act = cols["active"][rows], cols["ext"][rows], cols["act"][rows]
        up = tracking & (trail > 0)
        down = tracking & (trail < 0)
        grow = (up & active & (p.h > ext)) | (up & ~active & ~(p.h < act))
        sink = (down & active & (p.l < ext)) | (down & ~active & ~(p.l > act))
        for mask, price, bound in ((grow, p.h, "hi"), (sink, p.l, "lo")):
            if not mask.any():
                continue
            idx = _absolute(rows, mask)
            new = price[idx] if isinstance(price, np.ndarray) else price
            cols["ext"][idx] = new
            cols["active"][idx] = True
            cols[bound][idx] = cols["ext"][idx] * cols["mul"][idx] + cols["add"][idx]
            self._touched.append(idx)

    def _note_side(self, rows: slice, ev: np.ndarray, p: _Round) -> None:
        """Remember the price for crossings; persist only when its side of the level changes."""
        cols = self._cols
        crossing = ev & cols["armed"][rows] & (cols["xu"][rows] | cols["xd"][rows])
        if not crossing.any():
            return
        idx = _absolute(rows, crossing)
        level = np.where(cols["xu"][idx], cols["lo"][idx], cols["hi"][idx])
        price = p.c[idx] if isinstance(p.c, np.ndarray) else p.c
        before = np.sign(cols["last"][idx] - level)
        after = np.sign(price - level)
        moved = ~(before == after)
        if moved.any():
            self._touched.append(idx[moved])
        cols["last"][idx] = price

    # ----- the rare, per-rule part ------------------------------------------------
    def _fire(self, rows: np.ndarray, p: _Round) -> None:
        cols = self._cols
        by_rule: dict[int, list[int]] = {}
        for row, key in zip(rows.tolist(), self._keys(rows), strict=True):
            by_rule.setdefault(key, []).append(row)
        for key, hit_rows in by_rule.items():
            hit_rows.sort(key=lambda r: int(cols["kind"][r]))
            kinds = {int(cols["kind"][r]) for r in hit_rows}
            if _STOP in kinds and _TARGET in kinds:
                hit_rows = [r for r in hit_rows if int(cols["kind"][r]) != _TARGET]
            for row in hit_rows:
                armed = self._rules[key]
                if armed.status is not TaskStatus.RUNNING:
                    break
                if cols["armed"][row]:  # a crossing's partner row may have just fired
                    self._fire_row(armed, row, p)

    def _fire_row(self, armed: _Armed, row: int, p: _Round) -> None:
        cols = self._cols
        kind = KIND_ORDER[int(cols["kind"][row])]
        lo, hi = float(cols["lo"][row]), float(cols["hi"][row])
        price = min(max(p.at("o", row), lo), hi)
        t = p.at("t", row)
        tick = int(p.tick_of[row]) if isinstance(p.tick_of, np.ndarray) else int(p.tick_of)
        rule = armed.rule
        prev = float(self._sym_last[armed.slot])
        self._alerts.append(
            AlertFired(
                task_id=rule.id,
                task_name=rule.task_name,
                stock_code=rule.stock_code,
                kind=kind,
                time=self._times[tick],
                price=price,
                level=_level(lo, hi, price),
                prev_price=prev if math.isfinite(prev) else None,
                source=self._source,
            )
        )
        self._changed.add(armed.key)
        self._touched.append(np.array([row]))
        group = self._group(armed, row, kind)
        mode = rule.trigger_mode
        if mode is TriggerMode.ONCE or mode is TriggerMode.REARM:
            cols["armed"][group] = False
            armed.fired.add(kind)
        if mode is TriggerMode.REARM:
            self._disarm_until_band(armed, group, kind)
        elif mode is TriggerMode.EVERY_TIME:
            cols["next_allowed"][group] = t + rule.cooldown_s
        elif mode is TriggerMode.ONCE_PER_BAR:
            cols["next_allowed"][group] = bar_window(rule.stock_code, rule.bar_timeframe, t)[1]
        status = armed.status
        if mode is TriggerMode.ONCE and (kind.is_exit or rule.done_after(armed.fired)):
            status = TaskStatus.TRIGGERED
        armed.fires = [f for f in armed.fires if f > t - RUNAWAY_WINDOW_S] + [t]
        if status is TaskStatus.RUNNING and len(armed.fires) > RUNAWAY_MAX_FIRES:
            status = TaskStatus.PAUSED
            self._paused.append(armed.key)
        if status is not armed.status:
            armed.status = status
            cols["live"][self._rows_of(armed.key)] = False

    def _group(self, armed: _Armed, row: int, kind: AlertKind) -> np.ndarray:
        """The rows that fire as one condition: a crossing's up and down rows together."""
        if kind not in CROSS_KINDS:
            return np.array([row])
        block = self._rows_of(armed.key)
        codes = self._cols["kind"][block]
        cross = (codes == KIND_CODE[AlertKind.CROSS_UP]) | (codes == KIND_CODE[AlertKind.CROSS_DOWN])
        return np.flatnonzero(cross) + block.start

    def _disarm_until_band(self, armed: _Armed, group: np.ndarray, kind: AlertKind) -> None:
        cols = self._cols
        rule = armed.rule
        if kind in CROSS_KINDS:
            level = rule.cross_level or 0.0
            band = rearm_band(rule, level)
            lows = np.full(len(group), level - band)
            highs = np.full(len(group), level + band)
            if len(group) == 1:  # one direction only: re-arm on the side it came from
                lows = np.where(cols["xu"][group], lows, -INF)
                highs = np.where(cols["xd"][group], highs, INF)
        else:
            lo, hi = cols["lo"][group], cols["hi"][group]
            lows = np.array([b - rearm_band(rule, b) for b in lo.tolist()])
            highs = np.array([b + rearm_band(rule, b) for b in hi.tolist()])
        cols["waiting"][group] = True
        cols["rearm_lo"][group] = lows
        cols["rearm_hi"][group] = highs

    def _rearm(self, rows: np.ndarray) -> None:
        cols = self._cols
        for row, key in zip(rows.tolist(), self._keys(rows), strict=True):
            armed = self._rules[key]
            if not cols["waiting"][row]:
                continue  # re-armed with its crossing partner already
            kind = KIND_ORDER[int(cols["kind"][row])]
            group = self._group(armed, row, kind)
            cols["armed"][group] = True
            cols["waiting"][group] = False
            cols["rearm_lo"][group] = -INF
            cols["rearm_hi"][group] = INF
            armed.fired -= CROSS_KINDS if kind in CROSS_KINDS else {kind}
            if cols["trail"][row] != 0:  # tracking restarts from scratch
                cols["active"][group] = False
                cols["ext"][group] = NAN
                cols["hi" if cols["trail"][row] > 0 else "lo"][group] = NAN
            self._changed.add(key)
            self._touched.append(group)

    def _expire(self, rows: np.ndarray) -> None:
        cols = self._cols
        for key in dict.fromkeys(self._keys(rows)):
            armed = self._rules[key]
            armed.status = TaskStatus.EXPIRED
            cols["live"][self._rows_of(key)] = False
            self._changed.add(key)

    def _new_states(self) -> dict[int, str]:
        """Serialise the tracking of every rule touched in this evaluation into its
        ``state`` text, reading the arrays once for all of them (this runs for every
        new trailing high across the market, so it must not be per-row numpy calls)."""
        if not self._touched:
            return {}
        rows = np.concatenate(self._touched)
        starts = np.unique(self._run_start[rows])
        ends = self._run_end[starts]
        lengths = ends - starts
        idx = np.repeat(starts - np.cumsum(np.r_[0, lengths[:-1]]), lengths) + np.arange(lengths.sum())
        cols = self._cols
        xu, xd = cols["xu"][idx], cols["xd"][idx]
        level = np.where(xu, cols["lo"][idx], cols["hi"][idx])
        side = np.sign(cols["last"][idx] - level)
        columns = zip(
            cols["rule"][idx].tolist(), cols["kind"][idx].tolist(), (xu | xd).tolist(),
            side.tolist(), cols["active"][idx].tolist(), cols["ext"][idx].tolist(),
            cols["next_allowed"][idx].tolist(), cols["waiting"][idx].tolist(),
            cols["rearm_lo"][idx].tolist(), cols["rearm_hi"][idx].tolist(), strict=True,
        )
        checks = dict(zip(cols["rule"][idx].tolist(), cols["next_check"][idx].tolist(), strict=True))
        entries: dict[int, list[str]] = {}
        for seq, kind, crossing, sd, active, ext, nxt, waiting, r_lo, r_hi in columns:
            items = []
            if active:
                items.append(f'"active":true,"ext":{ext!r}')
            if nxt != -INF and math.isfinite(nxt):
                items.append(f'"next":{nxt!r}')
            if waiting:
                items.append(f'"rearm":[{_json_bound(r_lo)},{_json_bound(r_hi)}]')
            if crossing and sd == sd:  # NaN: no price seen yet
                items.append(f'"side":{int(sd)}')
            texts = entries.setdefault(seq, [])
            if items:
                texts.append(f'"{KIND_ORDER[kind].value}":{{{",".join(items)}}}')
        states: dict[int, str] = {}
        for seq, texts in entries.items():
            key = self._key_of_seq[seq]
            armed = self._rules[key]
            parts = []
            if texts:
                parts.append(f'"c":{{{",".join(sorted(texts))}}}')
            if math.isfinite(checks[seq]):
                parts.append(f'"check":{checks[seq]!r}')
            if armed.fires:
                parts.append(f'"fires":[{",".join(repr(f) for f in armed.fires)}]')
            seen = float(self._sym_t[armed.slot])
            if math.isfinite(seen):
                parts.append(f'"t":{seen!r}')
            armed.state = f'{{{",".join(parts)},"v":{STATE_VERSION}}}' if parts else "{}"
            states[key] = armed.state
        return states

    # ----- previous close and sessions ------------------------------------------
    def _roll_day(self, slots: np.ndarray, epochs: np.ndarray) -> None:
        """On a symbol's first price of a new market day, its last price becomes the
        previous close (unless the feed says otherwise later)."""
        days = ((epochs + self._sym_offset[slots]) // _DAY).astype(np.int64)
        known = self._sym_day[slots]
        new_day = days != known
        if not new_day.any():
            return
        for slot, day, seen in zip(slots[new_day].tolist(), days[new_day].tolist(),
                                   known[new_day].tolist(), strict=True):
            self._sym_day[slot] = day
            last = self._sym_last[slot]
            if seen >= 0 and day > seen and math.isfinite(last):
                self._prev_close[slot] = last
                if self._has_change:
                    self._apply_prev_close(slot)

    def _roll_day_of(self, slot: int, epoch: float) -> None:
        """``_roll_day`` for one price (the replay path runs this once per bar)."""
        day = int((epoch + self._sym_offset[slot]) // _DAY)
        seen = int(self._sym_day[slot])
        if day == seen:
            return
        self._sym_day[slot] = day
        last = self._sym_last[slot]
        if seen >= 0 and day > seen and math.isfinite(last):
            self._prev_close[slot] = last
            if self._has_change:
                self._apply_prev_close(slot)

    def _apply_prev_close(self, slot: int) -> None:
        cols = self._cols
        block = slice(int(self._start[slot]), int(self._end[slot]))
        change = cols["change"][block]
        if not change.any():
            return
        base = float(self._prev_close[slot])
        mul = cols["mul"][block]
        cols["lo"][block] = np.where(change > 0, base * mul, cols["lo"][block])
        cols["hi"][block] = np.where(change < 0, base * mul, cols["hi"][block])

    def _open_now(self, slots: np.ndarray, epochs: np.ndarray) -> np.ndarray:
        """Is each symbol in its continuous trading session at that moment?"""
        result = np.ones(len(slots), np.bool_)
        ashare = self._sym_ashare[slots]
        if not ashare.any():
            return result
        local = epochs[ashare] + _SHANGHAI_OFFSET
        minute = (local % _DAY) / 60.0
        in_session = ((minute >= 570) & (minute <= 690)) | ((minute >= 780) & (minute <= 900))
        days = (local // _DAY).astype(np.int64)
        trading = np.array([_trading_day(d) for d in days.tolist()], np.bool_)
        result[ashare] = in_session & trading
        return result


def _trading_day(day_number: int) -> bool:
    return is_trading_day(date(1970, 1, 1) + timedelta(days=day_number))


def _absolute(rows: slice, mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask) + (rows.start or 0)


def _usable_bar(bar: Bar) -> bool:
    prices = (bar.open, bar.high, bar.low, bar.close)
    return all(math.isfinite(p) and p > 0 for p in prices) and bar.low <= bar.high


def _json_bound(value: float) -> str:
    return repr(value) if math.isfinite(value) else "null"


def _level(lo: float, hi: float, price: float) -> float:
    """The bound a trader reads on the receipt: the finite one, or the zone bound
    nearest the alert price."""
    if not math.isfinite(lo):
        return hi
    if not math.isfinite(hi):
        return lo
    return lo if abs(price - lo) <= abs(hi - price) else hi

