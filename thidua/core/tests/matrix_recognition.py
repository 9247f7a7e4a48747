"""Scope-matrix rows of recognition: awards made to members and collectives, on their list, its
Excel export and the API. Every award lies at the target unit (a member of it, or the unit itself),
so it is seen from the target and above, never from a sibling or another branch.

The catalogue (award kinds, rule sets) is shared by every unit and has no rows here: any
logged-in account reads it (``thidua/recognition/tests/test_pages.py``).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from thidua.core.tests.matrix_rows import GIVEN
from thidua.recognition import services
from thidua.recognition.catalogue import load
from thidua.recognition.models import Award, AwardKind
from thidua.scope_matrix import Resource
from thidua.testing import make_member


def _award(world, relation, target):
    """Lao động tiên tiến 2025 to a fresh member of the target unit."""
    if not AwardKind.objects.filter(code="ldtt").exists():
        load()
    member = make_member(target, f"Người được khen {GIVEN[relation]} {relation}")
    award = services.award_create(
        kind=AwardKind.objects.get(code="ldtt"),
        member=member,
        period_end=dt.date(2025, 12, 31),
        decided_on=dt.date(2026, 1, 15),
        decision_ref=f"KT-{relation}",
        by=None,
    )
    return Award.objects.select_related("member", "unit", "kind").get(pk=award.pk)


AWARDS = Resource(
    name="awards",
    make=_award,
    marker=lambda a: a.member.full_name,
    list_urls=[lambda a: reverse("recognition:awards")],
    export_urls=[lambda a: reverse("recognition:awards") + "?format=xlsx"],
    api_list_urls=[lambda a: "/api/awards"],
    api_detail_url=lambda a: f"/api/awards/{a.pk}",
)

RECOGNITION_ROWS = [AWARDS]
