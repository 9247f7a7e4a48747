"""Nomination dossiers: grassroots → district → province with the processing log; return and
resubmit; reject; ineligible candidates refused with every reason; incomplete dossiers; the top
of the tree; awarding power; stale pages; who sees and who acts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from thidua.accounts.roles import Role
from thidua.core.transitions import state_token
from thidua.notifications.models import Notification
from thidua.recognition import dossiers
from thidua.recognition.models import Candidate, Nomination, NominationEvent
from thidua.recognition.tests.factories import catalogue, give, kind, rate
from thidua.recognition.tests.nomination_factories import (
    MEMBER_KIND,
    UNIT_KIND,
    attach_required,
    dossier,
    pdf,
    ready,
    submitted,
)
from thidua.testing import make_member, make_user

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> str:
    return "\n".join(exc.messages)


# --- the whole flow ----------------------------------------------------------------------------


def test_grassroots_to_district_to_province_with_the_log(world):
    grassroots, district, province = (world.users[k] for k in ("grassroots", "district", "province"))
    nomination = ready(world.G1, by=grassroots)
    assert nomination.holder == world.G1 and nomination.status == Nomination.Status.DRAFT
    assert [c.verdict for c in nomination.candidates.all()] == ["eligible"] * 3

    nomination = dossiers.nomination_submit(nomination=nomination, by=grassroots, seen=state_token(nomination))
    assert (nomination.status, nomination.holder) == (Nomination.Status.SUBMITTED, world.D1)
    assert nomination.submitted_at is not None
    assert Notification.objects.filter(user=district, url=reverse("recognition:nomination", args=[nomination.pk]))

    # The district holds no power for the LĐLĐ's Bằng khen: it cannot decide here, it forwards.
    with pytest.raises(ValidationError) as refused:
        dossiers.nomination_take(nomination=nomination, by=district)
    assert "không có thẩm quyền tặng" in _messages(refused.value)
    assert "Bằng khen của Liên đoàn Lao động tỉnh" in _messages(refused.value)
    assert "chuyển hồ sơ lên cấp trên" in _messages(refused.value)
    # The province is not the holder yet: it may not act on the district's desk.
    with pytest.raises(PermissionDenied):
        dossiers.nomination_forward(nomination=nomination, by=province)

    nomination = dossiers.nomination_forward(nomination=nomination, by=district, note="Đủ điều kiện")
    assert (nomination.status, nomination.holder) == (Nomination.Status.SUBMITTED, world.P)
    assert Notification.objects.filter(user=province).exists()

    nomination = dossiers.nomination_take(nomination=nomination, by=province, seen=state_token(nomination))
    assert (nomination.status, nomination.holder) == (Nomination.Status.TAKEN, world.P)

    moves = list(
        NominationEvent.objects.filter(nomination=nomination)
        .exclude(action__in=["candidate", "file"])
        .values_list("action", "from_status", "to_status", "by__username", "reason")
    )
    assert moves == [
        ("submit", "draft", "submitted", "grassroots", f"{world.G1.name} → {world.D1.name}"),
        ("forward", "submitted", "submitted", "district", f"{world.D1.name} → {world.P.name}: Đủ điều kiện"),
        ("take", "submitted", "taken", "province", ""),
    ]
    # The log is on the page, for the proposer as for the province.
    for user in (grassroots, province):
        from django.test import Client

        client = Client()
        client.force_login(user)
        page = client.get(reverse("recognition:nomination", args=[nomination.pk])).content.decode()
        assert f"{world.D1.name} → {world.P.name}: Đủ điều kiện" in page
        assert "Nhật ký xử lý" in page


def test_return_with_reason_then_resubmit(world):
    grassroots, district = world.users["grassroots"], world.users["district"]
    nomination = submitted(world.G1, by=grassroots)
    with pytest.raises(ValidationError) as empty:
        dossiers.nomination_return(nomination=nomination, by=district, reason="  ")
    assert "Hãy ghi lý do" in _messages(empty.value)
    nomination = dossiers.nomination_return(nomination=nomination, by=district, reason="Thiếu minh chứng sáng kiến")
    assert (nomination.status, nomination.holder) == (Nomination.Status.RETURNED, world.G1)
    assert Notification.objects.filter(user=grassroots, message__contains="Thiếu minh chứng sáng kiến").exists()
    # Back on the proposer's desk: editable again.
    dossiers.file_add(nomination=nomination, kind="evidence", upload=pdf("minh-chung.pdf"), by=grassroots)
    first_sent = nomination.submitted_at
    nomination = dossiers.nomination_submit(nomination=nomination, by=grassroots)
    assert (nomination.status, nomination.holder) == (Nomination.Status.SUBMITTED, world.D1)
    assert nomination.submitted_at == first_sent  # lateness is judged on the first sending
    reasons = list(nomination.events.filter(action="return").values_list("reason", flat=True))
    assert reasons == [f"{world.D1.name} → {world.G1.name}: Thiếu minh chứng sáng kiến"]


def test_reject_withdraws_the_candidates(world):
    nomination = submitted(world.G1, by=world.users["grassroots"])
    with pytest.raises(ValidationError):
        dossiers.nomination_reject(nomination=nomination, by=world.users["district"], reason="")
    nomination = dossiers.nomination_reject(
        nomination=nomination, by=world.users["district"], reason="Không thuộc đối tượng xét"
    )
    assert nomination.status == Nomination.Status.REJECTED
    assert set(nomination.candidates.values_list("outcome", flat=True)) == {Candidate.Outcome.WITHDRAWN}
    with pytest.raises(ValidationError):  # closed: nothing moves it any more
        dossiers.nomination_forward(nomination=nomination, by=world.users["district"])


# --- eligibility ---------------------------------------------------------------------------------


def test_an_ineligible_candidate_is_refused_with_every_reason(world, client):
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    member = make_member(world.G1, "Trần Văn Kỷ")
    rate(member, rating="good", discipline="reprimand", days_off=45)
    with pytest.raises(ValidationError) as refused:
        dossiers.candidate_add(nomination=nomination, kind=kind("bang-khen-tinh-ca-nhan"), member=member, by=grassroots)
    text = _messages(refused.value)
    assert "Trần Văn Kỷ không đủ điều kiện đề nghị “Bằng khen của bộ, ban, ngành, tỉnh (cá nhân)”" in text
    assert "bị kỷ luật mức “Khiển trách”" in text
    assert "nghỉ 45 ngày làm việc" in text
    assert "2 lần liên tục Chiến sĩ thi đua cơ sở" in text, text
    assert len(refused.value.messages) >= 4  # the heading and every reason
    assert not nomination.candidates.exists()

    client.force_login(grassroots)
    response = client.post(
        reverse("recognition:nomination_candidate_add", args=[nomination.pk]),
        {"kind": kind("bang-khen-tinh-ca-nhan").pk, "member": member.pk, "achievement": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "bị kỷ luật mức “Khiển trách”" in page and "nghỉ 45 ngày làm việc" in page
    assert not nomination.candidates.exists()


def test_a_candidate_outside_the_branch_is_refused(world):
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    with pytest.raises(ValidationError) as outside:
        dossiers.candidate_add(
            nomination=nomination, kind=kind(MEMBER_KIND), member=make_member(world.G1b), by=grassroots
        )
    assert "không thuộc" in _messages(outside.value)
    with pytest.raises(ValidationError):
        dossiers.candidate_add(nomination=nomination, kind=kind(UNIT_KIND), unit=world.D1, by=grassroots)
    with pytest.raises(ValidationError):  # both a member and a unit
        dossiers.candidate_add(
            nomination=nomination, kind=kind(MEMBER_KIND), member=make_member(world.G1), unit=world.G1, by=grassroots
        )


def test_submit_checks_the_candidates_again(world):
    grassroots = world.users["grassroots"]
    nomination = ready(world.G1, by=grassroots, members=1)
    member = nomination.candidates.get(member__isnull=False).member
    rate(member, rating="good", discipline="warning", under_investigation=True)
    with pytest.raises(ValidationError) as blocked:
        dossiers.nomination_submit(nomination=nomination, by=grassroots)
    text = _messages(blocked.value)
    assert f"{member.full_name} – Bằng khen của Liên đoàn Lao động tỉnh" in text
    assert "bị kỷ luật mức “Cảnh cáo”" in text and "đang bị xem xét kỷ luật" in text
    assert Nomination.objects.get(pk=nomination.pk).status == Nomination.Status.DRAFT
    # The new verdict is kept for the page, with its reasons.
    candidate = nomination.candidates.get(member=member)
    assert candidate.verdict == "refused" and any("Cảnh cáo" in n for n in candidate.notes)


def test_submit_is_blocked_while_incomplete(world):
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    with pytest.raises(ValidationError) as blocked:
        dossiers.nomination_submit(nomination=nomination, by=grassroots)
    text = _messages(blocked.value)
    assert "chưa có người, tập thể nào được đề nghị" in text
    assert "Báo cáo thành tích" in text and "Biên bản họp xét của đơn vị" in text
    dossiers.candidate_add(nomination=nomination, kind=kind(UNIT_KIND), unit=world.G1, by=grassroots)
    dossiers.file_add(nomination=nomination, kind="report", upload=pdf(), by=grassroots)
    with pytest.raises(ValidationError) as still:
        dossiers.nomination_submit(nomination=nomination, by=grassroots)
    assert "Biên bản họp xét" in _messages(still.value) and "Báo cáo thành tích" not in _messages(still.value)
    assert dossiers.missing_parts(nomination) == ["thiếu tệp “Biên bản họp xét của đơn vị”"]
    dossiers.file_add(nomination=nomination, kind="minutes", upload=pdf("bb.pdf"), by=grassroots)
    assert dossiers.nomination_submit(nomination=nomination, by=grassroots).status == Nomination.Status.SUBMITTED


def test_a_file_must_be_what_it_says(world):
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as wrong:
        dossiers.file_add(
            nomination=nomination, kind="report", upload=SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00"), by=grassroots
        )
    assert "không khớp với đuôi .pdf" in _messages(wrong.value)
    assert not nomination.files.exists()


def test_forward_at_the_root_is_refused(world):
    catalogue()
    confederation = make_user("tld", (world.R, Role.OFFICER))
    province = world.users["province"]
    nomination = dossier(world.P, by=province)
    dossiers.candidate_add(
        nomination=nomination, kind=kind("ky-niem-chuong-cong-doan"), member=make_member(world.P), by=province
    )
    attach_required(nomination, by=province)
    nomination = dossiers.nomination_submit(nomination=nomination, by=province)
    assert nomination.holder == world.R
    with pytest.raises(ValidationError) as top:
        dossiers.nomination_forward(nomination=nomination, by=confederation)
    assert "cấp cao nhất" in _messages(top.value)
    assert dossiers.nomination_take(nomination=nomination, by=confederation).status == Nomination.Status.TAKEN


def test_take_is_refused_without_the_power_in_force(world):
    """The province's power over the Bằng khen lapses: it must not decide, and says which award."""
    from thidua.recognition.models import AwardingPower

    nomination = dossiers.nomination_forward(
        nomination=submitted(world.G1, by=world.users["grassroots"]), by=world.users["district"]
    )
    AwardingPower.objects.filter(award_kind__code=UNIT_KIND).update(valid_to=dt.date(2020, 12, 31))
    with pytest.raises(ValidationError) as refused:
        dossiers.nomination_take(nomination=nomination, by=world.users["province"])
    text = _messages(refused.value)
    assert "“Bằng khen của Liên đoàn Lao động tỉnh (tập thể)”" in text or kind(UNIT_KIND).name in text
    assert kind(MEMBER_KIND).name not in text.split("tặng:")[1].split(".")[0]
    assert Nomination.objects.get(pk=nomination.pk).status == Nomination.Status.SUBMITTED


