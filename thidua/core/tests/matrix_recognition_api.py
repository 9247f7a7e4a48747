"""Scope-matrix rows of recognition's reads (issue 12, items 8 and 9): nomination dossiers, award
decisions and council sessions in the JSON API, and the statistics page with its Excel export.

A dossier lies at its proposing unit, a decision at its issuer, a session at its council's unit:
each is made at the target, so it is read from the target and above, never from a sibling, the
parent or another branch. The statistics count a dossier's candidate under an award kind made for
the row alone, so its name appears in the table (and the export) only where the dossier is read;
the filter's list of kinds names every kind, so the page is searched for the table's row.
"""

from __future__ import annotations

import datetime as dt
import itertools

from thidua.core.tests.matrix_rows import GIVEN
from thidua.recognition.models import (
    AwardCouncil,
    AwardDecision,
    AwardKind,
    Candidate,
    CouncilSession,
    Nomination,
)
from thidua.scope_matrix import Resource

END = dt.date(2025, 12, 31)
_serial = itertools.count(1)


def _nomination(world, relation, target, kind=None):
    nomination = Nomination.objects.create(
        proposer=target,
        holder=target.parent or target,
        status=Nomination.Status.SUBMITTED,
        title=f"Hồ sơ đề nghị {GIVEN[relation]} {relation}",
        period_start=dt.date(2025, 1, 1),
        period_end=END,
    )
    kind = kind or _kind(relation)
    Candidate.objects.create(nomination=nomination, kind=kind, unit=target, achievement="Hoàn thành xuất sắc")
    return nomination


def _kind(relation):
    return AwardKind.objects.create(
        code=f"thu-{relation}-{next(_serial)}",
        name=f"Danh hiệu thử {GIVEN[relation]} {relation} {next(_serial)}",
        category=AwardKind.Category.TITLE,
        system=AwardKind.System.UNION,
        subject="collective",
    )


def _counted(world, relation, target):
    """A dossier whose one candidate is of a kind of its own (the statistics table names it)."""
    return _nomination(world, relation, target).candidates.select_related("kind").get()


def _decision(world, relation, target):
    return AwardDecision.objects.create(
        issuer=target,
        status=AwardDecision.Status.ISSUED,
        number=next(_serial),
        year=2026,
        issued_on=dt.date(2026, 1, 20),
        place="Bắc Kạn",
        title=f"Quyết định khen thưởng {GIVEN[relation]} {relation}",
        achievement="Đã có thành tích xuất sắc",
        period_start=dt.date(2025, 1, 1),
        period_end=END,
        signer_name="Nguyễn Văn Ký",
    )


def _session(world, relation, target):
    council = AwardCouncil.objects.create(unit=target, name=f"Hội đồng {GIVEN[relation]} {relation}")
    return CouncilSession.objects.create(
        council=council,
        title=f"Phiên họp xét khen thưởng {GIVEN[relation]} {relation}",
        held_on=dt.date(2026, 1, 10),
        status=CouncilSession.Status.CLOSED,
    )


API_NOMINATIONS = Resource(
    name="api-nominations",
    make=_nomination,
    marker=lambda n: n.title,
    api_list_urls=[lambda n: "/api/nominations?limit=500", lambda n: "/api/nominations?status=submitted&limit=500"],
    api_detail_url=lambda n: f"/api/nominations/{n.pk}",
)

API_AWARD_DECISIONS = Resource(
    name="api-award-decisions",
    make=_decision,
    marker=lambda d: d.title,
    api_list_urls=[lambda d: "/api/award-decisions?limit=500"],
    api_detail_url=lambda d: f"/api/award-decisions/{d.pk}",
)

API_COUNCIL_SESSIONS = Resource(
    name="api-council-sessions",
    make=_session,
    marker=lambda s: s.title,
    api_list_urls=[lambda s: "/api/council-sessions?limit=500"],
    api_detail_url=lambda s: f"/api/council-sessions/{s.pk}",
)

RECOGNITION_STATISTICS = Resource(
    name="recognition-statistics",
    make=_counted,
    marker=lambda c: c.kind.name,
    page_marker=lambda c: f'data-label="Khen thưởng">{c.kind.name}</th>',
    list_urls=[lambda c: "/recognition/statistics/", lambda c: "/recognition/statistics/?year=2025"],
    export_urls=[lambda c: "/recognition/statistics/?format=xlsx"],
)

RECOGNITION_API_ROWS = [API_NOMINATIONS, API_AWARD_DECISIONS, API_COUNCIL_SESSIONS, RECOGNITION_STATISTICS]
