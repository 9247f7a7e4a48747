"""Writes to accounts and role assignments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from thidua.accounts.models import Role, RoleAssignment, User
from thidua.accounts.scope import Perm, forget_scope, scope_for
from thidua.units.models import Unit


@transaction.atomic
def user_create(*, username: str, full_name: str, email: str = "", password: str) -> User:
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Tên đăng nhập không được để trống.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập này đã có.")})
    user = User(username=username, full_name=full_name.strip(), email=email.strip())
    validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def assignment_create(*, user: User, unit: Unit, role: str, by: Any) -> RoleAssignment:
    """Give ``user`` a role on ``unit``. Only a system administrator may grant that role."""
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    scope = scope_for(by)
    if not scope.allows(unit.path, Perm.MANAGE_ACCOUNTS):
        raise ValidationError(_("Bạn không có quyền phân quyền trên đơn vị này."))
    if role == Role.ADMIN and not (scope.is_global or Role.ADMIN in scope.roles_at(unit.path)):
        raise ValidationError({"role": _("Chỉ quản trị hệ thống mới giao được vai trò quản trị hệ thống.")})
    if not unit.is_active:
        raise ValidationError({"unit": _("Không thể phân quyền trên đơn vị đã giải thể.")})
    assignment = RoleAssignment(user=user, unit=unit, role=role, created_by=by)
    assignment._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(_("Tài khoản đã có vai trò này trên đơn vị này.")) from None
    forget_scope(user)
    return assignment


@transaction.atomic
def assignment_revoke(*, assignment: RoleAssignment, by: Any) -> None:
    if assignment.user_id == getattr(by, "pk", None) and assignment.role in (Role.ADMIN, Role.UNIT_ADMIN):
        raise ValidationError(_("Bạn không thể tự thu hồi quyền quản trị của chính mình."))
    if assignment.role == Role.ADMIN:
        scope = scope_for(by)
        if not (scope.is_global or Role.ADMIN in scope.roles_at(assignment.unit.path)):
            raise ValidationError(_("Chỉ quản trị hệ thống mới thu hồi được vai trò này."))
    assignment._history_user = by  # type: ignore[attr-defined]
    assignment.delete()
    forget_scope(assignment.user)