def test_a_stale_page_is_refused(world):
    grassroots, district = world.users["grassroots"], world.users["district"]
    nomination = submitted(world.G1, by=grassroots)
    seen = state_token(nomination)
    dossiers.nomination_return(nomination=nomination, by=district, reason="Bổ sung")
    dossiers.nomination_submit(nomination=Nomination.objects.get(pk=nomination.pk), by=grassroots)
    fresh = Nomination.objects.get(pk=nomination.pk)
    assert fresh.status == Nomination.Status.SUBMITTED  # the same state as the old page showed
    with pytest.raises(ValidationError) as stale:
        dossiers.nomination_forward(nomination=fresh, by=district, seen=seen)
    assert "có thể người khác vừa xử lý" in _messages(stale.value)
    assert Nomination.objects.get(pk=nomination.pk).holder == world.D1


def test_two_officers_in_one_process_one_wins(world):
    district = world.users["district"]
    colleague = make_user("district-2", (world.D1, Role.OFFICER))
    nomination = submitted(world.G1, by=world.users["grassroots"])
    seen = state_token(nomination)
    copy = Nomination.objects.get(pk=nomination.pk)
    dossiers.nomination_forward(nomination=nomination, by=district, seen=seen)
    with pytest.raises(ValidationError):
        dossiers.nomination_return(nomination=copy, by=colleague, reason="Sửa", seen=seen)
    assert Nomination.objects.get(pk=nomination.pk).holder == world.P


