"""Price Monitor — `uv run main.py` starts the app, `uv run main.py replay …` replays a file.

The replay path never imports Qt, so it runs on a headless server and starts fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def _positive_speed(text: str) -> float:
    from app.feeds.demo import MAX_SPEED, MIN_SPEED

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(
            f"must be between {MIN_SPEED:g} and {MAX_SPEED:g} (1 = one bar per 250 ms)"
        )
    return value


def _demo_gap(text: str) -> object:
    """``SYMBOL:AFTER:BARS`` — the demo drops BARS bars of SYMBOL after AFTER live bars."""
    from app.feeds.demo import DemoGap

    symbol, _, rest = text.rpartition(":")
    symbol, _, after = symbol.rpartition(":")
    try:
        return DemoGap(symbol, int(after), int(rest))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected SYMBOL:AFTER_BARS:BARS such as BTC/USDT:30:5, got {text!r} ({exc})"
        ) from None


def _symbol_list(text: str) -> list[str]:
    symbols = [s.strip() for s in text.split(",") if s.strip()]
    if not symbols:
        raise argparse.ArgumentTypeError("expected symbols such as BTC/USDT,ETH/USDT")
    return symbols


def gui_arguments(argv: list[str]) -> argparse.Namespace:
    from app.storage.db import default_db_path

    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Desktop price monitor with take-profit / stop-loss / entry-zone alerts. "
        "Subcommand: 'replay' (see 'main.py replay --help').",
    )
    parser.add_argument("--db", type=Path, default=None, help="SQLite database file (default: user data dir)")
    parser.add_argument("--speed", type=_positive_speed, default=None,
                        help="demo replay speed: 1 = one bar per 250 ms, 4 = four times faster")
    parser.add_argument("--lang", choices=("zh_CN", "en"), default=None, help="UI language")
    parser.add_argument("--settings", type=Path, default=None, help="settings .ini file (default: per user)")
    parser.add_argument("--history-bars", type=int, default=240, help="bars preloaded into the chart")
    parser.add_argument("--demo-gap", type=_demo_gap, default=None, metavar="SYMBOL:AFTER:BARS",
                        help="demo: drop BARS bars of SYMBOL after AFTER live bars, as if the "
                        "connection failed (the app detects the gap and backfills it)")
    parser.add_argument("--exchange", default=None, metavar="ID",
                        help="run a crypto exchange feed through ccxt (binance, bybit, okx, ...) "
                        "instead of the saved feed setting")
    parser.add_argument("--exchange-address", default=None, metavar="URL",
                        help="developer: send the exchange's REST and websocket traffic to this "
                        "address, e.g. a local test exchange at http://127.0.0.1:8765")
    parser.add_argument("--symbols", type=_symbol_list, default=None, metavar="A,B",
                        help="exchange symbols to watch, e.g. BTC/USDT,ETH/USDT")
    parser.add_argument("--qmt", action="store_true",
                        help="run the QMT / MiniQMT feed (xtquant) instead of the saved feed setting")
    parser.add_argument("--qmt-codes", type=_symbol_list, default=None, metavar="A,B",
                        help="QMT codes to watch, e.g. 600519.SH,000001.SZ")
    parser.add_argument("--whole-market", action="store_true",
                        help="QMT: also subscribe every A-share (沪深A股) so rules on any code fire")
    parser.add_argument("--fake-qmt", action="store_true",
                        help="developer: run the QMT feed on the fake xtdata in tests/fake_xtquant "
                        "(a simulated market of 5,500 A-shares; --speed sets its pace)")
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="developer: save a screenshot to this PNG after --screenshot-after s, then quit")
    parser.add_argument("--screenshot-after", type=float, default=5.0, help=argparse.SUPPRESS)
    parser.add_argument("--screenshot-tab", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.db is None:
        args.db = default_db_path()
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "replay":
        from app.replay import run

        return run(argv[1:])
    args = gui_arguments(argv)
    from app.logging_setup import setup_logging

    setup_logging()
    from app.ui.application import run_gui

    return run_gui(args)


if __name__ == "__main__":
    logging.captureWarnings(True)
    sys.exit(main())
