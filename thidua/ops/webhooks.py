"""Webhooks: which events exist, how they are queued, and how the worker delivers them.

**Events.** A webhook event is a workflow transition named in ``EVENTS`` (``plan.issued`` is the
``issue`` transition of ``campaigns.Plan``). Every transition already goes through
``thidua.core.transitions.apply``, which sends ``state_changed`` once the transaction has
committed; the receiver here queues one ``WebhookDelivery`` per active webhook that asked for the
event and whose unit sees the object. A transaction that rolls back sends nothing, so nothing is
queued. Later work adds an event by adding a line (``register``), e.g. ``decision.issued`` when
decisions exist; no event is listed before its transition does.

**Delivery.** ``manage.py deliver_webhooks --loop`` claims due deliveries (``SELECT … FOR UPDATE
SKIP LOCKED`` on PostgreSQL, the database's write lock on SQLite) and moves each one's next attempt
a lease ahead in the same transaction, so two workers never send one delivery twice; it posts the
JSON outside the transaction (5 s timeout), then records the outcome: 2xx is delivered; anything
else is retried after 1 min, 5 min, 30 min, 2 h and 12 h, then marked failed. A worker that dies
mid-send leaves the delivery to be retried when its lease ends (at least once).

**Signature.** ``X-ThiDua-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the
webhook's secret>``, the timestamp in ``X-ThiDua-Timestamp`` (Unix seconds); a receiver recomputes
it over the raw body and refuses old timestamps (docs/api.md shows how).

**Where it may go.** Only http(s) URLs whose host resolves to public addresses, checked when the
webhook is saved and again at each delivery, and the connection is made to the address that was
checked (a name that resolves elsewhere the second time cannot reach the internal network);
redirects are not followed. ``THIDUA_WEBHOOK_ALLOW_PRIVATE=1`` allows private addresses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import F
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.accounts.unit_scope import seen_from
from thidua.core.transitions import state_changed
from thidua.ops.models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

BACKOFF_S = (60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600)  # after attempts 1…5; the 6th failure is final
MAX_ATTEMPTS = len(BACKOFF_S) + 1
LEASE_S = 120  # a claimed delivery is left alone this long (timeouts are 5 s): a dead worker's is retried
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "ThiDua-Webhooks/1"


# --- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """A webhook event: the transition it stands for and what its payload says about the object."""

    name: str  # "plan.issued"
    model: str  # the model's label, "campaigns.Plan"
    action: str  # the transition's name, "issue"
    label: str | Promise
    kind: str  # the object's type in the payload, "plan"
    related: tuple[str, ...]  # select_related when the object is read for the payload
    fields: dict[str, str]  # payload key -> attribute path ("issuer.name")
    page: str  # URL name of the object's page (one argument, its id)
    api: str  # path of the object in the API ("/api/plans/{id}")
    # Further payload keys computed from the object (counts, lists), beside ``fields``.
    summary: Callable[[Any], dict[str, Any]] | None = field(default=None, compare=False)


PLAN_FIELDS = {
    "document_number": "document_number",
    "title": "title",
    "status": "status",
    "issued_on": "issued_on",
    "issuer_id": "issuer_id",
    "issuer_name": "issuer.name",
    "parent_id": "parent_id",
    "root_id": "root_id",
    "window_start": "window_start",
    "window_end": "window_end",
}
REGISTRATION_FIELDS = {
    "status": "status",
    "plan_id": "plan_id",
    "plan_number": "plan.document_number",
    "unit_id": "unit_id",
    "unit_name": "unit.name",
    "comment": "comment",
}
REPORT_FIELDS = {
    "status": "status",
    "period_id": "period_id",
    "period_name": "period.name",
    "plan_id": "period.plan_id",
    "unit_id": "unit_id",
    "unit_name": "unit.name",
    "late": "late",
    "self_score": "self_score",
    "score": "score",
}
ARTICLE_FIELDS = {
    "title": "title",
    "status": "status",
    "publish_at": "publish_at",
    "unit_id": "unit_id",
    "unit_name": "unit.name",
    "plan_id": "plan_id",
}


def _plan(name: str, action: str, label: str | Promise) -> Event:
    return Event(
        name, "campaigns.Plan", action, label, "plan", ("issuer",), PLAN_FIELDS, "campaigns:detail", "/api/plans/{id}"
    )


def _registration(name: str, action: str, label: str | Promise) -> Event:
    return Event(
        name,
        "registrations.Registration",
        action,
        label,
        "registration",
        ("unit", "plan", "plan__issuer"),
        REGISTRATION_FIELDS,
        "registrations:detail",
        "/api/registrations/{id}",
    )


def _report(name: str, action: str, label: str | Promise) -> Event:
    return Event(
        name,
        "monitoring.Report",
        action,
        label,
        "report",
        ("unit", "period"),
        REPORT_FIELDS,
        "monitoring:report",
        "/api/reports/{id}",
    )


EVENTS: dict[str, Event] = {}
_BY_TRANSITION: dict[tuple[str, str], Event] = {}


def register(event: Event) -> Event:
    """Add an event (an app whose transition should be announced registers it here)."""
    EVENTS[event.name] = event
    _BY_TRANSITION[(event.model, event.action)] = event
    return event


for _event in (
    _plan("plan.issued", "issue", gettext_lazy("Kế hoạch được ban hành")),
    _plan("plan.recalled", "recall", gettext_lazy("Kế hoạch bị thu hồi")),
    _plan("plan.closed", "close", gettext_lazy("Kế hoạch kết thúc")),
    _registration("registration.submitted", "submit", gettext_lazy("Đăng ký thi đua được gửi cấp trên")),
    _registration("registration.accepted", "accept", gettext_lazy("Đăng ký thi đua được chấp nhận")),
    _registration("registration.returned", "return", gettext_lazy("Đăng ký thi đua bị trả lại")),
    _report("report.submitted", "submit", gettext_lazy("Báo cáo được gửi cấp trên")),
    _report("report.verified", "verify", gettext_lazy("Báo cáo được xác nhận")),
    _report("report.returned", "return", gettext_lazy("Báo cáo bị trả lại")),
    Event(
        "article.published",
        "portal.Article",
        "publish",
        gettext_lazy("Tin bài được đăng hoặc lên lịch đăng"),
        "article",
        ("unit",),
        ARTICLE_FIELDS,
        "portal:manage_detail",
        "/api/articles/{id}",
    ),
):
    register(_event)


def event_choices() -> list[tuple[str, str]]:
    return [(name, f"{name} — {event.label}") for name, event in EVENTS.items()]


# --- queueing ----------------------------------------------------------------------------------


def _attribute(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part) if obj is not None else None
    return obj


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _payload(event: Event, obj: models.Model, record: Any, by: Any, event_id: str) -> dict[str, Any]:
    """``record`` is the transition's event row (who, when, from, to, why)."""
    described = {key: _attribute(obj, path) for key, path in event.fields.items()}
    if event.summary is not None:
        described.update(event.summary(obj))
    data = {
        "event": event.name,
        "event_id": event_id,
        "occurred_at": record.at if record is not None else timezone.now(),
        "by": {"id": by.pk, "username": by.get_username()} if getattr(by, "pk", None) else None,
        "transition": {
            "action": event.action,
            "from": getattr(record, "from_status", ""),
            "to": getattr(record, "to_status", ""),
            "reason": getattr(record, "reason", ""),
        },
        "object": {
            "type": event.kind,
            "id": obj.pk,
            **described,
            "url": _absolute(reverse(event.page, args=[obj.pk])),
            "api_url": _absolute(event.api.format(id=obj.pk)),
        },
    }
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # dates, decimals and UUIDs as JSON strings