# --- who sees and who acts ---------------------------------------------------------------------


def test_nobody_outside_the_branch_sees_a_dossier_or_its_files(world, client):
    nomination = submitted(world.G1, by=world.users["grassroots"])
    file = nomination.files.first()
    urls = [
        reverse("recognition:nomination", args=[nomination.pk]),
        reverse("recognition:nomination_file", args=[file.pk]),
        reverse("recognition:nomination_candidate_add", args=[nomination.pk]),
    ]
    outsiders = [
        make_user("g1b", (world.G1b, Role.OFFICER)),  # the sibling grassroots union
        make_user("d2", (world.D2, Role.OFFICER)),
        make_user("p2", (world.P2, Role.OFFICER)),
    ]
    for user in outsiders:
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        listed = client.get(reverse("recognition:nominations")).content.decode()
        assert nomination.title not in listed
        board = client.get(reverse("recognition:nomination_board")).content.decode()
        assert nomination.title not in board
        response = client.post(reverse("recognition:nomination_forward", args=[nomination.pk]), {})
        assert response.status_code == 404
    assert Nomination.objects.get(pk=nomination.pk).holder == world.D1
    for user in (world.users["grassroots"], world.users["district"], world.users["province"]):
        client.force_login(user)
        assert client.get(urls[0]).status_code == 200
        assert client.get(urls[1]).status_code == 200


