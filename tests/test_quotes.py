"""Change versus the previous close, per the instrument's own trading day."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.core.models import Bar
from app.market.quotes import Quote

SH = ZoneInfo("Asia/Shanghai")


def test_previous_close_is_the_last_price_of_the_previous_local_day() -> None:
    quote = Quote("600519.SH", SH)
    day1 = datetime(2026, 3, 23, 14, 59, tzinfo=SH)
    quote.seed([Bar("600519.SH", day1 - timedelta(minutes=1), 1, 1, 1, 1400.0),
                Bar("600519.SH", day1, 1, 1, 1, 1410.0)])
    assert quote.change_pct == pytest.approx((1410 - 1400) / 1400 * 100), "day's open until a day rolls"
    # 09:30 Shanghai is 01:30 UTC: the local date decides, not the UTC one
    quote.update(datetime(2026, 3, 24, 1, 30, tzinfo=timezone.utc), 1430.0)
    assert quote.prev_close == 1410.0
    assert quote.change_pct == pytest.approx((1430 - 1410) / 1410 * 100)


def test_a_feed_supplied_previous_close_wins() -> None:
    quote = Quote("600519.SH", SH, prev_close=1000.0)
    quote.update(datetime(2026, 3, 23, 10, 0, tzinfo=SH), 1100.0)
    quote.update(datetime(2026, 3, 24, 10, 0, tzinfo=SH), 1200.0)
    assert quote.prev_close == 1000.0 and quote.change_pct == pytest.approx(20.0)


def test_no_price_no_change() -> None:
    assert Quote("BTC/USDT", timezone.utc).change_pct is None


def test_previous_close_is_the_last_close_of_an_earlier_day() -> None:
    from datetime import datetime, timedelta, timezone

    from app.core.models import Bar
    from app.market.quotes import previous_close

    tz = timezone(timedelta(hours=8))
    bars = [Bar("X", datetime(2026, 3, d, h, tzinfo=tz), c, c, c, c) for d, h, c in
            ((23, 10, 1.0), (23, 14, 2.0), (24, 10, 3.0), (24, 14, 4.0))]
    assert previous_close(bars, tz) == 2.0
    assert previous_close(bars[:2], tz) is None
