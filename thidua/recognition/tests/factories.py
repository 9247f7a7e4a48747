"""Recognition test helpers: the shipped catalogue, awards and yearly records built through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from thidua.recognition import services
from thidua.recognition.catalogue import load
from thidua.recognition.eligibility import InitiativeRef, Verdict, check
from thidua.recognition.models import Award, AwardKind

YEAR = 2025


def catalogue() -> None:
    load()


def kind(code: str) -> AwardKind:
    return AwardKind.objects.get(code=code)


def give(recipient: Any, code: str, year: int = YEAR, *, end: dt.date | None = None, refs: Iterable[int] = ()) -> Award:
    """An award of ``code`` to a member (or a unit) for the achievement year ``year``."""
    from thidua.members.models import Member

    who = {"member": recipient} if isinstance(recipient, Member) else {"unit": recipient}
    return services.award_create(
        kind=kind(code),
        period_end=end or dt.date(year, 12, 31),
        decided_on=(end or dt.date(year, 12, 31)) + dt.timedelta(days=20),
        decision_ref=f"{year}/QĐ-TEST",
        initiative_refs=refs,
        by=None,
        **who,
    )


def rate(recipient: Any, year: int = YEAR, rating: str = "excellent", **values: Any) -> Any:
    from thidua.members.models import Member

    who = {"member": recipient} if isinstance(recipient, Member) else {"unit": recipient}
    return services.annual_record_save(year=year, by=None, rating=rating, **who, **values)


class FakeInitiatives:
    """Stands in for thidua.initiatives: ``refs`` per member id, filtered by date as the real source is."""

    def __init__(self, refs: dict[int, list[InitiativeRef]] | None = None) -> None:
        self.refs = refs or {}
        self.calls = 0

    def add(self, member: Any, initiative_id: int, on: dt.date, scope: str = "unit") -> None:
        self.refs.setdefault(member.pk, []).append(
            InitiativeRef(id=initiative_id, member_id=member.pk, scope=scope, on=on, name=f"SK-{initiative_id}")
        )

    def __call__(self, member_ids: Any, start: dt.date, end: dt.date) -> dict[int, list[InitiativeRef]]:
        self.calls += 1
        return {
            m: [r for r in self.refs.get(m, []) if r.on is None or start <= r.on <= end]
            for m in member_ids
            if m in self.refs
        }


def verdict(candidate: Any, code: str, end: dt.date = dt.date(YEAR, 12, 31), **kwargs: Any) -> Verdict:
    kwargs.setdefault("initiative_source", FakeInitiatives())
    return check([candidate], kind(code), end, **kwargs)[candidate]


def reasons(v: Verdict) -> str:
    return "\n".join(v.messages)