def test_an_officer_who_sees_but_does_not_hold_the_desk_cannot_act(world, client):
    nomination = submitted(world.G1, by=world.users["grassroots"])
    for user in (world.users["province"], world.users["grassroots"], world.users["council"]):
        client.force_login(user)
        for action in ("forward", "return", "take", "reject"):
            response = client.post(reverse(f"recognition:nomination_{action}", args=[nomination.pk]), {"reason": "Thử"})
            assert response.status_code == 403, (user, action)
    assert Nomination.objects.get(pk=nomination.pk).holder == world.D1
    # The district sees the grassroots' draft but does not write in it.
    draft = dossier(world.G1, by=world.users["grassroots"])
    client.force_login(world.users["district"])
    response = client.post(
        reverse("recognition:nomination_candidate_add", args=[draft.pk]),
        {"kind": kind(UNIT_KIND).pk, "unit": world.G1.pk},
    )
    assert response.status_code == 403 and not draft.candidates.exists()


def test_create_only_for_a_desk_the_user_holds(world, client):
    client.force_login(world.users["grassroots"])
    page = client.get(reverse("recognition:nomination_create"))
    assert page.status_code == 200 and world.G1.name in page.content.decode()
    client.force_login(world.users["council"])  # holds no desk: draws up no dossier
    assert client.get(reverse("recognition:nomination_create")).status_code == 403
    client.force_login(world.users["grassroots"])
    data = {"title": "Đề nghị", "period_start": "01/01/2025", "period_end": "31/12/2025", "proposer": world.G1b.pk}
    response = client.post(reverse("recognition:nomination_create"), data)
    assert response.status_code == 400 and not Nomination.objects.exists()
    response = client.post(reverse("recognition:nomination_create"), {**data, "proposer": world.G1.pk})
    assert response.status_code == 302
    created = Nomination.objects.get()
    assert (created.proposer, created.holder, created.period_end) == (world.G1, world.G1, dt.date(2025, 12, 31))
    response = client.post(
        reverse("recognition:nomination_create"), {**data, "proposer": world.G1.pk, "period_end": "32/13/2025"}
    )
    assert response.status_code == 400 and "dd/mm/yyyy" in response.content.decode()


