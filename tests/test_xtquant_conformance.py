"""The fake xtdata has exactly the real SDK's signatures (names, parameter names, defaults).

Why: the adapter is developed and tested against the fake; any drift (a renamed keyword,
a different default) would only surface on a trading PC. The real wheel is read with
``ast`` (see tests/helpers/xtquant_sdk.py); these tests skip if it is not installed.
"""

from __future__ import annotations

import inspect

import pytest

from tests.helpers.fake_qmt import load_fake_xtdata
from tests.helpers.xtquant_sdk import real_functions, real_module_constants, signature_params

# What the adapter may call (the brief for the fake); each must exist in both.
REQUIRED = [
    "connect", "reconnect", "disconnect", "get_client", "watch_xtquant_status",
    "subscribe_quote", "subscribe_quote2", "subscribe_whole_quote", "unsubscribe_quote",
    "get_full_tick", "get_instrument_detail", "get_instrument_detail_list", "get_market_data_ex",
    "download_history_data", "download_history_data2", "get_stock_list_in_sector",
    "download_sector_data", "get_sector_list", "get_trading_dates", "get_trading_calendar",
    "get_period_list",
]


def _fake_sdk_functions() -> dict[str, object]:
    """Public functions defined in the fake that are not part of its ``fake_`` control API."""
    fake = load_fake_xtdata()
    return {name: obj for name, obj in vars(fake).items()
            if inspect.isfunction(obj) and obj.__module__ == fake.__name__
            and not name.startswith("_") and not name.startswith("fake_")}


def test_required_functions_exist_in_fake_and_real() -> None:
    real = real_functions("xtdata")
    fake = _fake_sdk_functions()
    assert [n for n in REQUIRED if n not in real] == []
    assert [n for n in REQUIRED if n not in fake] == []


@pytest.mark.parametrize("name", sorted(_fake_sdk_functions()))
def test_fake_function_matches_real_signature(name: str) -> None:
    """Every non-``fake_`` public function of the fake is a real one with the same signature."""
    real = real_functions("xtdata")
    assert name in real, f"{name} is not an xtdata function: prefix control API with fake_"
    assert signature_params(_fake_sdk_functions()[name]) == real[name]


def test_module_settings_match_real_defaults() -> None:
    real = real_module_constants("xtdata")
    fake = load_fake_xtdata()
    assert real["enable_hello"] is True and real["data_dir"] is None
    assert fake.data_dir is None
    assert isinstance(fake.enable_hello, bool)  # tests toggle it; the module default is True


def test_control_api_names_cannot_collide_with_the_sdk() -> None:
    """Extra public names are ``fake_*`` functions or ``Fake*`` classes, none in the real module."""
    real = real_functions("xtdata")
    fake = load_fake_xtdata()
    extra_funcs = [n for n, o in vars(fake).items() if inspect.isfunction(o) and o.__module__ == fake.__name__
                   and n.startswith("fake_")]
    classes = [n for n, o in vars(fake).items() if inspect.isclass(o) and o.__module__ == fake.__name__
               and not n.startswith("_")]
    assert {"fake_reset", "fake_market", "fake_shutdown"} <= set(extra_funcs)
    assert all(c.startswith("Fake") for c in classes), classes
    assert not (set(extra_funcs) | set(classes)) & set(real)
