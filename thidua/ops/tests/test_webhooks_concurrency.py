"""Two workers at once on PostgreSQL: every delivery is sent exactly once (row locks skipped, the
claim moves each delivery a lease ahead before anything is sent)."""

from __future__ import annotations

from collections import Counter

import pytest

from thidua.ops import webhooks
from thidua.ops.models import Webhook, WebhookDelivery
from thidua.testing import run_concurrently

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_workers_deliver_each_delivery_once(receiver):
    webhook = Webhook.objects.create(name="Văn phòng điện tử", url=receiver.url, events=["plan.issued"])
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=webhook, event="plan.issued", payload={"n": n}) for n in range(40)
    )
    receiver.delay = 0.01  # each answer takes a moment, so the two workers overlap
    outcomes = run_concurrently(lambda: webhooks.run_pass(batch=5), lambda: webhooks.run_pass(batch=5))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.sent for o in outcomes) == 40
    assert all(o.sent > 0 for o in outcomes), outcomes  # both took part: the test raced them
    sent = Counter(r.headers["X-ThiDua-Delivery"] for r in receiver.received)
    assert len(sent) == 40 and set(sent.values()) == {1}
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("succeeded", 1)}
