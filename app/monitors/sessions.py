"""Which instruments trade when, for rules marked ``trading_hours_only``.

A-share continuous trading is 09:30–11:30 and 13:00–15:00 Asia/Shanghai on
weekdays; prices outside those windows (call auctions, after-hours quotes, the
0.00 prints some feeds send before the open) must not trigger a rule that asked
for trading hours only. Crypto trades around the clock.

Exchange holidays are not known here yet (a maintained calendar comes with the
rule-engine work); on a holiday the feed is silent anyway.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ASHARE_SUFFIXES = (".SH", ".SZ", ".BJ")
ASHARE_SESSIONS = ((time(9, 30), time(11, 30)), (time(13, 0), time(15, 0)))


def is_ashare(code: str) -> bool:
    """A-share codes carry their exchange suffix, e.g. ``600519.SH``."""
    return code.upper().endswith(ASHARE_SUFFIXES)


def market_timezone(code: str) -> ZoneInfo:
    """The zone a symbol's times are shown in: Shanghai for A-shares, UTC for crypto."""
    return SHANGHAI if is_ashare(code) else ZoneInfo("UTC")


def is_trading_time(code: str, when: datetime) -> bool:
    """True when ``when`` falls in the instrument's continuous session.

    A naive time (a replay file without offsets) is taken as the market's own
    clock, never as the PC's local zone.
    """
    if not is_ashare(code):
        return True
    local = when.replace(tzinfo=SHANGHAI) if when.tzinfo is None else when.astimezone(SHANGHAI)
    if local.weekday() >= 5:
        return False
    clock = local.time()
    return any(start <= clock <= end for start, end in ASHARE_SESSIONS)
