"""Webhooks: queued only when the change commits, for the units that see it; delivered signed to a
real HTTP server on 127.0.0.1, retried with backoff, replayable; never sent into the network."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import signal
import socket
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from thidua.campaigns import services as campaigns
from thidua.campaigns.models import Plan
from thidua.campaigns.tests.factories import make_plan
from thidua.monitoring import services as monitoring
from thidua.monitoring.tests.factories import campaign, report_of, values_for
from thidua.ops import webhooks
from thidua.ops.admin import WebhookForm
from thidua.ops.models import Heartbeat, Webhook, WebhookDelivery
from thidua.portal.tests.factories import make_article
from thidua.registrations import services as registrations
from thidua.registrations.tests.helpers import TODAY, open_plan
from thidua.testing import frozen, make_user, title

START = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)


def hook(url: str, *events: str, unit=None) -> Webhook:
    return Webhook.objects.create(name="Văn phòng điện tử", url=url, events=list(events), unit=unit)


def verified(secret: str, request: SimpleNamespace) -> bool:
    """What a receiver does: recompute the signature over the timestamp and the raw body."""
    expected = hmac.new(
        secret.encode(), request.headers["X-ThiDua-Timestamp"].encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(request.headers["X-ThiDua-Signature"], f"sha256={expected}")


# --- queueing ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_event_is_queued_when_the_change_commits_and_not_when_it_rolls_back(
    world, django_capture_on_commit_callbacks
):
    webhook = hook("http://127.0.0.1:9/", "plan.issued")
    hook("http://127.0.0.1:9/", "plan.recalled")  # asked for something else
    plan = make_plan(world.D1)
    officer = world.users["district"]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        campaigns.plan_issue(plan=plan, by=officer)
        raise RuntimeError("the request failed after the issue")
    assert not WebhookDelivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        campaigns.plan_issue(plan=plan, by=officer)
        assert not WebhookDelivery.objects.exists()  # not before the commit
    assert callbacks
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == webhook and delivery.event == "plan.issued" and delivery.status == "pending"
    payload = delivery.payload
    assert payload["event"] == "plan.issued" and payload["event_id"] == str(delivery.event_id)
    assert payload["by"] == {"id": officer.pk, "username": "district"}
    assert payload["transition"] == {"action": "issue", "from": "draft", "to": "issued", "reason": ""}
    assert payload["object"]["type"] == "plan" and payload["object"]["id"] == plan.pk
    assert payload["object"]["document_number"] == Plan.objects.get(pk=plan.pk).document_number
    assert payload["object"]["issued_on"] == "2025-03-01" and payload["object"]["issuer_id"] == world.D1.pk
    assert payload["object"]["api_url"].endswith(f"/api/plans/{plan.pk}")
    assert payload["object"]["url"].endswith(f"/plans/{plan.pk}/")


@pytest.mark.django_db
def test_a_webhook_of_a_unit_hears_what_that_unit_sees(world, django_capture_on_commit_callbacks):
    district = hook("http://127.0.0.1:9/d1", "plan.issued", "registration.accepted", unit=world.D1)
    whole = hook("http://127.0.0.1:9/all", "plan.issued", "registration.accepted")
    inactive = hook("http://127.0.0.1:9/off", "plan.issued")
    Webhook.objects.filter(pk=inactive.pk).update(active=False)
    with django_capture_on_commit_callbacks(execute=True):
        from_above = campaigns.plan_issue(plan=make_plan(world.P, title="Của tỉnh"), by=None)
        other_branch = campaigns.plan_issue(plan=make_plan(world.P2, title="Của tỉnh Beta"), by=None)
        sibling = campaigns.plan_issue(plan=make_plan(world.D2, title="Của huyện Hai"), by=None)
    received = {(d.webhook_id, d.payload["object"]["id"]) for d in WebhookDelivery.objects.all()}
    assert received == {
        (district.pk, from_above.pk),  # issued above it: it applies to the district
        (whole.pk, from_above.pk),
        (whole.pk, other_branch.pk),
        (whole.pk, sibling.pk),
    }
    WebhookDelivery.objects.all().delete()
    plan = open_plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        for unit in (world.G1, world.G2):
            registration = registrations.registration_open(plan=plan, unit=unit, by=None, today=TODAY)
            registrations.registration_update(
                registration=registration,
                by=None,
                titles=[title("Công đoàn cơ sở vững mạnh")],
                pledge="",
                commitments={},
                today=TODAY,
            )
            with frozen("2025-02-01 09:00"):
                registrations.registration_submit(registration=registration, by=None)
            registrations.registration_accept(registration=registration, by=None)
    accepted = WebhookDelivery.objects.filter(event="registration.accepted")
    assert sorted((d.webhook_id, d.payload["object"]["unit_id"]) for d in accepted) == sorted(
        [(district.pk, world.G1.pk), (whole.pk, world.G1.pk), (whole.pk, world.G2.pk)]
    )
    sample = accepted.filter(webhook=district).get().payload
    assert sample["object"]["status"] == "accepted" and sample["object"]["plan_number"] == plan.document_number


@pytest.mark.django_db
def test_no_webhook_costs_one_query_and_a_failure_to_queue_is_logged_not_raised(
    world, django_capture_on_commit_callbacks, django_assert_num_queries, monkeypatch, caplog
):
    plan = make_plan(world.D1)
    with django_capture_on_commit_callbacks() as callbacks:
        plan = campaigns.plan_issue(plan=plan, by=None)
    with django_assert_num_queries(1):  # the active webhooks
        for callback in callbacks:
            callback()
    hook("http://127.0.0.1:9/", "plan.closed")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(webhooks, "enqueue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.plan_close(plan=plan, by=None)
    assert "queueing webhook event plan.closed" in caplog.text


# --- delivery ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_delivery_is_signed_and_carries_its_event(receiver, world, django_capture_on_commit_callbacks):
    webhook = hook(receiver.url, "plan.issued")
    with frozen(START):
        with django_capture_on_commit_callbacks(execute=True):
            campaigns.plan_issue(plan=make_plan(world.D1), by=world.users["district"])
        result = webhooks.run_pass()
    assert (result.sent, result.retried, result.failed) == (1, 0, 0)
    [request] = receiver.received
    delivery = WebhookDelivery.objects.get()
    assert request.path == "/hooks/thidua?from=test"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["X-ThiDua-Event"] == "plan.issued"
    assert request.headers["X-ThiDua-Delivery"] == str(delivery.delivery_id)
    assert request.headers["X-ThiDua-Timestamp"] == str(int(START.timestamp()))
    assert verified(webhook.secret, request)
    assert not verified("another secret", request)
    assert json.loads(request.body) == delivery.payload
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at == START
    assert webhooks.run_pass().sent == 0  # delivered once


@pytest.mark.django_db
def test_failures_are_retried_with_backoff_then_delivered(receiver):
    webhook = hook(receiver.url, "plan.issued")
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="plan.issued", payload={"n": 1}, next_attempt_at=START
    )
    receiver.statuses.extend([500, 302, 503])
    moment = START
    for attempt, wait in enumerate((60, 5 * 60, 30 * 60), start=1):
        with frozen(moment):
            assert webhooks.run_pass().retried == 1
        row = WebhookDelivery.objects.get(pk=delivery.pk)
        assert (row.status, row.attempts, row.next_attempt_at) == (
            "pending",
            attempt,
            moment + dt.timedelta(seconds=wait),
        )
        assert row.last_error.startswith("HTTP")
        with frozen(row.next_attempt_at - dt.timedelta(seconds=1)):
            assert webhooks.run_pass().retried == 0  # not before its time
        moment = row.next_attempt_at
    assert WebhookDelivery.objects.get(pk=delivery.pk).last_status_code == 503
    with frozen(moment):
        assert webhooks.run_pass().sent == 1
    row = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("succeeded", 4, 200, "")
    assert len(receiver.received) == 4  # the redirect was not followed
    assert len({r.headers["X-ThiDua-Delivery"] for r in receiver.received}) == 1


@pytest.mark.django_db
def test_after_six_failures_a_delivery_fails_for_good(receiver):
    webhook = hook(receiver.url, "plan.issued")
    delivery = WebhookDelivery.objects.create(webhook=webhook, event="plan.issued", payload={}, next_attempt_at=START)
    receiver.statuses.extend([500] * 10)
    moments = [START]
    for _attempt in range(webhooks.MAX_ATTEMPTS):
        with frozen(moments[-1]):
            webhooks.run_pass()
        moments.append(WebhookDelivery.objects.get(pk=delivery.pk).next_attempt_at)
    row = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (row.status, row.attempts) == ("failed", 6)
    # The sixth attempt came 1 min + 5 min + 30 min + 2 h + 12 h after the first.
    assert moments[5] - START == dt.timedelta(seconds=sum(webhooks.BACKOFF_S))
    with frozen(moments[5] + dt.timedelta(days=1)):
        assert webhooks.run_pass().failed == 0 and len(receiver.received) == 6


@pytest.mark.django_db
def test_a_receiver_that_does_not_answer_in_time(settings):
    settings.THIDUA_WEBHOOK_ALLOW_PRIVATE = True
    settings.THIDUA_WEBHOOK_TIMEOUT_S = 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        webhook = hook(f"http://127.0.0.1:{silent.getsockname()[1]}/", "plan.issued")
        WebhookDelivery.objects.create(webhook=webhook, event="plan.issued", payload={})
        assert webhooks.run_pass().retried == 1
        assert "timed out" in WebhookDelivery.objects.get().last_error
    finally:
        silent.close()


@pytest.mark.django_db
def test_replay_sends_the_same_event_again_as_a_new_delivery(receiver, client):
    webhook = hook(receiver.url, "plan.issued")
    original = WebhookDelivery.objects.create(webhook=webhook, event="plan.issued", payload={"object": {"id": 7}})
    webhooks.run_pass()
    admin = make_user("quan-tri", superuser=True)
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    response = client.post("/admin/ops/webhookdelivery/", {"action": "replay", "_selected_action": [original.pk]})
    assert response.status_code == 302
    replay = WebhookDelivery.objects.exclude(pk=original.pk).get()
    assert replay.replay_of == original and replay.status == "pending"
    assert replay.event_id == original.event_id and replay.delivery_id != original.delivery_id
    assert webhooks.run_pass().sent == 1
    first, second = receiver.received
    assert first.body == second.body  # byte for byte
    assert first.headers["X-ThiDua-Delivery"] != second.headers["X-ThiDua-Delivery"]
    assert verified(webhook.secret, second)


# --- where deliveries may go -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://localhost/",
        "http://10.0.0.5/hook",
        "http://192.168.1.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "ftp://203.0.113.9/",
        "http://user:password@8.8.8.8/",
        "file:///etc/passwd",
    ],
)
def test_internal_and_odd_destinations_are_refused(url, settings):
    settings.THIDUA_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(webhooks.Refused):
        webhooks.destination(url)


def test_a_public_address_is_allowed(settings):
    settings.THIDUA_WEBHOOK_ALLOW_PRIVATE = False
    assert webhooks.destination("https://8.8.8.8:8443/hook?a=1") == ("https", "8.8.8.8", 8443, "/hook?a=1", "8.8.8.8")


@pytest.mark.django_db
def test_a_private_destination_is_refused_at_delivery_too(receiver, settings, world):
    webhook = hook(receiver.url, "plan.issued")
    WebhookDelivery.objects.create(webhook=webhook, event="plan.issued", payload={})
    settings.THIDUA_WEBHOOK_ALLOW_PRIVATE = False
    assert webhooks.run_pass().retried == 1
    assert "mạng nội bộ" in WebhookDelivery.objects.get().last_error
    assert receiver.received == []
    form = WebhookForm(data={"name": "x", "url": receiver.url, "events": ["plan.issued"], "active": "on"})
    assert not form.is_valid() and "url" in form.errors
    settings.THIDUA_WEBHOOK_ALLOW_PRIVATE = True
    form = WebhookForm(data={"name": "x", "url": receiver.url, "events": ["plan.issued", "nope"], "active": "on"})
    assert not form.is_valid() and list(form.errors) == ["events"]


@pytest.mark.django_db
def test_the_connection_goes_to_the_address_that_was_checked(receiver, monkeypatch):
    """A name is resolved once, checked, and that address is the one connected to (a second lookup
    could answer an internal address); the request still names the host it was sent to."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def resolve(host, *args, **kwargs):
        lookups.append(host)
        if host == "eoffice.example.vn":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    webhook = hook(f"http://eoffice.example.vn:{receiver.port}/in", "plan.issued")
    WebhookDelivery.objects.create(webhook=webhook, event="plan.issued", payload={})
    assert webhooks.run_pass().sent == 1
    assert lookups.count("eoffice.example.vn") == 1  # then 127.0.0.1, the address connected to
    assert receiver.received[0].headers["Host"] == f"eoffice.example.vn:{receiver.port}"


