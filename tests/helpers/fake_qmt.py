"""Load the fake ``xtquant.xtdata`` (tests/fake_xtquant) without touching ``sys.path``.

Why by file path: the real ``xtquant`` wheel is a dev dependency (its sources are read for
signature checks), so ``import xtquant`` must keep meaning the real package in tests. The
fake is therefore loaded under its own module name ``fake_xtdata`` (cached in
``sys.modules``, so every test and adapter test shares one module and one market).

The developer switch (run the app without a QMT terminal) instead prepends
``FAKE_XTQUANT_DIR`` to ``sys.path`` before the first ``from xtquant import xtdata``. That
gives a separate module object (``xtquant.xtdata``) with its own market.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

FAKE_XTQUANT_DIR: Path = Path(__file__).resolve().parents[1] / "fake_xtquant"
_MODULE_NAME = "fake_xtdata"


def load_fake_xtdata() -> ModuleType:
    """The fake xtdata module (loaded once from tests/fake_xtquant/xtquant/xtdata.py)."""
    module = sys.modules.get(_MODULE_NAME)
    if module is None:
        spec = importlib.util.spec_from_file_location(_MODULE_NAME, FAKE_XTQUANT_DIR / "xtquant" / "xtdata.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_MODULE_NAME] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[_MODULE_NAME]
            raise
    return module
