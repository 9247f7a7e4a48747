"""The council's secret ballot through the services: a full session with a written ballot and the
whole council as denominator, quorum, every refused ballot, the tally only after closing, and no
choice left to join to a voter."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thidua.accounts.roles import Role
from thidua.notifications.models import Notification
from thidua.recognition import council as services
from thidua.recognition.models import (
    Attendance,
    BallotChoice,
    BallotItem,
    BallotReceipt,
    Candidate,
    CouncilSession,
    SessionEvent,
)
from thidua.testing import make_user

from .council_factories import (
    candidate,
    choices,
    draft_session,
    fresh,
    make_council,
    open_session,
    seats,
    taken_nomination,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    """The province's council of seven (CSTĐ cơ sở needs 90 % of the whole council, the rest 80 %)
    and three candidates from a district's dossier taken at the province."""
    council = make_council(world.P, size=7, thresholds={"cstd-co-so": "90%"})
    nomination = taken_nomination(world.P, world.D1)
    high = candidate(nomination, "cstd-co-so", "Trần Thị Cao", unit=world.G1)
    plain = candidate(nomination, "ldtt", "Lê Văn Vừa", unit=world.G1)
    low = candidate(nomination, "ldtt", "Phạm Văn Thấp", unit=world.G1)
    return council, [high, plain, low]


def _vote(session, members, ballots):
    for member, ballot in zip(members, ballots, strict=True):
        services.ballot_cast(session=session, user=member.user, choices=choices(session, *ballot))


def test_a_full_session_counts_against_the_whole_council_and_forgets_who_chose_what(world, setup):
    council, (high, plain, low) = setup
    members = seats(council)
    session = open_session(council, [high, plain, low], absent=1)
    assert (session.status, session.council_size, session.present_count, session.quorum) == ("open", 7, 6, "2/3")
    # The present members were invited to vote; the absent one votes in writing.
    invited = set(
        Notification.objects.filter(url=f"/recognition/council/sessions/{session.pk}/ballot/").values_list(
            "user", flat=True
        )
    )
    assert invited == {m.user_id for m in members[:6]}
    assert dict(session.items.values_list("candidate", "threshold")) == {high.pk: "90%", plain.pk: "80%", low.pk: "80%"}

    # Six present members: "high" gets 6 approvals, "plain" 5, "low" 3.
    _vote(
        session,
        members[:6],
        [
            (True, True, True),
            (True, True, True),
            (True, True, True),
            (True, True, False),
            (True, True, False),
            (True, False, False),
        ],
    )
    # Mid-ballot: the choices exist (without voters), the items hold no count, the tally is refused.
    assert BallotChoice.objects.filter(item__session=session).count() == 18
    assert set(session.items.values_list("approve", flat=True)) == {None}
    with pytest.raises(ValidationError):
        services.session_results(fresh(session))
    assert services.progress(fresh(session)) == (6, 7)

    # The absent member's written ballot, entered by the secretary.
    secretary = members[1]
    services.written_ballot_record(
        session=session, member=members[6], choices=choices(session, False, True, True), by=secretary.user
    )
    closed = services.session_close(session=fresh(session), by=world.users["province"])
    assert closed.status == "closed"

    items = {i.candidate_id: i for i in BallotItem.objects.filter(session=session)}
    # high: 6/7 = 85.7 % < 90 %; plain: 6/7 ≥ 80 %; low: 3 + 1 = 4/7 = 57.1 % < 80 %.
    assert (items[high.pk].approve, items[high.pk].reject, items[high.pk].result) == (6, 1, "failed")
    assert (items[plain.pk].approve, items[plain.pk].reject, items[plain.pk].result) == (6, 1, "passed")
    assert (items[low.pk].approve, items[low.pk].reject, items[low.pk].result) == (4, 3, "failed")
    outcomes = dict(Candidate.objects.filter(pk__in=[high.pk, plain.pk, low.pk]).values_list("pk", "outcome"))
    assert outcomes == {high.pk: "failed", plain.pk: "passed", low.pk: "failed"}

    # Nothing joins a voter to a choice any more: receipts say who voted, items hold totals.
    assert not BallotChoice.objects.filter(item__session=session).exists()
    receipts = BallotReceipt.objects.filter(session=session)
    assert receipts.count() == 7 and list(receipts.filter(written=True).values_list("member", flat=True)) == [
        members[6].pk
    ]
    results = services.session_results(fresh(session))
    assert (results.voted, results.written) == (7, 1)
    assert [i.candidate_id for i in results.passed] == [plain.pk]
    events = SessionEvent.objects.filter(session=session)
    assert list(events.values_list("action", flat=True)) == ["open", "written_ballot", "close"]
    # Who entered whose written ballot is kept; what it chose is not.
    written = events.get(action="written_ballot")
    assert "phiếu bằng văn bản" in written.reason and "Đồng ý" not in written.reason


