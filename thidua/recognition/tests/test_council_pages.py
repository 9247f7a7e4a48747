"""The council's pages: a session run from the pages (create, attendance, open, ballots with their
confirm step, the secretary's written ballot, close, results, minutes), what each person may reach,
nothing of the tally before closing (superusers included), refused ballots, and query budgets."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from thidua.accounts.roles import Role
from thidua.core.transitions import state_token
from thidua.recognition import council as services
from thidua.recognition.models import AwardCouncil, BallotChoice, BallotReceipt, CouncilSession
from thidua.testing import make_user

from .council_factories import (
    candidate,
    choices,
    draft_session,
    fresh,
    kind,
    make_council,
    open_session,
    seats,
    taken_nomination,
)

pytestmark = pytest.mark.django_db


def _ballot_data(session, *approve, confirm=True):
    data = {f"item_{pk}": "approve" if yes else "reject" for pk, yes in choices(session, *approve).items()}
    if confirm:
        data["confirm"] = "1"
    return data


@pytest.fixture
def council(world):
    return make_council(world.P, size=7, thresholds={"cstd-co-so": "90%"})


@pytest.fixture
def candidates(world):
    nomination = taken_nomination(world.P, world.D1)
    return [
        candidate(nomination, "cstd-co-so", "Trần Thị Cao", unit=world.G1, achievement="Sáng kiến làm lợi 90 triệu"),
        candidate(nomination, "ldtt", "Lê Văn Vừa", unit=world.G1),
    ]


def test_a_session_run_from_the_pages(client, world, council, candidates):
    province = world.users["province"]
    client.force_login(province)
    page = client.get(reverse("recognition:session_create", args=[council.pk]))
    assert page.status_code == 200 and "Trần Thị Cao" in page.content.decode()
    response = client.post(
        reverse("recognition:session_create", args=[council.pk]),
        {
            "title": "Phiên xét năm 2025",
            "held_on": "20/01/2026",
            "place": "Hội trường",
            "candidates": [c.pk for c in candidates],
        },
    )
    session = CouncilSession.objects.get(council=council)
    assert response.status_code == 302 and response["Location"] == reverse("recognition:session", args=[session.pk])
    assert session.held_on.strftime("%d/%m/%Y") == "20/01/2026"
    members = seats(council)
    client.post(reverse("recognition:session_attendance", args=[session.pk]), {"present": [m.pk for m in members[:6]]})
    response = client.post(reverse("recognition:session_open", args=[session.pk]), {"seen": state_token(session)})
    assert fresh(session).status == "open"

    # A council member (council role only) finds the ballot, confirms, and sees only "voted".
    voter = members[2].user
    client.force_login(voter)
    assert (
        f'href="{reverse("recognition:ballot", args=[session.pk])}"'
        in client.get(reverse("recognition:my_ballots")).content.decode()
    )
    page = client.get(reverse("recognition:ballot", args=[session.pk])).content.decode()
    assert "Sáng kiến làm lợi 90 triệu" in page and "Đủ điều kiện" in page
    confirm = client.post(
        reverse("recognition:ballot", args=[session.pk]), _ballot_data(session, False, True, confirm=False)
    )
    assert confirm.status_code == 200 and "Xác nhận phiếu" in confirm.content.decode()
    assert not BallotReceipt.objects.filter(session=session).exists()  # nothing until confirmed
    done = client.post(reverse("recognition:ballot", args=[session.pk]), _ballot_data(session, False, True))
    assert done.status_code == 302
    after = client.get(reverse("recognition:ballot", args=[session.pk])).content.decode()
    assert "Bạn đã bỏ phiếu" in after and 'type="radio"' not in after
    again = client.post(reverse("recognition:ballot", args=[session.pk]), _ballot_data(session, False, False))
    assert again.status_code == 400 and "Bạn đã bỏ phiếu" in again.content.decode()
    assert (
        reverse("recognition:ballot", args=[session.pk])
        not in client.get(reverse("recognition:my_ballots")).content.decode()
    )
    assert BallotReceipt.objects.filter(session=session).count() == 1

    for member in members[:6]:
        if member.pk != members[2].pk:
            services.ballot_cast(session=session, user=member.user, choices=choices(session, True, True))

    # The secretary enters the absent member's written ballot; a plain member may not.
    absent = members[6]
    written = reverse("recognition:written_ballot", args=[session.pk, absent.pk])
    client.force_login(members[3].user)
    assert client.get(written).status_code == 403
    assert client.post(written, _ballot_data(session, True, True, confirm=False)).status_code == 403
    client.force_login(members[1].user)
    assert client.get(written).status_code == 200
    assert client.post(written, _ballot_data(session, True, False, confirm=False)).status_code == 302
    assert BallotReceipt.objects.get(session=session, member=absent).written

    # Progress only, no count, before closing (for the desk too), and no minutes yet.
    client.force_login(province)
    page = client.get(reverse("recognition:session", args=[session.pk])).content.decode()
    assert "Đã bỏ phiếu 7/7 thành viên" in page and "Kết quả bỏ phiếu" not in page
    assert client.get(reverse("recognition:session_minutes", args=[session.pk])).status_code == 404

    client.post(reverse("recognition:session_close", args=[session.pk]), {"seen": state_token(fresh(session))})
    assert fresh(session).status == "closed"
    page = client.get(reverse("recognition:session", args=[session.pk])).content.decode()
    # Cao: 6/7 < 90 %; Vừa: 6/7 ≥ 80 % (the whole council).
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    high = next(r for r in rows if "Trần Thị Cao" in r)
    plain = next(r for r in rows if "Lê Văn Vừa" in r)
    assert re.search(r">6</td>.*>1</td>.*Không đạt", high, re.S) and re.search(r">6</td>.*>1</td>.*Đạt", plain, re.S)
    assert reverse("recognition:session_minutes", args=[session.pk]) in page
    assert not BallotChoice.objects.filter(item__session=session).exists()


def test_the_minutes_download_after_closing(client, world, council, candidates):
    documents = pytest.importorskip("thidua.recognition.documents")
    if not hasattr(documents, "minutes_docx_response"):
        pytest.skip("thidua.recognition.documents.minutes_docx_response is not written yet")
    session = open_session(council, candidates)
    for member in seats(council):
        services.ballot_cast(session=session, user=member.user, choices=choices(session, True, False))
    services.session_close(session=fresh(session), by=None)
    client.force_login(world.users["council"])  # the council role reads its unit's minutes
    response = client.get(reverse("recognition:session_minutes", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert response.content[:2] == b"PK"


def test_no_tally_before_closing_even_for_a_superuser(client, world, council, candidates):
    session = open_session(council, candidates)
    for member in seats(council)[:4]:
        services.ballot_cast(session=session, user=member.user, choices=choices(session, True, True))
    root = make_user("sieu-quan-tri", superuser=True)
    client.force_login(root)
    page = client.get(reverse("recognition:session", args=[session.pk])).content.decode()
    assert "Đã bỏ phiếu 4/7 thành viên" in page
    assert "Kết quả bỏ phiếu" not in page and "Không đồng ý</th>" not in page
    assert client.get(reverse("recognition:session_minutes", args=[session.pk])).status_code == 404
    with pytest.raises(services.TallyNotReady):
        services.session_results(fresh(session))


def test_tampered_and_incomplete_ballots_are_refused_on_the_page(client, world, council, candidates):
    session = open_session(council, candidates, absent=1)
    members = seats(council)
    other = draft_session(
        make_council(world.D1, size=1, tag="d1"), [candidate(taken_nomination(world.D1, world.G1), "ldtt")]
    )
    url = reverse("recognition:ballot", args=[session.pk])
    client.force_login(members[0].user)
    tampered = {**_ballot_data(session, True, True), f"item_{other.items.get().pk}": "approve"}
    response = client.post(url, tampered)
    assert response.status_code == 400 and "không thuộc phiên họp" in response.content.decode()
    missing = _ballot_data(session, True, True)
    missing.pop(next(k for k in missing if k.startswith("item_")))
    assert client.post(url, missing).status_code == 400
    assert (
        client.post(
            url, {**_ballot_data(session, True, True), next(iter(_ballot_data(session, True, True))): "maybe"}
        ).status_code
        == 400
    )
    # The absent member cannot vote on the page either.
    client.force_login(members[6].user)
    assert "vắng mặt" in client.get(url).content.decode()
    assert client.post(url, _ballot_data(session, True, True)).status_code == 400
    assert not BallotReceipt.objects.filter(session=session).exists()
    assert not BallotChoice.objects.filter(item__session=session).exists()
    # No seat: 404 as for an outsider, though the session is in the province officer's scope.
    client.force_login(world.users["province"])
    assert client.get(url).status_code == 404
    assert client.post(url, _ballot_data(session, True, True)).status_code == 404
    # After the close: refused.
    services.session_close(session=fresh(session), by=None)
    client.force_login(members[1].user)
    response = client.post(url, _ballot_data(session, True, True))
    assert response.status_code == 400 and not BallotReceipt.objects.filter(session=session).exists()


def test_the_council_role_reaches_its_ballot_and_nothing_it_may_not(client, world, council, candidates):
    session = open_session(council, candidates)
    member = seats(council)[4]
    client.force_login(member.user)
    assert client.get(reverse("recognition:ballot", args=[session.pk])).status_code == 200
    assert client.get(reverse("recognition:session", args=[session.pk])).status_code == 200
    assert (
        client.post(reverse("recognition:session_close", args=[session.pk]), {"seen": state_token(session)}).status_code
        == 403
    )
    assert client.post(reverse("recognition:council_edit", args=[council.pk]), {"name": "X"}).status_code == 403
    assert client.post(reverse("recognition:council_member_deactivate", args=[member.pk])).status_code == 403
    assert client.get(reverse("recognition:session_create", args=[council.pk])).status_code == 403
    assert client.get(reverse("recognition:written_ballot", args=[session.pk, member.pk])).status_code == 403
    assert fresh(session).status == "open" and AwardCouncil.objects.get(pk=council.pk).name == council.name


def test_sibling_officers_get_404(client, world):
    council = make_council(world.D1, size=3, tag="d1")
    nomination = taken_nomination(world.D1, world.G1)
    session = open_session(council, [candidate(nomination, "ldtt")])
    member = seats(council)[0]
    sibling = make_user("can-bo-huyen-hai", (world.D2, Role.OFFICER))
    client.force_login(sibling)
    for url in (
        reverse("recognition:council", args=[council.pk]),
        reverse("recognition:session", args=[session.pk]),
        reverse("recognition:ballot", args=[session.pk]),
        reverse("recognition:written_ballot", args=[session.pk, member.pk]),
        reverse("recognition:session_minutes", args=[session.pk]),
        reverse("recognition:session_create", args=[council.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("recognition:session_close", args=[session.pk])).status_code == 404
    assert (
        client.post(reverse("recognition:council_member_add", args=[council.pk]), {"full_name": "X"}).status_code == 404
    )
    assert (
        reverse("recognition:council", args=[council.pk])
        not in client.get(reverse("recognition:councils")).content.decode()
    )
    assert fresh(session).status == "open" and council.members.count() == 3


def test_the_desk_manages_the_council_from_its_page(client, world):
    kind("cstd-co-so")  # the catalogue the per-kind thresholds name
    province = world.users["province"]
    client.force_login(province)
    response = client.post(
        reverse("recognition:council_create"),
        {
            "unit": world.P.pk,
            "name": "Hội đồng TĐKT tỉnh",
            "quorum": "2/3",
            "threshold": "80%",
            "thresholds": "cstd-co-so: 90%",
        },
    )
    council = AwardCouncil.objects.get(unit=world.P)
    assert response.status_code == 302 and council.thresholds == {"cstd-co-so": "90%"}
    # Another unit's id (tampered) and bad ratios are refused with a message, nothing created.
    bad = client.post(
        reverse("recognition:council_create"), {"unit": world.P2.pk, "name": "Giả", "quorum": "2/3", "threshold": "80%"}
    )
    assert bad.status_code == 400 and not AwardCouncil.objects.filter(unit=world.P2).exists()
    ratio = client.post(
        reverse("recognition:council_edit", args=[council.pk]),
        {"name": "X", "quorum": "3/2", "threshold": "80%", "thresholds": "khong-co: 90%"},
    )
    assert ratio.status_code == 400 and "Nhập tỷ lệ" in ratio.content.decode()
    account = make_user("uy-vien", (world.P, Role.COUNCIL))
    added = client.post(
        reverse("recognition:council_member_add", args=[council.pk]),
        {"full_name": "Nguyễn Văn Ủy", "position": "Trưởng ban", "role": "member", "user": account.pk},
    )
    assert added.status_code == 302
    seat = council.members.get()
    assert seat.user_id == account.pk
    edited = client.post(
        reverse("recognition:council_member_edit", args=[seat.pk]),
        {
            f"m{seat.pk}-full_name": "Nguyễn Văn Ủy",
            f"m{seat.pk}-role": "secretary",
            f"m{seat.pk}-user": account.pk,
            f"m{seat.pk}-active": "on",
        },
    )
    assert edited.status_code == 302 and council.members.get().role == "secretary"
    client.post(reverse("recognition:council_member_deactivate", args=[seat.pk]))
    assert not council.members.get().active
    # The district's desk does not even see the province's council: 404.
    client.force_login(world.users["district"])
    assert (
        client.post(
            reverse("recognition:council_edit", args=[council.pk]), {"name": "X", "quorum": "2/3", "threshold": "80%"}
        ).status_code
        == 404
    )


def test_query_budgets_do_not_grow_with_the_agenda(client, world, council, django_assert_max_num_queries):
    nomination = taken_nomination(world.P, world.D1)
    many = [candidate(nomination, "ldtt", unit=world.G1) for _ in range(12)]
    session = open_session(council, many, absent=1)
    members = seats(council)
    for member in members[:3]:
        services.ballot_cast(session=session, user=member.user, choices=choices(session, *[True] * 12))
    client.force_login(world.users["province"])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("recognition:session", args=[session.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("recognition:council", args=[council.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("recognition:councils")).status_code == 200
    client.force_login(members[4].user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("recognition:ballot", args=[session.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("recognition:my_ballots")).status_code == 200
    services.session_close(session=fresh(session), by=None)
    client.force_login(world.users["province"])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("recognition:session", args=[session.pk])).status_code == 200
