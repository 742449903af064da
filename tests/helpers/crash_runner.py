"""A headless monitor process for the kill-and-restart test.

Feeds the demo's BTC/USDT bars, as ticks, through the real MonitorService and
SQLite store in small batches, from the start every time it is launched (as a
feed replays after a restart), printing the batch number so the test can kill it
mid-stream. Usage: crash_runner.py DB_PATH RULES_JSON BARS_CSV [PAUSE_S]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core.models import Tick  # noqa: E402
from app.feeds.demo import DEFAULT_SERIES, bar_to_ticks  # noqa: E402
from app.market.csv_bars import load_bars  # noqa: E402
from app.services.monitoring import MonitorService  # noqa: E402
from app.storage.db import open_database  # noqa: E402
from app.storage.repository import Store  # noqa: E402

BATCH = 8


def ticks(bars_csv: Path) -> list[Tick]:
    series = DEFAULT_SERIES[0]
    out: list[Tick] = []
    for bar in load_bars(bars_csv, series.symbol, series.tz):
        for when, price, volume in bar_to_ticks(bar.time, series.interval, bar.open, bar.high,
                                                 bar.low, bar.close, bar.volume):
            out.append(Tick(series.symbol, when, price, volume))
    return out


def run(db_path: Path, rules_path: Path, bars_csv: Path, pause: float = 0.0) -> None:
    database = open_database(db_path)
    store = Store(database)
    service = MonitorService(store)
    if not service.rules():  # first launch: create the rules
        for data in json.loads(rules_path.read_text(encoding="utf-8")):
            service.save_rule(data)
    stream = ticks(bars_csv)
    for number, start in enumerate(range(0, len(stream), BATCH)):
        service.process_ticks(stream[start:start + BATCH])
        print(number, flush=True)
        if pause:
            time.sleep(pause)
    print("done", flush=True)
    database.close()


def main() -> None:
    pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), pause)


if __name__ == "__main__":
    main()