def test_a_session_without_quorum_does_not_open(world, setup):
    council, candidates = setup
    session = draft_session(council, candidates)
    members = seats(council)
    services.attendance_set(session=session, present=[m.pk for m in members[:4]], by=None)  # 4/7 < 2/3
    with pytest.raises(ValidationError) as refused:
        services.session_open(session=session, by=world.users["province"])
    assert "Không đủ số thành viên có mặt" in refused.value.messages[0] and "4/7" in refused.value.messages[0]
    assert fresh(session).status == "draft" and not SessionEvent.objects.filter(session=session).exists()
    services.attendance_set(session=session, present=[m.pk for m in members[:5]], by=None)  # 5/7 ≥ 2/3
    assert services.session_open(session=fresh(session), by=world.users["province"]).status == "open"


def test_refused_ballots(world, setup):
    council, candidates = setup
    members = seats(council)
    session = open_session(council, candidates, absent=1)
    one = members[0]
    ok = choices(session, True, False, True)

    # Tampered: an item of another session, an unknown id, a non-number, a missing item, a non-boolean.
    other = draft_session(
        make_council(world.D1, size=1, tag="d1"), [candidate(taken_nomination(world.D1, world.G1), "ldtt")]
    )
    foreign = other.items.get().pk
    for bad in (
        {**ok, foreign: True},
        {**ok, 10**9: True},
        {**ok, "x": True},
        dict(list(ok.items())[:2]),
        dict.fromkeys(ok, "yes"),
    ):
        with pytest.raises(ValidationError):
            services.ballot_cast(session=session, user=one.user, choices=bad)
    assert not BallotReceipt.objects.filter(session=session).exists()
    assert not BallotChoice.objects.filter(item__session=session).exists()

    # A non-member (the province's own officer), and a member of another council.
    with pytest.raises(PermissionDenied):
        services.ballot_cast(session=session, user=world.users["province"], choices=ok)
    outsider = make_user("hd-ngoai", (world.P, Role.COUNCIL))
    with pytest.raises(PermissionDenied):
        services.ballot_cast(session=session, user=outsider, choices=ok)
    # An absent member cannot vote electronically.
    with pytest.raises(ValidationError) as absent:
        services.ballot_cast(session=session, user=members[6].user, choices=ok)
    assert "vắng mặt" in absent.value.messages[0]

    # One ballot per member.
    services.ballot_cast(session=session, user=one.user, choices=ok)
    with pytest.raises(ValidationError) as twice:
        services.ballot_cast(session=session, user=one.user, choices=choices(session, False, False, False))
    assert "Bạn đã bỏ phiếu" in twice.value.messages[0]
    assert BallotReceipt.objects.filter(session=session).count() == 1
    assert BallotChoice.objects.filter(item__session=session).count() == 3

    # A written ballot for a present member, by a plain member, or twice: refused.
    with pytest.raises(ValidationError):
        services.written_ballot_record(session=session, member=members[2], choices=ok, by=members[1].user)
    with pytest.raises(PermissionDenied):
        services.written_ballot_record(session=session, member=members[6], choices=ok, by=members[3].user)
    services.written_ballot_record(session=session, member=members[6], choices=ok, by=world.users["province"])
    with pytest.raises(ValidationError):
        services.written_ballot_record(session=session, member=members[6], choices=ok, by=members[1].user)

    # After closing, no ballot is taken and nothing is left behind.
    services.session_close(session=fresh(session), by=world.users["province"])
    with pytest.raises(ValidationError) as late:
        services.ballot_cast(session=fresh(session), user=members[2].user, choices=ok)
    assert "kết thúc" in late.value.messages[0]
    assert BallotReceipt.objects.filter(session=session).count() == 2
    assert not BallotChoice.objects.filter(item__session=session).exists()


