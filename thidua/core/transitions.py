"""One way to change state, for every workflow (plans, registrations, articles, and what comes next).

A workflow model has a ``status`` field, declares its transitions as data
(``ISSUE = Transition("issue", source=(DRAFT,), target=ISSUED, policy=...)``)
and keeps its history in an event model built on ``StateEvent`` whose foreign
key to it has ``related_name="events"``. ``apply`` then:

1. checks the actor against the transition's policy (``PermissionDenied``);
2. runs a conditional UPDATE from the state the person saw (``seen``, sent back by
   the page's form), so when two people act at once exactly one wins and the
   other gets a ``ValidationError``, and a decision made on an outdated page fails;
3. writes the event row (who, when, from, to, why) in the same transaction;
4. after commit, sends ``state_changed`` (for listeners such as audit exports or
   webhooks). Callers write their notifications in the same transaction
   (``thidua.notifications.services.notify`` sends e-mail only after commit), so
   nothing is announced that was rolled back.

Authorisation has two layers: ``@scoped(Model, perm=...)`` on the view is the floor
(who may touch the object at all), the transition's ``policy`` is the rule (who may
make this move); ``can_<action>(user)`` on the model asks the same policy for buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

M = TypeVar("M", bound=models.Model)

# sender=the model class; kwargs: instance, transition, event, by.
state_changed = Signal()


def _anyone(user: Any, obj: Any) -> bool:
    return True


@dataclass(frozen=True)
class Transition:
    """A named move from one of ``source`` to ``target``, allowed to whom ``policy`` says."""

    name: str
    source: tuple[str, ...]
    target: str
    policy: Callable[[Any, Any], bool] = field(default=_anyone, compare=False)
    # Shown when the object is no longer in a source state (someone acted first).
    stale_message: str | Promise = field(default="", compare=False)

    def allowed_from(self, status: str) -> bool:
        return status in self.source

    def available(self, obj: Any, user: Any) -> bool:
        """The button for this transition is shown: right state and the user may."""
        return self.allowed_from(obj.status) and bool(self.policy(user, obj))


def status_label(model: type[models.Model], status: str) -> str:
    """The label people read for a workflow model's status code ("submitted" → "Đã gửi cấp trên")."""
    choices = dict(cast("models.Field[Any, Any]", model._meta.get_field("status")).choices or [])
    return str(choices.get(status, status))


