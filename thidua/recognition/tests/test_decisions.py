"""Decision services: drafting from the council's passing list, numbering, prize money, gold book,
awards, revocation (Decree 152/2025 art. 49; Decree 30/2020 numbering)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thidua.core.transitions import state_token
from thidua.ops.models import Webhook, WebhookDelivery
from thidua.recognition import decisions, dossiers
from thidua.recognition.models import (
    Award,
    AwardDecision,
    AwardingPower,
    BaseSalary,
    Candidate,
    CouncilSession,
    DecisionLine,
    Nomination,
)
from thidua.recognition.tests.decision_factories import (
    END,
    ISSUED_ON,
    candidate,
    catalogue,
    closed_session,
    draft,
    issued,
    kind,
    nomination,
)
from thidua.recognition.tests.factories import give, verdict
from thidua.testing import frozen, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def g1(world):
    catalogue()
    return world.G1


def _lines(decision):
    return list(DecisionLine.objects.filter(decision=decision).select_related("kind", "member").order_by("order"))


# --- prize money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "multiplier", "expected"),
    [
        (2_340_000, "0.3", 710_000),  # 702,000 rounded up to the next 10,000
        (2_340_000, "1.0", 2_340_000),  # an exact multiple stays
        (2_340_000, "1.5", 3_510_000),
        (2_340_000, "0.8", 1_880_000),  # 1,872,000
        (1_800_000, "0.3", 540_000),
        (2_340_000, None, 0),
    ],
)
def test_prize_is_rounded_up_to_the_next_10000(base, multiplier, expected):
    assert decisions.prize_for(base, Decimal(multiplier) if multiplier else None) == expected


def test_issuing_computes_prizes_on_the_base_salary_of_the_decision_date(g1):
    BaseSalary.objects.create(valid_from=dt.date(2026, 7, 1), amount=2_530_000, source="giả định")
    before = issued(g1, [candidate(g1, "ldtt", member=make_member(g1))], on=dt.date(2026, 6, 30))
    after = issued(g1, [candidate(g1, "ldtt", member=make_member(g1))], on=dt.date(2026, 7, 1))
    assert (before.base_salary, after.base_salary) == (2_340_000, 2_530_000)
    assert _lines(before)[0].prize == 710_000
    assert _lines(after)[0].prize == 760_000  # 759,000 rounded up


def test_only_the_highest_title_of_a_period_is_paid(g1):
    member = make_member(g1, "Trần Thị Hoa")
    decision = issued(g1, [candidate(g1, "ldtt", member=member), candidate(g1, "cstd-co-so", member=member)])
    ldtt, cstd = (next(x for x in _lines(decision) if x.kind.code == code) for code in ("ldtt", "cstd-co-so"))
    assert cstd.prize == 2_340_000 and cstd.prize_note == ""
    assert ldtt.prize == 0 and "Chiến sĩ thi đua cơ sở" in ldtt.prize_note
    assert ldtt.award is not None and cstd.award is not None  # both titles are awarded, one is paid


def test_a_title_paid_earlier_for_the_same_period_counts(g1):
    member = make_member(g1)
    first = issued(g1, [candidate(g1, "ldtt", member=member)])
    assert _lines(first)[0].prize == 710_000
    second = issued(g1, [candidate(g1, "cstd-co-so", member=member)], on=dt.date(2026, 2, 1))
    line = _lines(second)[0]
    assert line.prize == 2_340_000 - 710_000 and first.document_number in line.prize_note
    # Another period is another achievement: paid in full.
    other = issued(
        g1,
        [candidate(g1, "ldtt", member=member, end=dt.date(2024, 12, 31))],
        period_end=dt.date(2024, 12, 31),
        period_start=dt.date(2024, 1, 1),
    )
    assert _lines(other)[0].prize == 710_000


def test_a_title_and_a_form_are_both_paid(g1):
    form = kind("giay-khen-ca-nhan")
    form.salary_multiplier = Decimal("0.15")
    form.save()
    member = make_member(g1)
    decision = issued(g1, [candidate(g1, "ldtt", member=member), candidate(g1, "giay-khen-ca-nhan", member=member)])
    assert sorted(x.prize for x in _lines(decision)) == [360_000, 710_000]  # 351,000 → 360,000


def test_a_kind_without_a_multiplier_carries_no_prize_and_says_so(g1):
    form = kind("giay-khen-ca-nhan")
    decision = issued(g1, [candidate(g1, form.code, member=make_member(g1))])
    line = _lines(decision)[0]
    assert line.prize == 0 and "chưa có mức tiền thưởng" in line.prize_note


# --- numbers -----------------------------------------------------------------------------------


def test_numbers_continue_per_issuer_and_restart_each_year(world, g1):
    g1b = world.G1b
    first = issued(
        g1, [candidate(g1, "ldtt", member=make_member(g1))], on=dt.date(2025, 12, 31), period_end=dt.date(2025, 12, 31)
    )
    second = issued(g1, [candidate(g1, "ldtt", member=make_member(g1))], on=dt.date(2026, 1, 15))
    third = issued(g1, [candidate(g1, "ldtt", member=make_member(g1))], on=dt.date(2026, 1, 16))
    elsewhere = issued(g1b, [candidate(g1b, "ldtt", member=make_member(g1b))], on=dt.date(2026, 1, 16))
    assert [(d.year, d.number) for d in (first, second, third)] == [(2025, 1), (2026, 1), (2026, 2)]
    assert (elsewhere.year, elsewhere.number) == (2026, 1)
    assert second.document_number == "01/QĐ-G1"


def test_gold_book_numbers_are_sequential_per_issuer_and_year(g1):
    people = [make_member(g1, name) for name in ("Người Một", "Người Hai", "Người Ba")]
    first = issued(g1, [candidate(g1, "ldtt", member=p) for p in people])
    assert [x.gold_book for x in _lines(first)] == [1, 2, 3]
    second = issued(g1, [candidate(g1, "cstd-co-so", member=people[0])], on=dt.date(2026, 2, 1))
    assert [x.gold_book for x in _lines(second)] == [4]
    with frozen("2027-01-20 03:00"):
        next_year = issued(
            g1,
            [candidate(g1, "ldtt", member=people[0], end=dt.date(2026, 12, 31))],
            on=dt.date(2027, 1, 20),
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        )
    assert [x.gold_book for x in _lines(next_year)] == [1] and next_year.number == 1


# --- lines and awards --------------------------------------------------------------------------


def test_lines_list_individuals_first_by_award_then_collectives(g1, world):
    a = make_member(g1, "Bùi Văn An", position="Tổ trưởng")
    b = make_member(g1, "Đặng Thị Bình")
    team = world.T1
    decision = draft(
        g1,
        [
            candidate(g1, "tt-ldtt", unit=team),
            candidate(g1, "ldtt", member=b),
            candidate(g1, "ldtt", member=a),
            candidate(g1, "cstd-co-so", member=b),
        ],
    )
    lines = _lines(decision)
    assert [(x.recipient_name, x.kind.code) for x in lines] == [
        ("Đặng Thị Bình", "cstd-co-so"),
        ("Bùi Văn An", "ldtt"),
        ("Đặng Thị Bình", "ldtt"),
        (team.name, "tt-ldtt"),
    ]
    assert lines[1].position == "Tổ trưởng" and lines[1].unit_name == g1.name
    assert lines[3].unit_name == team.name and lines[3].achievement == decision.achievement


def test_issuing_creates_the_awards_and_settles_the_dossiers(g1, client, world):
    member = make_member(g1, "Lê Thị Lan")
    dossier = nomination(g1, world.T1)
    passed = candidate(g1, "ldtt", member=member, dossier=dossier)
    failed = candidate(g1, "cstd-co-so", member=member, dossier=dossier, outcome=Candidate.Outcome.FAILED)
    decision = issued(g1, [passed])
    award = Award.objects.get(member=member)
    assert award.decision == decision and award.decision_ref == decision.document_number
    assert award.awarded_by == g1 and award.decided_on == ISSUED_ON and award.period_end == END
    assert _lines(decision)[0].award == award
    assert Candidate.objects.get(pk=passed.pk).outcome == Candidate.Outcome.AWARDED
    assert Candidate.objects.get(pk=failed.pk).outcome == Candidate.Outcome.FAILED
    assert Nomination.objects.get(pk=dossier.pk).status == Nomination.Status.DECIDED
    # The award is in the members' and units' history (the awards list of the unit).
    client.force_login(world.users["grassroots"])
    page = client.get("/recognition/").content.decode()
    assert "Lê Thị Lan" in page and decision.document_number in page


def test_a_dossier_with_an_open_candidate_stays_taken(g1):
    dossier = nomination(g1)
    one = candidate(g1, "ldtt", member=make_member(g1), dossier=dossier)
    candidate(g1, "ldtt", member=make_member(g1), dossier=dossier)  # passed, in no decision yet
    issued(g1, [one])
    assert Nomination.objects.get(pk=dossier.pk).status == Nomination.Status.TAKEN


def test_issuing_tells_the_proposing_unit(g1, world):
    proposer_officer = world.users["grassroots"]  # officer of G1, which proposes and decides here
    issued(g1, [candidate(g1, "ldtt", member=make_member(g1))])
    assert proposer_officer.notifications.filter(message__contains="01/QĐ-G1").exists()


# --- drafting is refused -------------------------------------------------------------------------


def test_drafting_from_a_session_takes_its_passing_list(g1):
    yes = candidate(g1, "ldtt", member=make_member(g1, "Người Đạt"))
    no = candidate(g1, "cstd-co-so", member=make_member(g1, "Người Không Đạt"), outcome=Candidate.Outcome.FAILED)
    session = closed_session(g1, [yes, no])
    decision = draft(g1, session=session)
    assert [x.candidate_id for x in _lines(decision)] == [yes.pk]
    assert decision.session == session


def test_drafting_from_an_open_session_or_another_units_session_is_refused(g1, world):
    yes = candidate(g1, "ldtt", member=make_member(g1))
    open_session = closed_session(g1, [yes], status=CouncilSession.Status.OPEN)
    with pytest.raises(ValidationError, match="chưa kiểm phiếu"):
        draft(g1, session=open_session)
    theirs = closed_session(world.G1b, [yes])
    with pytest.raises(ValidationError, match="không phải của hội đồng"):
        draft(g1, session=theirs)
    assert not AwardDecision.objects.exists()


def test_only_passed_candidates_taken_here_are_awarded(g1, world):
    proposed = candidate(g1, "ldtt", member=make_member(g1), outcome=Candidate.Outcome.PROPOSED)
    elsewhere = candidate(world.G1b, "ldtt", member=make_member(world.G1b))
    with pytest.raises(ValidationError) as refused:
        draft(g1, [proposed, elsewhere])
    text = " ".join(refused.value.messages)
    assert "chưa được hội đồng thông qua" in text and "không do Công đoàn cơ sở Trường Một xét" in text
    once = candidate(g1, "ldtt", member=make_member(g1))
    draft(g1, [once])
    with pytest.raises(ValidationError, match="đã có trong một quyết định khác"):
        draft(g1, [once])


def test_no_awarding_power_is_refused_by_name(g1, world):
    member = make_member(g1, "Phạm Văn Tỉnh")
    with pytest.raises(ValidationError) as refused:
        draft(g1, [candidate(g1, "cstd-tinh", member=member)])
    assert "không có thẩm quyền" in refused.value.messages[0] and "Phạm Văn Tỉnh" in refused.value.messages[0]
    # The power is checked again on the date of issue.
    decision = draft(g1, [candidate(g1, "ldtt", member=make_member(g1))])
    AwardingPower.objects.filter(award_kind=kind("ldtt"), unit_kind=g1.kind).update(valid_to=dt.date(2026, 1, 31))
    with pytest.raises(ValidationError, match="không có thẩm quyền"):
        decisions.decision_issue(decision=decision, by=None, issued_on=dt.date(2026, 2, 1))
    assert AwardDecision.objects.get(pk=decision.pk).status == AwardDecision.Status.DRAFT


def test_only_the_issuers_desk_drafts_and_issues(g1, world):
    one = candidate(g1, "ldtt", member=make_member(g1))
    with pytest.raises(PermissionDenied):
        draft(g1, [one], by=world.users["district"])  # the level above is not the issuer's desk
    decision = draft(g1, [one], by=world.users["grassroots"])
    with pytest.raises(PermissionDenied):
        decisions.decision_issue(decision=decision, by=world.users["district"], issued_on=ISSUED_ON)
    issued_ = decisions.decision_issue(decision=decision, by=world.users["grassroots"], issued_on=ISSUED_ON)
    assert issued_.status == AwardDecision.Status.ISSUED


def test_a_stale_page_cannot_issue(g1, world):
    decision = draft(g1, [candidate(g1, "ldtt", member=make_member(g1))])
    seen = state_token(decision)
    decisions.line_add(decision=decision, candidates=[candidate(g1, "ldtt", member=make_member(g1))], by=None)
    with pytest.raises(ValidationError, match="có thể người khác vừa thao tác"):
        decisions.decision_issue(decision=decision, by=None, seen=seen, issued_on=ISSUED_ON)
    decisions.decision_issue(decision=decision, by=None, seen=state_token(decision), issued_on=ISSUED_ON)
    with pytest.raises(ValidationError):
        decisions.decision_issue(decision=decision, by=None, issued_on=ISSUED_ON)
    assert Award.objects.count() == 2


def test_a_draft_is_edited_and_its_lines_follow(g1):
    member = make_member(g1)
    decision = draft(g1, [candidate(g1, "ldtt", member=member), candidate(g1, "cstd-co-so", member=member)])
    decisions.decision_update(decision=decision, by=None, achievement="Thành tích mới", title="Khen thưởng năm 2025")
    assert {x.achievement for x in _lines(decision)} == {"Thành tích mới"}
    line = _lines(decision)[0]
    decisions.line_remove(line=line, by=None)
    remaining = _lines(decision)
    assert len(remaining) == 1 and remaining[0].order == 1
    with pytest.raises(ValidationError, match="ít nhất một"):
        decisions.line_remove(line=remaining[0], by=None)
    with pytest.raises(ValidationError, match="trùng kỳ"):
        decisions.decision_update(decision=decision, by=None, period_end=dt.date(2025, 6, 30))
    decisions.decision_issue(decision=decision, by=None, issued_on=ISSUED_ON)
    with pytest.raises(ValidationError, match="không sửa được"):
        decisions.decision_update(decision=decision, by=None, title="Sửa sau khi ban hành")


def test_issue_date_defaults_to_today_and_never_lies_ahead(g1):
    decision = draft(g1, [candidate(g1, "ldtt", member=make_member(g1))])
    with frozen("2026-02-10 03:00"):
        with pytest.raises(ValidationError, match="không được sau hôm nay"):
            decisions.decision_issue(decision=decision, by=None, issued_on=dt.date(2026, 2, 11))
        done = decisions.decision_issue(decision=decision, by=None)
    assert done.issued_on == dt.date(2026, 2, 10) and done.year == 2026


def test_a_recipient_already_awarded_for_the_period_is_refused(g1):
    member = make_member(g1, "Hoàng Văn Đã")
    give(member, "ldtt", 2025)
    decision = draft(g1, [candidate(g1, "ldtt", member=member)])
    with pytest.raises(ValidationError, match="Hoàng Văn Đã"):
        decisions.decision_issue(decision=decision, by=None, issued_on=ISSUED_ON)
    assert AwardDecision.objects.get(pk=decision.pk).status == AwardDecision.Status.DRAFT


# --- revocation ----------------------------------------------------------------------------------


def test_revocation_revokes_the_awards_and_stops_the_streak(g1):
    member = make_member(g1)
    give(member, "cstd-co-so", 2024)
    decision = issued(g1, [candidate(g1, "cstd-co-so", member=member)])
    assert verdict(member, "bang-khen-tinh-ca-nhan").ok  # two consecutive CSTĐ cơ sở
    with pytest.raises(ValidationError, match="lý do"):
        decisions.decision_revoke(decision=decision, reason="  ", by=None)
    decisions.decision_revoke(decision=decision, reason="Hồ sơ không trung thực", by=None)
    decision.refresh_from_db()
    assert decision.status == AwardDecision.Status.REVOKED and decision.revoke_reason == "Hồ sơ không trung thực"
    award = Award.objects.get(decision=decision)
    assert award.revoked and "Hồ sơ không trung thực" in award.revoke_reason
    refused = verdict(member, "bang-khen-tinh-ca-nhan")
    assert not refused.ok and "2025" in "\n".join(refused.messages)
    with pytest.raises(ValidationError):
        decisions.decision_revoke(decision=decision, reason="Lần hai", by=None)


# --- webhooks ------------------------------------------------------------------------------------


def test_issuing_queues_the_decision_issued_webhook_after_commit(g1, world, django_capture_on_commit_callbacks):
    Webhook.objects.create(
        name="Văn phòng điện tử", url="http://127.0.0.1:9/", events=["decision.issued"], unit=world.D1
    )
    Webhook.objects.create(name="Tỉnh khác", url="http://127.0.0.1:9/x", events=["decision.issued"], unit=world.P2)
    member = make_member(g1, "Mai Thị Hồng", phone="0912345678", id_number="001234567890")
    decision = draft(g1, [candidate(g1, "ldtt", member=member), candidate(g1, "tt-ldtt", unit=world.T1)])
    with django_capture_on_commit_callbacks(execute=True):
        decisions.decision_issue(decision=decision, by=None, issued_on=ISSUED_ON)
    delivery = WebhookDelivery.objects.get()  # the other branch's webhook does not see it
    body = delivery.payload["object"]
    assert delivery.event == "decision.issued" and body["document_number"] == "01/QĐ-G1"
    assert body["issued_on"] == "2026-01-15" and body["issuer_name"] == g1.name
    assert body["counts"] == {"total": 2, "individuals": 1, "collectives": 1, "prize_total": 710_000 + 1_880_000}
    names = {r["name"] for r in body["recipients"]}
    assert names == {"Mai Thị Hồng", world.T1.name}
    text = str(delivery.payload)
    assert "0912345678" not in text and "001234567890" not in text and str(member.birth_year) not in text


# --- found in review ------------------------------------------------------------------------------


def test_three_decisions_for_one_period_pay_no_more_than_the_highest_title(world, g1):
    """LĐTT, then CSTĐ cơ sở, then CSTĐ tỉnh for one member and period: each later decision pays only
    what the highest title owes beyond everything paid before, so the total is the highest title's."""
    member = make_member(g1)
    first = issued(g1, [candidate(g1, "ldtt", member=member)])
    second = issued(g1, [candidate(g1, "cstd-co-so", member=member)], on=dt.date(2026, 2, 1))
    top = kind("cstd-tinh")
    third = issued(world.P, [candidate(world.P, "cstd-tinh", member=member)], on=dt.date(2026, 3, 1))
    paid = [_lines(d)[0].prize for d in (first, second, third)]
    highest = decisions.prize_for(2_340_000, top.salary_multiplier)
    assert paid[:2] == [710_000, 2_340_000 - 710_000]
    assert sum(paid) == highest and paid[2] == highest - 2_340_000


def test_a_dossier_in_a_live_decision_is_not_rejected_and_issue_checks_the_candidates_again(g1):
    chosen = candidate(g1, "ldtt", member=make_member(g1))
    decision = draft(g1, [chosen])
    with pytest.raises(ValidationError, match="trong một quyết định"):
        dossiers.nomination_reject(nomination=chosen.nomination, by=None, reason="Không đủ điều kiện")
    # Withdrawn behind the decision's back (the only other way): issuing refuses it by name.
    Candidate.objects.filter(pk=chosen.pk).update(outcome=Candidate.Outcome.WITHDRAWN)
    with pytest.raises(ValidationError, match="chưa được hội đồng thông qua"):
        decisions.decision_issue(decision=decision, by=None)
    assert not Award.objects.exists() and AwardDecision.objects.get().status == AwardDecision.Status.DRAFT
