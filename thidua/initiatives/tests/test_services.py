"""Initiatives and models: authors' shares, the council's quorum and threshold, effect, review, adoption."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from thidua.accounts.roles import Role
from thidua.core.transitions import state_token
from thidua.initiatives import services
from thidua.initiatives.models import (
    EffectiveModel,
    Initiative,
    InitiativeAuthor,
    InitiativeEvent,
    InitiativeEvidence,
    InitiativeReview,
    ModelAdoption,
)
from thidua.initiatives.services import AuthorShare
from thidua.testing import make_member, make_user

from .factories import APPLIED, HELD, PDF, approved_model_at, council_at, initiative_at, model_at

pytestmark = pytest.mark.django_db


def messages(exc_info) -> str:
    return " ".join(exc_info.value.messages)


# --- authors ------------------------------------------------------------------------------------------


def test_author_shares_must_sum_to_exactly_100(world):
    with pytest.raises(ValidationError) as exc:
        initiative_at(world.G1, shares=("60", "30"))
    assert "Tổng tỷ lệ đóng góp của các tác giả phải bằng 100%" in messages(exc)
    assert "90" in messages(exc)
    with pytest.raises(ValidationError):
        initiative_at(world.G1, shares=("60", "40.01"))
    assert not Initiative.objects.exists()
    initiative = initiative_at(world.G1, shares=("33.34", "33.33", "33.33"))
    assert sum(initiative.authors.values_list("share_percent", flat=True)) == Decimal(100)


@pytest.mark.parametrize("bad", ["0", "-10", "abc", "nan", "100.001", "150"])
def test_each_share_is_above_zero_and_at_most_100(world, bad):
    with pytest.raises(ValidationError) as exc:
        initiative_at(world.G1, shares=(bad, "100"))
    assert "Dòng 1" in messages(exc)
    assert not Initiative.objects.exists()


def test_authors_are_members_of_the_unit_subtree_and_listed_once(world):
    outsider = make_member(world.G2)
    with pytest.raises(ValidationError) as exc:
        initiative_at(world.G1, shares=("50", "50"), members=[make_member(world.G1), outsider])
    assert outsider.full_name not in messages(exc)  # never names a member outside the unit
    one = make_member(world.T1)  # a unit below G1: accepted
    with pytest.raises(ValidationError) as exc:
        initiative_at(world.G1, shares=("50", "50"), members=[one, one])
    assert "đã có ở dòng trên" in messages(exc)
    assert initiative_at(world.G1, shares=("100",), members=[one]).authors.get().member == one


def test_an_outsider_cannot_create_or_edit_an_initiative(world):
    with pytest.raises(ValidationError) as exc:
        initiative_at(world.G2, by=world.users["grassroots"])
    assert "unit" in exc.value.error_dict
    initiative = initiative_at(world.G1)
    with pytest.raises(PermissionDenied):
        services.initiative_update(
            initiative=initiative,
            by=world.users["council"],
            title="Sửa",
            field="technical",
            description="x",
            first_applied_on=APPLIED,
            authors=[AuthorShare(member=initiative.authors.first().member, share_percent="100")],
        )


def test_benefit_is_whole_vnd_not_negative(world):
    for bad in (-1, "1,5", "abc", 10**16):
        with pytest.raises(ValidationError) as exc:
            initiative_at(world.G1, benefit=bad)
        assert "benefit_vnd" in exc.value.error_dict
    assert initiative_at(world.G1, benefit=0).benefit_vnd == 0


def test_edit_replaces_authors_and_is_audited(world):
    initiative = initiative_at(world.G1)
    member = make_member(world.G1)
    services.initiative_update(
        initiative=initiative,
        by=world.users["grassroots"],
        title="  Cải tiến  mới ",
        field="technical",
        description="Mô tả",
        first_applied_on=APPLIED,
        benefit_vnd=1000,
        authors=[AuthorShare(member=member, share_percent="100", role="main")],
    )
    initiative.refresh_from_db()
    assert initiative.title == "Cải tiến mới"
    assert list(initiative.authors.values_list("member_id", flat=True)) == [member.pk]
    event = initiative.events.last()
    assert event.action == "edit" and event.by == world.users["grassroots"]
    assert member.full_name in event.reason


# --- the council ------------------------------------------------------------------------------------------


def record(initiative, council, present, approve, reject=0, **kwargs):
    return services.review_record(
        initiative=initiative,
        council=council,
        by=kwargs.pop("by", None),
        held_on=HELD,
        present=present,
        approve=approve,
        reject=reject,
        **kwargs,
    )


def test_exactly_two_thirds_of_all_members_passes(world):
    council = council_at(world.D1, 9)  # default: quorum 2/3, pass 2/3 of all members
    assert council.is_default
    initiative = initiative_at(world.G1, submit=True)
    review = record(initiative, council, present=7, approve=6, reject=1, by=world.users["district"])
    initiative.refresh_from_db()
    assert review.passed and initiative.status == Initiative.Status.RECOGNISED
    assert initiative.recognised_on == HELD
    assert (review.members_total, review.pass_num, review.pass_den) == (9, 2, 3)


def test_one_approval_fewer_than_two_thirds_fails_even_if_most_present_agree(world):
    council = council_at(world.D1, 9)
    initiative = initiative_at(world.G1, submit=True)
    review = record(initiative, council, present=6, approve=5, reject=1)  # 5 of 6 present, but 5 < 6 of 9
    initiative.refresh_from_db()
    assert not review.passed and initiative.status == Initiative.Status.REFUSED
    assert "2/3" in initiative.refusal_reason
    assert initiative.events.last().action == "refuse"


def test_without_quorum_the_council_cannot_decide(world):
    council = council_at(world.D1, 9)
    initiative = initiative_at(world.G1, submit=True)
    with pytest.raises(ValidationError) as exc:
        record(initiative, council, present=5, approve=5)  # 5 < 6 = 2/3 of 9
    assert "không quyết định được" in messages(exc)
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.SUBMITTED
    assert not InitiativeReview.objects.exists()
    # Exactly the quorum decides.
    record(initiative, council, present=6, approve=6)
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.RECOGNISED


def test_quorum_and_threshold_are_data(world):
    council = council_at(world.D1, 10, quorum=(1, 2), threshold=(9, 10))
    assert not council.is_default
    initiative = initiative_at(world.G1, submit=True)
    review = record(initiative, council, present=10, approve=8, reject=2)
    assert not review.passed
    second = initiative_at(world.G1, submit=True, title="Sáng kiến hai")
    assert record(second, council, present=9, approve=9).passed
    with pytest.raises(ValidationError):
        services.council_save(unit=world.D1, by=None, name="Sai", quorum=(4, 3))


def test_counts_must_add_up(world):
    council = council_at(world.D1, 5)
    initiative = initiative_at(world.G1, submit=True)
    for present, approve, reject in ((6, 5, 0), (4, 3, 2), ("x", 1, 0), (-1, 0, 0)):
        with pytest.raises(ValidationError):
            record(initiative, council, present, approve, reject)
    assert not InitiativeReview.objects.exists()


def test_only_a_council_of_the_unit_or_above_held_by_the_recorder_decides(world):
    initiative = initiative_at(world.G1, submit=True)
    sibling_council = council_at(world.D2, 3)
    with pytest.raises(ValidationError) as exc:
        record(initiative, sibling_council, 3, 3)
    assert "council" in exc.value.error_dict
    council = council_at(world.P, 3)
    with pytest.raises(ValidationError):
        record(initiative, council, 3, 3, by=world.users["district"])  # the province's council, not D1's desk
    assert record(initiative, council, 3, 3, by=world.users["province"]).passed


def test_a_draft_is_not_reviewed_and_a_refused_one_comes_back_as_draft(world):
    council = council_at(world.G1, 3)
    initiative = initiative_at(world.G1)
    with pytest.raises(ValidationError):
        record(initiative, council, 3, 3)
    services.initiative_submit(initiative=initiative, by=world.users["grassroots"])
    record(initiative, council, 3, 1, 2)
    services.initiative_redraft(initiative=initiative, by=world.users["grassroots"], reason="Bổ sung số liệu")
    assert [e.action for e in initiative.events.all()] == ["create", "submit", "refuse", "redraft"]


def test_transitions_are_audited_with_who_and_a_stale_page_fails(world):
    council = council_at(world.G1, 3)
    initiative = initiative_at(world.G1)
    old = state_token(initiative)
    services.initiative_submit(initiative=initiative, by=world.users["grassroots"], seen=old)
    with pytest.raises(ValidationError):
        services.initiative_redraft(initiative=initiative, by=world.users["grassroots"], seen=old)
    record(initiative, council, 3, 3, by=world.users["grassroots"])
    events = list(InitiativeEvent.objects.filter(initiative=initiative).order_by("pk"))
    assert [(e.from_status, e.to_status, e.action) for e in events] == [
        ("", "draft", "create"),
        ("draft", "submitted", "submit"),
        ("submitted", "recognised", "recognise"),
    ]
    assert all(e.by == world.users["grassroots"] for e in events[1:])
    assert "đồng ý 3" in events[-1].reason
    assert initiative.history.count() >= 3


# --- scope of effect ------------------------------------------------------------------------------------------


def test_effect_is_recognised_by_a_unit_of_that_level_and_only_widens(world):
    council = council_at(world.G1, 3)
    initiative = initiative_at(world.G1, submit=True)
    with pytest.raises(ValidationError):
        services.effect_recognise(initiative=initiative, by=None, scope="unit", recognised_on=HELD)
    record(initiative, council, 3, 3)
    initiative.refresh_from_db()
    services.effect_recognise(initiative=initiative, by=world.users["grassroots"], scope="unit", recognised_on=HELD)
    assert initiative.effect_scope == "unit" and initiative.effect_unit == world.G1
    # Sector/province: a unit of level ≤ 2 above it — the district officer holds none.
    with pytest.raises(ValidationError):
        services.effect_recognise(
            initiative=initiative, by=world.users["district"], scope="province", recognised_on=HELD
        )
    services.effect_recognise(initiative=initiative, by=world.users["province"], scope="province", recognised_on=HELD)
    initiative.refresh_from_db()
    assert (initiative.effect_scope, initiative.effect_unit) == ("province", world.P)
    with pytest.raises(ValidationError):
        services.effect_recognise(initiative=initiative, by=None, scope="unit", recognised_on=HELD)
    assert initiative.events.filter(action="effect").count() == 2


# --- evidence -------------------------------------------------------------------------------------------------


def test_evidence_is_recognised_by_its_bytes_and_size(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    initiative = initiative_at(world.G1)
    renamed = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 an executable")
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(initiative=initiative, by=world.users["grassroots"], upload=renamed)
    assert "evidence" in exc.value.error_dict
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (services.EVIDENCE_MAX_BYTES + 1))
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(initiative=initiative, by=world.users["grassroots"], upload=big)
    assert "quá lớn" in messages(exc)
    model = model_at(world.G1)
    with pytest.raises(ValidationError):
        services.model_evidence_add(model=model, by=None, upload=SimpleUploadedFile("a.png", PDF))
    assert not InitiativeEvidence.objects.exists() and not model.evidence.exists()
    ok = services.evidence_add(
        initiative=initiative, by=world.users["grassroots"], upload=SimpleUploadedFile("ok.pdf", PDF)
    )
    assert ok.content_type == "application/pdf" and initiative.events.last().action == "evidence"


# --- models ------------------------------------------------------------------------------------------------------


def test_a_model_is_approved_or_returned_by_the_level_directly_above(world):
    model = model_at(world.G1, by=world.users["grassroots"])
    services.model_submit(model=model, by=world.users["grassroots"])
    for actor in ("grassroots", "province", "council"):  # its own unit, two levels up, a viewer
        with pytest.raises(PermissionDenied):
            services.model_approve(model=model, by=world.users[actor])
    with pytest.raises(ValidationError):
        services.model_return(model=model, by=world.users["district"], reason="  ")
    services.model_return(model=model, by=world.users["district"], reason="Bổ sung số liệu")
    assert model.status == EffectiveModel.Status.RETURNED and model.return_reason == "Bổ sung số liệu"
    services.model_submit(model=model, by=world.users["grassroots"])
    services.model_approve(model=model, by=world.users["district"], publish=True, today=dt.date(2024, 6, 1))
    model.refresh_from_db()
    assert (model.status, model.library_unit, model.published) == ("approved", world.D1, True)
    assert [e.action for e in model.events.all()] == ["create", "submit", "return", "submit", "approve"]
    services.model_publish(model=model, by=world.users["district"], published=False)
    model.refresh_from_db()
    assert not model.published and model.events.last().action == "unpublish"


def test_adoptions_are_counted_once_per_unit_by_units_under_the_library(world):
    model = approved_model_at(world.G1)  # approved by D1: in D1's library
    sibling_officer = make_user("g1b", (world.G1b, Role.OFFICER))
    services.adoption_record(model=model, by=sibling_officer, unit=world.G1b, adopted_on=dt.date(2024, 7, 1))
    with pytest.raises(ValidationError):
        services.adoption_record(model=model, by=sibling_officer, unit=world.G1b, adopted_on=dt.date(2024, 7, 2))
    with pytest.raises(ValidationError):  # the model's own unit
        services.adoption_record(
            model=model, by=world.users["grassroots"], unit=world.T1, adopted_on=dt.date(2024, 7, 2)
        )
    outsider = make_user("g2", (world.G2, Role.OFFICER))  # under D2: not in D1's library
    with pytest.raises(PermissionDenied):
        services.adoption_record(model=model, by=outsider, unit=world.G2, adopted_on=dt.date(2024, 7, 2))
    with pytest.raises(ValidationError):  # a unit the officer does not hold
        services.adoption_record(model=model, by=sibling_officer, unit=world.G2, adopted_on=dt.date(2024, 7, 2))
    services.adoption_record(model=model, by=world.users["province"], unit=world.G2, adopted_on=dt.date(2024, 8, 1))
    assert ModelAdoption.objects.filter(model=model).count() == 2
    draft = model_at(world.G1, title="Chưa duyệt")
    with pytest.raises((ValidationError, PermissionDenied)):
        services.adoption_record(model=draft, by=sibling_officer, unit=world.G1b, adopted_on=dt.date(2024, 7, 1))


def test_author_rows_cannot_bypass_the_share_constraint(world):
    initiative = initiative_at(world.G1)
    with pytest.raises(IntegrityError), transaction.atomic():
        InitiativeAuthor.objects.create(initiative=initiative, member=make_member(world.G1), share_percent=0)
