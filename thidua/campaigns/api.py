"""Plans in the JSON API: read with their contents, documents and attachments; the e-office writes.

Reads go through the scope mechanism exactly as the pages do (an issued plan is read by every
level below its issuer, a draft only on the issuer's side). The three writes an e-office system
needs go through the same services and checks as the pages: create a draft
(``services.plan_create``), attach the signed scan (``services.attachment_add``, which checks the
file by its bytes) and record the number and date the document was issued under
(``services.plan_update`` then ``services.plan_issue``, in one transaction). Each needs the
emulation permission on the issuer (403 without it, 404 outside the scope) and, with a token, a
read-write one.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import AfterValidator, Field, WithJsonSchema

from thidua.accounts.roles import Perm
from thidua.accounts.scope import get_for_user
from thidua.campaigns import services
from thidua.campaigns.documents import DOCX_MIME, plan_docx_response
from thidua.campaigns.models import Criterion, Obligation, Plan, PlanAttachment, PlanEvent, Title
from thidua.campaigns.selectors import PlanFilters, plan_rows
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, choice, page
from thidua.core.transitions import state_token
from thidua.core.uploads import download
from thidua.units.models import Unit

router = Router(tags=["plans"])
BINARY = {"schema": {"type": "string", "format": "binary"}}  # a file in an OpenAPI response

ID = {"ge": 1, "le": 2**62}
PLANS = Plan.objects.select_related("issuer", "parent")


# --- reading ---------------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str


class PlanOut(Schema):
    id: int
    document_number: str  # Decree 30 form: 07/KH-LĐLĐ
    doc_type: str
    number: int
    year: int
    issued_on: dt.date
    place: str
    title: str
    summary: str
    status: str
    issuer: UnitRef
    parent_id: int | None
    root_id: int | None  # the plan that launched the campaign (null for that plan itself)
    window_start: dt.date
    window_end: dt.date
    registration_deadline: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    document_url: str  # the Decree-30 .docx ("DỰ THẢO" while a draft)


class PlanPage(Schema):
    count: int
    items: list[PlanOut]


class CriterionOut(Schema):
    id: int
    name: str
    applies_to: str
    kind: str
    unit_label: str
    target: Decimal | None
    weight: Decimal | None
    max_score: Decimal | None
    source_id: int | None


class ContentOut(Schema):
    id: int
    name: str
    description: str
    required: bool
    source_id: int | None
    criteria: list[CriterionOut]


class RoundOut(Schema):
    id: int
    name: str
    start: dt.date
    end: dt.date


class TitleOut(Schema):
    id: int
    name: str
    kind: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    uploaded_at: dt.datetime
    download_url: str


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    reason: str


class PlanDetailOut(PlanOut):
    purpose: str  # sanitised HTML
    legal_basis: list[str]
    recipients: list[str]
    signer_name: str
    signer_position: str
    signing_capacity: str
    signing_for: str
    recall_reason: str
    contents: list[ContentOut]
    rounds: list[RoundOut]
    titles: list[TitleOut]
    attachments: list[AttachmentOut]
    events: list[EventOut]
    seen: str  # the state the caller saw; send it back with a transition to act only on this state


def _attachment(a: PlanAttachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "size": a.size,
        "content_type": a.content_type,
        "uploaded_at": a.uploaded_at,
        "download_url": reverse("api:plan_attachment", kwargs={"plan_id": a.plan_id, "attachment_id": a.pk}),
    }


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "document_number": plan.document_number,
        "doc_type": plan.doc_type,
        "number": plan.number,
        "year": plan.year,
        "issued_on": plan.issued_on,
        "place": plan.place,
        "title": plan.title,
        "summary": plan.summary,
        "status": plan.status,
        "issuer": {"id": plan.issuer_id, "name": plan.issuer.name},
        "parent_id": plan.parent_id,
        "root_id": plan.root_id,
        "window_start": plan.window_start,
        "window_end": plan.window_end,
        "registration_deadline": plan.registration_deadline,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
        "document_url": reverse("api:plan_document", kwargs={"plan_id": plan.pk}),
    }


def _plan_detail(plan_id: int, user: Any) -> dict[str, Any]:
    """One plan with its parts, in a fixed number of queries (the plan, then one per part)."""
    plan = get_for_user(
        PLANS.prefetch_related("rounds", "titles", "attachments")
        .prefetch_related(Prefetch("contents__criteria", Criterion.objects.order_by("position", "id")))
        .prefetch_related(Prefetch("events", PlanEvent.objects.order_by("at", "id"))),
        user,
        pk=plan_id,
    )
    events = list(plan.events.all())
    return {
        **_plan(plan),
        "purpose": plan.purpose,
        "legal_basis": plan.legal_basis.splitlines(),
        "recipients": plan.recipients.splitlines(),
        "signer_name": plan.signer_name,
        "signer_position": plan.signer_position,
        "signing_capacity": plan.signing_capacity,
        "signing_for": plan.signing_for,
        "recall_reason": plan.recall_reason,
        "contents": [
            {
                "id": c.pk,
                "name": c.name,
                "description": c.description,
                "required": c.required,
                "source_id": c.source_id,
                "criteria": list(c.criteria.all()),
            }
            for c in plan.contents.all()
        ],
        "rounds": list(plan.rounds.all()),
        "titles": list(plan.titles.all()),
        "attachments": [_attachment(a) for a in plan.attachments.all()],
        "events": events,
        "seen": f"{plan.status}.{events[-1].pk if events else 0}",  # core.transitions.state_token, from the rows read
    }


@router.get("/plans", response=PlanPage, summary="Plans in my scope")
def list_plans(
    request: HttpRequest,
    q: str = Query("", max_length=200),
    status: str | None = choice(Plan.Status.values),
    issuer: int | None = Query(None, **ID),
    parent: int | None = Query(None, **ID),
    campaign: int | None = Query(None, **ID),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    """Every plan I may read: my side's drafts and plans, and those issued above that apply to me.
    ``q`` searches as the plans page does (a document number such as ``07/KH-LĐLĐ`` first, then words
    without diacritics); ``issuer`` takes the units below it too; ``campaign`` gives the launching
    plan and its whole cascade of implementation plans."""
    qs = plan_rows(request.user, PlanFilters(tab="all", q=q[:100], status=status or ""))
    if issuer is not None:
        qs = qs.filter(issuer__path__startswith=get_for_user(Unit, request.user, pk=issuer).path)
    if parent is not None:
        qs = qs.filter(parent=get_for_user(Plan, request.user, pk=parent))
    if campaign is not None:
        root_id = get_for_user(Plan, request.user, pk=campaign).campaign_root_id
        qs = qs.filter(Q(pk=root_id) | Q(root_id=root_id))
    return page(qs.order_by(F("rank").asc(), "-issued_on", "-id"), limit, offset, serialize=_plan)


@router.get("/plans/{plan_id}", response=PlanDetailOut, summary="One plan: contents, criteria, rounds, attachments")
def get_plan(request: HttpRequest, plan_id: int = Path(..., **ID)) -> Any:
    return _plan_detail(plan_id, request.user)


@router.get(
    "/plans/{plan_id}/document.docx",
    url_name="plan_document",
    summary="The plan as a Decree-30 .docx (a draft prints DỰ THẢO)",
    openapi_extra={"responses": {200: {"description": "The .docx file", "content": {DOCX_MIME: BINARY}}}},
)
def plan_document(request: HttpRequest, plan_id: int = Path(..., **ID)) -> Any:
    return plan_docx_response(get_for_user(PLANS, request.user, pk=plan_id))


@router.get("/plans/{plan_id}/attachments", response=list[AttachmentOut], summary="The files attached to a plan")
def list_attachments(request: HttpRequest, plan_id: int = Path(..., **ID)) -> Any:
    plan = get_for_user(PLANS, request.user, pk=plan_id)
    return [_attachment(a) for a in plan.attachments.all()]


@router.get(
    "/plans/{plan_id}/attachments/{attachment_id}",
    url_name="plan_attachment",
    summary="Download one attachment of a plan",
    openapi_extra={
        "responses": {200: {"description": "The file, with the type it was checked as", "content": {"*/*": BINARY}}}
    },
)
def get_attachment(request: HttpRequest, plan_id: int = Path(..., **ID), attachment_id: int = Path(..., **ID)) -> Any:
    """Everyone who reads the plan downloads its attachments (the rule is the plan's own)."""
    attachment = get_for_user(PlanAttachment, request.user, pk=attachment_id, plan_id=plan_id)
    return download(attachment.file, name=attachment.name, content_type=attachment.content_type)


# --- obligations: which unit owes which implementation plan, by when -------------------------


class ObligationOut(Schema):
    id: int
    plan_id: int
    plan_number: str
    unit: UnitRef
    due_on: dt.date
    status: Literal["pending", "late", "issued", "late_issued"]
    implementation_id: int | None
    fulfilled_on: dt.date | None


class ObligationPage(Schema):
    count: int
    items: list[ObligationOut]


OBLIGATIONS = Obligation.objects.select_related("unit", "plan", "plan__issuer")


def _obligation(o: Obligation, today: dt.date) -> dict[str, Any]:
    return {
        "id": o.pk,
        "plan_id": o.plan_id,
        "plan_number": o.plan.document_number,
        "unit": {"id": o.unit_id, "name": o.unit.name},
        "due_on": o.due_on,
        "status": o.status_on(today),
        "implementation_id": o.implementation_id,
        "fulfilled_on": o.fulfilled_on,
    }


@router.get("/obligations", response=ObligationPage, summary="Implementation plans owed by units in my scope")
def list_obligations(
    request: HttpRequest,
    plan: int | None = Query(None, **ID),
    unit: int | None = Query(None, **ID),
    status: Literal["pending", "late", "issued", "late_issued"] | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    """``plan``: the obligations it gave; ``unit``: those of the unit and the units below it;
    ``status`` as the board says it today (late: past the due date without an implementation plan)."""
    today = timezone.localdate()
    qs = OBLIGATIONS.visible_to(request.user)
    if plan is not None:
        qs = qs.filter(plan=get_for_user(Plan, request.user, pk=plan))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=get_for_user(Unit, request.user, pk=unit).path)
    if status == "pending":
        qs = qs.filter(fulfilled_on__isnull=True, due_on__gte=today)
    elif status == "late":
        qs = qs.filter(fulfilled_on__isnull=True, due_on__lt=today)
    elif status == "issued":
        qs = qs.filter(fulfilled_on__lte=F("due_on"))
    elif status == "late_issued":
        qs = qs.filter(fulfilled_on__gt=F("due_on"))
    return page(qs.order_by("due_on", "unit__path", "id"), limit, offset, serialize=lambda o: _obligation(o, today))


@router.get("/obligations/{obligation_id}", response=ObligationOut, summary="One obligation")
def get_obligation(request: HttpRequest, obligation_id: int = Path(..., **ID)) -> Any:
    return _obligation(get_for_user(OBLIGATIONS, request.user, pk=obligation_id), timezone.localdate())


# --- writes for an e-office system -------------------------------------------------------------


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Non-negative figures sent as JSON numbers, kept to two decimal places (documented as numbers:
# pydantic's own Decimal schema also admits any string, which the API then refuses).
Target = Annotated[
    Decimal,
    Field(ge=0, le=10**12),
    AfterValidator(_two_places),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 10**12}),
]
Weight = Annotated[
    Decimal,
    Field(ge=0, le=9999),
    AfterValidator(_two_places),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 9999}),
]
MaxScore = Annotated[
    Decimal,
    Field(ge=0, le=999_999),
    AfterValidator(_two_places),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 999_999}),
]


