"""What counts as a view: the whole rule, in one module.

A view is one reading of a public article by a person. Not counted:

* ``HEAD`` requests (a check, not a reading), and requests that are not the reader's own
  page load: browsers say ``Sec-Fetch-Dest: image``/``iframe`` when another site embeds the
  page; a beacon must come from our own origin (``Sec-Fetch-Site``, ``Origin``);
* crawlers, link previewers, monitors, headless browsers and scripted clients (``BOTS``);
* prefetches (``Sec-Purpose: prefetch``, or the older ``Purpose``);
* a repeat of the same visitor on the same article within ``REPEAT_WINDOW`` (applied by the
  counters, which hold who read what);
* past ``THIDUA_PORTAL_IP_DAILY_CAP`` counted views a day, one address inventing user agents.

Everything but the cap is a pure function of the request; the cap counts in the cache.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

REPEAT_WINDOW = dt.timedelta(minutes=30)
ADDRESS_COUNT_SECONDS = 2 * 24 * 3600  # an address's daily count outlives its day, then goes

# Crawlers, link previewers, monitors and scripted clients. Zalo's and Facebook's in-app
# browsers say "Zalo"/"FBAN" and are people; their preview fetchers are not.
BOTS = re.compile(
    r"bot[/;)\-_]|bot$|[\-_ ]bot\b|^bot|crawl|spider|slurp|archiver|facebookexternalhit|facebookcatalog|zalo-?preview|preview|"
    r"headless|phantomjs|lighthouse|pingdom|uptime|monitor|curl/|wget/|python-requests|python-urllib|httpx|"
    r"aiohttp|go-http-client|okhttp|java/|libwww|scrapy|node-fetch|axios/|feedfetcher|rss",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reader:
    """The person a request reads for: the address and user agent their visitor hash is made of."""

    address: str
    user_agent: str


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOTS.search(user_agent))


def is_prefetch(headers: Mapping[str, str]) -> bool:
    return "prefetch" in (headers.get("Sec-Purpose", "") or headers.get("Purpose", ""))


def is_page_load(method: str | None, headers: Mapping[str, str]) -> bool:
    """A GET of the page as a document (browsers too old for Sec-Fetch-* do not send it)."""
    return method == "GET" and headers.get("Sec-Fetch-Dest", "document") == "document"


def is_own_origin(headers: Mapping[str, str], origin: str) -> bool:
    """A beacon sent by our own page, not by another site's script or form."""
    sent_from = headers.get("Origin")
    return headers.get("Sec-Fetch-Site", "same-origin") == "same-origin" and (not sent_from or sent_from == origin)


def client_ip(meta: Mapping[str, Any], hops: int) -> str:
    """REMOTE_ADDR, or the address the outermost of ``hops`` trusted reverse proxies saw."""
    if hops:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return str(meta.get("REMOTE_ADDR", ""))


def reader_of(request: HttpRequest, *, beacon: bool, hops: int) -> Reader | None:
    """Whose view this request is, or None when it is not a view (see the module's rule).

    ``beacon``: the request is the back/forward-cache beacon (a POST), not the page itself.
    ``hops``: the reverse proxies in front of us (``THIDUA_PROXY_COUNT``).
    """
    headers = request.headers
    user_agent = headers.get("User-Agent", "")[:400]
    if is_bot(user_agent) or is_prefetch(headers):
        return None
    if beacon:
        if not is_own_origin(headers, f"{request.scheme}://{request.get_host()}"):
            return None
    elif not is_page_load(request.method, headers):
        return None  # HEAD is a check, not a reading; an embed is not the reader's page load
    return Reader(address=client_ip(request.META, hops), user_agent=user_agent)


# --- the per-address daily cap --------------------------------------------------------------


def address_key(day: dt.date, address_hash: str) -> str:
    """The cache key of an address's counted views on ``day`` (the address itself is hashed)."""
    return f"portal:ip:{day}:{address_hash}"


def address_capped(key: str, cap: int) -> bool:
    """Whether the address behind ``key`` has used its ``cap`` counted views today (0: no cap)."""
    return cap > 0 and (cache.get(key) or 0) >= cap


def note_address_view(key: str) -> None:
    """One more counted view for the address behind ``key``."""
    cache.add(key, 0, ADDRESS_COUNT_SECONDS)
    cache.incr(key)
