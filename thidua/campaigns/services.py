"""Writes to plans: numbering, life cycle, cascade down the tree, urging.

Every transition goes through ``thidua.core.transitions.apply``: a conditional
UPDATE on the status (two officers acting at once cannot both win) plus a
PlanEvent row (who, when, from, to, why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.campaigns.models import (
    Content,
    Criterion,
    DocumentCounter,
    Obligation,
    Plan,
    PlanAttachment,
    PlanEvent,
    Reminder,
    Round,
    SigningCapacity,
)
from thidua.core.html import sanitize_html
from thidua.core.text import clean_text, fold
from thidua.core.transitions import Transition, apply
from thidua.core.uploads import check_upload
from thidua.notifications.services import notify, officers_of
from thidua.units.models import Unit

PLAN_FIELDS = (
    "doc_type",
    "number",
    "issued_on",
    "place",
    "title",
    "summary",
    "purpose",
    "legal_basis",
    "window_start",
    "window_end",
    "registration_deadline",
    "signer_name",
    "signer_position",
    "signing_capacity",
    "signing_for",
    "recipients",
)


# Sent inside plan_issue's transaction, once the obligations exist: later acts of a campaign
# (the reporting calendar) extend an issued plan here, and roll back with it.
plan_issued = Signal()


def _lines(value: str) -> str:
    return "\n".join(line for line in (clean_text(x) for x in (value or "").splitlines()) if line)


def reserve_numbers(*, issuer: Unit, doc_type: str, year: int, count: int = 1) -> range:
    """``count`` consecutive numbers of this issuer, type and year, reserved at once; safe under
    concurrency (decisions reserve one gold-book number per recipient in one statement).

    One INSERT … ON CONFLICT DO UPDATE … RETURNING (PostgreSQL and SQLite ≥ 3.35)
    both creates the counter and moves it on atomically.
    """
    if count < 1:
        return range(0)
    table = DocumentCounter._meta.db_table
    sql = (
        f"INSERT INTO {table} (issuer_id, doc_type, year, last_number) VALUES (%s, %s, %s, %s) "  # noqa: S608 - table name from the model
        f"ON CONFLICT (issuer_id, doc_type, year) DO UPDATE SET last_number = {table}.last_number + excluded.last_number "
        "RETURNING last_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [issuer.pk, doc_type, year, count])
        last = int(cursor.fetchone()[0])
    return range(last - count + 1, last + 1)


def next_number(*, issuer: Unit, doc_type: str, year: int, taken: Callable[[int], bool] | None = None) -> int:
    """The next free number of this issuer, type and year; safe under concurrency.

    Numbers already used are skipped: ``taken(number)`` says so (by default, a plan of this
    issuer, type and year has it — numbers typed by hand into drafts).
    """

    def plan_has(number: int) -> bool:
        return Plan.objects.filter(issuer=issuer, doc_type=doc_type, year=year, number=number).exists()

    used = taken or plan_has
    while True:
        number = reserve_numbers(issuer=issuer, doc_type=doc_type, year=year)[0]
        if not used(number):
            return number


def _validate_plan(plan: Plan) -> None:
    errors: dict[str, str] = {}
    if not plan.title:
        errors["title"] = _("Hãy nhập trích yếu của kế hoạch.")
    if not plan.place:
        errors["place"] = _("Hãy nhập địa danh (ví dụ: Bắc Kạn).")
    if plan.window_start and plan.window_end and plan.window_end < plan.window_start:
        errors["window_end"] = _("Thời gian kết thúc phải sau thời gian bắt đầu.")
    if plan.registration_deadline and plan.window_end and plan.registration_deadline > plan.window_end:
        errors["registration_deadline"] = _("Hạn đăng ký phải trong thời gian thi đua.")
    if plan.number is not None and plan.number < 1:
        errors["number"] = _("Số văn bản phải từ 1 trở lên.")
    if plan.parent_id:
        parent = plan.parent
        if parent and (plan.window_start < parent.window_start or plan.window_end > parent.window_end):
            errors["window_start"] = _(
                "Thời gian thực hiện phải nằm trong thời gian của kế hoạch cấp trên (%(start)s – %(end)s)."
            ) % {
                "start": parent.window_start.strftime("%d/%m/%Y"),
                "end": parent.window_end.strftime("%d/%m/%Y"),
            }
    if errors:
        raise ValidationError(errors)
    clash = Plan.objects.filter(issuer_id=plan.issuer_id, doc_type=plan.doc_type, year=plan.year, number=plan.number)
    if clash.exclude(pk=plan.pk).exists():
        raise ValidationError(
            {
                "number": _("Số %(number)s đã được dùng trong năm %(year)s.")
                % {"number": plan.document_number, "year": plan.year}
            }
        )


def _clean_fields(plan: Plan) -> None:
    plan.title = clean_text(plan.title)
    plan.summary = (plan.summary or "").strip()
    plan.place = clean_text(plan.place)
    plan.purpose = sanitize_html(plan.purpose)
    plan.legal_basis = _lines(plan.legal_basis)
    plan.recipients = _lines(plan.recipients)
    plan.signer_name = clean_text(plan.signer_name)
    plan.signer_position = clean_text(plan.signer_position).upper()
    plan.signing_for = clean_text(plan.signing_for).upper()
    plan.year = plan.issued_on.year


def _refresh_search(plan: Plan) -> None:
    plan.search_text = fold(f"{plan.document_number} {plan.title}")[:700]


@transaction.atomic
def plan_create(
    *, issuer: Unit, by: Any = None, parent: Plan | None = None, titles: Iterable[Any] = (), **fields: Any
) -> Plan:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_create does not take {sorted(unknown)}")
    if not issuer.is_active:
        raise ValidationError(_("Đơn vị đã giải thể không ban hành được kế hoạch."))
    plan = Plan(issuer=issuer, parent=parent, created_by=by, **fields)
    if parent is not None:
        plan.root_id = parent.root_id or parent.pk
    if not plan.doc_type:
        plan.doc_type = "KH"
    _clean_fields(plan)
    if not plan.number:
        plan.number = next_number(issuer=issuer, doc_type=plan.doc_type, year=plan.year)
    _validate_plan(plan)
    _refresh_search(plan)
    plan._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError({"number": _("Số văn bản vừa được dùng; hãy lưu lại.")}) from None
    if titles:
        plan.titles.set(titles)
    PlanEvent.objects.create(plan=plan, to_status=Plan.Status.DRAFT, action="create", by=by)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, by: Any = None, titles: Iterable[Any] | None = None, **fields: Any) -> Plan:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_update does not change {sorted(unknown)}")
    plan = Plan.objects.select_for_update(of=("self",)).select_related("issuer", "parent").get(pk=plan.pk)
    if not plan.is_draft:
        raise ValidationError(_("Chỉ sửa được kế hoạch khi còn là dự thảo."))
    for key, value in fields.items():
        setattr(plan, key, value)
    _clean_fields(plan)
    _validate_plan(plan)
    _refresh_search(plan)
    plan._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError({"number": _("Số văn bản đã được dùng.")}) from None
    if titles is not None:
        plan.titles.set(titles)
    return plan


def _require_draft(plan: Plan) -> None:
    """Parts of a plan change only while it is a draft; the row lock makes an issue wait for the edit."""
    if not Plan.objects.select_for_update().filter(pk=plan.pk, status=Plan.Status.DRAFT).values_list("pk").first():
        raise ValidationError(_("Chỉ sửa được kế hoạch khi còn là dự thảo."))


@transaction.atomic
def content_save(
    *, plan: Plan, content: Content | None = None, name: str, description: str = "", required: bool = True
) -> Content:
    _require_draft(plan)
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": _("Hãy nhập tên nội dung thi đua.")})
    if content is None:
        content = Content(plan=plan, position=plan.contents.count() + 1)
    elif content.source_id and content.source and content.source.required and not required:
        raise ValidationError({"required": _("Nội dung bắt buộc của kế hoạch cấp trên phải giữ là bắt buộc.")})
    content.name = name
    content.description = (description or "").strip()
    content.required = required
    content.save()
    return content


@transaction.atomic
def content_delete(*, content: Content) -> None:
    _require_draft(content.plan)
    if content.source_id and content.source and content.source.required:
        raise ValidationError(
            _("Không thể bỏ nội dung bắt buộc của kế hoạch cấp trên: “%(name)s”.") % {"name": content.name}
        )
    content.delete()


@transaction.atomic
def criterion_save(*, content: Content, criterion: Criterion | None = None, **fields: Any) -> Criterion:
    _require_draft(content.plan)
    criterion = criterion or Criterion(content=content, position=content.criteria.count() + 1)
    for key, value in fields.items():
        setattr(criterion, key, value)
    criterion.name = clean_text(criterion.name)
    errors: dict[str, str] = {}
    if not criterion.name:
        errors["name"] = _("Hãy nhập tên tiêu chí.")
    if criterion.kind == Criterion.Kind.NUMBER and criterion.target is None:
        errors["target"] = _("Tiêu chí số lượng cần có chỉ tiêu.")
    if criterion.kind == Criterion.Kind.SCORE and (criterion.max_score is None or criterion.max_score <= 0):
        errors["max_score"] = _("Tiêu chí chấm điểm cần điểm tối đa lớn hơn 0.")
    for field in ("target", "weight", "max_score"):
        value = getattr(criterion, field)
        if value is not None and value < 0:
            errors[field] = _("Giá trị không được âm.")
    source = criterion.source
    if source is not None and source.comparable_target is not None:
        mine = criterion.comparable_target
        if mine is None or mine < source.comparable_target:
            errors["target"] = _("Không được hạ chỉ tiêu của cấp trên (%(value)s).") % {
                "value": source.comparable_target
            }
    if errors:
        raise ValidationError(errors)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion) -> None:
    _require_draft(criterion.content.plan)
    if (
        criterion.source_id
        and criterion.content.source_id
        and criterion.content.source
        and criterion.content.source.required
    ):
        raise ValidationError(_("Không thể bỏ tiêu chí của nội dung bắt buộc cấp trên."))
    criterion.delete()


@transaction.atomic
def round_save(*, plan: Plan, name: str, start: dt.date, end: dt.date) -> Round:
    _require_draft(plan)
    if end < start:
        raise ValidationError({"end": _("Đợt thi đua phải kết thúc sau khi bắt đầu.")})
    if start < plan.window_start or end > plan.window_end:
        raise ValidationError({"start": _("Đợt thi đua phải nằm trong thời gian của kế hoạch.")})
    return Round.objects.create(plan=plan, name=clean_text(name), start=start, end=end)


def _transition(
    plan: Plan, transition: Transition, *, by: Any, reason: str = "", seen: str | None = None, **changes: Any
) -> Plan:
    apply(plan, transition, by=by, reason=reason, seen=seen, changes=changes)
    return Plan.objects.select_related("issuer", "parent").get(pk=plan.pk)


def _check_implementation(plan: Plan) -> None:
    """An implementation plan keeps every required content of its parent and no lower target."""
    parent = plan.parent
    if parent is None:
        return
    kept = set(plan.contents.exclude(source__isnull=True).values_list("source_id", flat=True))
    missing = [c.name for c in parent.contents.filter(required=True) if c.pk not in kept]
    if missing:
        raise ValidationError(
            _("Kế hoạch thực hiện thiếu nội dung bắt buộc của cấp trên: %(names)s.") % {"names": "; ".join(missing)}
        )
    for criterion in Criterion.objects.filter(content__plan=plan, source__isnull=False).select_related("source"):
        if criterion.source is None:
            continue
        theirs, mine = criterion.source.comparable_target, criterion.comparable_target
        if theirs is not None and (mine is None or mine < theirs):
            raise ValidationError(
                _("Tiêu chí “%(name)s” có chỉ tiêu thấp hơn của cấp trên (%(value)s).")
                % {"name": criterion.name, "value": theirs}
            )


@transaction.atomic
def plan_issue(
    *,
    plan: Plan,
    by: Any,
    due_on: dt.date | None = None,
    units: Iterable[Unit] | None = None,
    seen: str | None = None,
) -> Plan:
    """Issue a draft: it gets its final form, and each chosen child unit an obligation.

    By default every active direct child of the issuer must issue its own
    implementation plan within 15 days (``due_on`` overrides). The due date lies between the
    issue date and the end of the campaign's window; when the issuer has units below it, at
    least one is chosen (an empty choice would silently give the plan to nobody).
    """
    plan = Plan.objects.select_related("issuer", "parent").get(pk=plan.pk)
    if not plan.contents.exists():
        raise ValidationError(_("Kế hoạch cần ít nhất một nội dung thi đua trước khi ban hành."))
    _validate_plan(plan)
    _check_implementation(plan)
    if plan.parent and plan.parent.status not in Plan.PUBLISHED:
        raise ValidationError(_("Kế hoạch cấp trên không còn hiệu lực."))
    children = list(Unit.objects.filter(parent=plan.issuer, dissolved_on__isnull=True))
    targets = list(units) if units is not None else children
    if children and not targets:
        raise ValidationError({"units": _("Hãy chọn ít nhất một đơn vị trực thuộc được giao thực hiện kế hoạch.")})
    if any(u.parent_id != plan.issuer_id for u in targets):
        raise ValidationError(_("Chỉ giao thực hiện cho đơn vị trực thuộc trực tiếp của đơn vị ban hành."))
    due = due_on or min(plan.issued_on + dt.timedelta(days=15), max(plan.window_end, plan.issued_on))
    if due < plan.issued_on:
        raise ValidationError(
            {
                "due_on": _("Hạn ban hành kế hoạch thực hiện (%(due)s) không được trước ngày ban hành (%(issued)s).")
                % {"due": due.strftime("%d/%m/%Y"), "issued": plan.issued_on.strftime("%d/%m/%Y")}
            }
        )
    if due > plan.window_end:
        raise ValidationError(
            {
                "due_on": _("Hạn ban hành kế hoạch thực hiện (%(due)s) phải trong thời gian thi đua (đến %(end)s).")
                % {"due": due.strftime("%d/%m/%Y"), "end": plan.window_end.strftime("%d/%m/%Y")}
            }
        )
    label = " › ".join(
        [
            *Unit.objects.filter(path__in=plan.issuer.ancestor_paths())
            .order_by("depth")
            .values_list("name", flat=True),
            plan.issuer.name,
        ]
    )
    plan = _transition(
        plan,
        Plan.ISSUE,
        by=by,
        seen=seen,
        issuer_label=label[:600],
        issuer_short_name=plan.issuer.short_name or plan.issuer.code,
    )
    Obligation.objects.bulk_create([Obligation(plan=plan, unit=u, due_on=due) for u in targets], ignore_conflicts=True)
    if plan.parent_id:
        Obligation.objects.filter(plan_id=plan.parent_id, unit_id=plan.issuer_id, implementation__isnull=True).update(
            implementation=plan, fulfilled_on=plan.issued_on
        )
    plan_issued.send(Plan, plan=plan)
    return plan


@transaction.atomic
def plan_recall(*, plan: Plan, by: Any, reason: str, seen: str | None = None) -> Plan:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do thu hồi.")})
    plan = _transition(plan, Plan.RECALL, by=by, reason=reason, seen=seen, recall_reason=reason)
    Obligation.objects.filter(implementation=plan).update(implementation=None, fulfilled_on=None)
    return plan


@transaction.atomic
def plan_close(*, plan: Plan, by: Any, reason: str = "", seen: str | None = None) -> Plan:
    return _transition(plan, Plan.CLOSE, by=by, reason=reason, seen=seen)


def _campaign_title(plan: Plan) -> str:
    root = plan if plan.root_id is None else Plan.objects.only("title").get(pk=plan.root_id)
    return root.title


@transaction.atomic
def implementation_start(*, obligation: Obligation, by: Any, issued_on: dt.date | None = None) -> Plan:
    """A draft implementation plan pre-filled from the parent: contents, criteria, window, titles.

    ``issued_on`` (default today) also chooses the year whose numbering the draft takes, so a
    plan entered for an earlier year does not use up this year's numbers.
    """
    parent = obligation.plan
    existing = Plan.objects.filter(parent=parent, issuer=obligation.unit).exclude(status=Plan.Status.RECALLED).first()
    if existing:
        return existing
    unit = obligation.unit
    today = issued_on or timezone.localdate()
    plan = plan_create(
        issuer=unit,
        by=by,
        parent=parent,
        titles=parent.titles.all(),
        doc_type=parent.doc_type,
        issued_on=today,
        place=unit.document_place() or parent.place,
        # The campaign's own title, not the parent's "Thực hiện …: Thực hiện …: …".
        title=_("Thực hiện %(number)s: %(title)s")
        % {"number": parent.document_number, "title": _campaign_title(parent)},
        summary=parent.summary,
        purpose=parent.purpose,
        legal_basis="\n".join(
            [
                _("Căn cứ %(kind)s số %(number)s ngày %(date)s của %(issuer)s;")
                % {
                    "kind": parent.get_doc_type_display(),
                    "number": parent.document_number,
                    "date": parent.issued_on.strftime("%d/%m/%Y"),
                    "issuer": parent.issuer_label.rsplit(" › ", 1)[-1] or parent.issuer.name,
                }
            ]
        ),
        window_start=max(parent.window_start, today) if parent.window_end >= today else parent.window_start,
        window_end=parent.window_end,
        registration_deadline=parent.registration_deadline,
        recipients="\n".join([parent.issuer.name, _("Lưu: VT")]),
        # The usual signature of a union body's plan: the standing committee's chair (a grassroots
        # union's executive committee); the clerk adds the name.
        signing_capacity=SigningCapacity.ON_BEHALF,
        signing_for="BAN CHẤP HÀNH" if unit.kind.is_grassroots else "BAN THƯỜNG VỤ",
        signer_position="CHỦ TỊCH",
    )
    for content in parent.contents.prefetch_related("criteria"):
        copy = Content.objects.create(
            plan=plan,
            name=content.name,
            description=content.description,
            required=content.required,
            position=content.position,
            source=content,
        )
        Criterion.objects.bulk_create(
            [
                Criterion(
                    content=copy,
                    name=c.name,
                    applies_to=c.applies_to,
                    kind=c.kind,
                    unit_label=c.unit_label,
                    target=c.target,
                    weight=c.weight,
                    max_score=c.max_score,
                    position=c.position,
                    source=c,
                )
                for c in content.criteria.all()
            ]
        )
    return plan


@transaction.atomic
def obligations_urge(*, plan: Plan, by: Any, day: dt.date | None = None) -> tuple[int, int]:
    """Remind the officers of every late unit on the plan's board, once a day at most.

    The board lists the whole cascade below the plan's issuer (districts late on the
    province's plan, grassroots unions late on their district's), so urging reaches all of
    them; each is reminded of the plan it must implement. Returns (units reminded, units
    skipped because already reminded today).
    """
    day = day or timezone.localdate()
    root_id = plan.campaign_root_id
    late_qs = (
        Obligation.objects.filter(Q(plan_id=root_id) | Q(plan__root_id=root_id))
        .filter(
            unit__path__startswith=plan.issuer.path,
            implementation__isnull=True,
            due_on__lt=day,
            plan__status=Plan.Status.ISSUED,
        )
        .exclude(unit_id=plan.issuer_id)
        .select_related("unit", "plan", "plan__issuer")
        .order_by("unit__path")
    )
    if by is not None:
        late_qs = late_qs.visible_to(by)
    late = list(late_qs)
    officers = officers_of(o.unit for o in late)
    messages: list[tuple[Any, str, str]] = []
    reminded = skipped = 0
    for obligation in late:
        people = officers.get(obligation.unit_id, [])
        try:
            # The unique (obligation, day) row is the guard: a second click, or a
            # colleague urging at the same moment, finds it taken and sends nothing.
            with transaction.atomic():
                Reminder.objects.create(obligation=obligation, day=day, by=by, recipients=len(people))
        except IntegrityError:
            skipped += 1
            continue
        reminded += 1
        message = _("Đôn đốc: %(unit)s chưa ban hành kế hoạch thực hiện %(number)s (hạn %(due)s).") % {
            "unit": obligation.unit.name,
            "number": obligation.plan.document_number,
            "due": obligation.due_on.strftime("%d/%m/%Y"),
        }
        url = reverse("campaigns:detail", args=[obligation.plan_id])
        messages.extend((person, message, url) for person in people)
    notify(messages, subject=_("[Thi Đua] Đôn đốc ban hành kế hoạch"))
    return reminded, skipped


ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def attachment_add(*, plan: Plan, upload: Any, by: Any) -> Any:
    _require_draft(plan)
    try:
        name, content_type = check_upload(upload, max_bytes=ATTACHMENT_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    attachment = PlanAttachment(plan=plan, name=name, size=upload.size, content_type=content_type, uploaded_by=by)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment
