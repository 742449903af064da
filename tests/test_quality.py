"""Tick validation, rule by rule as ``app.market.quality``'s docstring states it, with crafted
prints; then the shipped real data (clean: nothing refused) with faults injected at known
places; then end to end: a refused print never reaches the rule engine.

The vectorised-versus-reference property tests live in ``test_quality_properties.py``;
here every test states one behaviour. Crafted tests run on both code paths of the
validator (per-print and numpy rounds) through the ``make`` fixture.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from app.core.models import AlertKind, Tick
from app.feeds.demo import DEFAULT_SERIES, bar_to_ticks, to_replay_bars
from app.market.csv_bars import load_bars
from app.market.limits import limit_ratio
from app.market.quality import ACCEPTED, HELD, RawBatch, Screened, TickValidator, ValidatorConfig
from app.market.quality_types import DropReason, QualityNote, RawTick
from app.monitors import sessions
from app.monitors.engine import RuleEngine
from app.monitors.rules import validate_rule


def setup_module() -> None:
    """Until the calendar is loaded the validator guesses Mon–Fri; load it so trading-day
    answers (holidays) are exact."""
    sessions.warm_up()


SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
MONDAY = date(2026, 3, 23)  # an ordinary A-share trading day
TUESDAY = MONDAY + timedelta(days=1)
SATURDAY = date(2026, 3, 21)
HOLIDAY = date(2026, 2, 17)  # Spring Festival 2026 (a Tuesday); asked of the calendar below
MOUTAI = "600519.SH"  # Shanghai main board, ±10 %
CATL = "300750.SZ"  # ChiNext, ±20 %
BTC = "BTC/USDT"
nan = math.nan

Make = Callable[..., TickValidator]


def at(hh: int, mm: int = 0, ss: float = 0.0, day: date = MONDAY) -> float:
    """Epoch seconds of a Beijing wall-clock time."""
    return datetime.combine(day, time(hh, mm), SH).timestamp() + ss


T = at(10)  # Monday 10:00 Beijing: mid-morning session


def code(reason: DropReason) -> int:
    """A drop reason as ``Screened.reasons`` reports it: its index in DropReason order."""
    return list(DropReason).index(reason)


def prices(result: Screened) -> list[float]:
    return result.price.tolist()


def times(result: Screened) -> list[float]:
    return result.time.tolist()


def walk(symbol: str, *points: float, start: float = T, step: float = 3.0) -> list[RawTick]:
    """Prints of ``symbol`` at ``start``, ``start + step``, … with the given prices."""
    return [RawTick(symbol, start + i * step, p) for i, p in enumerate(points)]


@pytest.fixture(params=["per_print", "vectorised"])
def make(request: pytest.FixtureRequest) -> Make:
    """A validator factory; ``vectorised`` sends even single prints through numpy rounds."""

    def factory(**config: object) -> TickValidator:
        validator = TickValidator(ValidatorConfig(**config))  # type: ignore[arg-type]
        validator.vector_from = 1 if request.param == "vectorised" else 10**9
        return validator

    return factory


def only(validator: TickValidator, tick: RawTick, **kwargs: object) -> Screened:
    return validator.screen([tick], **kwargs)  # type: ignore[arg-type]


# ===== 1. bad time, bad price ===========================================================

def test_zero_price_before_the_open_is_a_bad_price(make: Make) -> None:
    # A-share feeds send 0.00 before the open; the price check comes before the session check.
    result = only(make(), RawTick(MOUTAI, at(9, 20), 0.0), live=True)
    assert len(result) == 0
    assert result.dropped == Counter({DropReason.BAD_PRICE: 1})


@pytest.mark.parametrize("price", [nan, -1.0, -0.01, math.inf, -math.inf])
def test_non_finite_or_negative_price_is_a_bad_price(make: Make, price: float) -> None:
    result = only(make(), RawTick(BTC, T, price))
    assert result.dropped == Counter({DropReason.BAD_PRICE: 1})
    assert result.reasons.tolist() == [code(DropReason.BAD_PRICE)]


@pytest.mark.parametrize("when", [nan, math.inf, -math.inf])
def test_non_finite_time_is_a_bad_time(make: Make, when: float) -> None:
    result = only(make(), RawTick(BTC, when, 100.0))
    assert result.dropped == Counter({DropReason.BAD_TIME: 1})


def test_bad_time_is_reported_before_bad_price(make: Make) -> None:
    result = only(make(), RawTick(BTC, nan, 0.0))
    assert result.dropped == Counter({DropReason.BAD_TIME: 1})


# ===== 2. future time ===================================================================

def test_print_beyond_the_future_tolerance_is_dropped(make: Make) -> None:
    # default tolerance 10 s: the feed's clock says T, the print claims T + 10.5 s
    result = only(make(), RawTick(BTC, T + 10.5, 100.0), now=T)
    assert result.dropped == Counter({DropReason.FUTURE_TIME: 1})


def test_print_within_the_future_tolerance_is_accepted(make: Make) -> None:
    result = only(make(), RawTick(BTC, T + 10.0, 100.0), now=T)
    assert times(result) == [T + 10.0]


def test_future_tolerance_is_configurable(make: Make) -> None:
    result = only(make(future_tolerance_s=2.0), RawTick(BTC, T + 3.0, 100.0), now=T)
    assert result.dropped == Counter({DropReason.FUTURE_TIME: 1})


def test_now_may_be_given_per_print(make: Make) -> None:
    ticks = walk(BTC, 100.0, 100.1, start=T + 20, step=1.0)
    result = make().screen(ticks, now=np.array([T, T + 15]))
    # the first print is 20 s ahead of its clock, the second only 6 s
    assert result.reasons.tolist() == [code(DropReason.FUTURE_TIME), ACCEPTED]


def test_without_a_clock_the_future_check_is_skipped(make: Make) -> None:
    result = only(make(), RawTick(BTC, T + 86400.0, 100.0))
    assert len(result) == 1


# ===== 3. out of order, duplicate =======================================================

def test_print_older_than_the_last_is_out_of_order(make: Make) -> None:
    validator = make()
    result = validator.screen([RawTick(BTC, T, 100.0), RawTick(BTC, T - 1, 100.1),
                               RawTick(BTC, T + 1, 100.2)])
    assert result.reasons.tolist() == [ACCEPTED, code(DropReason.OUT_OF_ORDER), ACCEPTED]
    assert prices(result) == [100.0, 100.2]


def test_order_is_kept_across_batches(make: Make) -> None:
    validator = make()
    validator.screen([RawTick(BTC, T, 100.0)])
    result = only(validator, RawTick(BTC, T - 0.5, 100.0))
    assert result.dropped == Counter({DropReason.OUT_OF_ORDER: 1})


def test_order_is_per_symbol(make: Make) -> None:
    result = make().screen([RawTick(BTC, T, 100.0), RawTick("ETH/USDT", T - 60, 3000.0)])
    assert result.reasons.tolist() == [ACCEPTED, ACCEPTED]


def test_a_held_print_also_sets_the_order(make: Make) -> None:
    # 130 is held back as a +30 % jump; a print older than it is still out of order
    result = make().screen([RawTick(BTC, T, 100.0), RawTick(BTC, T + 2, 130.0),
                            RawTick(BTC, T + 1, 100.1)])
    assert result.reasons.tolist()[2] == code(DropReason.OUT_OF_ORDER)


def test_exact_duplicate_is_dropped(make: Make) -> None:
    tick = RawTick(BTC, T, 100.0, volume=2.0, bid=99.9, ask=100.1)
    result = make().screen([tick, tick])
    assert result.reasons.tolist() == [ACCEPTED, code(DropReason.DUPLICATE)]
    assert result.volume.tolist() == [2.0]


def test_duplicate_is_recognised_across_batches(make: Make) -> None:
    validator = make()
    tick = RawTick(MOUTAI, T, 1400.0, cum_volume=500.0)
    validator.screen([tick])
    assert only(validator, tick).dropped == Counter({DropReason.DUPLICATE: 1})


@pytest.mark.parametrize("field", ["price", "volume", "cum_volume", "cum_turnover", "bid", "ask"])
def test_same_time_with_a_different_value_is_accepted(make: Make, field: str) -> None:
    values = {"price": 100.0, "volume": 1.0, "cum_volume": 10.0, "cum_turnover": 1000.0,
              "bid": 99.9, "ask": 100.1}
    first = RawTick(BTC, T, **values)
    values[field] += 0.05
    second = RawTick(BTC, T, **values)
    result = make().screen([first, second])
    assert result.reasons.tolist() == [ACCEPTED, ACCEPTED]


def test_same_values_at_a_later_time_are_not_a_duplicate(make: Make) -> None:
    result = make().screen([RawTick(BTC, T, 100.0), RawTick(BTC, T + 1, 100.0)])
    assert len(result) == 2


# ===== 4. sessions ======================================================================

SESSION_CASES = [
    # (Beijing time on Monday, accepted by a live feed?)
    ((9, 15, 0), False),  # opening call auction: indicative prices
    ((9, 20, 0), False),
    ((9, 24, 59), False),
    ((9, 25, 0), True),  # the opening auction's match: a real trade
    ((9, 30, 0), True),
    ((11, 30, 0), True),
    ((11, 30, 30), True),  # late closing prints within the 60 s grace
    ((11, 31, 0), True),  # the grace's last second
    ((11, 31, 30), False),
    ((12, 0, 0), False),  # lunch break
    ((12, 59, 59), False),
    ((13, 0, 0), True),
    ((14, 59, 59), True),
    ((15, 0, 0), True),
    ((15, 0, 30), True),
    ((15, 1, 30), False),
    ((15, 5, 0), False),
]


@pytest.mark.parametrize(("hms", "accepted"), SESSION_CASES)
def test_live_ashare_session(make: Make, hms: tuple[int, int, int], accepted: bool) -> None:
    result = only(make(), RawTick(MOUTAI, at(hms[0], hms[1], hms[2]), 1400.0), live=True)
    if accepted:
        assert len(result) == 1 and not result.dropped
    else:
        assert result.dropped == Counter({DropReason.OUTSIDE_SESSION: 1})


def test_session_grace_is_configurable(make: Make) -> None:
    validator = make(session_grace_s=10.0)
    result = validator.screen([RawTick(MOUTAI, at(15, 0, 10), 1400.0),
                               RawTick(MOUTAI, at(15, 0, 11), 1400.1)], live=True)
    assert result.reasons.tolist() == [ACCEPTED, code(DropReason.OUTSIDE_SESSION)]


def test_the_holiday_used_here_is_a_weekday_the_exchange_is_closed() -> None:
    assert HOLIDAY.weekday() < 5
    assert not sessions.is_trading_day(HOLIDAY)
    assert sessions.is_trading_day(MONDAY)


@pytest.mark.parametrize("day", [SATURDAY, HOLIDAY], ids=["saturday", "holiday"])
def test_live_ashare_print_on_a_closed_day_is_outside_session(make: Make, day: date) -> None:
    result = only(make(), RawTick(MOUTAI, at(10, day=day), 1400.0), live=True)
    assert result.dropped == Counter({DropReason.OUTSIDE_SESSION: 1})


@pytest.mark.parametrize("when", [at(9, 20), at(12), at(15, 5), at(10, day=SATURDAY),
                                  at(10, day=HOLIDAY)])
def test_not_live_skips_the_session_check(make: Make, when: float) -> None:
    # a replay or a backfill: the same prints are accepted
    result = only(make(), RawTick(MOUTAI, when, 1400.0), live=False)
    assert times(result) == [when]


@pytest.mark.parametrize("when", [at(3), at(12), at(20), at(10, day=SATURDAY),
                                  at(10, day=HOLIDAY)])
def test_crypto_is_never_session_checked(make: Make, when: float) -> None:
    result = only(make(), RawTick(BTC, when, 85000.0), live=True)
    assert times(result) == [when]


# ===== 5. book and day range ============================================================

def test_crossed_book_is_dropped(make: Make) -> None:
    result = only(make(), RawTick(MOUTAI, T, 1400.0, bid=1400.02, ask=1400.01))
    assert result.dropped == Counter({DropReason.CROSSED_BOOK: 1})


@pytest.mark.parametrize(("bid", "ask"), [(1400.0, 1400.0), (1399.99, 1400.01), (1400.02, nan),
                                          (nan, 1400.01), (0.0, 1400.01)])
def test_a_touching_or_one_sided_book_is_accepted(make: Make, bid: float, ask: float) -> None:
    result = only(make(), RawTick(MOUTAI, T, 1400.0, bid=bid, ask=ask))
    assert len(result) == 1


def test_day_high_below_low_is_a_bad_range(make: Make) -> None:
    result = only(make(), RawTick(MOUTAI, T, 1400.0, day_high=1390.0, day_low=1410.0))
    assert result.dropped == Counter({DropReason.BAD_RANGE: 1})


@pytest.mark.parametrize("price", [1410.01, 1389.99])
def test_price_outside_the_day_range_is_dropped(make: Make, price: float) -> None:
    result = only(make(), RawTick(MOUTAI, T, price, day_high=1410.0, day_low=1390.0))
    assert result.dropped == Counter({DropReason.OUTSIDE_DAY_RANGE: 1})


@pytest.mark.parametrize("price", [1410.0, 1390.0, 1400.0])
def test_price_on_or_inside_the_day_range_is_accepted(make: Make, price: float) -> None:
    result = only(make(), RawTick(MOUTAI, T, price, day_high=1410.0, day_low=1390.0))
    assert prices(result) == [price]


# ===== volumes ==========================================================================

def cum_ticks(symbol: str, *totals: float, start: float = T) -> list[RawTick]:
    return [RawTick(symbol, start + i, 100.0 + i * 0.01, cum_volume=c)
            for i, c in enumerate(totals)]


def test_plain_volume_passes_through_and_bad_volume_is_zero(make: Make) -> None:
    ticks = [RawTick(BTC, T + i, 100.0, volume=v) for i, v in enumerate([1.5, -2.0, nan, 3.0])]
    assert make().screen(ticks).volume.tolist() == [1.5, 0.0, 0.0, 3.0]


def test_cumulative_volume_becomes_differences(make: Make) -> None:
    result = make().screen(cum_ticks(MOUTAI, 1000.0, 1250.0, 1250.0, 1600.0))
    # the first print has no earlier total to subtract: nothing is known to have traded
    # since our previous tick, so 0; then 1250 - 1000, 1250 - 1250, 1600 - 1250
    assert result.volume.tolist() == [0.0, 250.0, 0.0, 350.0]


def test_cumulative_volume_wins_over_the_plain_volume(make: Make) -> None:
    ticks = [RawTick(BTC, T, 100.0, volume=7.0, cum_volume=10.0),
             RawTick(BTC, T + 1, 100.0, volume=7.0, cum_volume=12.0)]
    assert make().screen(ticks).volume.tolist()[1] == 2.0


def test_cumulative_volume_going_back_is_rebased(make: Make) -> None:
    validator = make()
    result = validator.screen(cum_ticks(MOUTAI, 1000.0, 1250.0, 300.0, 450.0))
    # 300 < 1250 within the day: a feed restart. That print carries 0 (never -950) and
    # the next continues from the new base: 450 - 300 = 150.
    assert result.volume.tolist() == [0.0, 250.0, 0.0, 150.0]
    assert result.notes == Counter({QualityNote.VOLUME_REBASED: 1})
    assert validator.total_notes[QualityNote.VOLUME_REBASED] == 1


def test_cumulative_turnover_going_back_is_rebased_too(make: Make) -> None:
    ticks = [RawTick(MOUTAI, T, 1400.0, cum_volume=10.0, cum_turnover=14000.0),
             RawTick(MOUTAI, T + 1, 1400.0, cum_volume=11.0, cum_turnover=500.0)]
    result = make().screen(ticks)
    assert result.volume.tolist() == [0.0, 0.0]
    assert result.notes == Counter({QualityNote.VOLUME_REBASED: 1})


def test_a_new_trading_day_starts_from_the_days_total(make: Make) -> None:
    monday = RawTick(MOUTAI, at(14, 59), 1400.0, cum_volume=50000.0)
    tuesday = RawTick(MOUTAI, at(9, 30, day=TUESDAY), 1401.0, cum_volume=800.0)
    result = make().screen([monday, tuesday], live=True)
    assert result.volume.tolist() == [0.0, 800.0]
    assert not result.notes, "a lower total on a new day is not a restart"


def test_volume_of_a_dropped_print_is_not_lost(make: Make) -> None:
    # the crossed-book print is refused; the next accepted print's difference is taken from
    # the last ACCEPTED total, so the 100 lots of the refused print are still counted
    ticks = [RawTick(MOUTAI, T, 1400.0, cum_volume=1000.0),
             RawTick(MOUTAI, T + 1, 1400.0, cum_volume=1100.0, bid=1401.0, ask=1400.0),
             RawTick(MOUTAI, T + 2, 1400.0, cum_volume=1300.0)]
    result = make().screen(ticks)
    assert result.volume.tolist() == [0.0, 300.0]


# ===== 6. A-share limit band ============================================================

@pytest.mark.parametrize(("price", "held"), [(110.0, False), (110.01, True), (110.02, True),
                                             (90.0, False), (89.99, True), (100.0, False)])
def test_main_board_band_from_the_previous_close(make: Make, price: float, held: bool) -> None:
    # previous close 100, main board ±10 %: limit-up 110.00, limit-down 90.00
    validator = make()
    result = only(validator, RawTick(MOUTAI, T, price, prev_close=100.0))
    assert validator.held == int(held)
    assert result.reasons.tolist() == [HELD if held else ACCEPTED]


@pytest.mark.parametrize(("price", "held"), [(120.0, False), (120.01, True), (115.0, False)])
def test_chinext_band_is_twenty_percent(make: Make, price: float, held: bool) -> None:
    validator = make()
    only(validator, RawTick(CATL, T, price, prev_close=100.0))
    assert validator.held == int(held)


def test_feed_limit_prices_win_over_the_previous_close_narrower(make: Make) -> None:
    # the feed knows 105 is limit-up (say an ST stock we have no name for): 106 cannot trade,
    # although previous close × 1.1 would allow it
    validator = make()
    tick = RawTick(MOUTAI, T, 106.0, prev_close=100.0, limit_down=95.0, limit_up=105.0)
    assert only(validator, tick).reasons.tolist() == [HELD]


def test_feed_limit_prices_win_over_the_previous_close_wider(make: Make) -> None:
    validator = make()
    tick = RawTick(MOUTAI, T, 115.0, prev_close=100.0, limit_down=80.0, limit_up=120.0)
    assert prices(only(validator, tick)) == [115.0]


def test_unusable_feed_limits_fall_back_to_the_previous_close(make: Make) -> None:
    # limit-down above limit-up is nonsense: previous close × band decides (110 < 110.01)
    validator = make()
    tick = RawTick(MOUTAI, T, 110.01, prev_close=100.0, limit_down=120.0, limit_up=80.0)
    assert only(validator, tick).reasons.tolist() == [HELD]


def test_st_name_narrows_the_main_board_band(make: Make) -> None:
    validator = make()
    validator.set_instrument("600666.SH", name="*ST 某某")
    # previous close 10.00, ST ±5 %: limit-up 10.50
    result = validator.screen([RawTick("600666.SH", T, 10.50, prev_close=10.0),
                               RawTick("600666.SH", T + 3, 10.51, prev_close=10.0)])
    assert result.reasons.tolist() == [ACCEPTED, HELD]


def test_without_the_st_name_the_main_board_band_applies(make: Make) -> None:
    result = only(make(), RawTick("600666.SH", T, 10.51, prev_close=10.0))
    assert prices(result) == [10.51]


def test_st_name_does_not_narrow_chinext(make: Make) -> None:
    validator = make()
    validator.set_instrument("300999.SZ", name="*ST 某某")
    result = validator.screen([RawTick("300999.SZ", T, 11.99, prev_close=10.0),
                               RawTick("300999.SZ", T + 3, 12.01, prev_close=10.0)])
    assert result.reasons.tolist() == [ACCEPTED, HELD]


def test_set_instrument_limit_prices_give_the_band(make: Make) -> None:
    validator = make()
    validator.set_instrument(MOUTAI, limit_down=1300.0, limit_up=1500.0)
    result = validator.screen(walk(MOUTAI, 1499.0, 1500.0, 1500.01))
    assert result.reasons.tolist() == [ACCEPTED, ACCEPTED, HELD]


def test_set_instrument_previous_close_applies_to_the_next_prints_day_only(make: Make) -> None:
    validator = make()
    validator.set_instrument(MOUTAI, prev_close=100.0)
    monday = validator.screen([RawTick(MOUTAI, T, 105.0), RawTick(MOUTAI, T + 3, 110.01),
                               RawTick(MOUTAI, T + 6, 105.5)], live=True)
    # Monday: the band 90.00..110.00 holds 110.01 (and 105.5 drops it again)
    assert monday.reasons.tolist() == [ACCEPTED, code(DropReason.UNCONFIRMED_JUMP), ACCEPTED]
    tuesday = validator.screen([RawTick(MOUTAI, at(10, day=TUESDAY), 114.0),
                                RawTick(MOUTAI, at(10, 0, 3, day=TUESDAY), 126.0)], live=True)
    # Tuesday: Monday's previous close no longer applies (114 > 110.00 is accepted); only
    # the move from the last accepted price is checked: 114 / 105.5 = +8.1 % passes,
    # 126 / 114 = +10.5 % is held
    assert tuesday.reasons.tolist() == [ACCEPTED, HELD]


def test_set_instrument_limit_prices_win_over_a_previous_close(make: Make) -> None:
    # contract rule 6: the feed's limit prices, ELSE previous close × band. The feed says
    # limit-up 10.50 (an ST stock, say); previous close × 1.1 = 11.00 must not widen it.
    validator = make()
    validator.set_instrument("600000.SH", prev_close=10.0, limit_down=9.5, limit_up=10.5)
    assert only(validator, RawTick("600000.SH", T, 10.8)).reasons.tolist() == [HELD]


def test_without_a_band_an_ashare_move_is_checked_against_its_board(make: Make) -> None:
    # no previous close known: the move from the last accepted price, board band as the limit
    result = make().screen(walk(MOUTAI, 100.0, 110.5) + walk(CATL, 100.0, 115.0))
    assert result.reasons.tolist() == [ACCEPTED, HELD, ACCEPTED, ACCEPTED]


# ===== 6. held jumps ====================================================================

def test_a_bad_print_back_in_range_is_dropped_unconfirmed(make: Make) -> None:
    validator = make()
    result = validator.screen(walk(BTC, 100.0, 130.0, 100.5, 100.2))
    assert prices(result) == [100.0, 100.5, 100.2], "the 130 never reaches anyone"
    assert result.reasons.tolist() == [ACCEPTED, code(DropReason.UNCONFIRMED_JUMP),
                                       ACCEPTED, ACCEPTED]
    assert result.dropped == Counter({DropReason.UNCONFIRMED_JUMP: 1})
    assert result.notes == Counter({QualityNote.HELD: 1})
    assert validator.held == 0


def test_a_real_move_is_released_in_order_with_its_own_times(make: Make) -> None:
    validator = make(confirm_ticks=2)
    ticks = walk(BTC, 100.0, 130.0, 131.0, 129.0)
    first = validator.screen(ticks[:2])
    assert prices(first) == [100.0] and validator.held == 1
    second = validator.screen(ticks[2:3])
    assert len(second) == 0 and validator.held == 2
    third = validator.screen(ticks[3:])
    # the two prints beyond +10 % after the 130 confirm it: all three come out now
    assert prices(third) == [130.0, 131.0, 129.0]
    assert times(third) == [T + 3, T + 6, T + 9]
    assert validator.held == 0
    assert validator.total_notes == Counter({QualityNote.HELD: 3, QualityNote.CONFIRMED_JUMP: 3})
    assert validator.total_accepted == 4 and not validator.total_dropped


def test_held_prints_keep_their_reason_held_in_their_own_batch(make: Make) -> None:
    validator = make(confirm_ticks=2)
    validator.screen(walk(BTC, 100.0))
    earlier = validator.screen(walk(BTC, 130.0, start=T + 3))
    later = validator.screen(walk(BTC, 131.0, 132.0, start=T + 6))
    assert earlier.reasons.tolist() == [HELD]
    assert later.reasons.tolist() == [ACCEPTED, ACCEPTED]
    assert prices(later) == [130.0, 131.0, 132.0]


def test_a_held_print_dropped_in_a_later_batch_is_counted_then(make: Make) -> None:
    validator = make()
    validator.screen(walk(BTC, 100.0, 130.0))
    later = validator.screen(walk(BTC, 100.3, start=T + 6))
    assert later.dropped == Counter({DropReason.UNCONFIRMED_JUMP: 1})
    assert prices(later) == [100.3]


def test_one_confirming_print_is_enough_with_confirm_ticks_1(make: Make) -> None:
    validator = make(confirm_ticks=1)
    result = validator.screen(walk(BTC, 100.0, 130.0, 131.0))
    assert prices(result) == [100.0, 130.0, 131.0]


def test_a_crash_is_confirmed_like_a_rise(make: Make) -> None:
    validator = make()
    result = validator.screen(walk(BTC, 100.0, 70.0, 69.0, 71.0))
    assert prices(result) == [100.0, 70.0, 69.0, 71.0]
    assert result.notes[QualityNote.CONFIRMED_JUMP] == 3


def test_a_held_print_followed_by_an_opposite_jump(make: Make) -> None:
    validator = make()
    result = validator.screen(walk(BTC, 100.0, 130.0, 70.0))
    # +30 % then -30 % from the last accepted 100: the 130 is refuted and the 70 held
    assert prices(result) == [100.0]
    assert result.reasons.tolist() == [ACCEPTED, code(DropReason.UNCONFIRMED_JUMP), HELD]
    assert validator.held == 1
    back = validator.screen(walk(BTC, 100.1, start=T + 9))
    assert prices(back) == [100.1]
    assert validator.total_dropped == Counter({DropReason.UNCONFIRMED_JUMP: 2})


def test_a_move_within_max_jump_pct_is_not_held(make: Make) -> None:
    result = make(max_jump_pct=50.0).screen(walk(BTC, 100.0, 130.0))
    assert prices(result) == [100.0, 130.0] and not result.notes


def test_the_first_print_of_a_symbol_is_never_held_without_a_band(make: Make) -> None:
    result = make().screen(walk(BTC, 100.0))
    assert result.reasons.tolist() == [ACCEPTED]


def test_released_prints_carry_their_own_volumes(make: Make) -> None:
    ticks = [RawTick(BTC, T + i, p, cum_volume=c)
             for i, (p, c) in enumerate([(100.0, 10.0), (130.0, 12.0), (131.0, 15.0),
                                         (132.0, 19.0)])]
    result = make().screen(ticks)
    assert result.volume.tolist() == [0.0, 2.0, 3.0, 4.0]


def test_a_print_held_over_the_close_keeps_its_own_days_volume(make: Make) -> None:
    ticks = [RawTick(MOUTAI, at(14, 58), 100.0, cum_volume=1000.0),
             RawTick(MOUTAI, at(14, 59), 115.0, cum_volume=1100.0),  # +15 %: held
             RawTick(MOUTAI, at(9, 30, day=TUESDAY), 115.5, cum_volume=50.0),
             RawTick(MOUTAI, at(9, 31, day=TUESDAY), 116.0, cum_volume=80.0)]  # confirmed
    result = make().screen(ticks, live=True)
    # 1100 - 1000 traded on Monday since the previous accepted print; Tuesday starts from its
    # own total 50, then 80 - 50. No feed restart happened.
    assert result.volume.tolist() == [0.0, 100.0, 50.0, 30.0]
    assert QualityNote.VOLUME_REBASED not in result.notes


# ===== counters =========================================================================

def test_totals_add_up_across_batches(make: Make) -> None:
    validator = make()
    validator.screen([RawTick(BTC, T, 100.0), RawTick(BTC, T, 100.0), RawTick(BTC, T + 1, 0.0)])
    validator.screen([RawTick(BTC, T + 2, 130.0), RawTick(BTC, T + 3, 100.2),
                      RawTick(MOUTAI, at(12), 1400.0)], live=True)
    validator.screen([RawTick(MOUTAI, T, 1400.0, cum_volume=9.0),
                      RawTick(MOUTAI, T + 1, 1400.0, cum_volume=5.0)])
    assert validator.total_accepted == 4  # 100.0, 100.2 and the two Moutai prints
    assert validator.total_dropped == Counter({
        DropReason.DUPLICATE: 1, DropReason.BAD_PRICE: 1, DropReason.UNCONFIRMED_JUMP: 1,
        DropReason.OUTSIDE_SESSION: 1,
    })
    assert validator.total_notes == Counter({QualityNote.HELD: 1, QualityNote.VOLUME_REBASED: 1})


def test_reasons_give_one_answer_per_input_row(make: Make) -> None:
    ticks = [RawTick(BTC, T, 100.0), RawTick(MOUTAI, at(9, 20), 1400.0),
             RawTick(BTC, T + 1, 150.0), RawTick(MOUTAI, T, 1400.0, bid=2.0, ask=1.0),
             RawTick(BTC, nan, 100.0), RawTick(MOUTAI, T, 1400.0)]
    result = make().screen(ticks, live=True)
    assert result.reasons.tolist() == [
        ACCEPTED, code(DropReason.OUTSIDE_SESSION), HELD, code(DropReason.CROSSED_BOOK),
        code(DropReason.BAD_TIME), ACCEPTED,
    ]
    assert Counter(result.symbols) == Counter({BTC: 1, MOUTAI: 1})


def test_screened_ticks_are_tz_aware_in_the_markets_zone(make: Make) -> None:
    result = make().screen([RawTick(MOUTAI, T, 1400.0, volume=3.0), RawTick(BTC, T, 85000.0)])
    moutai, btc = result.ticks()
    assert moutai == Tick(MOUTAI, datetime(2026, 3, 23, 10, 0, tzinfo=SH), 1400.0, 3.0)
    assert moutai.time.tzinfo == SH and btc.time.tzinfo == UTC
    assert btc.time == datetime(2026, 3, 23, 2, 0, tzinfo=UTC)


# ===== robustness =======================================================================

def test_none_and_junk_strings_are_dropped_without_raising(make: Make) -> None:
    ticks = [
        RawTick(BTC, None, 100.0),  # type: ignore[arg-type]
        RawTick(BTC, T, None),  # type: ignore[arg-type]
        RawTick(BTC, "10:00", 100.0),  # type: ignore[arg-type]
        RawTick(BTC, T, "abc"),  # type: ignore[arg-type]
        RawTick(BTC, T, ""),  # type: ignore[arg-type]
    ]
    validator = make()
    result = validator.screen(ticks)
    assert len(result) == 0
    assert result.dropped == Counter({DropReason.BAD_TIME: 2, DropReason.BAD_PRICE: 3})


def test_optional_fields_given_as_none_count_as_not_given(make: Make) -> None:
    tick = RawTick(BTC, T, 100.0, volume=None, cum_volume=None, bid=None,  # type: ignore[arg-type]
                   ask="n/a", day_high=None, day_low=None)  # type: ignore[arg-type]
    result = only(make(), tick)
    assert prices(result) == [100.0] and result.volume.tolist() == [0.0]


def test_numeric_strings_are_read_as_numbers(make: Make) -> None:
    result = only(make(), RawTick(BTC, str(T), "85000.5"))  # type: ignore[arg-type]
    assert prices(result) == [85000.5] and times(result) == [T]


def test_columnar_batch_with_slots(make: Make) -> None:
    validator = make()
    symbols = [MOUTAI, BTC, MOUTAI, BTC]
    batch = RawBatch(
        symbols=symbols,
        time=np.array([T, T, T + 1, T + 1]),
        price=np.array([1400.0, 85000.0, 0.0, 85001.0]),
        cum_volume=np.array([100.0, nan, 150.0, nan]),
    )
    slots = validator.slots(symbols)
    assert slots.tolist() == [0, 1, 0, 1]
    result = validator.screen(batch, slots=slots)
    assert result.reasons.tolist() == [ACCEPTED, ACCEPTED, code(DropReason.BAD_PRICE), ACCEPTED]
    accepted = list(zip(result.symbols, prices(result)))
    assert sorted(accepted) == sorted([(MOUTAI, 1400.0), (BTC, 85000.0), (BTC, 85001.0)])


# ===== the shipped real data ============================================================

# The BTC month is 155,000 replayed prints, minutes of per-print Python on a slow PC; its
# first three days (with the rally of 2 March 2025, 85,050 to 95,000) are enough here.
BTC_BARS = 3 * 1440
BATCH = 50


@pytest.fixture(scope="module")
def real() -> dict[str, list[RawTick]]:
    """Each shipped series as a feed would hand it over: replayed ticks, epoch seconds."""
    streams: dict[str, list[RawTick]] = {}
    for series in DEFAULT_SERIES:
        replay = to_replay_bars(load_bars(series.file, series.symbol, series.tz), series)
        if series.market == "crypto":
            replay = replay[:BTC_BARS]
        ticks: list[RawTick] = []
        for item in replay:
            b = item.bar
            for when, price, volume in bar_to_ticks(b.time, item.duration, b.open, b.high,
                                                    b.low, b.close, b.volume):
                ticks.append(RawTick(series.symbol, when.timestamp(), price, volume=volume))
        streams[series.symbol] = ticks
    return streams


def batches(ticks: Sequence[RawTick], size: int = BATCH) -> list[list[RawTick]]:
    return [list(ticks[i:i + size]) for i in range(0, len(ticks), size)]


def screen_all(validator: TickValidator, ticks: Sequence[RawTick], size: int = BATCH,
               live: bool = True) -> list[tuple[float, float, float]]:
    """Screen in feed-sized batches (clock = the batch's newest print); accepted prints."""
    out: list[tuple[float, float, float]] = []
    for batch in batches(ticks, size):
        now = max(t.time for t in batch if isinstance(t.time, float) and math.isfinite(t.time))
        result = validator.screen(batch, now=now, live=live)
        out.extend(zip(times(result), prices(result), result.volume.tolist()))
    return out


def as_rows(ticks: Sequence[RawTick]) -> list[tuple[float, float, float]]:
    return [(t.time, t.price, t.volume) for t in ticks]


@pytest.mark.parametrize("symbol", [MOUTAI, BTC])
def test_real_data_is_accepted_whole(real: dict[str, list[RawTick]], symbol: str) -> None:
    ticks = real[symbol]
    validator = TickValidator()
    assert screen_all(validator, ticks) == as_rows(ticks)
    assert not validator.total_dropped and not validator.total_notes
    assert validator.total_accepted == len(ticks) and validator.held == 0


def test_real_moutai_week_covers_five_trading_days(real: dict[str, list[RawTick]]) -> None:
    # what the session check above was exercised on: 09:30 auctions to 15:00 closes
    days = {datetime.fromtimestamp(t.time, SH).date() for t in real[MOUTAI]}
    assert days == {MONDAY + timedelta(days=i) for i in range(5)}


def just_before(tick: RawTick) -> float:
    """Half a second before a real print: after the one before it (replayed prints are
    seconds apart) and, like it, inside the session."""
    return tick.time - 0.5


@pytest.mark.parametrize("symbol", [MOUTAI, BTC])
def test_injected_faults_are_refused_and_nothing_else(real: dict[str, list[RawTick]],
                                                      symbol: str) -> None:
    clean = real[symbol]
    n = len(clean)
    a, b, c, d = n // 5, 2 * n // 5, 3 * n // 5, 4 * n // 5
    faults = {
        # a 0.00 print between two real ones
        a: (RawTick(symbol, just_before(clean[a]), 0.0), DropReason.BAD_PRICE),
        # the previous print sent again
        b: (clean[b - 1], DropReason.DUPLICATE),
        # a fat finger: 10 × the price, then the market carries on where it was
        c: (RawTick(symbol, just_before(clean[c]), clean[c - 1].price * 10, volume=1.0),
            DropReason.UNCONFIRMED_JUMP),
        # a replayed old print after a "reconnect"
        d: (RawTick(symbol, clean[d - 5].time, clean[d - 1].price, volume=1.0),
            DropReason.OUT_OF_ORDER),
    }
    stream: list[RawTick] = []
    expected: list[int] = []
    for i, tick in enumerate(clean):
        if i in faults:
            stream.append(faults[i][0])
            expected.append(code(faults[i][1]))
        stream.append(tick)
        expected.append(ACCEPTED)
    validator = TickValidator()
    result = validator.screen(stream, now=max(t.time for t in clean), live=True)
    assert result.reasons.tolist() == expected
    assert list(zip(times(result), prices(result), result.volume.tolist())) == as_rows(clean)
    assert result.dropped == Counter(reason for _, reason in faults.values())
    assert validator.held == 0


def test_pre_open_prints_of_the_real_week_are_refused(real: dict[str, list[RawTick]]) -> None:
    clean = real[MOUTAI]
    # the first print of the second day, and what a terminal sends before it: a 0.00 and an
    # indicative auction price at 09:20
    first = next(i for i, t in enumerate(clean) if datetime.fromtimestamp(t.time, SH).date()
                 == TUESDAY)
    assert datetime.fromtimestamp(clean[first].time, SH).time() == time(9, 30)
    opening = at(9, 20, day=TUESDAY)
    zero = RawTick(MOUTAI, opening, 0.0)
    indicative = RawTick(MOUTAI, opening + 30, clean[first].price)
    stream = clean[:first] + [zero, indicative] + clean[first:]
    validator = TickValidator()
    assert screen_all(validator, stream) == as_rows(clean)
    assert validator.total_dropped == Counter({DropReason.BAD_PRICE: 1,
                                               DropReason.OUTSIDE_SESSION: 1})


# ===== a refused print never reaches the rule engine =====================================

def run_engine(stop: float, stream: Sequence[RawTick], validate: bool = True
               ) -> tuple[list, TickValidator]:
    """Feed ``stream`` (through the validator, or straight) into an engine with one
    stop-loss rule; the alerts it fired, and the validator."""
    rule = validate_rule({"task_name": "BTC stop", "stock_code": BTC, "stop_loss": stop})
    engine = RuleEngine([rule])
    validator = TickValidator()
    alerts = []
    for batch in batches(stream):
        if validate:
            ticks = validator.screen(batch, now=batch[-1].time, live=True).ticks()
        else:
            ticks = [Tick(t.symbol, datetime.fromtimestamp(t.time, UTC), t.price) for t in batch]
        alerts.extend(engine.on_ticks(ticks).alerts)
    return alerts, validator


def test_a_single_crash_print_never_fires_a_stop(real: dict[str, list[RawTick]]) -> None:
    clean = real[BTC][:3000]
    stop = round(0.97 * min(t.price for t in clean), 2)  # the real prices never reach it
    k = 2 * BATCH - 1  # the crash print ends a batch: the decision comes in the next one
    crash = RawTick(BTC, just_before(clean[k]), round(stop * 0.9, 2))
    stream = clean[:k] + [crash] + clean[k:]
    alerts, validator = run_engine(stop, stream)
    assert alerts == []
    assert validator.total_dropped == Counter({DropReason.UNCONFIRMED_JUMP: 1})
    # the check of the test itself: unscreened, that print does fire the stop
    unscreened, _ = run_engine(stop, stream, validate=False)
    assert [a.price for a in unscreened] == [crash.price]


def test_a_confirmed_crash_fires_the_stop_once_at_its_first_print(
        real: dict[str, list[RawTick]]) -> None:
    clean = real[BTC][:3000]
    k = 40 * BATCH - 1  # again the first crash print ends a batch
    stop = round(0.97 * min(t.price for t in clean[:k]), 2)
    # from k on the market trades 20 % lower: three prints beyond -10 % confirm the move
    crashed = [RawTick(BTC, t.time, round(t.price * 0.8, 2), volume=t.volume) for t in clean[k:]]
    assert crashed[0].price < stop and crashed[0].price < 0.9 * clean[k - 1].price
    alerts, validator = run_engine(stop, clean[:k] + crashed)
    assert [(a.kind, a.price) for a in alerts] == [(AlertKind.STOP_LOSS, crashed[0].price)]
    assert alerts[0].time == datetime.fromtimestamp(crashed[0].time, UTC)
    # it went through the hold: held, then released with the two prints that confirmed it
    assert validator.total_notes == Counter({QualityNote.HELD: 3, QualityNote.CONFIRMED_JUMP: 3})
    assert not validator.total_dropped


def test_set_instrument_without_a_name_keeps_the_st_band(make: Make) -> None:
    """A feed that sends the name once and the previous close daily keeps the ST band."""
    validator = make()
    validator.set_instrument("600000.SH", name="*ST 某某")
    validator.set_instrument("600000.SH", prev_close=10.0)  # limits 9.50 .. 10.50
    result = validator.screen([RawTick("600000.SH", at(10, 0), 10.6)], live=False)
    assert result.reasons.tolist() == [HELD]


def test_a_beijing_index_has_no_band() -> None:
    assert limit_ratio("899050.BJ") is None


def test_the_history_close_makes_even_the_first_crypto_print_checked(make: Make) -> None:
    validator = make()
    validator.set_instrument("BTC/USDT", last_price=85_000.0)
    first_bad = validator.screen([RawTick("BTC/USDT", at(10, 0), 8_500.0)], live=False)
    assert first_bad.reasons.tolist() == [HELD]
    fine = validator.screen([RawTick("BTC/USDT", at(10, 0, 1), 85_010.0)], live=False)
    assert fine.price.tolist() == [85_010.0]
    assert validator.total_dropped[DropReason.UNCONFIRMED_JUMP] == 1
