"""Raw exchange instrument entries for BTC/USDT and ETH/USDT spot.

Why: ccxt builds its market structures from the exchange's own instrument list; serving
the real entries means precision, limits and ids come out exactly as with the live
exchange. ``instruments.json`` holds the ``info`` of each spot market copied verbatim from
the shared ccxt markets fixtures (``shared/data/ccxt/<ex>.markets.subset.json``, subsets of
ccxt's ``ts/src/test/static/markets/<ex>.json``); its ``_source`` key names the commits.
Copied so the fake works without the shared folder.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

__all__ = ["INSTRUMENTS_FILE", "market_infos"]

INSTRUMENTS_FILE = Path(__file__).with_name("instruments.json")


@functools.lru_cache(maxsize=1)
def _instruments() -> dict[str, Any]:
    with open(INSTRUMENTS_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def market_infos(exchange: str, symbols: list[str]) -> list[dict[str, Any]]:
    """Fresh copies of the raw entries of ``symbols`` (unified spot symbols), in order."""
    entries = _instruments()[exchange]
    return [copy.deepcopy(entries[symbol]) for symbol in symbols]
