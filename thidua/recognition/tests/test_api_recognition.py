"""Recognition in the JSON API: dossiers, decisions, council sessions and awards, scoped as their
pages; a session's counts only once closed, and never who voted or what they chose."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thidua.recognition.models import (
    AwardCouncil,
    AwardCouncilMember,
    BallotItem,
    BallotReceipt,
    CouncilSession,
    Nomination,
    NominationEvent,
)
from thidua.recognition.tests.public_data import decide, decision, nomination, propose
from thidua.testing import make_member

pytestmark = pytest.mark.django_db

NOMINATION_KEYS = {
    "id",
    "status",
    "title",
    "proposer_id",
    "proposer_name",
    "holder_id",
    "holder_name",
    "campaign_id",
    "period_start",
    "period_end",
    "deadline",
    "submitted_at",
    "candidate_count",
}
CANDIDATE_KEYS = {
    "id",
    "kind",
    "kind_name",
    "member_id",
    "unit_id",
    "recipient_name",
    "unit_name",
    "achievement",
    "verdict",
    "notes",
    "outcome",
}
LINE_KEYS = {
    "id",
    "kind",
    "kind_name",
    "member_id",
    "unit_id",
    "recipient_name",
    "position",
    "unit_name",
    "achievement",
    "prize",
    "prize_note",
    "gold_book",
    "award_id",
}
ITEM_KEYS = {"candidate_id", "recipient_name", "kind", "kind_name", "threshold", "approve", "reject", "result"}


def _dossier(world, unit=None):
    member = make_member(unit or world.G1, "Hoàng Thị Đề Nghị", phone="0987654321", id_number="001122334455")
    dossier = nomination(unit or world.G1, status=Nomination.Status.TAKEN)
    candidate = propose(
        dossier, member, "cstd-co-so", notes=["Có sáng kiến được công nhận năm 2025"], achievement="Dẫn đầu"
    )
    NominationEvent.objects.create(
        nomination=dossier, from_status="draft", to_status="submitted", action="submit", by=world.users["grassroots"]
    )
    NominationEvent.objects.create(
        nomination=dossier, from_status="submitted", to_status="taken", action="take", reason="Trình hội đồng tỉnh"
    )
    return dossier, candidate


def _session(world, unit, status, candidate):
    council = AwardCouncil.objects.create(unit=unit, name=f"Hội đồng TĐKT {unit.name}")
    seat = AwardCouncilMember.objects.create(council=council, full_name="Nguyễn Văn Ủy Viên")
    session = CouncilSession.objects.create(
        council=council,
        title="Phiên xét khen thưởng năm 2025",
        held_on=dt.date(2026, 1, 10),
        status=status,
        council_size=9,
        present_count=8,
        quorum="2/3",
        opened_at=timezone.now(),
        closed_at=timezone.now() if status == CouncilSession.Status.CLOSED else None,
    )
    # Counts as the close writes them; in an open session they must not be read even if present.
    result = BallotItem.Result.PASSED if status == CouncilSession.Status.CLOSED else BallotItem.Result.PENDING
    BallotItem.objects.create(session=session, candidate=candidate, threshold="80%", approve=8, reject=1, result=result)
    BallotReceipt.objects.create(session=session, member=seat)
    return session


def test_nomination_detail_with_candidates_notes_and_log(world, client):
    dossier, _candidate = _dossier(world)
    client.force_login(world.users["district"])
    listed = client.get("/api/nominations").json()
    assert listed["count"] == 1 and set(listed["items"][0]) == NOMINATION_KEYS
    assert listed["items"][0]["candidate_count"] == 1
    detail = client.get(f"/api/nominations/{dossier.pk}").json()
    assert set(detail) == NOMINATION_KEYS | {"achievement", "candidates", "events"}
    (got,) = detail["candidates"]
    assert set(got) == CANDIDATE_KEYS
    assert got["recipient_name"] == "Hoàng Thị Đề Nghị" and got["notes"] == ["Có sáng kiến được công nhận năm 2025"]
    assert [e["action"] for e in detail["events"]] == ["submit", "take"]
    assert detail["events"][0]["by"] == "grassroots" and detail["events"][1]["reason"] == "Trình hội đồng tỉnh"
    text = str(detail)
    assert "0987654321" not in text and "001122334455" not in text
    assert client.get("/api/nominations?status=taken&year=2025&q=truong mot").json()["count"] == 1
    assert client.get("/api/nominations?year=2024").json()["count"] == 0
    assert client.get("/api/nominations?status=nope").status_code == 422
    assert client.get("/api/nominations?limit=0").status_code == 422


def test_outside_the_branch_is_404_and_absent_from_lists(world, client):
    foreign, _candidate = _dossier(world, world.G3)
    foreign_decision = decision(world.P2)
    decide(foreign_decision, make_member(world.G3, "Người Tỉnh Beta"), "ldtt")
    foreign_session = _session(world, world.P2, CouncilSession.Status.CLOSED, _candidate)
    province_decision = decision(world.P)
    decide(province_decision, make_member(world.G1, "Người Tỉnh Alpha"), "ldtt")
    client.force_login(world.users["district"])
    assert client.get(f"/api/nominations/{foreign.pk}").status_code == 404
    assert client.get(f"/api/award-decisions/{foreign_decision.pk}").status_code == 404
    assert client.get(f"/api/council-sessions/{foreign_session.pk}").status_code == 404
    # The province's own decision is above the district: not the district's to read.
    assert client.get(f"/api/award-decisions/{province_decision.pk}").status_code == 404
    assert client.get("/api/nominations").json()["count"] == 0
    assert client.get("/api/award-decisions").json()["count"] == 0
    assert client.get("/api/council-sessions").json()["count"] == 0
    # The award it made lies with the recipient's unit, in the district's branch.
    awards = client.get("/api/awards").json()["items"]
    assert [a["recipient_name"] for a in awards] == ["Người Tỉnh Alpha"]
    client.force_login(world.users["province"])
    assert client.get(f"/api/award-decisions/{province_decision.pk}").status_code == 200
    assert client.get("/api/award-decisions").json()["count"] == 1


def test_decision_lines_and_awards_carry_the_decision_number(world, client):
    dec = decision(world.P)
    member = make_member(world.G1, "Vũ Thị Sổ Vàng")
    decide(dec, member, "cstd-co-so", position="Tổ trưởng", prize=2_350_000, gold_book=17)
    decide(dec, world.G1b, "tt-ldtt", prize=1_900_000, gold_book=18)
    client.force_login(world.users["province"])
    detail = client.get(f"/api/award-decisions/{dec.pk}").json()
    assert detail["document_number"] == dec.document_number and detail["line_count"] == 2
    assert detail["status"] == "issued"
    assert [set(line) for line in detail["lines"]] == [LINE_KEYS, LINE_KEYS]
    first, second = detail["lines"]
    assert (first["recipient_name"], first["prize"], first["gold_book"]) == ("Vũ Thị Sổ Vàng", 2_350_000, 17)
    assert second["member_id"] is None and second["recipient_name"] == "Công đoàn cơ sở Trạm Y tế Một"
    award = client.get(f"/api/awards/{first['award_id']}").json()
    assert award["decision_id"] == dec.pk and award["decision_number"] == dec.document_number
    assert client.get("/api/award-decisions?status=issued&year=2026").json()["count"] == 1
    assert client.get("/api/award-decisions?status=xyz").status_code == 422


def test_session_counts_only_when_closed_never_receipts_or_choices(world, client):
    _dossier_row, candidate = _dossier(world)
    open_session = _session(world, world.P, CouncilSession.Status.OPEN, candidate)
    closed_session = _session(world, world.P, CouncilSession.Status.CLOSED, candidate)
    client.force_login(world.users["council"])
    listed = client.get("/api/council-sessions").json()
    assert listed["count"] == 2
    running = client.get(f"/api/council-sessions/{open_session.pk}").json()
    (item,) = running["items"]
    assert set(item) == ITEM_KEYS
    assert (item["approve"], item["reject"], item["result"]) == (None, None, None)
    closed = client.get(f"/api/council-sessions/{closed_session.pk}").json()
    (item,) = closed["items"]
    assert (item["approve"], item["reject"], item["result"]) == (8, 1, "passed")
    assert item["recipient_name"] == "Hoàng Thị Đề Nghị"
    for payload in (running, closed, listed):
        text = str(payload)
        assert "receipt" not in text and "choice" not in text and "Nguyễn Văn Ủy Viên" not in text
    assert client.get("/api/council-sessions?status=closed").json()["count"] == 1


def test_detail_reads_in_a_bounded_number_of_queries(world, client, django_assert_max_num_queries):
    dec = decision(world.P)
    for name in ("An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Minh"):
        decide(dec, make_member(world.G1, f"Trần Văn {name}"), "ldtt")
    client.force_login(world.users["province"])
    with django_assert_max_num_queries(8):
        assert len(client.get(f"/api/award-decisions/{dec.pk}").json()["lines"]) == 8
    with django_assert_max_num_queries(8):
        assert client.get("/api/award-decisions").json()["count"] == 1
