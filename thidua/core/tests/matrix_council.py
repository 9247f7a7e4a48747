"""Scope-matrix rows of the emulation council (Hội đồng thi đua – khen thưởng), its sessions and
the secret ballot.

A council, its seats and its sessions belong to the target unit: seen from the target and above,
404 from a sibling, the parent or another branch. Managing them is the act of the target's own
emulation desk (``council_desk``: the unit itself, not a level above it), so every write is an
``approve`` row with ``approves_in=OWN``: a province officer who sees a district's council gets
403 there. The ballot is reached through a seat: its rows give the actor a seat on the target's
council (written straight to the table, even where the actor could not be seated, to show that a
seat does not widen scope) and expect every account that sees the unit to vote, and nobody else.
"""

from __future__ import annotations

import itertools

from django.urls import reverse

from thidua.accounts.roles import Perm
from thidua.core.transitions import state_token
from thidua.recognition import council as services
from thidua.recognition.models import AwardCouncil, AwardCouncilMember, BallotReceipt, CouncilSession
from thidua.recognition.tests.council_factories import (
    HELD,
    candidate,
    draft_session,
    make_council,
    open_session,
    taken_nomination,
)
from thidua.scope_matrix import Resource, Write
from thidua.testing import IN_SCOPE

OWN = ("own",)
_serial = itertools.count(1)


def _council(world, relation, target, size=3):
    return make_council(target, size=size, name=f"Hội đồng TĐKT {relation} {target.code}", tag=f"m{next(_serial)}")


def _candidates(target, n=1):
    nomination = taken_nomination(target, target, title=f"Hồ sơ {next(_serial)}")
    return [candidate(nomination, "ldtt", unit=target) for _ in range(n)]


def _draft(world, relation, target):
    council = _council(world, relation, target)
    return draft_session(council, _candidates(target), title=f"Phiên họp {relation} {target.code}")


def _open(world, relation, target):
    session = _draft(world, relation, target)
    return services.session_open(session=session, by=None)


def _closed(world, relation, target):
    session = _open(world, relation, target)
    return services.session_close(session=session, by=None)


def _status_is(session, status):
    return lambda: CouncilSession.objects.get(pk=session.pk).status == status


COUNCILS = Resource(
    name="award-councils",
    make=_council,
    marker=lambda c: c.name,
    page_marker=lambda c: f'href="{reverse("recognition:council", args=[c.pk])}"',
    list_urls=[lambda c: reverse("recognition:councils")],
    detail_url=lambda c: reverse("recognition:council", args=[c.pk]),
    write_perm=Perm.MANAGE_EMULATION,
)


def _council_edit(council):
    name = f"{council.name} đã sửa"
    return Write(
        reverse("recognition:council_edit", args=[council.pk]),
        {"name": name, "quorum": "2/3", "threshold": "75%", "thresholds": "", "basis": "", "active": "on"},
        lambda: AwardCouncil.objects.filter(pk=council.pk, name=name, threshold="75%").exists(),
    )


COUNCIL_EDIT = Resource(
    name="award-council-edit",
    make=_council,
    marker=lambda c: c.name,
    approve=_council_edit,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)