class CriterionIn(Schema):
    name: str = Field(..., min_length=1, max_length=300)
    kind: Criterion.Kind = Criterion.Kind.YES_NO
    applies_to: Criterion.AppliesTo = Criterion.AppliesTo.BOTH
    unit_label: str = Field("", max_length=40)
    target: Target | None = None
    weight: Weight | None = None
    max_score: MaxScore | None = None


class ContentIn(Schema):
    name: str = Field(..., min_length=1, max_length=300)
    description: str = Field("", max_length=5000)
    required: bool = True
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=100)


class PlanIn(Schema):
    """A draft plan. ``number`` empty: the next free number of the issuer, type and year."""

    issuer_id: int = Field(..., ge=1, le=2**62)
    doc_type: Literal["KH", "HD"] = "KH"
    number: int | None = Field(None, ge=1, le=99999)
    issued_on: dt.date
    place: str = Field(..., min_length=1, max_length=100)
    title: str = Field(..., min_length=1, max_length=500)
    summary: str = Field("", max_length=5000)
    purpose: str = Field("", max_length=50000)  # HTML, sanitised when saved
    legal_basis: list[str] = Field(default_factory=list, max_length=50)
    window_start: dt.date
    window_end: dt.date
    registration_deadline: dt.date | None = None
    signer_name: str = Field("", max_length=120)
    signer_position: str = Field("", max_length=120)
    signing_capacity: Literal["", "TM.", "KT.", "TL."] = ""
    signing_for: str = Field("", max_length=120)
    recipients: list[str] = Field(default_factory=list, max_length=50)
    title_ids: list[int] = Field(default_factory=list, max_length=50)
    contents: list[ContentIn] = Field(default_factory=list, max_length=50)


