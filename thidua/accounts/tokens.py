"""Personal access tokens for the JSON API: created, shown once, checked, limited, revoked.

A token reads ``thd_<prefix>_<secret>``: ``thd_`` lets secret scanners (and people) recognise a
leaked one, the 8-character prefix is the visible part that names it in lists and finds its row
(unique, indexed), and the secret is ``secrets.token_urlsafe(32)``: 256 random bits.

Only the SHA-256 of the whole token is stored. A slow, salted hash (PBKDF2, Argon2) protects
passwords, which people choose and which can be guessed; a 256-bit random secret cannot be guessed
whatever the hash, so a fast hash loses nothing, and checking a token costs microseconds instead of
the ~100 ms a password hash would add to every API call. Whoever reads the table learns prefixes
and digests, not tokens.

A token acts as its owner: ``request.user`` becomes the owner, so every route applies the same scope
as the pages (``visible_to``, ``get_for_user``) and the services the same policies. A read-only
token is refused (403) on any method but GET, HEAD and OPTIONS. ``last_used_at`` is written at most
once a minute, so a busy integration does not write a row on every request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import string
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError, Throttled
from ninja.security import HttpBearer

from thidua.accounts.models import ApiToken
from thidua.core.api import CredentialsRefused
from thidua.core.text import clean_text

PREFIX = "thd_"
PREFIX_LENGTH = 8
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
MAX_LIFETIME_DAYS = 365
MAX_ACTIVE_PER_USER = 20
TOUCH_EVERY = dt.timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RATE_WINDOW_S = 60


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_prefix() -> str:
    return "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))


def split(raw: str) -> str | None:
    """The prefix of a well-formed token, None for anything else (no query is spent on it)."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    prefix, sep, secret = raw[len(PREFIX) :].partition("_")
    if not sep or len(prefix) != PREFIX_LENGTH or not secret or any(c not in PREFIX_ALPHABET for c in prefix):
        return None
    return prefix


def expiry(day: dt.date) -> dt.datetime:
    """A token chosen to last "until ``day``" works through that whole local day."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def token_create(*, user: Any, name: str, access: str, expires_on: dt.date) -> tuple[ApiToken, str]:
    """A new token of ``user`` and the token itself, which is shown once and never stored."""
    name = clean_text(name)[:100]
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Hãy đặt tên gợi nhớ cho mã (ví dụ: Hệ thống văn phòng điện tử).")
    if access not in ApiToken.Access.values:
        errors["access"] = _("Quyền không hợp lệ.")
    if expires_on <= today:
        errors["expires_on"] = _("Ngày hết hạn phải sau hôm nay.")
    elif expires_on > today + dt.timedelta(days=MAX_LIFETIME_DAYS):
        errors["expires_on"] = _("Mã truy cập có hạn tối đa %(days)s ngày.") % {"days": MAX_LIFETIME_DAYS}
    if errors:
        raise ValidationError(errors)
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())
    if active.count() >= MAX_ACTIVE_PER_USER:
        raise ValidationError(
            _("Mỗi tài khoản có tối đa %(n)s mã còn hiệu lực; hãy thu hồi mã không dùng nữa.")
            % {"n": MAX_ACTIVE_PER_USER}
        )
    for _attempt in range(5):  # 36⁸ prefixes: a clash is rare, and retried
        prefix = _new_prefix()
        token = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                row = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    key_hash=digest(token),
                    access=access,
                    expires_at=expiry(expires_on),
                )
        except IntegrityError:
            continue
        return row, token
    raise RuntimeError("no free API token prefix after 5 attempts")


def token_revoke(*, token: ApiToken) -> bool:
    """Revoke at once (the next request with it is refused); False when it was already revoked."""
    now = timezone.now()
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if done:
        token.revoked_at = now
    return bool(done)


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token ``raw`` is, with its owner (one query), or None."""
    prefix = split(raw)
    if prefix is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, digest(raw)):  # constant-time comparison
        return None
    if not token.is_active() or not token.user.is_active:
        return None
    return token


def touch(token: ApiToken) -> None:
    """Record the use, at most once a minute (a conditional UPDATE: concurrent requests write once)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    ).update(last_used_at=now)
    token.last_used_at = now


def rate_limit() -> int:
    return int(settings.THIDUA_API_TOKEN_RATE)


def check_rate(token: ApiToken) -> None:
    """At most ``THIDUA_API_TOKEN_RATE`` requests a minute per token: a fixed window counted in the
    cache (``add`` then ``incr``, both atomic in Redis and in the local-memory cache). Over the limit:
    ``Throttled``, which the API answers with 429 and ``Retry-After`` (the seconds left in the window)."""
    limit = rate_limit()
    if limit <= 0:
        return
    now = timezone.now().timestamp()
    window = int(now // RATE_WINDOW_S)
    key = f"thidua:api-rate:{token.pk}:{window}"
    cache.add(key, 0, timeout=RATE_WINDOW_S * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_S * 2)
        count = 1
    if count > limit:
        raise Throttled(wait=(window + 1) * RATE_WINDOW_S - now)  # type: ignore[arg-type]


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer thd_…``. A request that presents a bearer token is judged by it
    alone: a wrong, expired or revoked one is 401, never handed on to the session check."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_authenticate(token.strip())
        if found is None:
            raise CredentialsRefused(_("Mã truy cập API không đúng, đã hết hạn hoặc đã bị thu hồi."))
        if request.method not in SAFE_METHODS and not found.writes:
            raise HttpError(403, _("Mã truy cập này chỉ được đọc; thao tác ghi cần mã có quyền đọc và ghi."))
        check_rate(found)
        touch(found)
        request.user = found.user
        return found


def session_or_token(view: Any) -> Any:
    """For the schema and its documentation page: a logged-in session, or a valid token (an
    integration reads the schema it is built against); anyone else is sent to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
            token = token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                return redirect_to_login(request.get_full_path())
            touch(token)
            request.user = token.user
        return view(request, *args, **kwargs)

    return wrapper