# --- the worker ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_and_beats(receiver, monkeypatch):
    webhook = hook(receiver.url, "plan.issued")
    WebhookDelivery.objects.create(webhook=webhook, event="plan.issued", payload={})
    real_pass = webhooks.run_pass

    def once_then_stop(**kwargs):
        result = real_pass(**kwargs)
        os.kill(os.getpid(), signal.SIGTERM)
        return result

    monkeypatch.setattr(webhooks, "run_pass", once_then_stop)
    out = io.StringIO()
    call_command("deliver_webhooks", "--loop", "--interval", "0.01", stdout=out)
    assert "1 delivered, 0 to retry, 0 failed." in out.getvalue()
    assert WebhookDelivery.objects.get().status == "succeeded"
    assert Heartbeat.objects.get(name="deliver_webhooks").iterations == 1
    assert Heartbeat.objects.get(name="deliver_webhooks").last_ok_at is not None


def test_every_event_names_a_transition_that_exists():
    """No placeholder events: each is a real transition of a real model."""
    for name, event in webhooks.EVENTS.items():
        model = apps.get_model(event.model)
        transitions = {
            getattr(model, attr).name
            for attr in dir(model)
            if attr.isupper() and hasattr(getattr(model, attr), "target")
        }
        assert event.action in transitions, name
        assert name.startswith(event.kind + ".")


