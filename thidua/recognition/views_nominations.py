"""Pages of nomination dossiers: the list (with its Excel export), the board of a level, a dossier
with its candidates, files and processing log, and the forms that build it (one candidate, bulk
from a campaign's ranking, an Excel list previewed before it is written).

Every object comes through ``@scoped`` (404 outside the branch); who may make each move is the
model's transition policy, asked again by the services (403 for someone who sees the dossier but
does not hold that desk)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.accounts.scope import get_for_user
from thidua.campaigns.models import Plan
from thidua.core.excel import DATE, DATETIME, INTEGER, XLSX_MIME, Title, scope_line, workbook_response
from thidua.core.forms import apply_errors, form_status, seen_state
from thidua.core.listing import Column, Listing, Sort
from thidua.core.transitions import state_token
from thidua.core.uploads import download
from thidua.members.models import Member
from thidua.members.selectors import member_list
from thidua.recognition import dossier_imports, dossiers
from thidua.recognition.forms_nominations import (
    CandidateForm,
    FileForm,
    NominationCreateForm,
    NominationForm,
    NoteForm,
    RankingForm,
    ReasonForm,
    UploadForm,
)
from thidua.recognition.models import AwardKind, Candidate, Nomination, NominationFile, Subject, proposer_desk
from thidua.units.models import Unit
from thidua.units.selectors import scope_roots

NOMINATIONS = dossiers.with_parts(dossiers.NOMINATIONS)
CANDIDATES = Candidate.objects.select_related("nomination", "nomination__proposer", "kind", "member", "unit")
FILES = NominationFile.objects.select_related("nomination", "nomination__proposer")
PLAN_CHOICES = 200
PICK_MEMBERS = 50
PICK_UNITS = 300
PREVIEW_ROWS = 200

SORTS = (
    Sort("created", ("created_at",)),
    Sort("title", ("title",)),
    Sort("proposer", ("proposer__name",)),
    Sort("holder", ("holder__name",)),
    Sort("status", ("status",)),
    Sort("deadline", ("deadline",)),
    Sort("submitted", ("submitted_at",)),
)


def _plans(request: HttpRequest) -> list[Plan]:
    return list(
        Plan.objects.visible_to(request.user)
        .filter(status__in=Plan.PUBLISHED)
        .select_related("issuer")
        .order_by("-issued_on", "-pk")[:PLAN_CHOICES]
    )


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


# --- list and board -----------------------------------------------------------------------------


@scoped
def nomination_list(request: HttpRequest) -> HttpResponse:
    """Dossiers of the user's units and of the units below them: by state, at my desk, campaign,
    year; searched by title or proposer without diacritics."""
    status = request.GET.get("status", "")
    status = status if status in Nomination.Status.values else ""
    at_desk = request.GET.get("desk") == "1"
    campaign_id = _int(request.GET.get("campaign"))
    year = _int(request.GET.get("year"))
    year = year if year and 1900 < year < 3000 else None
    query = request.GET.get("q", "").strip()[:100]
    qs = dossiers.nominations_for(
        request.user, status=status, at_desk=at_desk, campaign_id=campaign_id, year=year, q=query
    )
    listing = Listing(request, qs, sorts=SORTS, default_sort="-created")
    if listing.wants_export:
        return listing.export(
            "ho-so-de-nghi-khen-thuong.xlsx",
            _("Hồ sơ đề nghị"),
            title=Title(
                _("Danh sách hồ sơ đề nghị khen thưởng"), [scope_line(u.name for u in scope_roots(request.user))]
            ),
            columns=[
                Column(_("Trích yếu"), lambda n: n.title),
                Column(_("Đơn vị đề nghị"), lambda n: n.proposer.name),
                Column(_("Cấp đang xử lý"), lambda n: n.holder.name),
                Column(_("Trạng thái"), lambda n: n.get_status_display()),
                Column(_("Phong trào"), lambda n: str(n.campaign) if n.campaign_id else ""),
                Column(_("Thành tích từ ngày"), lambda n: n.period_start, fmt=DATE),
                Column(_("Thành tích đến ngày"), lambda n: n.period_end, fmt=DATE),
                Column(_("Số người, tập thể"), lambda n: n.candidate_count, fmt=INTEGER),
                Column(_("Hạn gửi"), lambda n: n.deadline, fmt=DATE),
                Column(_("Gửi lúc"), lambda n: n.submitted_at and timezone.localtime(n.submitted_at), fmt=DATETIME),
                Column(_("Muộn"), lambda n: _("Có") if n.is_late() else ""),
                Column(_("Còn thiếu"), lambda n: "; ".join(dossiers.missing_parts(n)) if n.editable else ""),
            ],
        )
    this_year = timezone.localdate().year
    return render(
        request,
        "recognition/nominations/list.html",
        {
            "nav": "recognition",
            "tab": "nominations",
            "listing": listing,
            "status": status,
            "statuses": Nomination.Status.choices,
            "desk": at_desk,
            "campaign": campaign_id,
            "campaigns": _plans(request),
            "year": year,
            "years": list(range(this_year + 1, this_year - 10, -1)),
            "q": query,
            "may_create": bool(dossiers.desk_units(request.user)),
            "today": timezone.localdate(),
        },
    )


@scoped
def nomination_board(request: HttpRequest) -> HttpResponse:
    """The board of a level: dossiers sent to or through it, by state; late and incomplete ones."""
    asked = _int(request.GET.get("unit"))
    if asked:
        root = get_for_user(Unit, request.user, pk=asked)
    else:
        desks = dossiers.desk_units(request.user)
        roots = desks or scope_roots(request.user)
        if not roots:
            return render(
                request, "recognition/nominations/board.html", {"nav": "recognition", "tab": "board", "board": None}
            )
        root = roots[0]
    return render(
        request,
        "recognition/nominations/board.html",
        {
            "nav": "recognition",
            "tab": "board",
            "board": dossiers.board(request.user, root),
            "units": dossiers.desk_units(request.user) or scope_roots(request.user),
            "today": timezone.localdate(),
        },
    )


# --- create and edit ---------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: Any, nomination: Nomination | None = None, **more: Any) -> HttpResponse:
    return render(
        request,
        "recognition/nominations/form.html",
        {"nav": "recognition", "tab": "nominations", "form": form, "nomination": nomination, **more},
        status=form_status(form),
    )


def _campaign(request: HttpRequest, form: Any) -> Plan | None:
    campaign_id = form.cleaned_data.get("campaign")
    if not campaign_id:
        return None
    campaign = Plan.objects.visible_to(request.user).select_related("issuer").filter(pk=campaign_id).first()
    if campaign is None:
        raise ValidationError({"campaign": _("Không tìm thấy phong trào này.")})
    return campaign


@scoped
@require_http_methods(["GET", "POST"])
def nomination_create(request: HttpRequest) -> HttpResponse:
    units = dossiers.desk_units(request.user)
    if not units:
        raise PermissionDenied(_("Bạn không giữ bộ phận thi đua của đơn vị nào."))
    if request.method == "POST":
        form = NominationCreateForm(request.POST, units=units, plans=_plans(request))
        if form.is_valid():
            data = form.cleaned_data
            proposer = next((u for u in units if u.pk == data["proposer"]), None)
            try:
                if proposer is None:
                    raise ValidationError({"proposer": _("Bạn không lập hồ sơ cho đơn vị này được.")})
                nomination = dossiers.nomination_create(
                    proposer=proposer,
                    title=data["title"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    campaign=_campaign(request, form),
                    achievement=data["achievement"],
                    deadline=data["deadline"],
                    by=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lập hồ sơ; hãy thêm người, tập thể được đề nghị và các tệp."))
                return redirect("recognition:nomination", nomination.pk)
        return _form_page(request, form)
    year = timezone.localdate().year - 1
    form = NominationCreateForm(
        units=units,
        plans=_plans(request),
        initial={
            "proposer": units[0].pk,
            "title": _("Đề nghị khen thưởng năm %(year)s") % {"year": year},
            "period_start": f"01/01/{year}",
            "period_end": f"31/12/{year}",
        },
    )
    return _form_page(request, form)


@scoped(NOMINATIONS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def nomination_edit(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    if request.method == "POST":
        form = NominationForm(request.POST, plans=_plans(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                dossiers.nomination_update(
                    nomination=nomination,
                    by=request.user,
                    title=data["title"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    campaign=_campaign(request, form),
                    achievement=data["achievement"],
                    deadline=data["deadline"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu hồ sơ."))
                return redirect("recognition:nomination", nomination.pk)
        return _form_page(request, form, nomination, may_edit=_may_edit(request, nomination))
    form = NominationForm(
        plans=_plans(request),
        initial={
            "title": nomination.title,
            "period_start": nomination.period_start,
            "period_end": nomination.period_end,
            "campaign": nomination.campaign_id,
            "deadline": nomination.deadline,
            "achievement": nomination.achievement,
        },
    )
    return _form_page(request, form, nomination, may_edit=_may_edit(request, nomination))


def _may_edit(request: HttpRequest, nomination: Nomination) -> bool:
    return nomination.editable and proposer_desk(request.user, nomination)


# --- one dossier ---------------------------------------------------------------------------------

ACTIONS = (
    ("submit", Nomination.SUBMIT),
    ("forward", Nomination.FORWARD),
    ("return", Nomination.RETURN),
    ("take", Nomination.TAKE),
    ("reject", Nomination.REJECT),
)


@scoped(NOMINATIONS)
def nomination_detail(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    candidates = list(
        nomination.candidates.select_related("kind", "member", "member__unit", "unit", "rule_set").order_by(
            "position", "pk"
        )
    )
    files = list(nomination.files.all())
    available = {name: getattr(nomination, f"can_{name}")(request.user) for name, _t in ACTIONS}
    return render(
        request,
        "recognition/nominations/detail.html",
        {
            "nav": "recognition",
            "tab": "nominations",
            "nomination": nomination,
            "candidates": candidates,
            "files": files,
            "events": nomination.events.select_related("by"),
            "can": available,
            "may_edit": _may_edit(request, nomination),
            "missing": dossiers.missing_parts(nomination) if nomination.editable else [],
            "late": nomination.is_late(),
            "seen": state_token(nomination),
            "reason_form": ReasonForm(),
            "note_form": NoteForm(),
            "file_form": FileForm(),
        },
    )


def _act(request: HttpRequest, nomination: Nomination, action: str) -> HttpResponse:
    seen = seen_state(request)
    reason = request.POST.get("reason", "")
    note = request.POST.get("note", "")
    calls = {
        "submit": (
            lambda: dossiers.nomination_submit(nomination=nomination, by=request.user, seen=seen),
            _("Đã gửi hồ sơ lên cấp trên."),
        ),
        "forward": (
            lambda: dossiers.nomination_forward(nomination=nomination, by=request.user, seen=seen, note=note),
            _("Đã chuyển hồ sơ lên cấp trên."),
        ),
        "return": (
            lambda: dossiers.nomination_return(nomination=nomination, by=request.user, reason=reason, seen=seen),
            _("Đã trả lại hồ sơ cho đơn vị đề nghị."),
        ),
        "take": (
            lambda: dossiers.nomination_take(nomination=nomination, by=request.user, seen=seen, note=note),
            _("Đã nhận hồ sơ để xét, quyết định tại cấp này."),
        ),
        "reject": (
            lambda: dossiers.nomination_reject(nomination=nomination, by=request.user, reason=reason, seen=seen),
            _("Đã ghi không đề nghị hồ sơ."),
        ),
    }
    call, success = calls[action]
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("recognition:nomination", nomination.pk)


@scoped(NOMINATIONS)
@require_POST
def nomination_submit(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    return _act(request, nomination, "submit")


@scoped(NOMINATIONS)
@require_POST
def nomination_forward(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    return _act(request, nomination, "forward")


@scoped(NOMINATIONS)
@require_POST
def nomination_return(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    return _act(request, nomination, "return")


@scoped(NOMINATIONS)
@require_POST
def nomination_take(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    return _act(request, nomination, "take")


@scoped(NOMINATIONS)
@require_POST
def nomination_reject(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    return _act(request, nomination, "reject")


# --- candidates ----------------------------------------------------------------------------------


def _kinds(subject: str | None = None) -> list[AwardKind]:
    qs = AwardKind.objects.filter(active=True).order_by("subject", "system", "category", "rank", "name")
    return list(qs.filter(subject=subject) if subject else qs)


def _branch_units(request: HttpRequest, nomination: Nomination) -> list[Unit]:
    return list(
        Unit.objects.visible_to(request.user)
        .filter(path__startswith=nomination.proposer.path, dissolved_on__isnull=True)
        .order_by("path")[:PICK_UNITS]
    )


@scoped(NOMINATIONS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def candidate_add(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    """One member or collective for one award, checked at once: refused with every reason."""
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()[:100]
    members = list(
        member_list(request.user, unit=nomination.proposer, q=query, status=Member.Status.ACTIVE)[:PICK_MEMBERS]
    )
    units = _branch_units(request, nomination)
    kinds = _kinds()
    form = CandidateForm(request.POST or None, kinds=kinds, members=members, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            kind = next((k for k in kinds if k.pk == data["kind"]), None)
            member = (
                Member.objects.visible_to(request.user).select_related("unit").filter(pk=data["member"]).first()
                if data["member"]
                else None
            )
            unit = Unit.objects.visible_to(request.user).filter(pk=data["unit"]).first() if data["unit"] else None
            if kind is None or (data["member"] and member is None) or (data["unit"] and unit is None):
                raise ValidationError(_("Không tìm thấy người, tập thể hoặc danh hiệu đã chọn."))
            dossiers.candidate_add(
                nomination=nomination,
                kind=kind,
                member=member,
                unit=unit,
                achievement=data["achievement"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm vào hồ sơ."))
            return redirect("recognition:nomination", nomination.pk)
    template = (
        "recognition/nominations/_member_picker.html"
        if request.headers.get("HX-Target") == "member-picker"
        else "recognition/nominations/candidate_form.html"
    )
    return render(
        request,
        template,
        {
            "nav": "recognition",
            "tab": "nominations",
            "nomination": nomination,
            "form": form,
            "q": query,
            "members": members,
            "may_edit": _may_edit(request, nomination),
        },
        status=form_status(form),
    )


@scoped(CANDIDATES, perm=Perm.MANAGE_EMULATION)
@require_POST
def candidate_remove(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    try:
        dossiers.candidate_remove(candidate=candidate, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã bỏ khỏi hồ sơ."))
    return redirect("recognition:nomination", candidate.nomination_id)


@scoped(NOMINATIONS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def nomination_ranking(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    """Bulk: the best-ranked collectives of the campaign, each checked with its place in the ranking."""
    kinds = _kinds(Subject.COLLECTIVE)
    form = RankingForm(request.POST or None, kinds=kinds)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            kind = next((k for k in kinds if k.pk == data["kind"]), None)
            if kind is None:
                raise ValidationError({"kind": _("Không tìm thấy danh hiệu đã chọn.")})
            result = dossiers.nominate_from_ranking(
                nomination=nomination,
                kind=kind,
                top_n=data["top_n"],
                top_percent=float(data["top_percent"]) if data["top_percent"] is not None else None,
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if result.added:
                messages.success(request, _("Đã thêm %(n)s tập thể vào hồ sơ.") % {"n": len(result.added)})
    return render(
        request,
        "recognition/nominations/ranking.html",
        {
            "nav": "recognition",
            "tab": "nominations",
            "nomination": nomination,
            "form": form,
            "ranked": dossiers.ranked_units(nomination)[:PICK_UNITS],
            "result": result,
            "may_edit": _may_edit(request, nomination),
        },
        status=form_status(form),
    )


# --- Excel import --------------------------------------------------------------------------------


@scoped
def import_template(request: HttpRequest) -> HttpResponse:
    """The import template; for one dossier (``?nomination=``) its title and proposer head the sheet."""
    nomination = None
    if request.GET.get("nomination"):
        nomination = get_for_user(dossiers.NOMINATIONS, request.user, pk=request.GET["nomination"])
    response = workbook_response(
        "mau-de-nghi-khen-thuong.xlsx", dossier_imports.template_workbook(nomination=nomination)
    )
    response["Content-Type"] = XLSX_MIME
    return response


@scoped(NOMINATIONS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def nomination_import(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    """Upload → preview (every row's errors, nothing written) → "Ghi tất cả" (``nomination_import_commit``)."""
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    token = ""
    if request.method == "POST":
        if not proposer_desk(request.user, nomination):
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
        if form.is_valid() and not nomination.editable:
            form.add_error(None, _("Hồ sơ đã gửi cấp trên; không nhập thêm được."))
        elif form.is_valid():
            content = form.cleaned_data["file"].read(dossier_imports.MAX_FILE_BYTES + 1)
            result = dossier_imports.parse_candidates(content, nomination=nomination, user=request.user)
            if result.refused:
                form.add_error("file", result.errors[0][2])
            elif result.errors:
                form.add_error(
                    "file", _("Tệp có %(n)s lỗi; chưa ghi gì. Hãy sửa và tải lên lại.") % {"n": result.error_count}
                )
            else:
                token = dossier_imports.preview_token(nomination, request.user, result.rows)
    return render(
        request,
        "recognition/nominations/import.html",
        {
            "nav": "recognition",
            "tab": "nominations",
            "nomination": nomination,
            "form": form,
            "result": result,
            "token": token,
            "preview": result.rows[:PREVIEW_ROWS] if result else [],
            "more": max(0, len(result.rows) - PREVIEW_ROWS) if result else 0,
            "may_edit": _may_edit(request, nomination),
        },
        status=form_status(form),
    )


@scoped(NOMINATIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def nomination_import_commit(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    rows = dossier_imports.preview_rows(request.POST.get("token", ""), nomination, request.user)
    if rows is None:
        messages.error(request, _("Không tìm thấy lần tải lên này (hoặc đã quá một giờ); hãy tải tệp lên lại."))
        return redirect("recognition:nomination_import", nomination.pk)
    try:
        count = dossiers.candidates_import(nomination=nomination, rows=rows, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("recognition:nomination", nomination.pk)
    messages.success(request, _("Đã ghi %(n)s người, tập thể từ tệp Excel.") % {"n": count})
    return redirect("recognition:nomination", nomination.pk)


# --- files ---------------------------------------------------------------------------------------


@scoped(NOMINATIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def file_add(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dossiers.file_add(
                nomination=nomination, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("recognition:nomination", nomination.pk)
        messages.success(request, _("Đã đính kèm tệp."))
    else:
        messages.error(request, _("Hãy chọn loại tệp và tệp cần đính kèm."))
    return redirect("recognition:nomination", nomination.pk)


@scoped(FILES)
def file_download(request: HttpRequest, file: NominationFile) -> FileResponse:
    return download(file.file, name=file.name, content_type=file.content_type)


@scoped(FILES, perm=Perm.MANAGE_EMULATION)
@require_POST
def file_delete(request: HttpRequest, file: NominationFile) -> HttpResponse:
    try:
        dossiers.file_delete(file=file, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xoá tệp."))
    return redirect("recognition:nomination", file.nomination_id)
