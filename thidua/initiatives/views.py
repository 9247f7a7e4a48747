"""Officers' pages of initiatives, initiative councils and effective models (the public library of
approved, published models is in ``public.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.accounts.scope import Can, allows, decided_above_by
from thidua.campaigns.models import Plan
from thidua.core.excel import DATE, INTEGER, Title, scope_line
from thidua.core.forms import apply_errors, attempt, form_status, seen_state
from thidua.core.listing import Column, Listing, Sort
from thidua.core.text import fold
from thidua.core.transitions import state_token
from thidua.core.uploads import download
from thidua.initiatives import selectors, services
from thidua.initiatives.forms import (
    AdoptionForm,
    ApproveForm,
    AuthorFormSet,
    CouncilCreateForm,
    CouncilForm,
    CouncilMemberForm,
    EffectForm,
    EvidenceForm,
    InitiativeCreateForm,
    InitiativeForm,
    ModelCreateForm,
    ModelForm,
    ReasonForm,
    ReviewForm,
)
from thidua.initiatives.models import (
    CouncilMember,
    EffectiveModel,
    Initiative,
    InitiativeCouncil,
    InitiativeEvidence,
    ModelEvidence,
    sees_confidential,
)
from thidua.units.models import Unit
from thidua.units.selectors import scope_roots

INITIATIVES = Initiative.objects.select_related("unit", "plan", "effect_unit")
MODELS = EffectiveModel.objects.select_related("unit", "unit__parent", "library_unit", "plan")
COUNCILS = InitiativeCouncil.objects.select_related("unit")
COUNCIL_MEMBERS = CouncilMember.objects.select_related("council", "council__unit")
INITIATIVE_EVIDENCE = InitiativeEvidence.objects.select_related("initiative", "initiative__unit")
MODEL_EVIDENCE = ModelEvidence.objects.select_related("model", "model__unit", "model__library_unit")
PLAN_CHOICES = 200


def _scope_title(request: HttpRequest) -> str:
    return scope_line(u.name for u in scope_roots(request.user))


def _words(request: HttpRequest) -> tuple[str, list[str]]:
    query = request.GET.get("q", "").strip()[:100]
    return query, fold(query).split()


def _plans(request: HttpRequest) -> list[Plan]:
    return list(
        Plan.objects.visible_to(request.user).select_related("issuer").order_by("-issued_on", "-pk")[:PLAN_CHOICES]
    )


def _money(value: int) -> str:
    return f"{value:,}".replace(",", ".")


# --- initiatives: list ---------------------------------------------------------------------------------

INITIATIVE_SORTS = (
    Sort("applied", ("first_applied_on",)),
    Sort("title", ("title",)),
    Sort("unit", ("unit__name",)),
    Sort("benefit", ("benefit_vnd",)),
    Sort("status", ("status",)),
)


@scoped
def initiative_list(request: HttpRequest) -> HttpResponse:
    """Initiatives of the user's units and those below: filter by state, field, year; search without diacritics."""
    qs = Initiative.objects.visible_to(request.user).select_related("unit").annotate(author_count=Count("authors"))
    status = request.GET.get("status", "")
    if status in Initiative.Status.values:
        qs = qs.filter(status=status)
    field = request.GET.get("field", "")
    if field in Initiative.Field.values:
        qs = qs.filter(field=field)
    year = request.GET.get("year", "")
    if year.isdigit() and 1900 < int(year) < 3000:
        qs = qs.filter(first_applied_on__year=int(year))
    else:
        year = ""
    query, words = _words(request)
    for word in words:
        qs = qs.filter(Q(search_text__contains=word) | Q(unit__search_text__contains=word))
    listing = Listing(request, qs, sorts=INITIATIVE_SORTS, default_sort="-applied")
    if listing.wants_export:
        return listing.export(
            "sang-kien.xlsx",
            _("Sáng kiến"),
            title=Title(_("Danh sách sáng kiến"), [_scope_title(request)]),
            columns=[
                Column(_("Tên sáng kiến"), lambda i: i.title),
                Column(_("Đơn vị áp dụng"), lambda i: i.unit.name),
                Column(_("Lĩnh vực"), lambda i: i.get_field_display()),
                Column(_("Ngày áp dụng lần đầu"), lambda i: i.first_applied_on, fmt=DATE),
                Column(_("Hiệu quả (đồng)"), lambda i: i.benefit_vnd, fmt=INTEGER),
                Column(_("Số tác giả"), lambda i: i.author_count, fmt=INTEGER),
                Column(_("Trạng thái"), lambda i: i.get_status_display()),
                Column(_("Ngày công nhận"), lambda i: i.recognised_on, fmt=DATE),
                Column(_("Phạm vi ảnh hưởng"), lambda i: i.get_effect_scope_display()),
            ],
        )
    this_year = timezone.localdate().year
    return render(
        request,
        "initiatives/initiative_list.html",
        {
            "nav": "initiatives",
            "listing": listing,
            "status": status,
            "statuses": Initiative.Status.choices,
            "field": field,
            "fields": Initiative.Field.choices,
            "year": year,
            "years": list(range(this_year, this_year - 10, -1)),
            "q": query,
            "may_create": bool(selectors.desk_units(request.user)),
        },
    )


