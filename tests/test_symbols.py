"""Symbol search ranking: what a trader types finds the market they mean, best first."""

from __future__ import annotations

from app.market.symbols import SymbolIndex, canonical_symbol, compact, rank_symbols

SPOT = [
    "WBTC/USDT", "BTCDOM/USDT", "ETH/BTC", "BTC/EUR", "BTC/USDT", "ETH/USDT",
    "BTC/USDC", "SOL/USDT", "1000SATS/USDT", "XRP/USDT",
]
SWAP = ["BTC/USDT:USDT", "ETH/USDT:USDT", "BTC/USD:BTC", "WBTC/USDT:USDT"]


def test_compact_ignores_case_and_separators() -> None:
    assert compact("btc/usdt:usdt") == "BTCUSDTUSDT"
    assert compact(" Btc-Usdt ") == "BTCUSDT"
    assert compact("btc_usdt.x") == "BTCUSDTX"
    assert compact(" / ") == ""


def test_base_currency_first_then_prefix_then_substring() -> None:
    ranked = rank_symbols("btc", SPOT)
    # Base BTC (USDT, USDC, EUR by quote popularity), then starts with BTC, then contains
    # BTC (again USDT-quoted first).
    assert ranked == ["BTC/USDT", "BTC/USDC", "BTC/EUR", "BTCDOM/USDT", "WBTC/USDT", "ETH/BTC"]


def test_typing_the_pair_with_or_without_separator_puts_it_first() -> None:
    for query in ("btcusdt", "BTC/USDT", "btc/usdt", "btc-usdt", " BTCUSDT "):
        assert rank_symbols(query, SPOT)[0] == "BTC/USDT", query
    # "WBTC/USDT" contains BTCUSDT too, after the exact pair.
    assert rank_symbols("btcusdt", SPOT) == ["BTC/USDT", "WBTC/USDT"]


def test_swap_symbols_match_without_the_settle_currency() -> None:
    assert rank_symbols("btcusdt", SWAP) == ["BTC/USDT:USDT", "WBTC/USDT:USDT"]
    assert rank_symbols("btc", SWAP)[:2] == ["BTC/USDT:USDT", "BTC/USD:BTC"]


def test_substring_anywhere_and_digits() -> None:
    assert rank_symbols("sats", SPOT) == ["1000SATS/USDT"]
    assert rank_symbols("1000", SPOT) == ["1000SATS/USDT"]
    assert rank_symbols("xrp", SPOT) == ["XRP/USDT"]


def test_blank_or_unmatched_query_gives_nothing() -> None:
    assert rank_symbols("", SPOT) == []
    assert rank_symbols(" / ", SPOT) == []
    assert rank_symbols("doge", SPOT) == []


def test_limit_caps_the_suggestions() -> None:
    many = [f"C{i:04d}/USDT" for i in range(500)]
    assert len(rank_symbols("usdt", many)) == 50
    assert len(rank_symbols("usdt", many, limit=7)) == 7
    assert rank_symbols("usdt", many, limit=0) == []
    # Equal rank: shorter then alphabetical, so the cut is stable.
    assert rank_symbols("c00", many, limit=3) == ["C0000/USDT", "C0001/USDT", "C0002/USDT"]


def test_duplicates_and_blanks_in_the_input_are_ignored() -> None:
    index = SymbolIndex(["BTC/USDT", "BTC/USDT", "", "  ", "ETH/USDT"])
    assert len(index) == 2
    assert index.symbols == ["BTC/USDT", "ETH/USDT"]
    assert index.rank("usdt") == ["BTC/USDT", "ETH/USDT"]


def test_canonical_symbol() -> None:
    assert canonical_symbol("btcusdt", SPOT) == "BTC/USDT"
    assert canonical_symbol("btc/usdt", SPOT) == "BTC/USDT"
    assert canonical_symbol(" BTC/USDT ", SPOT) == "BTC/USDT"
    assert canonical_symbol("ethbtc", SPOT) == "ETH/BTC"
    assert canonical_symbol("btc", SPOT) is None  # a currency, not a market
    assert canonical_symbol("XYZ", SPOT) is None
    assert canonical_symbol("", SPOT) is None
    # On a swap list the settle suffix may be left out; written in full it matches too.
    assert canonical_symbol("btcusdt", SWAP) == "BTC/USDT:USDT"
    assert canonical_symbol("BTC/USDT:USDT", SWAP) == "BTC/USDT:USDT"
    assert canonical_symbol("btc/usd", SWAP) == "BTC/USD:BTC"
    # Spot and swap together: the spot pair is what "btcusdt" names exactly.
    assert canonical_symbol("btcusdt", SPOT + SWAP) == "BTC/USDT"
    assert canonical_symbol("btcusdtusdt", SPOT + SWAP) == "BTC/USDT:USDT"


def test_ashare_codes_are_found_by_number_or_market_first() -> None:
    index = SymbolIndex(["600519.SH", "600520.SH", "000001.SZ", "300750.SZ"])
    assert index.canonical("600519") == "600519.SH"
    assert index.canonical("sh600519") == "600519.SH"
    assert index.canonical("600519.sh") == "600519.SH"
    assert index.canonical("SZ300750") == "300750.SZ"
    assert index.canonical("6005") is None  # a prefix is a suggestion, not a choice
    assert index.rank("600519")[0] == "600519.SH"