def test_pages_through_the_browser_flow(world, client):
    """The pages drive the flow: buttons follow the transitions available to the person."""
    grassroots = world.users["grassroots"]
    nomination = ready(world.G1, by=grassroots)
    client.force_login(grassroots)
    detail = reverse("recognition:nomination", args=[nomination.pk])
    page = client.get(detail).content.decode()
    assert reverse("recognition:nomination_submit", args=[nomination.pk]) in page
    assert reverse("recognition:nomination_forward", args=[nomination.pk]) not in page
    response = client.post(
        reverse("recognition:nomination_submit", args=[nomination.pk]), {"seen": state_token(nomination)}
    )
    assert response.status_code == 302
    assert Nomination.objects.get(pk=nomination.pk).status == Nomination.Status.SUBMITTED
    client.force_login(world.users["district"])
    page = client.get(detail).content.decode()
    assert reverse("recognition:nomination_forward", args=[nomination.pk]) in page
    assert reverse("recognition:nomination_return", args=[nomination.pk]) in page
    # A return without a reason is refused with a message; nothing moves.
    client.post(reverse("recognition:nomination_return", args=[nomination.pk]), {"reason": ""})
    assert Nomination.objects.get(pk=nomination.pk).status == Nomination.Status.SUBMITTED


def test_lateness(world):
    grassroots = world.users["grassroots"]
    from thidua.testing import frozen

    with frozen("2026-01-10 03:00"):
        nomination = ready(world.G1, by=grassroots, deadline=dt.date(2026, 1, 15))
        assert not nomination.is_late()
    with frozen("2026-01-20 03:00"):
        assert Nomination.objects.get(pk=nomination.pk).is_late()
        late = dossiers.nominations_for(world.users["district"]).filter(dossiers.late_condition())
        assert list(late) == [nomination]
        nomination = dossiers.nomination_submit(nomination=nomination, by=grassroots)
        assert nomination.is_late()
        assert dossiers.board(world.users["district"], world.D1).late == [nomination]


def test_search_ignores_diacritics(world):
    grassroots = world.users["grassroots"]
    wanted = dossier(world.G1, by=grassroots, title="Đề nghị tặng Bằng khen đợt Đặng Thuỳ")
    dossier(world.G1, by=grassroots, title="Hồ sơ khác")
    found = dossiers.nominations_for(grassroots, q="dang thuy")
    assert list(found) == [wanted]
    assert set(dossiers.nominations_for(grassroots, q="truong mot")) == set(Nomination.objects.all())


def test_ineligible_give_not_needed_for_collective_vote_note(world):
    """An award already held for the period is one reason; the rule set is stored with the verdict."""
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    member = make_member(world.G1)
    give(member, MEMBER_KIND)
    with pytest.raises(ValidationError) as held:
        dossiers.candidate_add(nomination=nomination, kind=kind(MEMBER_KIND), member=member, by=grassroots)
    assert "Một thành tích chỉ được khen một lần" in _messages(held.value)
    other = make_member(world.G1)
    candidate = dossiers.candidate_add(nomination=nomination, kind=kind(MEMBER_KIND), member=other, by=grassroots)
    assert candidate.rule_set.code == "luat-2022" and candidate.checked_at is not None


def test_a_take_after_a_forward_without_a_page_token_is_refused(world):
    """Moves of one dossier run one after the other on its locked row: a "take" sent from an old copy
    (no page token, as from the API) after a "forward" sees the new holder and is refused."""
    nomination = submitted(world.G1, by=world.users["grassroots"])
    copy = Nomination.objects.get(pk=nomination.pk)
    dossiers.nomination_forward(nomination=nomination, by=world.users["district"])
    with pytest.raises(ValidationError):
        dossiers.nomination_take(nomination=copy, by=world.users["district"])
    assert Nomination.objects.get(pk=nomination.pk).status == Nomination.Status.SUBMITTED