COUNCIL_MEMBER_ADD = Resource(
    name="award-council-member-add",
    make=_council,
    marker=lambda c: c.name,
    approve=lambda c: Write(
        reverse("recognition:council_member_add", args=[c.pk]),
        {"full_name": "Nguyễn Thị Ủy Viên", "position": "Trưởng ban", "role": "member", "user": ""},
        lambda: c.members.filter(full_name="Nguyễn Thị Ủy Viên").exists(),
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)


def _seat(world, relation, target):
    return _council(world, relation, target).members.order_by("pk").last()


def _seat_edit(seat):
    p = f"m{seat.pk}"
    return Write(
        reverse("recognition:council_member_edit", args=[seat.pk]),
        {f"{p}-full_name": "Tên đã sửa", f"{p}-position": "Phó ban", f"{p}-role": "member", f"{p}-active": "on"},
        lambda: AwardCouncilMember.objects.filter(pk=seat.pk, full_name="Tên đã sửa").exists(),
    )


COUNCIL_MEMBER_EDIT = Resource(
    name="award-council-member-edit",
    make=_seat,
    marker=lambda m: m.full_name,
    approve=_seat_edit,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)

COUNCIL_MEMBER_DEACTIVATE = Resource(
    name="award-council-member-deactivate",
    make=_seat,
    marker=lambda m: m.full_name,
    approve=lambda m: Write(
        reverse("recognition:council_member_deactivate", args=[m.pk]),
        {},
        lambda: not AwardCouncilMember.objects.get(pk=m.pk).active,
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)


def _council_with_waiting(world, relation, target):
    council = _council(world, relation, target)
    council.waiting = _candidates(target)  # type: ignore[attr-defined]
    return council


SESSION_CREATE = Resource(
    name="award-council-session-create",
    make=_council_with_waiting,
    marker=lambda c: c.name,
    approve=lambda c: Write(
        reverse("recognition:session_create", args=[c.pk]),
        {"title": "Phiên họp mới", "held_on": HELD.strftime("%d/%m/%Y"), "candidates": [x.pk for x in c.waiting]},
        lambda: c.sessions.filter(title="Phiên họp mới").exists(),
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)

SESSIONS = Resource(
    name="award-council-sessions",
    make=_draft,
    marker=lambda s: s.title,
    page_marker=lambda s: f'href="{reverse("recognition:session", args=[s.pk])}"',
    detail_url=lambda s: reverse("recognition:session", args=[s.pk]),
    write_perm=Perm.MANAGE_EMULATION,
)

SESSION_EDIT = Resource(
    name="award-council-session-edit",
    make=_draft,
    marker=lambda s: s.title,
    approve=lambda s: Write(
        reverse("recognition:session_edit", args=[s.pk]),
        {"title": "Phiên họp đã sửa", "held_on": "21/01/2026", "place": "Phòng họp"},
        lambda: CouncilSession.objects.filter(pk=s.pk, title="Phiên họp đã sửa").exists(),
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)


def _attendance(session):
    first = session.attendance.order_by("member_id").first().member_id
    return Write(
        reverse("recognition:session_attendance", args=[session.pk]),
        {"present": [a.member_id for a in session.attendance.exclude(member_id=first)]},
        lambda: session.attendance.filter(member_id=first, present=False).exists(),
    )


SESSION_ATTENDANCE = Resource(
    name="award-council-session-attendance",
    make=_draft,
    marker=lambda s: s.title,
    approve=_attendance,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)


def _draft_with_waiting(world, relation, target):
    session = _draft(world, relation, target)
    session.waiting = _candidates(target)  # type: ignore[attr-defined]
    return session


SESSION_ITEMS_ADD = Resource(
    name="award-council-session-items-add",
    make=_draft_with_waiting,
    marker=lambda s: s.title,
    approve=lambda s: Write(
        reverse("recognition:session_items_add", args=[s.pk]),
        {"candidates": [c.pk for c in s.waiting]},
        lambda: s.items.count() == 2,
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)

SESSION_ITEM_REMOVE = Resource(
    name="award-council-session-item-remove",
    make=_draft,
    marker=lambda s: s.title,
    approve=lambda s: Write(
        reverse("recognition:session_item_remove", args=[s.pk]),
        {"item": s.items.get().pk},
        lambda: not s.items.exists(),
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)

SESSION_OPEN = Resource(
    name="award-council-session-open",
    make=_draft,
    marker=lambda s: s.title,
    approve=lambda s: Write(
        reverse("recognition:session_open", args=[s.pk]), {"seen": state_token(s)}, _status_is(s, "open")
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)

SESSION_CLOSE = Resource(
    name="award-council-session-close",
    make=_open,
    marker=lambda s: s.title,
    approve=lambda s: Write(
        reverse("recognition:session_close", args=[s.pk]), {"seen": state_token(s)}, _status_is(s, "closed")
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)

# A closed session: its page with the results, and the minutes (.docx).
CLOSED_SESSIONS = Resource(
    name="award-council-closed-sessions",
    make=_closed,
    marker=lambda s: s.title,
    detail_url=lambda s: reverse("recognition:session", args=[s.pk]),
    more_detail_urls=[lambda s: reverse("recognition:session_minutes", args=[s.pk])],
    write_perm=Perm.MANAGE_EMULATION,
)


def _ballot_session(world, relation, target):
    """An open session of the target's council where the actor holds a seat and is present."""
    council = _council(world, relation, target)
    actor = world.users.get(world.actor)
    if actor is not None:
        AwardCouncilMember.objects.create(council=council, full_name=f"Ghế của {actor.username}", user=actor)
    return open_session(council, _candidates(target))


def _ballot(session):
    data = {f"item_{pk}": "approve" for pk in session.items.values_list("pk", flat=True)}
    return Write(
        reverse("recognition:ballot", args=[session.pk]),
        {**data, "confirm": "1"},
        lambda: BallotReceipt.objects.filter(session=session, written=False).exists(),
    )


BALLOTS = Resource(
    name="award-council-ballots",
    make=_ballot_session,
    marker=lambda s: s.title,
    page_marker=lambda s: f'href="{reverse("recognition:ballot", args=[s.pk])}"',
    list_urls=[lambda s: reverse("recognition:my_ballots")],
    detail_url=lambda s: reverse("recognition:ballot", args=[s.pk]),
    approve=_ballot,
    write_perm=Perm.VIEW,
    approves_in=IN_SCOPE,
)


def _absent_session(world, relation, target):
    """An open session whose last seat (no account: it votes in writing) is absent."""
    council = _council(world, relation, target, size=3)
    services.council_member_add(council=council, by=None, full_name="Thành viên vắng mặt")
    return open_session(council, _candidates(target), absent=1)


def _written(session):
    absent = session.attendance.get(present=False).member_id
    data = {f"item_{pk}": "reject" for pk in session.items.values_list("pk", flat=True)}
    return Write(
        reverse("recognition:written_ballot", args=[session.pk, absent]),
        data,
        lambda: BallotReceipt.objects.filter(session=session, member_id=absent, written=True).exists(),
    )


WRITTEN_BALLOTS = Resource(
    name="award-council-written-ballots",
    make=_absent_session,
    marker=lambda s: s.title,
    approve=_written,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)

COUNCIL_ROWS = [
    COUNCILS,
    COUNCIL_EDIT,
    COUNCIL_MEMBER_ADD,
    COUNCIL_MEMBER_EDIT,
    COUNCIL_MEMBER_DEACTIVATE,
    SESSION_CREATE,
    SESSIONS,
    SESSION_EDIT,
    SESSION_ATTENDANCE,
    SESSION_ITEMS_ADD,
    SESSION_ITEM_REMOVE,
    SESSION_OPEN,
    SESSION_CLOSE,
    CLOSED_SESSIONS,
    BALLOTS,
    WRITTEN_BALLOTS,
]
