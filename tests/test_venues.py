"""Timeframe names per venue: every row of the table, every refusal, and the way back."""

from __future__ import annotations

import pytest

from app.market.timeframes import TIMEFRAMES
from app.market.venues import (
    OUR_TIMEFRAMES,
    VENUES,
    UnsupportedTimeframe,
    our_timeframe,
    venue_timeframe,
    venue_timeframes,
)

# Written out by hand from each venue's documentation, so a typo in the module shows up.
EXPECTED: dict[str, dict[str, str]] = {
    "ccxt": {
        "1m": "1m", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "1h", "4h": "4h", "1d": "1d",
    },
    "xtquant": {
        "tick": "tick", "1m": "1m", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "1h",
        "1d": "1d",
    },
    "oanda": {
        "1m": "M1", "5m": "M5", "15m": "M15", "30m": "M30", "1h": "H1", "4h": "H4", "1d": "D",
    },
    "ib": {
        "1m": "1 min", "5m": "5 mins", "15m": "15 mins", "30m": "30 mins", "1h": "1 hour",
        "4h": "4 hours", "1d": "1 day",
    },
}
ROWS = [(v, ours, theirs) for v, table in EXPECTED.items() for ours, theirs in table.items()]
MISSING = [(v, ours) for v in VENUES for ours in OUR_TIMEFRAMES if ours not in EXPECTED[v]]


def test_venues_and_our_timeframes() -> None:
    assert VENUES == ("ccxt", "xtquant", "oanda", "ib")
    assert OUR_TIMEFRAMES == ("tick", *TIMEFRAMES)
    assert set(EXPECTED) == set(VENUES)


@pytest.mark.parametrize(("venue", "ours", "theirs"), ROWS)
def test_every_row_maps_and_round_trips(venue: str, ours: str, theirs: str) -> None:
    assert venue_timeframe(venue, ours) == theirs
    assert our_timeframe(venue, theirs) == ours
    assert our_timeframe(venue, venue_timeframe(venue, ours)) == ours


@pytest.mark.parametrize("venue", VENUES)
def test_venue_timeframes_lists_exactly_the_rows_in_our_order(venue: str) -> None:
    assert venue_timeframes(venue) == tuple(t for t in OUR_TIMEFRAMES if t in EXPECTED[venue])


@pytest.mark.parametrize(
    ("venue", "ours", "why"),
    [
        ("ccxt", "tick", "ticks come from fetch_ticker or watch_trades"),
        ("xtquant", "4h", "xtquant has no 4-hour period"),
        ("oanda", "tick", "ticks come from the pricing stream"),
        ("ib", "tick", "ticks come from reqTickByTickData or reqMktData"),
    ],
)
def test_missing_rows_are_refused_with_the_reason(venue: str, ours: str, why: str) -> None:
    with pytest.raises(UnsupportedTimeframe) as info:
        venue_timeframe(venue, ours)
    err = info.value
    offered = ", ".join(venue_timeframes(venue))
    assert str(err) == (
        f"{venue}: timeframe {ours!r} is not supported: {err.reason}; {venue} supports: {offered}"
    )
    assert why in err.reason
    assert (err.venue, err.timeframe, err.available) == (venue, ours, venue_timeframes(venue))
    assert isinstance(err, ValueError)  # callers that catch ValueError keep working


def test_every_missing_row_is_covered_by_the_test_above() -> None:
    assert sorted(MISSING) == sorted(
        [("ccxt", "tick"), ("xtquant", "4h"), ("oanda", "tick"), ("ib", "tick")]
    )


@pytest.mark.parametrize("venue", VENUES)
def test_unknown_timeframe_is_refused_naming_ours(venue: str) -> None:
    with pytest.raises(UnsupportedTimeframe, match=r"unknown timeframe \(ours are: tick, 1m,"):
        venue_timeframe(venue, "2h")


@pytest.mark.parametrize("venue", ["ccxt", "oanda", "ib", "xtquant"])
def test_four_hours_is_refused_for_an_ashare_code(venue: str) -> None:
    with pytest.raises(UnsupportedTimeframe) as info:
        venue_timeframe(venue, "4h", code="600519.SH")
    message = str(info.value)
    assert message.startswith(f"{venue}: timeframe '4h' is not supported: 600519.SH: A-shares ")
    assert "use 1h or 1d" in message
    assert "4h" not in info.value.available
    assert info.value.available == venue_timeframes(venue, code="600519.SH")


def test_a_crypto_code_keeps_four_hours_and_ticks_exist_for_ashares() -> None:
    assert venue_timeframe("ccxt", "4h", code="BTC/USDT") == "4h"
    assert venue_timeframe("xtquant", "tick", code="600519.SH") == "tick"
    assert venue_timeframes("xtquant", code="600519.SH") == (
        "tick", "1m", "5m", "15m", "30m", "1h", "1d",
    )


def test_a_ccxt_exchange_timeframes_dict_is_checked() -> None:
    coinbase = {  # ccxt 4.5 coinbase().timeframes: no 4h
        "1m": "ONE_MINUTE", "5m": "FIVE_MINUTE", "15m": "FIFTEEN_MINUTE",
        "30m": "THIRTY_MINUTE", "1h": "ONE_HOUR", "2h": "TWO_HOUR", "6h": "SIX_HOUR",
        "1d": "ONE_DAY",
    }
    assert venue_timeframe("ccxt", "1h", supported=coinbase) == "1h"  # the unified name
    with pytest.raises(UnsupportedTimeframe) as info:
        venue_timeframe("ccxt", "4h", supported=coinbase)
    assert str(info.value) == (
        "ccxt: timeframe '4h' is not supported: the ccxt source at hand does not list it "
        "among its timeframes; ccxt supports: 1m, 5m, 15m, 30m, 1h, 1d"
    )


def test_an_empty_supported_list_offers_nothing() -> None:
    with pytest.raises(UnsupportedTimeframe, match=r"ccxt supports: none$"):
        venue_timeframe("ccxt", "1m", supported={})


def test_an_xtquant_period_list_is_checked_and_its_60m_alias_used() -> None:
    old_client = ["tick", "1m", "5m", "1d"]
    assert venue_timeframe("xtquant", "5m", supported=old_client) == "5m"
    with pytest.raises(UnsupportedTimeframe, match=r"xtquant supports: tick, 1m, 5m, 1d$"):
        venue_timeframe("xtquant", "15m", supported=old_client)
    assert venue_timeframe("xtquant", "1h", supported=["1m", "60m"]) == "60m"
    assert venue_timeframe("xtquant", "1h", supported=["1h", "60m"]) == "1h"
    assert our_timeframe("xtquant", "60m") == "1h"


@pytest.mark.parametrize(("venue", "name"), [("oanda", "H2"), ("ib", "1 mins"), ("ccxt", "1H")])
def test_reverse_lookup_refuses_names_we_do_not_map(venue: str, name: str) -> None:
    with pytest.raises(UnsupportedTimeframe) as info:
        our_timeframe(venue, name)
    assert str(info.value).startswith(
        f"{venue}: timeframe {name!r} is not supported: not a {venue} timeframe name we map"
    )
    assert info.value.available == venue_timeframes(venue)


def test_an_unknown_venue_is_a_plain_value_error() -> None:
    for call in (
        lambda: venue_timeframe("binance", "1m"),
        lambda: our_timeframe("binance", "1m"),
        lambda: venue_timeframes("binance"),
    ):
        with pytest.raises(ValueError, match=r"unknown venue 'binance' \(known: ccxt, xtquant"):
            call()