# --- initiatives: create and edit ------------------------------------------------------------------------


def _author_lines(formset: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


def _form_page(request: HttpRequest, form: Any, formset: Any, initiative: Initiative | None = None) -> HttpResponse:
    return render(
        request,
        "initiatives/initiative_form.html",
        {"nav": "initiatives", "form": form, "formset": formset, "initiative": initiative},
        status=form_status(form, formset) if (form.is_bound) else 200,
    )


@scoped
def initiative_create(request: HttpRequest) -> HttpResponse:
    units = selectors.desk_units(request.user)
    # The authors' picker follows the unit chosen (any unit the person holds the desk of, or below).
    asked = (request.POST.get("unit") or request.GET.get("unit") or "").strip()
    unit = Unit.objects.filter(pk=int(asked)).first() if asked.isdigit() and len(asked) < 19 else None
    if unit is None or not allows(request.user, unit, Perm.MANAGE_EMULATION):
        unit = units[0] if units else None
    members = list(selectors.author_candidates(unit)) if unit else []
    if request.method == "POST":
        form = InitiativeCreateForm(request.POST, units=units, plans=_plans(request))
        formset = AuthorFormSet(request.POST, members=members, prefix="authors")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                initiative = services.initiative_create(
                    by=request.user, authors=services.authors_from(_author_lines(formset)), **data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu sáng kiến; hãy đính kèm minh chứng và gửi hội đồng."))
                return redirect("initiatives:detail", initiative.pk)
        return _form_page(request, form, formset)
    form = InitiativeCreateForm(
        units=units, plans=_plans(request), initial={"unit": unit.pk if unit else None, "benefit_vnd": "0"}
    )
    formset = AuthorFormSet(members=members, prefix="authors", initial=[{"share_percent": "100", "role": "main"}])
    return _form_page(request, form, formset)


@scoped(INITIATIVES, perm=Perm.MANAGE_EMULATION)
def initiative_edit(request: HttpRequest, initiative: Initiative) -> HttpResponse:
    members = list(selectors.author_candidates(initiative.unit))
    if request.method == "POST":
        form = InitiativeForm(request.POST, plans=_plans(request))
        formset = AuthorFormSet(request.POST, members=members, prefix="authors")
        if form.is_valid() and formset.is_valid():
            try:
                services.initiative_update(
                    initiative=initiative,
                    by=request.user,
                    authors=services.authors_from(_author_lines(formset)),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu sáng kiến."))
                return redirect("initiatives:detail", initiative.pk)
        return _form_page(request, form, formset, initiative)
    form = InitiativeForm(
        plans=_plans(request),
        initial={
            "title": initiative.title,
            "field": initiative.field,
            "first_applied_on": initiative.first_applied_on,
            "benefit_vnd": str(initiative.benefit_vnd),
            "description": initiative.description,
            "confidential_notes": initiative.confidential_notes,
            "plan": initiative.plan_id,
        },
    )
    formset = AuthorFormSet(
        members=members,
        prefix="authors",
        initial=[
            {"member": a.member_id, "share_percent": str(a.share_percent), "role": a.role}
            for a in initiative.authors.all()
        ],
    )
    return _form_page(request, form, formset, initiative)


# --- initiatives: one --------------------------------------------------------------------------------


def _initiative_page(
    request: HttpRequest,
    initiative: Initiative,
    *,
    evidence_form: EvidenceForm | None = None,
    effect_form: EffectForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "nav": "initiatives",
            "initiative": initiative,
            "authors": initiative.authors.select_related("member", "member__unit"),
            "evidence": initiative.evidence.all(),
            "reviews": initiative.reviews.select_related("council", "council__unit"),
            "confidential": sees_confidential(request.user, initiative),
            "can": Can(initiative, request.user),
            "seen": state_token(initiative),
            "evidence_form": evidence_form or EvidenceForm(),
            "effect_form": effect_form or EffectForm(initial={"recognised_on": timezone.localdate()}),
            "events": initiative.events.select_related("by"),
            "benefit": _money(initiative.benefit_vnd),
        },
        status=form_status(*(f for f in (evidence_form, effect_form) if f is not None)),
    )


@scoped(INITIATIVES)
def initiative_detail(request: HttpRequest, initiative: Initiative) -> HttpResponse:
    return _initiative_page(request, initiative)


@scoped(INITIATIVES, perm=Perm.MANAGE_EMULATION)
@require_POST
def initiative_submit(request: HttpRequest, initiative: Initiative) -> HttpResponse:
    attempt(
        request,
        lambda: services.initiative_submit(initiative=initiative, by=request.user, seen=seen_state(request)),
        success=_("Đã gửi sáng kiến đến hội đồng sáng kiến."),
    )
    return redirect("initiatives:detail", initiative.pk)


@scoped(INITIATIVES, perm=Perm.MANAGE_EMULATION)
@require_POST
def initiative_redraft(request: HttpRequest, initiative: Initiative) -> HttpResponse:
    attempt(
        request,
        lambda: services.initiative_redraft(
            initiative=initiative, by=request.user, reason=request.POST.get("reason", ""), seen=seen_state(request)
        ),
        success=_("Sáng kiến đã chuyển về đang soạn."),
    )
    return redirect("initiatives:detail", initiative.pk)


@scoped(INITIATIVES, perm=Perm.MANAGE_EMULATION)
@require_POST
def initiative_evidence_add(request: HttpRequest, initiative: Initiative) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(initiative=initiative, by=request.user, upload=form.cleaned_data["evidence"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã đính kèm minh chứng."))
            return redirect("initiatives:detail", initiative.pk)
    return _initiative_page(request, initiative, evidence_form=form)


@scoped(INITIATIVE_EVIDENCE)
def initiative_evidence(request: HttpRequest, evidence: InitiativeEvidence) -> FileResponse:
    return download(evidence.file, name=evidence.name, content_type=evidence.content_type)


@scoped(INITIATIVES, perm=Perm.MANAGE_EMULATION)
@require_POST
def initiative_effect(request: HttpRequest, initiative: Initiative) -> HttpResponse:
    form = EffectForm(request.POST)
    if form.is_valid():
        try:
            services.effect_recognise(initiative=initiative, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận phạm vi ảnh hưởng của sáng kiến."))
            return redirect("initiatives:detail", initiative.pk)
    return _initiative_page(request, initiative, effect_form=form)


@scoped(INITIATIVES, perm=Perm.MANAGE_EMULATION)
def initiative_review(request: HttpRequest, initiative: Initiative) -> HttpResponse:
    """The council session for this initiative, as its secretary counted the votes."""
    councils = selectors.councils_for(request.user, initiative)
    form = ReviewForm(request.POST or None, councils=councils, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_record(
                initiative=initiative, by=request.user, seen=seen_state(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if review.passed:
                messages.success(request, _("Hội đồng đã công nhận sáng kiến."))
            else:
                messages.warning(request, _("Sáng kiến không được công nhận (không đạt tỷ lệ đồng ý)."))
            return redirect("initiatives:detail", initiative.pk)
    return render(
        request,
        "initiatives/initiative_review.html",
        {
            "nav": "initiatives",
            "initiative": initiative,
            "councils": councils,
            "form": form,
            "seen": state_token(initiative),
            "submitted": initiative.status == Initiative.Status.SUBMITTED,
        },
        status=form_status(form) if request.method == "POST" else 200,
    )


# --- councils ------------------------------------------------------------------------------------------


@scoped
def council_list(request: HttpRequest) -> HttpResponse:
    councils = (
        InitiativeCouncil.objects.visible_to(request.user)
        .select_related("unit")
        .annotate(size=Count("members", distinct=True))
    )
    listing = Listing(
        request, councils, sorts=(Sort("unit", ("unit__path",)), Sort("name", ("name",))), default_sort="unit"
    )
    units = selectors.desk_units(request.user)
    form = CouncilCreateForm(units=units, initial={"unit": units[0].pk if units else None})
    return render(
        request,
        "initiatives/council_list.html",
        {"nav": "initiatives", "listing": listing, "form": form, "may_create": bool(units)},
    )


@scoped
@require_POST
def council_create(request: HttpRequest) -> HttpResponse:
    units = selectors.desk_units(request.user)
    form = CouncilCreateForm(request.POST, units=units)
    if form.is_valid():
        data = form.cleaned_data
        try:
            council = services.council_save(
                unit=data["unit"],
                by=request.user,
                name=data["name"],
                quorum=(data["quorum_num"], data["quorum_den"]),
                threshold=(data["pass_num"], data["pass_den"]),
                basis=data["basis"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lập hội đồng sáng kiến; hãy thêm thành viên."))
            return redirect("initiatives:council", council.pk)
    return render(
        request,
        "initiatives/council_list.html",
        {
            "nav": "initiatives",
            "listing": None,
            "form": form,
            "may_create": bool(units),
        },
        status=400,
    )


def _council_page(
    request: HttpRequest, council: InitiativeCouncil, *, form: Any = None, member_form: Any = None
) -> HttpResponse:
    return render(
        request,
        "initiatives/council_detail.html",
        {
            "nav": "initiatives",
            "council": council,
            "members": council.members.all(),
            "manage": council.can_manage(request.user),
            "form": form
            or CouncilForm(
                initial={
                    "name": council.name,
                    "quorum_num": council.quorum_num,
                    "quorum_den": council.quorum_den,
                    "pass_num": council.pass_num,
                    "pass_den": council.pass_den,
                    "basis": council.basis,
                }
            ),
            "member_form": member_form or CouncilMemberForm(),
            "reviews": council.reviews.select_related("initiative").order_by("-held_on")[:50],
        },
        status=form_status(*(f for f in (form, member_form) if f is not None)),
    )


@scoped(COUNCILS)
def council_detail(request: HttpRequest, council: InitiativeCouncil) -> HttpResponse:
    return _council_page(request, council)


@scoped(COUNCILS, perm=Perm.MANAGE_EMULATION)
@require_POST
def council_edit(request: HttpRequest, council: InitiativeCouncil) -> HttpResponse:
    form = CouncilForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.council_save(
                unit=None,
                council=council,
                by=request.user,
                name=data["name"],
                quorum=(data["quorum_num"], data["quorum_den"]),
                threshold=(data["pass_num"], data["pass_den"]),
                basis=data["basis"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu hội đồng sáng kiến."))
            return redirect("initiatives:council", council.pk)
    return _council_page(request, council, form=form)


@scoped(COUNCILS, perm=Perm.MANAGE_EMULATION)
@require_POST
def council_member_add(request: HttpRequest, council: InitiativeCouncil) -> HttpResponse:
    form = CouncilMemberForm(request.POST)
    if form.is_valid():
        try:
            services.council_member_add(council=council, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm thành viên hội đồng."))
            return redirect("initiatives:council", council.pk)
    return _council_page(request, council, member_form=form)


@scoped(COUNCIL_MEMBERS, perm=Perm.MANAGE_EMULATION)
@require_POST
def council_member_remove(request: HttpRequest, member: CouncilMember) -> HttpResponse:
    attempt(
        request,
        lambda: services.council_member_remove(member=member, by=request.user),
        success=_("Đã bỏ thành viên khỏi hội đồng."),
    )
    return redirect("initiatives:council", member.council_id)


# --- effective models ----------------------------------------------------------------------------------

MODEL_SORTS = (
    Sort("approved", ("approved_on",)),
    Sort("title", ("title",)),
    Sort("unit", ("unit__name",)),
    Sort("adoptions", ("adoption_count",)),
    Sort("status", ("status",)),
)


@scoped
def model_list(request: HttpRequest) -> HttpResponse:
    """The library (approved models the user reads, with adoption counts), or every model of the
    user's units in any state, or those waiting for the user's decision."""
    tab = request.GET.get("tab", "library")
    qs = EffectiveModel.objects.visible_to(request.user).select_related("unit", "library_unit")
    if tab == "waiting":
        qs = qs.filter(decided_above_by(request.user), status=EffectiveModel.Status.SUBMITTED)
    elif tab != "all":
        tab = "library"
        qs = qs.filter(status=EffectiveModel.Status.APPROVED)
    counted = qs.annotate(adoption_count=Count("adoptions", distinct=True))
    query, words = _words(request)
    for word in words:
        counted = counted.filter(Q(search_text__contains=word) | Q(unit__search_text__contains=word))
    listing = Listing(request, counted, sorts=MODEL_SORTS, default_sort="-approved")
    if listing.wants_export:
        return listing.export(
            "mo-hinh-hieu-qua.xlsx",
            _("Mô hình"),
            title=Title(_("Thư viện mô hình hiệu quả"), [_scope_title(request)]),
            columns=[
                Column(_("Tên mô hình"), lambda m: m.title),
                Column(_("Đơn vị xây dựng"), lambda m: m.unit.name),
                Column(_("Trạng thái"), lambda m: m.get_status_display()),
                Column(_("Ngày duyệt"), lambda m: m.approved_on, fmt=DATE),
                Column(_("Số đơn vị nhân rộng"), lambda m: m.adoption_count, fmt=INTEGER),
                Column(_("Công khai"), lambda m: _("Có") if m.published else ""),
            ],
        )
    return render(
        request,
        "initiatives/model_list.html",
        {
            "nav": "models",
            "listing": listing,
            "tab": tab,
            "q": query,
            "may_create": bool(selectors.desk_units(request.user)),
        },
    )


@scoped
def model_create(request: HttpRequest) -> HttpResponse:
    units = selectors.desk_units(request.user)
    form = ModelCreateForm(request.POST or None, units=units, initial={"unit": units[0].pk if units else None})
    if request.method == "POST" and form.is_valid():
        try:
            model = services.model_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu mô hình; hãy đính kèm minh chứng và gửi cấp trên."))
            return redirect("initiatives:model", model.pk)
    return render(
        request,
        "initiatives/model_form.html",
        {"nav": "models", "form": form, "model": None},
        status=form_status(form) if request.method == "POST" else 200,
    )


@scoped(MODELS, perm=Perm.MANAGE_EMULATION)
def model_edit(request: HttpRequest, model: EffectiveModel) -> HttpResponse:
    initial = {"title": model.title, "started_on": model.started_on, "summary": model.summary, "results": model.results}
    form = ModelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.model_update(model=model, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu mô hình."))
            return redirect("initiatives:model", model.pk)
    return render(
        request,
        "initiatives/model_form.html",
        {"nav": "models", "form": form, "model": model},
        status=form_status(form) if request.method == "POST" else 200,
    )


def _model_page(
    request: HttpRequest,
    model: EffectiveModel,
    *,
    evidence_form: EvidenceForm | None = None,
    reason_form: ReasonForm | None = None,
    adoption_form: AdoptionForm | None = None,
) -> HttpResponse:
    adoptions = list(model.adoptions.select_related("unit").order_by("adopted_on", "pk"))
    roots = selectors.spread_tree(model, adoptions)
    can = Can(model, request.user)
    units = selectors.adopting_units(request.user, model) if model.can_adopt(request.user) else []
    return render(
        request,
        "initiatives/model_detail.html",
        {
            "nav": "models",
            "model": model,
            "can": can,
            "seen": state_token(model),
            "evidence": model.evidence.all(),
            "adoptions": adoptions,
            "tree": selectors.flatten(roots),
            "spread_chart": selectors.spread_chart(model, roots),
            "spread_labels": {
                "origin": _("đơn vị xây dựng"),
                "approver": _("cấp công nhận"),
                "since": _("áp dụng từ"),
                "count": _("đơn vị áp dụng"),
            },
            "adopt_units": units,
            "evidence_form": evidence_form or EvidenceForm(),
            "reason_form": reason_form or ReasonForm(),
            "approve_form": ApproveForm(),
            "adoption_form": adoption_form or AdoptionForm(units=units, initial={"adopted_on": timezone.localdate()}),
            "events": model.events.select_related("by"),
        },
        status=form_status(*(f for f in (evidence_form, reason_form, adoption_form) if f is not None)),
    )


@scoped(MODELS)
def model_detail(request: HttpRequest, model: EffectiveModel) -> HttpResponse:
    """A model, its evidence, the reviewer's buttons and the tree of units that adopted it."""
    return _model_page(request, model)


@scoped(MODELS, perm=Perm.MANAGE_EMULATION)
@require_POST
def model_submit(request: HttpRequest, model: EffectiveModel) -> HttpResponse:
    attempt(
        request,
        lambda: services.model_submit(model=model, by=request.user, seen=seen_state(request)),
        success=_("Đã gửi mô hình đến cấp trên trực tiếp."),
    )
    return redirect("initiatives:model", model.pk)


@scoped(MODELS, perm=Perm.MANAGE_EMULATION)
@require_POST
def model_approve(request: HttpRequest, model: EffectiveModel) -> HttpResponse:
    publish = request.POST.get("publish") in ("on", "1", "true")
    attempt(
        request,
        lambda: services.model_approve(model=model, by=request.user, publish=publish, seen=seen_state(request)),
        success=_("Đã duyệt mô hình; mô hình có trong thư viện của đơn vị."),
    )
    return redirect("initiatives:model", model.pk)


@scoped(MODELS, perm=Perm.MANAGE_EMULATION)
@require_POST
def model_return(request: HttpRequest, model: EffectiveModel) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.model_return(
                model=model, by=request.user, reason=form.cleaned_data["reason"], seen=seen_state(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã trả lại mô hình để đơn vị bổ sung."))
            return redirect("initiatives:model", model.pk)
    return _model_page(request, model, reason_form=form)


@scoped(MODELS, perm=Perm.MANAGE_EMULATION)
@require_POST
def model_publish(request: HttpRequest, model: EffectiveModel) -> HttpResponse:
    published = request.POST.get("published") == "1"
    attempt(
        request,
        lambda: services.model_publish(model=model, by=request.user, published=published),
        success=_("Đã đăng mô hình lên cổng thông tin.") if published else _("Đã gỡ mô hình khỏi cổng thông tin."),
    )
    return redirect("initiatives:model", model.pk)


@scoped(MODELS, perm=Perm.MANAGE_EMULATION)
@require_POST
def model_evidence_add(request: HttpRequest, model: EffectiveModel) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.model_evidence_add(model=model, by=request.user, upload=form.cleaned_data["evidence"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã đính kèm minh chứng."))
            return redirect("initiatives:model", model.pk)
    return _model_page(request, model, evidence_form=form)


@scoped(MODEL_EVIDENCE)
def model_evidence(request: HttpRequest, evidence: ModelEvidence) -> FileResponse:
    return download(evidence.file, name=evidence.name, content_type=evidence.content_type)


@scoped(MODELS)
@require_POST
def model_adopt(request: HttpRequest, model: EffectiveModel) -> HttpResponse:
    """A unit under the model's library records that it took the model up."""
    units = selectors.adopting_units(request.user, model)
    form = AdoptionForm(request.POST, units=units)
    if form.is_valid():
        try:
            services.adoption_record(model=model, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận đơn vị áp dụng mô hình."))
            return redirect("initiatives:model", model.pk)
    return _model_page(request, model, adoption_form=form)
