"""Who is told, and telling them: in-app notifications plus e-mail, after the change commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from thidua.accounts.models import RoleAssignment
from thidua.accounts.roles import Role
from thidua.notifications.models import Notification

# The roles that receive a unit's work: its emulation officers and unit administrators.
DESK_ROLES = (Role.OFFICER, Role.UNIT_ADMIN)


def officers_of(units: Iterable[Any]) -> dict[int, list[Any]]:
    """Active officers and unit administrators assigned exactly on each unit (one query)."""
    by_unit: dict[int, list[Any]] = {}
    for assignment in RoleAssignment.objects.filter(unit__in=list(units), role__in=DESK_ROLES).select_related("user"):
        if assignment.user.is_active and assignment.user not in by_unit.setdefault(assignment.unit_id, []):
            by_unit[assignment.unit_id].append(assignment.user)
    return by_unit


def notify(messages: Iterable[tuple[Any, str, str]], *, subject: str = "") -> int:
    """Tell each (person, message, url) in the app, and by e-mail when ``subject`` is given
    (to those with an address who have not turned e-mail off).

    One INSERT for all rows, in the caller's transaction; e-mail leaves only after it commits.
    """
    items = [(person, message[:500], url) for person, message, url in messages]
    Notification.objects.bulk_create(
        Notification(user=person, message=message, url=url) for person, message, url in items
    )
    if subject:
        mails = [
            (subject, f"{message}\n\n{settings.SITE_URL}{url}", settings.DEFAULT_FROM_EMAIL, [person.email])
            for person, message, url in items
            if person.email and getattr(person, "email_notifications", True)
        ]
        if mails:
            transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(items)


def notifications_read(*, user: Any) -> int:
    """Mark the user's unread notifications as read."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def email_preference_set(*, user: Any, on: bool) -> None:
    type(user).objects.filter(pk=user.pk).update(email_notifications=on)
    user.email_notifications = on
