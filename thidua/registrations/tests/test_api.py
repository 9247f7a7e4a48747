"""Registrations, pledges and coverage through the API: the pages' figures, the pages' scope."""

from __future__ import annotations

import pytest

from thidua.registrations import services
from thidua.registrations.tests.helpers import TODAY, open_plan
from thidua.testing import frozen, make_member, title

pytestmark = pytest.mark.django_db


def _registered(world, plan, unit, *members):
    registration = services.registration_open(plan=plan, unit=unit, by=None, today=TODAY)
    services.registration_update(
        registration=registration,
        by=None,
        titles=[title("Công đoàn cơ sở vững mạnh")],
        pledge="Giao ước",
        commitments={},
        today=TODAY,
    )
    if members:
        services.pledges_add(
            registration=registration,
            by=None,
            member_ids=[m.pk for m in members],
            title=title("Lao động tiên tiến"),
            today=TODAY,
        )
    with frozen("2025-02-01 09:00"):
        return services.registration_submit(registration=registration, by=None)


def test_registrations_pledges_and_coverage_hold_the_scope(client, world):
    plan = open_plan(world)
    mine = _registered(world, plan, world.G1, make_member(world.G1, "Hoàng Thị Mai"))
    theirs = _registered(world, plan, world.G2, make_member(world.G2, "Đinh Văn Lâm"))
    client.force_login(world.users["district"])

    listed = client.get(f"/api/registrations?plan={plan.pk}").json()
    assert [r["id"] for r in listed["items"]] == [mine.pk]
    detail = client.get(f"/api/registrations/{mine.pk}").json()
    assert detail["status"] == "submitted" and detail["pledge"] == "Giao ước" and detail["pledges"] == 1
    assert [t["name"] for t in detail["titles"]] == ["Công đoàn cơ sở vững mạnh"]
    assert [e["action"] for e in detail["events"]] == ["submit"]
    assert client.get(f"/api/registrations/{theirs.pk}").status_code == 404

    pledges = client.get(f"/api/pledges?plan={plan.pk}").json()["items"]
    assert [p["member"]["name"] for p in pledges] == ["Hoàng Thị Mai"]
    assert pledges[0]["title"]["name"] == "Lao động tiên tiến"
    assert client.get(f"/api/pledges/{theirs.pledges.get().pk}").status_code == 404
    assert client.get(f"/api/pledges?registration={theirs.pk}").status_code == 404

    coverage = client.get(f"/api/plans/{plan.pk}/coverage").json()
    assert coverage["total"]["unit"]["id"] == world.D1.pk  # the district's own part of the province's plan
    assert coverage["total"]["registered_units"] == 1 and coverage["total"]["registered_members"] == 1
    children = {row["unit"]["id"]: row for row in coverage["children"]}
    assert children[world.G1.pk]["registered_units"] == 1 and children[world.G1b.pk]["registered_units"] == 0
    assert client.get(f"/api/plans/{plan.pk}/coverage?unit={world.D2.pk}").status_code == 404

    client.force_login(world.users["province"])
    whole = client.get(f"/api/plans/{plan.pk}/coverage").json()["total"]
    assert whole["unit"]["id"] == world.P.pk and whole["registered_units"] == 2
    assert client.get("/api/registrations?status=accepted").json()["count"] == 0
    assert client.get("/api/registrations?status=bogus").status_code == 422
