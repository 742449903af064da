"""Headless replay: run rules over a bar file with the live engine's own code.

``main.py replay --bars FILE.csv --symbol CODE --rules RULES.json`` prints one
JSON object per alert per line, in time order. It is the contract used to
check the app from outside, so it never opens the user's database, never
imports Qt, and on bad input exits non-zero with one clear line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from app.core.models import AlertFired, AlertSource
from app.market.csv_bars import BarFileError, load_bars
from app.monitors.engine import RuleEngine
from app.monitors.rules import Rule, RuleValidationError, validate_rule


class ReplayError(Exception):
    """Bad replay input; the message is the one line printed on stderr."""


def load_rules(path: Path) -> list[Rule]:
    """Read and validate every rule in a JSON list; the first bad one stops the run."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReplayError(f"{path}: cannot read rules file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ReplayError(f"{path}: rules file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReplayError(
            f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, list):
        raise ReplayError(f"{path}: must contain a JSON list of rule objects")
    rules = []
    for index, item in enumerate(data, start=1):
        try:
            rules.append(validate_rule(item))
        except RuleValidationError as exc:
            name = item.get("task_name") if isinstance(item, dict) else None
            label = f"rule {index}" + (f" ({name!r})" if isinstance(name, str) and name else "")
            raise ReplayError(f"{path}: {label}: {exc}") from None
    return rules


def replay(bars_path: Path, symbol: str, rules_path: Path) -> list[AlertFired]:
    """The alerts the rules for ``symbol`` fire over the bars, in time order."""
    code = symbol.strip().upper()
    # Every listed rule is evaluated on its own, even if the file repeats an id.
    rules = [rule.with_changes(id=None) for rule in load_rules(rules_path) if rule.stock_code == code]
    try:
        bars = load_bars(bars_path, code, default_tz=None)
    except BarFileError as exc:
        raise ReplayError(str(exc)) from None
    engine = RuleEngine(rules)
    return engine.on_bars(bars, AlertSource.REPLAY).alerts


def alert_json(alert: AlertFired) -> str:
    record: dict[str, Any] = {
        "task_name": alert.task_name,
        "stock_code": alert.stock_code,
        "kind": alert.kind.value,
        "time": alert.time.isoformat(),
        "price": alert.price,
    }
    return json.dumps(record, ensure_ascii=False)


def run(argv: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(
        prog="main.py replay",
        description="Replay a bar file through the alert rules and print each alert as JSON.",
    )
    parser.add_argument("--bars", required=True, type=Path, help="CSV file of one symbol's bars")
    parser.add_argument("--symbol", required=True, help="the symbol code, e.g. 600519.SH")
    parser.add_argument("--rules", required=True, type=Path, help="JSON list of rule objects")
    args = parser.parse_args(argv)
    try:
        alerts = replay(args.bars, args.symbol, args.rules)
    except ReplayError as exc:
        print(f"error: {exc}", file=err)
        return 1
    try:
        for alert in alerts:
            print(alert_json(alert), file=out)
        out.flush()
    except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
        if out is sys.stdout:  # keep the interpreter's final flush from complaining
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0
