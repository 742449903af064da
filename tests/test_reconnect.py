"""Reconnect policy: which errors are retried, how long the pauses are."""

from __future__ import annotations

import asyncio
import random

import ccxt
import pytest

from app.feeds.reconnect import Backoff, ErrorKind, classify_error, describe_error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ccxt.NetworkError("x"), ErrorKind.RETRY),
        (ccxt.RequestTimeout("x"), ErrorKind.RETRY),
        (ccxt.ExchangeNotAvailable("503"), ErrorKind.RETRY),
        (ccxt.OnMaintenance("x"), ErrorKind.RETRY),
        (ccxt.DDoSProtection("429"), ErrorKind.RATE_LIMITED),
        (ccxt.RateLimitExceeded("429"), ErrorKind.RATE_LIMITED),
        (ccxt.AuthenticationError("bad key"), ErrorKind.FATAL),
        (ccxt.PermissionDenied("x"), ErrorKind.FATAL),
        (ccxt.NotSupported("x"), ErrorKind.FATAL),
        (ccxt.BadSymbol("x"), ErrorKind.FATAL),  # feed-wide call: the feed cannot go on
        (ccxt.ExchangeError("x"), ErrorKind.FATAL),
        (asyncio.TimeoutError(), ErrorKind.RETRY),
        (ConnectionResetError(), ErrorKind.RETRY),
        (KeyError("parse bug"), ErrorKind.RETRY),  # unknown: retried, never a dead feed
    ],
)
def test_classify_feed_wide(error: BaseException, kind: ErrorKind) -> None:
    assert classify_error(error) is kind


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ccxt.BadSymbol("no such market"), ErrorKind.SYMBOL),
        (ccxt.ExchangeError("symbol halted"), ErrorKind.SYMBOL),
        (ccxt.BadRequest("x"), ErrorKind.SYMBOL),
        (ccxt.AuthenticationError("x"), ErrorKind.FATAL),
        (ccxt.NetworkError("x"), ErrorKind.RETRY),
        (ccxt.DDoSProtection("x"), ErrorKind.RATE_LIMITED),
    ],
)
def test_classify_per_symbol(error: BaseException, kind: ErrorKind) -> None:
    assert classify_error(error, per_symbol=True) is kind


def test_backoff_grows_exponentially_and_is_capped() -> None:
    backoff = Backoff(base_s=1, factor=2, cap_s=30, jitter=0, rng=random.Random(1))
    assert [backoff.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.delay(10_000) == 30  # no overflow after a week of retries


def test_backoff_jitter_spreads_within_bounds() -> None:
    backoff = Backoff(base_s=4, factor=2, cap_s=60, jitter=0.25, rng=random.Random(7))
    delays = [backoff.delay(2) for _ in range(500)]
    assert min(delays) >= 6 and max(delays) <= 10
    assert len({round(d, 3) for d in delays}) > 100  # really spread, not one value


def test_rate_limit_and_retry_after_lengthen_the_pause() -> None:
    backoff = Backoff(base_s=1, jitter=0, rate_limited_s=12)
    assert backoff.delay(1, ErrorKind.RATE_LIMITED) == 12
    assert backoff.delay(1, ErrorKind.RETRY, retry_after_s=7) == 7


@pytest.mark.parametrize("field", ["base_s", "cap_s", "factor", "rate_limited_s"])
def test_backoff_refuses_nonsense(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Backoff(**{field: 0})
    with pytest.raises(ValueError, match="attempt"):
        Backoff().delay(0)


def test_describe_error_is_one_short_line() -> None:
    text = describe_error(ccxt.NetworkError("line one\n line two " + "x" * 500))
    assert text.startswith("NetworkError: line one line two")
    assert "\n" not in text and len(text) < 230
    assert describe_error(asyncio.TimeoutError()) == "TimeoutError: no answer in time"