def enqueue(event: Event, obj: models.Model, *, record: Any = None, by: Any = None) -> list[WebhookDelivery]:
    """Queue ``event`` about ``obj`` for every active webhook that asked for it and whose unit sees
    the object: two queries when some webhook wants it (the webhooks, the object), one otherwise."""
    hooks = [h for h in Webhook.objects.filter(active=True).select_related("unit") if event.name in h.events]
    if not hooks:
        return []
    model = type(obj)
    fresh = model._default_manager.select_related(*event.related).get(pk=obj.pk)
    receivers = [h for h in hooks if h.unit is None or seen_from(h.unit, fresh)]
    if not receivers:
        return []
    event_id = str(WebhookDelivery._meta.get_field("event_id").get_default())
    payload = _payload(event, fresh, record, by, event_id)
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=hook, event=event.name, event_id=event_id, payload=payload) for hook in receivers
    )


@receiver(state_changed, dispatch_uid="thidua.ops.webhooks")
def _on_state_changed(
    sender: type[models.Model], instance: models.Model, transition: Any, event: Any, by: Any, **kwargs: Any
) -> None:
    """After the transition's commit (``apply`` sends this from ``transaction.on_commit``)."""
    found = _BY_TRANSITION.get((sender._meta.label, transition.name))
    if found is None:
        return
    try:
        enqueue(found, instance, record=event, by=by)
    except Exception:  # the change is committed: a queueing failure is logged, not shown to its author
        logger.exception("queueing webhook event %s for %s %s failed", found.name, sender._meta.label, instance.pk)


