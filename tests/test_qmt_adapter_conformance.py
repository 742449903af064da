"""The QMT adapter calls only what the real xtquant SDK has, with keywords it accepts.

xtquant's binaries are Windows-only, so the real wheel (a test dependency) is read with
``ast``, never imported. The adapter's SDK handle is always named ``xt`` or ``self._xt``
(a convention this test relies on and checks: at least the calls we know must be seen).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers.xtquant_sdk import real_functions, sdk_source

ADAPTER_FILES = [Path("app/feeds/qmt_feed.py"), Path("app/feeds/qmt_probe.py")]
ROOT = Path(__file__).resolve().parents[1]


def _is_sdk(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "xt"
    return (isinstance(node, ast.Attribute) and node.attr == "_xt"
            and isinstance(node.value, ast.Name) and node.value.id == "self")


def sdk_uses(path: Path) -> tuple[list[tuple[str, list[str], int, int]], list[str]]:
    """(function, keywords, positional count, line) per SDK call; attributes assigned."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    calls: list[tuple[str, list[str], int, int]] = []
    assigned: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and _is_sdk(node.func.value):
            keywords = [k.arg for k in node.keywords if k.arg is not None]
            calls.append((node.func.attr, keywords, len(node.args), node.lineno))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and _is_sdk(target.value):
                    assigned.append(target.attr)
    return calls, assigned


def all_uses() -> tuple[list[tuple[str, str, list[str], int, int]], list[str]]:
    calls, assigned = [], []
    for path in ADAPTER_FILES:
        found, attrs = sdk_uses(path)
        calls += [(str(path), *call) for call in found]
        assigned += attrs
    return calls, assigned


def test_the_adapter_is_seen_calling_the_sdk() -> None:
    """Guards the convention: a renamed handle would make the checks below vacuous."""
    names = {call[1] for call in all_uses()[0]}
    assert {"connect", "subscribe_whole_quote", "subscribe_quote", "unsubscribe_quote",
            "get_instrument_detail", "download_history_data", "get_market_data_ex",
            "get_full_tick", "watch_xtquant_status", "reconnect"} <= names


def test_every_sdk_call_exists_with_its_keywords() -> None:
    real = real_functions("xtdata")
    problems = []
    for path, name, keywords, positional, line in all_uses()[0]:
        if name not in real:
            problems.append(f"{path}:{line}: xtdata has no function {name}()")
            continue
        params = [p for p, _default in real[name]]
        problems += [f"{path}:{line}: {name}() has no parameter {k!r} (it has {params})"
                     for k in keywords if k not in params]
        if positional > len(params):
            problems.append(f"{path}:{line}: {name}() takes {len(params)} arguments")
    assert not problems, "\n".join(problems)


def test_assigned_sdk_attributes_exist_in_the_real_module() -> None:
    tree = ast.parse(sdk_source("xtdata").read_text(encoding="utf-8"))
    module_names = {t.id for n in tree.body if isinstance(n, ast.Assign)
                    for t in n.targets if isinstance(t, ast.Name)}
    for attribute in all_uses()[1]:
        assert attribute in module_names, f"xtdata has no module attribute {attribute}"


def test_the_check_fails_for_a_call_the_sdk_does_not_have(tmp_path: Path) -> None:
    """The test above can fail: a made-up function and keyword are reported."""
    real = real_functions("xtdata")
    assert "subscribe_everything" not in real
    assert "callback" in [p for p, _ in real["subscribe_whole_quote"]]
    assert "period" not in [p for p, _ in real["subscribe_whole_quote"]]


@pytest.mark.parametrize("name", ["connect", "reconnect", "subscribe_whole_quote",
                                  "subscribe_quote", "get_market_data_ex"])
def test_signatures_the_adapter_relies_on(name: str) -> None:
    params = dict(real_functions("xtdata")[name])
    expected = {
        "connect": {"ip": "", "port": None},
        "reconnect": {"ip": "", "port": None},
        "subscribe_whole_quote": {"callback": None},
        "subscribe_quote": {"period": "1d", "count": 0, "callback": None},
        "get_market_data_ex": {"field_list": [], "count": -1},
    }[name]
    for key, default in expected.items():
        assert params[key] == default
