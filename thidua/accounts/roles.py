"""Roles and the permissions they grant: a leaf module that every app may import."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    UNIT_ADMIN = "unit_admin", _("Quản trị đơn vị")
    OFFICER = "officer", _("Cán bộ thi đua")
    COUNCIL = "council", _("Thành viên Hội đồng TĐKT")
    EDITOR = "editor", _("Biên tập viên")
    VIEWER = "viewer", _("Người xem")


class Perm:
    VIEW = "view"
    VIEW_SENSITIVE = "view_sensitive"  # phone, ID number, date of birth of members
    MANAGE_MEMBERS = "manage_members"
    MANAGE_UNITS = "manage_units"  # edit a unit; create, move, merge, delete its children
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_EMULATION = "manage_emulation"  # plans, registrations, urging, accepting
    PUBLISH = "publish"  # write, schedule and publish the unit's articles on the public portal


ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            Perm.VIEW,
            Perm.VIEW_SENSITIVE,
            Perm.MANAGE_MEMBERS,
            Perm.MANAGE_UNITS,
            Perm.MANAGE_ACCOUNTS,
            Perm.MANAGE_EMULATION,
            Perm.PUBLISH,
        }
    ),
    Role.UNIT_ADMIN: frozenset(
        {Perm.VIEW, Perm.VIEW_SENSITIVE, Perm.MANAGE_MEMBERS, Perm.MANAGE_UNITS, Perm.MANAGE_ACCOUNTS}
    ),
    Role.OFFICER: frozenset({Perm.VIEW, Perm.VIEW_SENSITIVE, Perm.MANAGE_MEMBERS, Perm.MANAGE_EMULATION}),
    Role.COUNCIL: frozenset({Perm.VIEW}),
    Role.EDITOR: frozenset({Perm.VIEW, Perm.PUBLISH}),
    Role.VIEWER: frozenset({Perm.VIEW}),
}
