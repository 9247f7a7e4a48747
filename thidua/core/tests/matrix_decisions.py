"""Scope-matrix rows of award decisions: each decision is issued by the target unit (its lines are a
member of it), so it is seen from the target and above, never from a sibling or another branch.

Drafting, editing, issuing and revoking belong to the issuer's own emulation desk (the transition
policy ``decision_desk``), not to the levels above it: those rows declare ``approves_in=("own",)``,
so an officer above who sees the decision gets 403 and nothing changes.

To make every target able to award, the row gives its kind of unit the power to award Lao động
tiên tiến (the catalogue gives it to grassroots unions only, and district federations only until
30/06/2025)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse
from django.utils import timezone

from thidua.accounts.roles import Perm
from thidua.core.tests.matrix_rows import GIVEN
from thidua.recognition import decisions
from thidua.recognition.catalogue import load
from thidua.recognition.models import (
    AwardDecision,
    AwardingPower,
    AwardKind,
    Candidate,
    DecisionLine,
    Nomination,
)
from thidua.scope_matrix import Resource, Write
from thidua.testing import make_member

YEAR = 2025
_n = itertools.count(1)


def _candidate(target, relation):
    if not AwardKind.objects.filter(code="ldtt").exists():
        load()
    ldtt = AwardKind.objects.get(code="ldtt")
    if not AwardingPower.objects.filter(
        award_kind=ldtt, unit_kind=target.kind, valid_from=None, valid_to=None
    ).exists():
        AwardingPower.objects.create(award_kind=ldtt, unit_kind=target.kind, source="scope matrix")
    member = make_member(target, f"Người được khen {GIVEN[relation]} {relation}")
    dossier = Nomination.objects.create(
        proposer=target,
        holder=target,
        title="Đề nghị khen thưởng",
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
        status=Nomination.Status.TAKEN,
    )
    return Candidate.objects.create(
        nomination=dossier, kind=ldtt, member=member, unit=target, outcome=Candidate.Outcome.PASSED
    )


def _draft(world, relation, target, size=1):
    number = next(_n)
    return decisions.decision_draft(
        target,
        candidates=[_candidate(target, relation) for _ in range(size)],
        title=f"Khen thưởng {GIVEN[relation]} {relation} số {number}",
        issued_on=dt.date(2026, 1, 15),
        place="Alpha",
        achievement=f"Thành tích năm {YEAR}",
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
        signer_name="Nguyễn Văn Ký",
        by=None,
    )


def _issued(world, relation, target):
    return decisions.decision_issue(decision=_draft(world, relation, target), by=None, issued_on=dt.date(2026, 1, 15))


def _status(decision):
    return AwardDecision.objects.get(pk=decision.pk).status


def _issue(decision):
    return Write(
        url=reverse("recognition:decision_issue", args=[decision.pk]),
        data={"issued_on": timezone.localdate().strftime("%d/%m/%Y")},
        took_effect=lambda: _status(decision) == AwardDecision.Status.ISSUED,
    )


def _revoke(decision):
    return Write(
        url=reverse("recognition:decision_revoke", args=[decision.pk]),
        data={"reason": "Thu hồi thử"},
        took_effect=lambda: _status(decision) == AwardDecision.Status.REVOKED,
    )


def _edit(decision):
    data = {
        "title": f"{decision.title} (đã sửa)",
        "issued_on": "15/01/2026",
        "place": "Alpha",
        "achievement": decision.achievement,
        "period_start": "01/01/2025",
        "period_end": "31/12/2025",
        "signer_capacity": "TM. BAN THƯỜNG VỤ",
        "signer_position": "CHỦ TỊCH",
        "signer_name": "Nguyễn Văn Ký",
    }
    return Write(
        url=reverse("recognition:decision_edit", args=[decision.pk]),
        data=data,
        took_effect=lambda: AwardDecision.objects.get(pk=decision.pk).title.endswith("(đã sửa)"),
    )


def _two_lines(world, relation, target):
    return _draft(world, relation, target, size=2)


def _remove_line(decision):
    line = DecisionLine.objects.filter(decision=decision).order_by("pk").first()
    assert line is not None
    return Write(
        url=reverse("recognition:decision_line_remove", args=[line.pk]),
        data={},
        took_effect=lambda: not DecisionLine.objects.filter(pk=line.pk).exists(),
    )


def _with_spare(world, relation, target):
    decision = _draft(world, relation, target)
    decision.spare = _candidate(target, relation)  # type: ignore[attr-defined]
    return decision


def _add_line(decision):
    spare = decision.spare
    return Write(
        url=reverse("recognition:decision_line_add", args=[decision.pk]),
        data={"candidates": [spare.pk]},
        took_effect=lambda: DecisionLine.objects.filter(decision=decision, candidate=spare).exists(),
    )


DECISIONS = Resource(
    name="decisions",
    make=_draft,
    marker=lambda d: d.title,
    list_urls=[lambda d: reverse("recognition:decisions")],
    export_urls=[lambda d: reverse("recognition:decisions") + "?format=xlsx"],
    detail_url=lambda d: reverse("recognition:decision", args=[d.pk]),
    more_detail_urls=[lambda d: reverse("recognition:decision_docx", args=[d.pk])],
    approve=_issue,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),
)

DECISION_EDIT = Resource(
    name="decision-edit",
    make=_draft,
    marker=lambda d: d.title,
    approve=_edit,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),
)

DECISION_LINE_ADD = Resource(
    name="decision-line-add",
    make=_with_spare,
    marker=lambda d: d.title,
    approve=_add_line,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),
)

DECISION_LINE_REMOVE = Resource(
    name="decision-line-remove",
    make=_two_lines,
    marker=lambda d: d.title,
    approve=_remove_line,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),
)

ISSUED_DECISIONS = Resource(
    name="decisions-issued",
    make=_issued,
    marker=lambda d: d.title,
    detail_url=lambda d: reverse("recognition:decision", args=[d.pk]),
    more_detail_urls=[lambda d: reverse("recognition:decision_certificates", args=[d.pk])],
    approve=_revoke,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),
)

DECISION_ROWS = [DECISIONS, DECISION_EDIT, DECISION_LINE_ADD, DECISION_LINE_REMOVE, ISSUED_DECISIONS]
