"""The headless replay contract, run as a real subprocess on the shipped data files.

Expected alerts are derived independently in the test from the bar file itself
(first bar whose low/high reaches a level), not hard-coded.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MOUTAI = ROOT / "resources" / "data" / "600519.SH_1m_2026-03-23_2026-03-27.csv"
BTC = ROOT / "resources" / "data" / "BTCUSDT_1m_2025-03.csv"


def run_replay(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "replay", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=120,
    )


def write_rules(tmp_path: Path, rules: list[dict]) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    return path


def read_rows(path: Path, time_column: str) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    previous_close = None
    for row in rows:  # the contract's open repair, done independently here
        for key in ("open", "high", "low", "close"):
            row[key] = float(row[key])
        if row["open"] <= 0:
            row["open"] = previous_close if previous_close is not None else row["close"]
        previous_close = row["close"]
        row["time"] = datetime.fromisoformat(row[time_column]).isoformat()
    return rows


def alerts(result: subprocess.CompletedProcess[str]) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_replay_on_the_shipped_moutai_file(tmp_path: Path) -> None:
    rows = read_rows(MOUTAI, "datetime")
    day_low = min(r["low"] for r in rows[:241])
    stop = round(day_low + 1.0, 2)  # inside the first day's range: must be hit that day
    target = round(max(r["high"] for r in rows) - 0.5, 2)
    first_stop = next(r for r in rows if r["low"] <= stop)
    first_target = next(r for r in rows if r["high"] >= target)
    rules = [
        {"task_name": "茅台止损", "stock_code": "600519.SH", "stop_loss": stop},
        {"task_name": "茅台止盈", "stock_code": "600519.SH", "take_profit": target},
        {"task_name": "other symbol", "stock_code": "000001.SZ", "stop_loss": 1},
    ]
    out = alerts(run_replay("--bars", MOUTAI, "--symbol", "600519.SH",
                            "--rules", write_rules(tmp_path, rules)))
    expected = sorted(
        [
            {"task_name": "茅台止损", "stock_code": "600519.SH", "kind": "stop_loss",
             "time": first_stop["time"], "price": min(first_stop["open"], stop)},
            {"task_name": "茅台止盈", "stock_code": "600519.SH", "kind": "take_profit",
             "time": first_target["time"], "price": max(first_target["open"], target)},
        ],
        key=lambda a: a["time"],
    )
    assert out == expected


def test_replay_entry_zone_and_both_in_one_bar(tmp_path: Path) -> None:
    rows = read_rows(BTC, "timestamp")[:2000]
    path = tmp_path / "btc_head.csv"
    with BTC.open(encoding="utf-8") as src:
        path.write_text("".join(next(src) for _ in range(2001)), encoding="utf-8")
    zone_top = round(min(r["low"] for r in rows[:100]) - 1, 2)  # below the first 100 bars
    first_entry = next(r for r in rows if r["low"] <= zone_top)
    rules = [
        {"task_name": "zone", "stock_code": "BTC/USDT", "entry_max": zone_top, "entry_min": zone_top / 2},
    ]
    out = alerts(run_replay("--bars", path, "--symbol", "btc/usdt", "--rules", write_rules(tmp_path, rules)))
    assert out[0]["kind"] == "entry" and out[0]["time"] == first_entry["time"]
    assert out[0]["price"] == min(max(first_entry["open"], zone_top / 2), zone_top)

    # an outside bar that makes a new low and a new high at once: a stop and a target set
    # between the old and the new extremes are both first reached in that bar -> only the stop
    index = next(
        i for i in range(1, len(rows))
        if rows[i]["low"] < min(r["low"] for r in rows[:i]) and rows[i]["high"] > max(r["high"] for r in rows[:i])
    )
    outside = rows[index]
    stop = (outside["low"] + min(r["low"] for r in rows[:index])) / 2
    target = (outside["high"] + max(r["high"] for r in rows[:index])) / 2
    both = [{"task_name": "both", "stock_code": "BTC/USDT", "stop_loss": stop, "take_profit": target}]
    out = alerts(run_replay("--bars", path, "--symbol", "BTC/USDT", "--rules", write_rules(tmp_path, both)))
    assert [(a["kind"], a["time"], a["price"]) for a in out] == [
        ("stop_loss", outside["time"], min(outside["open"], stop))]


@pytest.mark.parametrize(
    ("bars_text", "rules", "message"),
    [
        ("timestamp,open,high,low,close\n2025-01-01 00:00,1,2,0.5,1\n2025-01-01 00:00,1,2,0.5,1\n",
         [{"task_name": "a", "stock_code": "X", "stop_loss": 1}], "line 3"),
        ("timestamp,open,high,low\n2025-01-01 00:00,1,2,0.5\n",
         [{"task_name": "a", "stock_code": "X", "stop_loss": 1}], "close"),
        ("timestamp,open,high,low,close\n2025-01-01 00:00,1,2,0.5,1\n",
         [{"task_name": "a", "stock_code": "X", "stop_loss": 2, "take_profit": 1}], "rule 1 ('a'): stop_loss"),
        ("timestamp,open,high,low,close\n2025-01-01 00:00,1,2,0.5,1\n",
         [{"stock_code": "X", "stop_loss": 1}], "task_name"),
    ],
)
def test_bad_input_exits_non_zero_with_one_clear_line(
    tmp_path: Path, bars_text: str, rules: list, message: str
) -> None:
    bars = tmp_path / "bars.csv"
    bars.write_text(bars_text, encoding="utf-8")
    result = run_replay("--bars", bars, "--symbol", "X", "--rules", write_rules(tmp_path, rules))
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_malformed_rules_json(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text("[{", encoding="utf-8")
    result = run_replay("--bars", MOUTAI, "--symbol", "600519.SH", "--rules", path)
    assert result.returncode != 0 and "invalid JSON" in result.stderr


def test_offsets_in_times_are_kept_in_the_output(tmp_path: Path) -> None:
    bars = tmp_path / "bars.csv"
    bars.write_text(
        "close,low,high,open,datetime\n10,9,11,10,2026-03-23T09:31:00+08:00\n8,7,9,8,2026-03-23T09:32:00+08:00\n",
        encoding="utf-8",
    )
    rules = write_rules(tmp_path, [{"task_name": "a", "stock_code": "600519.SH", "stop_loss": 7.5}])
    out = alerts(run_replay("--bars", bars, "--symbol", "600519.SH", "--rules", rules))
    assert out == [{"task_name": "a", "stock_code": "600519.SH", "kind": "stop_loss",
                    "time": "2026-03-23T09:32:00+08:00", "price": 7.5}]


def test_replay_never_touches_the_user_database_nor_imports_qt(tmp_path: Path) -> None:
    home = tmp_path / "home"
    rules = write_rules(tmp_path, [{"task_name": "a", "stock_code": "600519.SH", "stop_loss": 1400}])
    code = (
        "import sys, main\n"
        f"code = main.main(['replay', '--bars', {str(MOUTAI)!r}, '--symbol', '600519.SH', '--rules', {str(rules)!r}])\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'replay imported Qt'\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "LOCALAPPDATA": str(home),
             "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("stop_loss") == 1
    assert not home.exists() or not any(home.rglob("*.db"))


def test_every_listed_rule_counts_even_with_repeated_ids_and_exported_fields(tmp_path: Path) -> None:
    bars = tmp_path / "bars.csv"
    bars.write_text("timestamp,open,high,low,close\n2025-03-01 03:00:00,10,11,9,10\n", encoding="utf-8")
    exported = {"id": 1, "stock_code": "X", "stop_loss": 9.5, "created_at": "2026-01-01T00:00:00+00:00",
                "updated_at": "2026-01-02T00:00:00+00:00", "status": "running"}
    rules = write_rules(tmp_path, [{**exported, "task_name": "a"}, {**exported, "task_name": "b"}])
    out = alerts(run_replay("--bars", bars, "--symbol", "X", "--rules", rules))
    assert [(a["task_name"], a["price"], a["time"]) for a in out] == [
        ("a", 9.5, "2025-03-01T03:00:00"), ("b", 9.5, "2025-03-01T03:00:00")]


def test_valid_until_in_replay_expires_the_rule(tmp_path: Path) -> None:
    rows = read_rows(MOUTAI, "datetime")
    day1 = [r for r in rows if r["time"].startswith("2026-03-23")]
    stop = round(min(r["low"] for r in rows) + 0.5, 2)
    first_stop = next(r for r in rows if r["low"] <= stop)
    assert not first_stop["time"].startswith("2026-03-23"), "the stop is first reached after day one"
    rules = write_rules(tmp_path, [
        {"task_name": "day one only", "stock_code": "600519.SH", "stop_loss": stop,
         "valid_until": "2026-03-23T15:00:00+08:00"},
        {"task_name": "until cancelled", "stock_code": "600519.SH", "stop_loss": stop},
    ])
    out = alerts(run_replay("--bars", MOUTAI, "--symbol", "600519.SH", "--rules", rules))
    assert [(a["task_name"], a["time"]) for a in out] == [("until cancelled", first_stop["time"])]
    assert day1


def test_replay_new_conditions_on_the_shipped_moutai_file(tmp_path: Path) -> None:
    """Crossings, a trailing stop and a %-from-cost short, derived from the CSV by the bar rules."""
    rows = read_rows(MOUTAI, "datetime")
    level = round(sorted(r["close"] for r in rows)[len(rows) // 2], 2)
    crosses = []
    for prev, row in zip(rows, rows[1:]):  # every_time, no cooldown: every crossing bar
        if prev["close"] < level <= row["high"]:
            crosses.append(("cross_up", row["time"], max(row["open"], level)))
        elif prev["close"] > level >= row["low"]:
            crosses.append(("cross_down", row["time"], min(row["open"], level)))
    highest, trail = None, None
    for row in rows:  # trailing stop 1 %, from the first bar
        if highest is not None and row["low"] <= highest * 0.99:
            trail = ("trailing_stop", row["time"], min(row["open"], highest * 0.99))
            break
        highest = row["high"] if highest is None else max(highest, row["high"])
    cost = rows[0]["close"]
    pct = round((max(r["high"] for r in rows) / cost - 1) * 50, 3)  # half the week's best rise
    short_stop = cost * (1 + pct / 100)
    short = next(("stop_loss", r["time"], max(r["open"], short_stop)) for r in rows if r["high"] >= short_stop)
    rules = write_rules(tmp_path, [
        {"task_name": "cross", "stock_code": "600519.SH", "cross_level": level,
         "cross_direction": "either", "trigger_mode": "every_time", "cooldown_s": 0},
        {"task_name": "trail", "stock_code": "600519.SH", "trailing_pct": 1},
        {"task_name": "short", "stock_code": "600519.SH", "direction": "short", "cost_price": cost,
         "stop_loss_pct": pct, "take_profit_pct": 50},
    ])
    out = alerts(run_replay("--bars", MOUTAI, "--symbol", "600519.SH", "--rules", rules))
    by_rule: dict[str, list[tuple]] = {}
    for a in out:
        by_rule.setdefault(a["task_name"], []).append((a["kind"], a["time"], round(a["price"], 6)))
    assert by_rule["cross"] == [(k, t, round(p, 6)) for k, t, p in crosses] and len(crosses) >= 2
    assert trail is not None and by_rule["trail"] == [(trail[0], trail[1], round(trail[2], 6))]
    assert by_rule["short"] == [(short[0], short[1], round(short[2], 6))]