class IssueIn(Schema):
    """Record the issued document: its number and date (as registered by the e-office), then issue.

    Either may be left out to keep the draft's. ``units``: the units directly below the issuer that
    must each issue an implementation plan (default: all of them); ``due_on`` their deadline
    (default: 15 days after the issue date); ``seen``: the plan's ``seen`` as read, to issue only
    if nobody has changed it since."""

    number: int | None = Field(None, ge=1, le=99999)
    issued_on: dt.date | None = None
    due_on: dt.date | None = None
    units: list[int] | None = Field(None, max_length=5000)
    seen: str | None = Field(None, max_length=40)


def _titles(ids: list[int]) -> list[Title]:
    titles = list(Title.objects.filter(pk__in=ids, active=True))
    if len(titles) != len(set(ids)):
        raise ValidationError({"title_ids": _("Có danh hiệu, hình thức không tồn tại hoặc không còn dùng.")})
    return titles


@router.post("/plans", response={201: PlanDetailOut}, summary="Create a draft plan (e-office)")
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    """A draft of the issuer (emulation officers of that unit or above), with its contents and criteria,
    all or nothing. It stays a draft until issued (``POST /plans/{id}/issue``)."""
    issuer = get_for_user(Unit, request.user, Perm.MANAGE_EMULATION, pk=payload.issuer_id)
    data = payload.dict(exclude={"issuer_id", "title_ids", "contents", "legal_basis", "recipients"})
    with transaction.atomic():
        plan = services.plan_create(
            issuer=issuer,
            by=request.user,
            titles=_titles(payload.title_ids),
            legal_basis="\n".join(payload.legal_basis),
            recipients="\n".join(payload.recipients),
            **data,
        )
        for position, content_in in enumerate(payload.contents, start=1):
            try:
                content = services.content_save(
                    plan=plan, name=content_in.name, description=content_in.description, required=content_in.required
                )
                for criterion_in in content_in.criteria:
                    services.criterion_save(content=content, **criterion_in.dict())
            except ValidationError as exc:
                raise ValidationError({f"contents.{position}": exc.messages}) from exc
    return Status(201, _plan_detail(plan.pk, request.user))