def test_a_ballot_before_opening_is_refused(world, setup):
    council, candidates = setup
    session = draft_session(council, candidates)
    member = seats(council)[0]
    with pytest.raises(ValidationError):
        services.ballot_cast(session=session, user=member.user, choices=choices(session, True, True, True))


def test_the_tally_is_not_readable_before_closing_even_by_a_superuser(world, setup):
    council, candidates = setup
    session = open_session(council, candidates)
    for member in seats(council):
        services.ballot_cast(session=session, user=member.user, choices=choices(session, True, True, True))
    with pytest.raises(ValidationError):
        services.session_results(fresh(session))
    # Only the closing counts; closing is the desk's (or an administrator's) act.
    with pytest.raises(PermissionDenied):
        services.session_close(session=fresh(session), by=seats(council)[0].user)
    root = make_user("quan-tri", superuser=True)
    assert services.session_close(session=fresh(session), by=root).status == "closed"
    assert [i.approve for i in services.session_results(fresh(session)).items] == [7, 7, 7]


def test_only_the_council_desk_manages(world, setup):
    council, candidates = setup
    district = world.users["district"]  # holds the desk of D1, not of P
    with pytest.raises(PermissionDenied):
        services.council_member_add(council=council, by=district, full_name="Người lạ")
    with pytest.raises(PermissionDenied):
        services.session_create(council=council, title="X", held_on=None, candidates=candidates, by=district)
    with pytest.raises(PermissionDenied):
        services.council_save(council=council, by=seats(council)[0].user, name="Đổi tên")
    with pytest.raises(ValidationError):
        services.council_save(unit=world.P, by=district, name="Hội đồng giả")


def test_seats_need_an_account_in_scope_and_one_per_user(world, setup):
    council, _ = setup
    province = world.users["province"]
    stranger = make_user("ben-ngoai", (world.P2, Role.COUNCIL))
    with pytest.raises(ValidationError) as outside:
        services.council_member_add(council=council, by=province, full_name="Người tỉnh khác", user=stranger.pk)
    assert "user" in outside.value.error_dict
    seated = seats(council)[3].user
    with pytest.raises(ValidationError) as again:
        services.council_member_add(council=council, by=province, full_name="Ghế thứ hai", user=seated.pk)
    assert "đã có ghế" in again.value.error_dict["user"][0].message
    with pytest.raises(ValidationError):  # a second chair
        services.council_member_add(council=council, by=province, full_name="Chủ tịch hai", role="chair")
    lower = make_user("cap-duoi", (world.D1, Role.OFFICER))  # below the council's unit: needs the council role first
    with pytest.raises(ValidationError):
        services.council_member_add(council=council, by=province, full_name="Cấp dưới", user=lower.pk)