def delivery_replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event again, as a new delivery (its own id, the same payload and event id)."""
    return WebhookDelivery.objects.create(
        webhook_id=delivery.webhook_id,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        replay_of=delivery,
    )


# --- where a webhook may point -----------------------------------------------------------------


class Refused(Exception):
    """The URL may not be called (scheme, or an address inside the network)."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def destination(url: str) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, path with query, the address to connect to) of a URL that may be called.

    Refused: a scheme other than http(s), credentials in the URL, a name that does not resolve, and
    (unless ``THIDUA_WEBHOOK_ALLOW_PRIVATE``) any resolved address that is not public: loopback,
    private, link-local (cloud metadata at 169.254.169.254), shared, reserved or multicast.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(_("Chỉ nhận địa chỉ http:// hoặc https://."))
    if parts.username or parts.password:
        raise Refused(_("Địa chỉ không được chứa tên đăng nhập hay mật khẩu."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise Refused(_("Không tìm được máy chủ %(host)s.") % {"host": parts.hostname}) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not settings.THIDUA_WEBHOOK_ALLOW_PRIVATE and not all(_public(a) for a in addresses):
        raise Refused(_("Địa chỉ trỏ vào mạng nội bộ; không được gửi tới đó."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path, addresses[0]


def validate_url(url: str) -> None:
    """For the admin form: the checks a delivery makes, as a ``ValidationError``."""
    try:
        destination(url)
    except Refused as exc:
        raise ValidationError(str(exc)) from exc


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


# --- sending -----------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent (and signed): the payload in a fixed form, so a replay is byte-identical."""
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None
    error: str = ""


def send(delivery: WebhookDelivery) -> Outcome:
    """POST one delivery; never raises for what the network or the receiver does."""
    webhook = delivery.webhook
    try:
        scheme, host, port, path, address = destination(webhook.url)
    except Refused as exc:
        return Outcome(ok=False, error=str(exc))
    body = body_of(delivery)
    timestamp = str(int(timezone.now().timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-ThiDua-Event": delivery.event,
        "X-ThiDua-Delivery": str(delivery.delivery_id),
        "X-ThiDua-Timestamp": timestamp,
        "X-ThiDua-Signature": signature(webhook.secret, timestamp, body),
    }
    timeout = float(settings.THIDUA_WEBHOOK_TIMEOUT_S)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    conn = connection_class(host, port, address, timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(MAX_RESPONSE_BYTES)  # what the receiver says is not kept; its status is
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
    finally:
        conn.close()
    if 200 <= status < 300:
        return Outcome(ok=True, status=status)
    return Outcome(ok=False, status=status, error=f"HTTP {status}")


# --- the worker's pass -------------------------------------------------------------------------


class Contended(Exception):
    """Another worker took part of the batch between our read and our claim: read it again."""


def _claim(batch: int, now: dt.datetime) -> list[WebhookDelivery]:
    """Claim up to ``batch`` due deliveries in one transaction: lock them (skipping rows another
    worker holds), count the attempt and push the next one a lease ahead, so nobody else takes them."""
    with transaction.atomic():
        due = WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now, webhook__active=True
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due.select_related("webhook")[:batch])
        if not rows:
            return []
        claimed = WebhookDelivery.objects.filter(
            pk__in=[r.pk for r in rows], status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + dt.timedelta(seconds=LEASE_S))
        if claimed != len(rows):
            raise Contended
    for row in rows:
        row.attempts += 1
    return rows


def _record(delivery: WebhookDelivery, outcome: Outcome) -> str:
    now = timezone.now()
    fields: dict[str, Any] = {"last_status_code": outcome.status, "last_error": outcome.error[:500]}
    if outcome.ok:
        fields |= {"status": WebhookDelivery.Status.SUCCEEDED, "delivered_at": now}
    elif delivery.attempts >= MAX_ATTEMPTS:
        fields["status"] = WebhookDelivery.Status.FAILED
    else:
        fields["next_attempt_at"] = now + dt.timedelta(seconds=BACKOFF_S[delivery.attempts - 1])
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(**fields)
    result = str(fields.get("status", "retry"))
    log = logger.info if outcome.ok else logger.warning
    log(
        "webhook delivery %s (%s to webhook %s), attempt %s: %s %s",
        delivery.delivery_id,
        delivery.event,
        delivery.webhook_id,
        delivery.attempts,
        result,
        outcome.error or outcome.status,
    )
    return result


@dataclass
class Pass:
    sent: int = 0
    failed: int = 0
    retried: int = 0


def run_pass(*, batch: int = 20, max_batches: int = 50) -> Pass:
    """Deliver what is due, a batch at a time (claimed, then sent outside the transaction)."""
    result = Pass()
    for _round in range(max_batches):
        try:
            rows = _claim(batch, timezone.now())
        except Contended:
            time.sleep(0.05)
            continue
        if not rows:
            break
        for delivery in rows:
            outcome = _record(delivery, send(delivery))
            if outcome == WebhookDelivery.Status.SUCCEEDED:
                result.sent += 1
            elif outcome == WebhookDelivery.Status.FAILED:
                result.failed += 1
            else:
                result.retried += 1
    return result