class StateEvent(models.Model):
    """A transition of a workflow object: who, when, from, to, why (subclasses add the object's key)."""

    from_status = models.CharField(gettext_lazy("từ trạng thái"), max_length=20, blank=True)
    to_status = models.CharField(gettext_lazy("sang trạng thái"), max_length=20)
    action = models.CharField(gettext_lazy("thao tác"), max_length=30, blank=True)
    reason = models.TextField(gettext_lazy("lý do"), blank=True)
    at = models.DateTimeField(gettext_lazy("lúc"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    def status_label(self, status: str) -> str:
        subject_model = self._meta.get_field(self.subject_field()).related_model  # no query for the subject
        return status_label(cast("type[models.Model]", subject_model), status)

    @property
    def from_label(self) -> str:
        return self.status_label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self.status_label(self.to_status)

    @classmethod
    def subject_field(cls) -> str:
        for f in cls._meta.get_fields():
            if isinstance(f, models.ForeignKey) and f.remote_field.related_name == "events":
                return f.name
        raise TypeError(f"{cls.__name__} has no foreign key with related_name='events'")


def event_model(model: type[models.Model]) -> tuple[type[StateEvent], str]:
    relation = model._meta.get_field("events")
    related = relation.related_model
    if not (isinstance(related, type) and issubclass(related, StateEvent)):
        raise TypeError(f"{model.__name__}.events is not a StateEvent model")
    return related, related.subject_field()


def _history_row(model: type[models.Model], pk: Any, event: StateEvent, reason: str) -> None:
    """A django-simple-history row of the object as it now is, many-to-many snapshots included
    (saved through simple-history itself; the status it writes again is the one just set)."""
    fresh = model._default_manager.get(pk=pk)
    fresh._history_user = event.by  # type: ignore[attr-defined]
    fresh._change_reason = reason[:100]  # type: ignore[attr-defined]
    fresh._history_date = event.at  # type: ignore[attr-defined]
    fresh.save(update_fields=["status"])


def _stale(model: type[models.Model], transition: Transition, status: str) -> ValidationError:
    label = status_label(model, status) if status else "?"
    template = str(transition.stale_message) or _(
        "Đang ở trạng thái “%(status)s”; thao tác không thực hiện được (có thể người khác vừa thao tác)."
    )
    return ValidationError(template % {"status": label})


def state_token(obj: models.Model) -> str:
    """What the person's page showed: the state and the last event (``draft.0``, ``submitted.42``).

    Forms send it back as ``seen``; the event id tells a registration returned and submitted
    again apart from the one the page showed, though both are "submitted".
    """
    events, subject = event_model(type(obj))
    last = events._default_manager.filter(**{subject: obj}).order_by("-pk").values_list("pk", flat=True).first()
    return f"{obj.status}.{last or 0}"  # type: ignore[attr-defined]


def apply(
    obj: M,
    transition: Transition,
    *,
    by: Any,
    reason: str = "",
    seen: str | None = None,
    changes: dict[str, Any] | None = None,
) -> M:
    """Move ``obj`` along ``transition`` (see the module docstring); returns it updated in memory.

    ``seen`` is the ``state_token`` of the person's page (forms send it back): when the object
    has moved since, nothing happens and they are told, even if the move is allowed from the
    new state (a registration returned and submitted again is not accepted from an old page).
    ``by=None`` is the system itself (demo loader, commands): no policy check.
    ``changes`` are further fields written in the same UPDATE (e.g. ``decided_by``);
    ``auto_now`` fields (``updated_at``) are written too, as ``save()`` would.
    """
    changes = dict(changes or {})
    if "status" in changes:
        raise ValueError("the transition sets the status; do not pass it in changes")
    model = type(obj)
    for f in model._meta.concrete_fields:
        if getattr(f, "auto_now", False):
            changes.setdefault(f.name, timezone.now())
    if by is not None and not transition.policy(by, obj):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    current = obj.status  # type: ignore[attr-defined]
    if not transition.allowed_from(current) or (seen and seen != state_token(obj)):
        raise _stale(model, transition, current)
    events, subject = event_model(model)
    with transaction.atomic():
        updated = model._default_manager.filter(pk=obj.pk, status=current).update(status=transition.target, **changes)
        if updated != 1:
            now = model._default_manager.filter(pk=obj.pk).values_list("status", flat=True).first()
            raise _stale(model, transition, now or "")
        event = events._default_manager.create(
            **{subject: obj},
            from_status=current,
            to_status=transition.target,
            action=transition.name,
            reason=reason,
            by=by if getattr(by, "pk", None) else None,
        )
        obj.status = transition.target  # type: ignore[attr-defined]
        for name, value in changes.items():
            setattr(obj, name, value)
        if hasattr(model, "history"):
            _history_row(model, obj.pk, event, reason or transition.name)
        transaction.on_commit(
            lambda: state_changed.send(model, instance=obj, transition=transition, event=event, by=by)
        )
    return obj


def record(obj: M, action: str, *, by: Any, reason: str = "", changes: dict[str, Any] | None = None) -> StateEvent:
    """An audited change that keeps the state (a deadline extended): written, then recorded the
    way a transition is, with an event row in the object's history and a simple-history row."""
    model = type(obj)
    events, subject = event_model(model)
    status = obj.status  # type: ignore[attr-defined]
    with transaction.atomic():
        if changes:
            model._default_manager.filter(pk=obj.pk).update(**changes)
            for name, value in changes.items():
                setattr(obj, name, value)
        event = events._default_manager.create(
            **{subject: obj},
            from_status=status,
            to_status=status,
            action=action,
            reason=reason,
            by=by if getattr(by, "pk", None) else None,
        )
        if hasattr(model, "history"):
            _history_row(model, obj.pk, event, reason or action)
    return event
