"""Run a fake exchange until Ctrl-C, e.g. to point the app at it for screenshots.

    uv run python -m tests.fake_exchange binance --port 8765 --speed 1

Prints the address to give the app (or ``app.feeds.ccxt_urls.point_at``).
"""

from __future__ import annotations

import argparse
import logging
import time

from .market import FakeMarket
from .server import DIALECTS, FakeExchange


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_exchange", description=__doc__.splitlines()[0]
    )
    parser.add_argument("exchange", choices=sorted(DIALECTS))
    parser.add_argument(
        "--port", type=int, default=8765, help="TCP port on 127.0.0.1 (0 = any free port)"
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="market seconds per wall second (60: 1m candle = 1 s)",
    )
    parser.add_argument(
        "--start-index", type=int, default=600, help="row of the recorded file that opens now"
    )
    parser.add_argument(
        "--push-interval", type=float, default=0.25, help="seconds between ws pushes"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    market = FakeMarket(speed=args.speed, start_index=args.start_index)
    fake = FakeExchange(args.exchange, market, push_interval_s=args.push_interval, port=args.port)
    with fake:
        print(
            f"fake {args.exchange} listening on {fake.base_url} (speed {args.speed}x, Ctrl-C to stop)",
            flush=True,
        )
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print("stopping", flush=True)


if __name__ == "__main__":
    main()