def test_candidates_must_be_taken_here_and_still_proposed(world, setup):
    council, candidates = setup
    elsewhere = candidate(taken_nomination(world.D1, world.G1), "ldtt")  # taken by the district, not the province
    submitted = taken_nomination(world.P, world.D2)
    submitted.status = "submitted"
    submitted.save()
    waiting = candidate(submitted, "ldtt")
    for bad in ([elsewhere], [waiting], [], ["abc"]):
        with pytest.raises(ValidationError):
            draft_session(council, bad)
    session = draft_session(council, candidates[:1])
    with pytest.raises(ValidationError):  # already on an unclosed session
        draft_session(council, candidates[:1])
    assert list(services.waiting_candidates(council)) == candidates[1:]
    services.session_item_add(session=session, candidates=[candidates[1].pk], by=world.users["province"])
    item = session.items.get(candidate=candidates[0])
    services.session_item_remove(session=session, item=item.pk, by=world.users["province"])
    assert list(session.items.values_list("candidate", flat=True)) == [candidates[1].pk]


def test_a_session_changes_only_while_draft(world, setup):
    council, candidates = setup
    session = open_session(council, candidates)
    province = world.users["province"]
    with pytest.raises(ValidationError):
        services.session_update(session=session, title="Đổi", held_on=session.held_on, by=province)
    with pytest.raises(ValidationError):
        services.attendance_set(session=session, present=[], by=province)
    with pytest.raises(ValidationError):
        services.session_item_remove(session=session, item=session.items.first().pk, by=province)
    assert Attendance.objects.filter(session=session, present=True).count() == 7
    assert CouncilSession.objects.get(pk=session.pk).title != "Đổi"


def test_a_stale_page_cannot_open_or_close(world, setup):
    council, candidates = setup
    session = draft_session(council, candidates)
    from thidua.core.transitions import state_token

    seen = state_token(session)
    services.session_open(session=session, by=world.users["province"], seen=seen)
    with pytest.raises(ValidationError):
        services.session_open(session=fresh(session), by=world.users["province"], seen=seen)
    with pytest.raises(ValidationError):
        services.session_close(session=fresh(session), by=world.users["province"], seen=seen)
    assert fresh(session).status == "open"


# --- found in review ------------------------------------------------------------------------------


def test_no_seat_changes_hands_while_a_ballot_is_open(world, setup):
    """Otherwise the desk could move a seat onto its own account, vote on it and move it back."""
    council, candidates = setup
    session = open_session(council, candidates)
    desk = world.users["province"]
    seat = seats(council)[3]
    with pytest.raises(ValidationError, match="đang có phiên bỏ phiếu"):
        services.council_member_update(member=seat, by=desk, full_name=seat.full_name, user=desk.pk)
    with pytest.raises(ValidationError, match="đang có phiên bỏ phiếu"):
        services.council_member_deactivate(member=seat, by=desk)
    with pytest.raises(ValidationError, match="đang có phiên bỏ phiếu"):
        services.council_member_add(council=council, by=desk, full_name="Người Mới Vào")
    services.session_close(session=fresh(session), by=desk)
    services.council_member_update(member=seat, by=desk, full_name="Thành viên Đổi Tên", user=seat.user_id)
    assert seat.history.count() >= 2  # the seat's changes are kept, with who made them


def test_a_member_present_without_an_account_cannot_be_left_unable_to_vote(world, setup):
    council, candidates = setup
    seat = seats(council)[6]
    services.council_member_update(member=seat, by=None, full_name=seat.full_name, user=None)
    session = draft_session(council, candidates)
    with pytest.raises(ValidationError, match="không có tài khoản bỏ phiếu"):
        services.session_open(session=session, by=None)
    services.attendance_set(session=session, present=[m.pk for m in seats(council)[:6]], by=None)
    assert services.session_open(session=fresh(session), by=None).status == "open"


@pytest.mark.parametrize("ratio", ["1e9999999%", "1e-99999%", "0%", "3/2", "1/0", "101%", "2/3/4", "9" * 12])
def test_ratios_outside_the_two_short_shapes_are_refused_at_once(world, ratio):
    with pytest.raises(ValidationError):
        services.council_save(unit=world.P, by=None, name="Hội đồng thử", threshold=ratio)
