"""A-share daily price-limit bands: which board a code is on, and the exchange's rounding."""

from __future__ import annotations

import math

import pytest

from app.market.limits import limit_prices, limit_ratio

ST_NAME = "*ST 某某"


# ----- limit_ratio: one band per board ----------------------------------------------------

@pytest.mark.parametrize(
    ("code", "band"),
    [
        ("600519.SH", 0.10),  # Shanghai main board
        ("601318.SH", 0.10),
        ("603288.SH", 0.10),
        ("605499.SH", 0.10),
        ("000001.SZ", 0.10),  # Shenzhen main board (平安银行, not the index)
        ("002594.SZ", 0.10),
        ("688981.SH", 0.20),  # STAR Market 科创板
        ("300750.SZ", 0.20),  # ChiNext 创业板
        ("301269.SZ", 0.20),
        ("830799.BJ", 0.30),  # Beijing Stock Exchange, old 8xxxxx code
        ("430047.BJ", 0.30),  # Beijing Stock Exchange, old 4xxxxx code
        ("920819.BJ", 0.30),  # Beijing Stock Exchange, new 920xxx code
        ("510300.SH", 0.10),  # ETF
        ("159915.SZ", 0.10),  # ETF
    ],
)
def test_each_board_has_its_band(code: str, band: float) -> None:
    assert limit_ratio(code) == band


@pytest.mark.parametrize("code", ["000001.SH", "000300.SH", "399001.SZ", "399006.SZ"])
def test_indices_have_no_band(code: str) -> None:
    # 000001.SH is the SSE Composite, 399001.SZ the SZSE Component: they cannot be limited.
    assert limit_ratio(code) is None


@pytest.mark.parametrize("code", ["BTC/USDT", "ETHUSDT", "", "600519"])
def test_non_ashare_codes_have_no_band(code: str) -> None:
    # "600519" without its exchange suffix cannot be placed on a board.
    assert limit_ratio(code) is None


def test_code_case_does_not_matter() -> None:
    assert limit_ratio("688981.sh") == limit_ratio("688981.SH") == 0.20


@pytest.mark.parametrize("code", ["600519.SH", "000001.SZ", "002594.SZ"])
def test_main_board_st_stock_has_the_narrow_band(code: str) -> None:
    assert limit_ratio(code, ST_NAME) == 0.05
    assert limit_ratio(code, "ST 某某") == 0.05


@pytest.mark.parametrize(("code", "band"), [("300750.SZ", 0.20), ("688981.SH", 0.20),
                                            ("830799.BJ", 0.30)])
def test_st_outside_the_main_board_keeps_the_board_band(code: str, band: float) -> None:
    assert limit_ratio(code, ST_NAME) == band


def test_an_etf_is_never_st() -> None:
    assert limit_ratio("510300.SH", ST_NAME) == 0.10


def test_a_name_without_st_keeps_the_main_board_band() -> None:
    assert limit_ratio("600519.SH", "贵州茅台") == 0.10


# ----- limit_prices: previous close × (1 ± band), half up to the fen ----------------------

def test_half_a_fen_rounds_up_both_ways() -> None:
    # 10.05 × 1.1 = 11.055 → 11.06 and 10.05 × 0.9 = 9.045 → 9.05 (half up).
    assert limit_prices(10.05, 0.10) == (9.05, 11.06)


def test_half_a_fen_rounds_up_where_the_float_product_falls_short() -> None:
    # 1.15 × 0.9 = 1.035 → 1.04 and 1.15 × 1.1 = 1.265 → 1.27, although in binary floating
    # point both products land a hair below the half (plain round() gives 1.03 and 1.26).
    assert limit_prices(1.15, 0.10) == (1.04, 1.27)
    # 1.3 × 0.95 = 1.235 → 1.24 (the float product is 1.2349999…); 1.3 × 1.05 = 1.365 → 1.37
    assert limit_prices(1.3, 0.05) == (1.24, 1.37)


def test_half_up_is_not_half_even() -> None:
    # 1.25 × 0.9 = 1.125 → 1.13 (banker's rounding would give 1.12); 1.25 × 1.1 = 1.375 → 1.38
    assert limit_prices(1.25, 0.10) == (1.13, 1.38)


def test_fractions_of_a_fen_round_to_the_nearest() -> None:
    # 10.01 × 1.1 = 11.011 → 11.01 (0.1 fen: down); 10.01 × 0.9 = 9.009 → 9.01 (0.9 fen: up)
    assert limit_prices(10.01, 0.10) == (9.01, 11.01)


def test_chinext_band() -> None:
    # 12.34 × 1.2 = 14.808 → 14.81; 12.34 × 0.8 = 9.872 → 9.87
    assert limit_prices(12.34, 0.20) == (9.87, 14.81)


def test_st_band() -> None:
    # 3.33 × 1.05 = 3.4965 → 3.50; 3.33 × 0.95 = 3.1635 → 3.16
    assert limit_prices(3.33, 0.05) == (3.16, 3.50)


def test_beijing_band() -> None:
    # 7.77 × 1.3 = 10.101 → 10.10; 7.77 × 0.7 = 5.439 → 5.44
    assert limit_prices(7.77, 0.30) == (5.44, 10.10)


def test_exact_products_are_kept() -> None:
    # 100 × 1.1 = 110 and 100 × 0.9 = 90: a float product a hair above a whole fen
    # (110.00000000000001) is not pushed up to the next fen.
    assert limit_prices(100.0, 0.10) == (90.0, 110.0)


@pytest.mark.parametrize("close", [0.0, -1.0, math.nan, math.inf, -math.inf])
def test_unusable_previous_close_gives_no_band(close: float) -> None:
    assert limit_prices(close, 0.10) is None