@pytest.mark.django_db
def test_report_and_article_events_carry_their_objects(world, django_capture_on_commit_callbacks, caplog):
    """Each kind of event builds its payload from its model (an attribute gone would only be logged)."""
    hook("http://127.0.0.1:9/", *webhooks.EVENTS)
    campaign(world)
    report = report_of(world.G1)
    with django_capture_on_commit_callbacks(execute=True):
        monitoring.report_save(report=report, by=None, values=values_for(report), narrative="Đã thực hiện")
        monitoring.report_submit(report=report, by=None, today=dt.date(2025, 2, 1))
        monitoring.report_verify(report=report_of(world.G1), by=world.users["district"])
        article = make_article(world.D1, "Đại hội Công đoàn huyện", public=True)
    assert "queueing webhook event" not in caplog.text
    events = {d.event: d.payload["object"] for d in WebhookDelivery.objects.all()}
    assert set(events) == {"report.submitted", "report.verified", "article.published"}
    verified = events["report.verified"]
    assert verified["unit_id"] == world.G1.pk and verified["status"] == "verified" and verified["late"] is False
    assert verified["score"] is not None and verified["api_url"].endswith(f"/api/reports/{report.pk}")
    assert events["article.published"]["title"] == article.title
    assert events["article.published"]["url"].endswith(f"/tin/quan-tri/{article.pk}/")
