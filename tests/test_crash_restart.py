"""Kill the monitor process at random moments; after restarts the stored alerts are exactly
those of one uninterrupted run: none twice, none lost."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
from pathlib import Path

from app.feeds.demo import DEFAULT_SERIES
from app.market.csv_bars import load_bars
from app.storage.db import open_database
from app.storage.repository import Store
from tests.helpers import crash_runner

RUNNER = Path(crash_runner.__file__)
BARS = 400
KILLS = 4


def bars_file(tmp_path: Path) -> Path:
    """The first BARS rows of the demo's BTC file (a small file keeps each launch quick)."""
    lines = DEFAULT_SERIES[0].file.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "bars.csv"
    path.write_text("".join(lines[: BARS + 1]), encoding="utf-8")
    return path


def rules_for(tmp_path: Path, bars_csv: Path) -> Path:
    """Levels derived from the data so that they are crossed at different points of the run."""
    series = DEFAULT_SERIES[0]
    bars = load_bars(bars_csv, series.symbol, series.tz)
    lows = sorted(b.low for b in bars)
    highs = sorted(b.high for b in bars)
    first = bars[0].close
    rules = [
        {"task_name": f"stop {i}", "stock_code": "BTC/USDT", "stop_loss": lows[i * 20]} for i in range(1, 6)
    ] + [
        {"task_name": f"target {i}", "stock_code": "BTC/USDT", "take_profit": highs[-i * 20]} for i in range(1, 6)
    ] + [
        {"task_name": "zone", "stock_code": "BTC/USDT", "entry_min": lows[30], "entry_max": first - 1,
         "take_profit": highs[-10]},
    ] + [  # stateful conditions: each restart must continue their tracking exactly
        {"task_name": "cross", "stock_code": "BTC/USDT", "cross_level": sorted(b.close for b in bars)[BARS // 2],
         "trigger_mode": "every_time", "cooldown_s": 600},
        {"task_name": "trail", "stock_code": "BTC/USDT", "trailing_pct": 0.4},
        {"task_name": "trail rearm", "stock_code": "BTC/USDT", "trailing_pct": 0.2,
         "trigger_mode": "rearm", "rearm_band_pct": 0.05},
        {"task_name": "rebound", "stock_code": "BTC/USDT", "rebound_amount": 60.0,
         "trigger_mode": "rearm", "rearm_band": 20.0},
        {"task_name": "bar target", "stock_code": "BTC/USDT", "take_profit": highs[-80],
         "trigger_mode": "once_per_bar", "bar_timeframe": "15m"},
        {"task_name": "short", "stock_code": "BTC/USDT", "direction": "short", "cost_price": first,
         "take_profit_pct": 0.6, "stop_loss_pct": 0.6},
    ]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    return path


def stored_alerts(db_path: Path) -> list[tuple]:
    database = open_database(db_path)
    try:
        rows, _ = Store(database).alert_page(0, 10_000)
    finally:
        database.close()
    return sorted((r.task_name, r.kind.value, r.event_time.isoformat(), r.price) for r in rows)


def launch(db: Path, rules: Path, bars: Path, pause: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(RUNNER), str(db), str(rules), str(bars), str(pause)],
                            stdout=subprocess.PIPE, text=True)


def test_killed_mid_stream_never_fires_twice_nor_loses_an_alert(tmp_path: Path, capsys: object) -> None:
    bars = bars_file(tmp_path)
    rules = rules_for(tmp_path, bars)
    reference_db = tmp_path / "reference.db"
    crash_runner.run(reference_db, rules, bars)  # one uninterrupted run, in this process
    expected = stored_alerts(reference_db)
    assert len(expected) >= 20, "the levels must be crossed during the run"
    kinds = {kind for _, kind, _, _ in expected}
    assert {"cross_up", "cross_down", "trailing_stop", "trailing_entry"} <= kinds

    crash_db = tmp_path / "crash.db"
    rng = random.Random(20261121)
    batches = len(crash_runner.ticks(bars)) // crash_runner.BATCH
    for kill in range(KILLS):
        process = launch(crash_db, rules, bars, pause=0.002)
        target = rng.randint(kill * batches // KILLS, (kill + 1) * batches // KILLS - 1)
        for line in process.stdout:  # type: ignore[union-attr]
            assert line.strip() != "done", "the kill came too late"
            if int(line) >= target:
                process.send_signal(signal.SIGKILL)
                break
        assert process.wait(timeout=60) == -signal.SIGKILL
    final = launch(crash_db, rules, bars)  # one more full pass: whatever is left fires, once
    assert final.wait(timeout=300) == 0
    assert stored_alerts(crash_db) == expected
