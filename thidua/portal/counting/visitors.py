"""Who a visitor is, without storing who they are.

A visitor is ``blake2b(address + user agent, key = the day's salt)``, 12 bytes. The salt is
random per day, shared by all processes through the database (``DailySalt``), and deleted with
the hashes of its day by ``purge_before`` the day after tomorrow; after that nobody can link a
hash to an address. No address is stored anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from thidua.portal.models import DailySalt, Seen, SiteVisitor


class Salts:
    """The day's salt, read from the database once per day and process."""

    def __init__(self) -> None:
        self._current: tuple[dt.date, str] | None = None  # one tuple: replaced atomically between threads

    def for_day(self, day: dt.date) -> str:
        current = self._current
        if current is not None and current[0] == day:
            return current[1]
        DailySalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
        salt = DailySalt.objects.get(day=day).salt  # the winner's, if another process created it first
        self._current = (day, salt)
        return salt


def visitor_hash(address: str, user_agent: str, salt: str) -> str:
    digest = hashlib.blake2b(f"{address}\n{user_agent}".encode(), key=salt.encode()[:64], digest_size=12)
    return digest.hexdigest()


def purge_before(day: dt.date) -> None:
    """Forget who read what before ``day``: visitor hashes and the salts that made them."""
    Seen.objects.filter(day__lt=day).delete()
    SiteVisitor.objects.filter(day__lt=day).delete()
    DailySalt.objects.filter(day__lt=day).delete()
