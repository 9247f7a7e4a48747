"""The old import path of view counting, kept only for the two callers outside the portal.

``tests/browser/test_portal.py`` (``ZONE``, ``now``, ``_salts.clear()``, ``article_figures``) and
``bench/hitcount_urls.py`` (``figures_of``) still import it; everything else uses
``thidua.portal.counting``. Delete this module once those two have moved.

Assigning ``stats.now`` (as ``monkeypatch.setattr`` does) sets the counting clock, so a test
that sets the time here still sets it for the whole package.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from thidua.portal.counting import api, clock
from thidua.portal.counting.api import article_figures, figures_of

__all__ = ["article_figures", "figures_of", "now"]

now = clock.now


class _Restart:
    """``stats._salts.clear()``: forgets the process's counting state, the salt included."""

    @staticmethod
    def clear() -> None:
        api.reset()


def __getattr__(name: str) -> Any:
    if name == "ZONE":  # read when asked: the zone comes from settings
        return clock.zone()
    if name == "_salts":
        return _Restart()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Module(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name == "now":
            setattr(clock, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Module
