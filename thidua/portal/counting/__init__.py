"""Portal view counting: which requests are views, who the visitor is, and where views are kept.

Modules, each depending only on those before it:

``clock``      the one clock (``settings.TIME_ZONE`` days)
``rules``      what counts as a view
``counter``    the ``Counter`` interface and ``Figures``
``visitors``   the salted visitor hash, and forgetting it
``database``   ``DatabaseCounter``: every view written through (the default)
``buffer``     ``RedisCounter``: views in Redis, flushed to the database (``THIDUA_VIEW_BUFFER_URL``)
``api``        what the portal calls; the counter is chosen there, once per process

The names below are the package's public face.
"""

from thidua.portal.counting.api import (
    article_figures,
    count_view,
    counter,
    figures_of,
    flush,
    flush_for_officers,
    redis_buffer,
    reset,
    site_figures,
)
from thidua.portal.counting.counter import Counter, Figures

__all__ = [
    "Counter",
    "Figures",
    "article_figures",
    "count_view",
    "counter",
    "figures_of",
    "flush",
    "flush_for_officers",
    "redis_buffer",
    "reset",
    "site_figures",
]