@router.post(
    "/plans/{plan_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach a file to a draft plan (the signed PDF)",
)
def attach(request: HttpRequest, file: File[UploadedFile], plan_id: int = Path(..., **ID)) -> Any:
    """multipart/form-data with ``file``: PDF, Word, Excel, JPG or PNG up to 20 MB, recognised by its
    bytes (a renamed file is refused with 422). Only while the plan is a draft, as on its page."""
    plan = get_for_user(PLANS, request.user, Perm.MANAGE_EMULATION, pk=plan_id)
    attachment = services.attachment_add(plan=plan, upload=file, by=request.user)
    return Status(201, _attachment(attachment))


@router.post("/plans/{plan_id}/issue", response=PlanDetailOut, summary="Record the issued number and date, and issue")
def issue(request: HttpRequest, payload: IssueIn, plan_id: int = Path(..., **ID)) -> Any:
    plan = get_for_user(PLANS, request.user, Perm.MANAGE_EMULATION, pk=plan_id)
    if payload.seen and payload.seen != state_token(plan):
        raise ValidationError(_("Kế hoạch đã thay đổi từ khi bạn đọc; hãy đọc lại trước khi ban hành."))
    units = None
    if payload.units is not None:
        units = list(Unit.objects.filter(parent=plan.issuer, dissolved_on__isnull=True, pk__in=payload.units))
        if len(units) != len(set(payload.units)):
            raise ValidationError(
                {"units": _("Chỉ giao thực hiện cho đơn vị trực thuộc trực tiếp của đơn vị ban hành.")}
            )
    with transaction.atomic():
        recorded: dict[str, Any] = {
            name: value
            for name, value in (("number", payload.number), ("issued_on", payload.issued_on))
            if value is not None
        }
        if recorded:
            plan = services.plan_update(plan=plan, by=request.user, **recorded)
        # ``seen`` again inside the issue's conditional UPDATE: a change since rolls the number back too.
        services.plan_issue(plan=plan, by=request.user, due_on=payload.due_on, units=units, seen=payload.seen)
    return _plan_detail(plan.pk, request.user)
