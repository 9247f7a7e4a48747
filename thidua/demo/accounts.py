"""The demo accounts: one password for all, listed in the README."""

from __future__ import annotations

from django.conf import settings

from thidua.accounts.models import Role, RoleAssignment, User
from thidua.units.models import Unit

# username, full name, unit code, roles, superuser
DEMO_ACCOUNTS = [
    ("admin", "Quản trị hệ thống", "TLD", [Role.ADMIN], True),
    ("tinh.thidua", "Lương Thị Quyên", "BK", [Role.OFFICER, Role.UNIT_ADMIN], False),
    ("hoidong", "Nông Văn Đức", "BK", [Role.COUNCIL], False),
    ("bientap", "Vi Thị Lan", "BK", [Role.EDITOR], False),
    ("babe.thidua", "Hoàng Thị Hạnh", "BK-BB", [Role.OFFICER, Role.UNIT_ADMIN], False),
    ("coso.babe", "Triệu Văn Minh", "BK-BB-001", [Role.OFFICER], False),
    ("coso.nari", "Đặng Thị Thu", "BK-NR-001", [Role.OFFICER], False),
]


def create_demo_accounts() -> list[User]:
    users = []
    for username, full_name, unit_code, roles, superuser in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        user.full_name = full_name
        user.is_superuser = superuser
        user.is_staff = superuser
        user.set_password(settings.THIDUA_DEMO_PASSWORD)
        user.save()
        unit = Unit.objects.get(code=unit_code)
        for role in roles:
            RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
        users.append(user)
    return users
