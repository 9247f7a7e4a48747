"""Writes to accounts and role assignments."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from thidua.accounts.models import RoleAssignment, User
from thidua.accounts.roles import Perm, Role
from thidua.accounts.scope import forget_scope, scope_for
from thidua.core.text import clean_text

if TYPE_CHECKING:  # for annotations only: accounts sits below the tree's app
    from thidua.units.models import Unit

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9.@_+-]+$")


def _username_unusable() -> ValidationError:
    """The one refusal of a taken name, whoever holds it and wherever: a unit administrator
    learns that the name cannot be used, never in which branch, by whom or with what role."""
    return ValidationError({"username": _("Tên đăng nhập này không dùng được; hãy chọn tên khác.")})


@transaction.atomic
def user_create(*, username: str, full_name: str, email: str = "", password: str) -> User:
    """A new account. A taken name is refused last, after every other check of the input."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Tên đăng nhập không được để trống.")})
    if len(username) > 150 or not USERNAME_PATTERN.match(username):
        raise ValidationError(
            {"username": _("Tên đăng nhập chỉ gồm chữ không dấu, chữ số và các ký tự . _ - @ (tối đa 150 ký tự).")}
        )
    user = User(username=username, full_name=clean_text(full_name), email=email.strip())
    validate_password(password, user)
    if User.objects.filter(username__iexact=username).exists():
        raise _username_unusable()
    user.set_password(password)
    user.save()
    return user


def account_for_grant(*, username: str, by: Any) -> User | None:
    """The existing account ``by`` may give a role to, or None: the name is free, or taken by
    an account ``by`` may not reach.

    Outside a system administrator's hands, an existing account is usable only
    if it already holds a role inside ``by``'s account-management scope: a unit
    administrator cannot reach into another branch and widen someone's access
    there, nor learn who owns a username.
    """
    account = User.objects.filter(username__iexact=username.strip()).first()
    if account is None:
        return None
    scope = scope_for(by)
    if scope.is_global:
        return account
    if (
        account.is_superuser
        or not RoleAssignment.objects.filter(user=account).visible_to(by, Perm.MANAGE_ACCOUNTS).exists()
    ):
        return None
    return account


@transaction.atomic
def assignment_grant(
    *, username: str, unit: Unit, role: str, by: Any, full_name: str = "", email: str = "", password: str = ""
) -> RoleAssignment:
    """Give a role to an account in ``by``'s scope, creating the account when the name is free.

    A name taken outside ``by``'s scope is treated as a new account until the very end: every
    other field is checked first, so the only answer that tells a taken name from a free one
    is given to a request that would have created the account (and its audited role) had the
    name been free. Probing names is never free of traces; that a name is taken at all cannot
    be hidden from someone who may create accounts in one namespace.
    """
    account = account_for_grant(username=username, by=by)
    if account is None:
        if not password:
            raise ValidationError({"password": _("Tài khoản mới cần mật khẩu ban đầu.")})
        assignment_check(unit=unit, role=role, by=by)
        account = user_create(username=username, full_name=full_name, email=email, password=password)
    return assignment_create(user=account, unit=unit, role=role, by=by)


def assignment_check(*, unit: Unit, role: str, by: Any) -> None:
    """Refuse a role ``by`` may not give on ``unit``. Only a system administrator grants that role."""
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    scope = scope_for(by)
    if not scope.allows(unit.path, Perm.MANAGE_ACCOUNTS):
        raise ValidationError(_("Bạn không có quyền phân quyền trên đơn vị này."))
    if role == Role.ADMIN and not (scope.is_global or Role.ADMIN in scope.roles_at(unit.path)):
        raise ValidationError({"role": _("Chỉ quản trị hệ thống mới giao được vai trò quản trị hệ thống.")})
    if not unit.is_active:
        raise ValidationError({"unit": _("Không thể phân quyền trên đơn vị đã giải thể.")})


@transaction.atomic
def assignment_create(*, user: User, unit: Unit, role: str, by: Any) -> RoleAssignment:
    """Give ``user`` a role on ``unit`` (checked by ``assignment_check``)."""
    assignment_check(unit=unit, role=role, by=by)
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
