"""What a unit sees, for things that act for a unit rather than a person (a webhook of a unit).

The answer is the scope mechanism's own: the object's ``scope_rule`` asked for a viewer holding
``Perm.VIEW`` on the unit, so a unit "sees" its subtree's rows and what is shared down to it (plans
issued above it), exactly as a person with that role would.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from thidua.accounts.roles import ROLE_PERMS, Perm, Role
from thidua.accounts.scope import Grant, Scope, rule_of


def viewer_scope(unit: Any) -> Scope:
    """The scope of a viewer assigned on ``unit``."""
    return Scope(grants=(Grant(path=unit.path, unit_id=unit.pk, role=Role.VIEWER, perms=ROLE_PERMS[Role.VIEWER]),))


def seen_from(unit: Any, obj: models.Model) -> bool:
    """Whether a viewer on ``unit`` may see ``obj`` (by the object's own ``scope_rule``)."""
    return rule_of(type(obj)).allows(obj, viewer_scope(unit), Perm.VIEW)
