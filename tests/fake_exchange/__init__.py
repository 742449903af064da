"""A fake crypto exchange (binance, bybit, okx spot) for tests that drive real ccxt.pro.

``FakeMarket`` replays recorded 1m bars on an accelerated clock; ``FakeExchange`` serves
them over REST and WebSocket in each exchange's real format on 127.0.0.1 and injects
faults. See ``server.py`` and ``market.py`` for the details.
"""

from .market import Bar, FakeMarket, Ticker24h
from .server import FakeExchange

__all__ = ["Bar", "FakeExchange", "FakeMarket", "Ticker24h"]
