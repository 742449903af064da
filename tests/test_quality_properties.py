"""The vectorised validator against the plain per-tick reference, and a fuzz: never raises,
never lets a refused print through (issue 4)."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.market.quality import RawBatch, TickValidator, ValidatorConfig
from app.market.quality_types import DropReason, RawTick
from app.monitors import sessions
from tests.reference_market import ReferenceValidator


def setup_module() -> None:
    """The validator reads Mon–Fri until the calendar is loaded; the reference waits."""
    sessions.warm_up()

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2026-03-23 10:00 Beijing: a trading day, mid-morning session.
T0 = datetime(2026, 3, 23, 10, 0, tzinfo=SHANGHAI).timestamp()
SYMBOLS = ("600519.SH", "300750.SZ", "BTC/USDT", "000001.SH")  # main board, ChiNext, crypto, index

nan = math.nan
bad_float = st.sampled_from([nan, math.inf, -math.inf, 0.0, -1.0])


@st.composite
def raw_stream(draw: st.DrawFn) -> list[RawTick]:
    n = draw(st.integers(1, 60))
    t = T0
    prices = dict.fromkeys(SYMBOLS, 100.0)
    cum = dict.fromkeys(SYMBOLS, 1000.0)
    out = []
    for _ in range(n):
        symbol = draw(st.sampled_from(SYMBOLS))
        step = draw(st.sampled_from([0.0, 0.5, 3.0, 3.0, 3.0, -3.0, 4000.0, 86400.0]))
        t += step
        kind = draw(st.sampled_from(["walk"] * 6 + ["spike", "crash", "bad", "repeat"]))
        price = prices[symbol]
        if kind == "walk":
            price = round(price * draw(st.floats(0.97, 1.03)), 2)
            prices[symbol] = price
        elif kind == "spike":
            price = round(price * draw(st.sampled_from([1.25, 1.5, 0.7, 0.5])), 2)
            if draw(st.booleans()):
                prices[symbol] = price  # a real move: the next prints stay there
        elif kind == "bad":
            price = draw(bad_float)
        if price <= 0 and kind != "bad":
            price = 1.0
        volume_kind = draw(st.sampled_from(["cum", "cum", "plain", "none", "back"]))
        fields: dict[str, float] = {}
        if volume_kind == "cum":
            cum[symbol] += draw(st.sampled_from([0.0, 10.0, 250.0]))
            fields["cum_volume"] = cum[symbol]
        elif volume_kind == "back":
            cum[symbol] = max(0.0, cum[symbol] - 500.0)
            fields["cum_volume"] = cum[symbol]
        elif volume_kind == "plain":
            fields["volume"] = draw(st.sampled_from([1.0, 5.0, -2.0, nan]))
        if draw(st.booleans()):
            spread = draw(st.sampled_from([0.01, 0.05, -0.05]))
            fields["bid"], fields["ask"] = price - spread, price + spread
        if draw(st.integers(0, 4)) == 0:
            fields["day_high"] = draw(st.sampled_from([price, price * 1.01, price * 0.99]))
            fields["day_low"] = draw(st.sampled_from([price, price * 0.98, price * 1.02]))
        band = draw(st.integers(0, 5))
        if band == 0:
            fields["prev_close"] = 100.0
        elif band == 1:
            fields["limit_down"], fields["limit_up"] = 90.0, 110.0
        fields["received"] = t + draw(st.sampled_from([0.0, 0.05, 0.3]))
        out.append(RawTick(symbol, draw(st.sampled_from([t, t, t, nan])) if kind == "bad" else t,
                           price, **fields))
        if kind == "repeat":
            out.append(out[-1])
    return out


@st.composite
def split(draw: st.DrawFn, ticks: list[RawTick]) -> list[list[RawTick]]:
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(ticks) - 1)), max_size=6)))
    bounds = [0, *cuts, len(ticks)]
    return [ticks[a:b] for a, b in zip(bounds, bounds[1:]) if a < b]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_vectorised_validator_equals_the_reference(data: st.DataObject) -> None:
    ticks = data.draw(raw_stream())
    batches = data.draw(split(ticks))
    live = data.draw(st.booleans())
    confirm = data.draw(st.integers(1, 3))
    use_now = data.draw(st.booleans())
    validator = TickValidator(ValidatorConfig(confirm_ticks=confirm))
    # both code paths: numpy rounds (1), plain floats (huge), and a mix (3 symbols or more)
    validator.vector_from = data.draw(st.sampled_from([1, 3, 10**9]))
    reference = ReferenceValidator(confirm_ticks=confirm)
    if data.draw(st.booleans()):  # the feed told us the instrument's day reference
        for v in (validator, reference):
            v.set_instrument("600519.SH", name="贵州茅台", prev_close=100.0)
            v.set_instrument("300750.SZ", name="宁德时代", limit_down=80.0, limit_up=120.0)
            v.set_instrument("BTC/USDT", last_price=100.0)  # the history's last close
    got: dict[str, list[tuple[float, float, float]]] = {}
    want: dict[str, list[tuple[float, float, float]]] = {}
    dropped: Counter[DropReason] = Counter()
    for batch in batches:
        now = max((t.time for t in batch if math.isfinite(t.time)), default=nan) if use_now else nan
        result = validator.screen(batch, now=now, live=live)
        dropped.update(result.dropped)
        for symbol, t, p, v in zip(result.symbols, result.time, result.price, result.volume):
            got.setdefault(symbol, []).append((float(t), float(p), float(v)))
        for tick in batch:
            for a in reference.screen(tick, now=now, live=live):
                want.setdefault(a.symbol, []).append((a.time, a.price, a.volume))
    assert got == want
    assert dropped == Counter(reference.dropped)
    assert validator.total_notes == Counter(reference.notes)
    assert validator.held == sum(len(s.held) for s in reference.symbols.values())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(SYMBOLS + ("", "x.SH", "\u0000")),
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
        max_size=40,
    ),
    st.floats(allow_nan=True, allow_infinity=True),
)
def test_fuzz_never_raises_and_lets_no_bad_print_through(rows, now) -> None:
    validator = TickValidator()
    validator.vector_from = 1 + len(rows) % 3
    ticks = [RawTick(s, t, p, cum_volume=c, bid=b) for s, t, p, c, b in rows]
    result = validator.screen(ticks, now=now, live=True)
    assert len(result.reasons) == len(ticks)
    # every input is accounted for, once: accepted, still held, or dropped with a reason
    assert int((result.reasons >= 0).sum()) == result.dropped_total
    assert int((result.reasons == -1).sum()) == len(result)
    assert int((result.reasons == -2).sum()) == validator.held
    prices = result.price
    assert np.all(np.isfinite(prices)) and np.all(prices > 0)
    assert np.all(np.isfinite(result.time))
    assert np.all(result.volume >= 0)
    if math.isfinite(now):
        assert np.all(result.time <= now + validator.config.future_tolerance_s)
    for symbol in set(result.symbols):
        times = result.time[[s == symbol for s in result.symbols]]
        assert np.all(np.diff(times) >= 0), "accepted prints of a symbol go back in time"


def test_a_columnar_batch_with_ragged_columns_is_dropped_not_raised() -> None:
    validator = TickValidator()
    batch = RawBatch(["BTC/USDT", "BTC/USDT"], np.array([T0, T0 + 1]), np.array([1.0]))
    result = validator.screen(batch)
    assert len(result) == 0
    assert result.dropped_total == 2
