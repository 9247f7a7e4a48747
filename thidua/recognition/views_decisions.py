"""Pages of award decisions: the list (with its Excel export), drafting from a closed council
session, the draft's edit page (text, lines added and removed), the decision with its annex,
prizes and gold-book numbers, issue and revocation, the .docx and the certificates PDF; and the
print layout of each award kind's pre-printed blank, with a test print.

Every decision comes through ``@scoped`` (404 outside the branch); who may draft, edit, issue and
revoke is the issuer's own emulation desk (``AwardDecision.ISSUE.policy``), asked again by the
services (403 for someone above who sees the decision but does not hold that desk)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.campaigns.models import Plan
from thidua.core.excel import DATE, INTEGER, Title, scope_line
from thidua.core.forms import apply_errors, form_status, seen_state
from thidua.core.listing import Column, Listing, Sort
from thidua.core.transitions import state_token
from thidua.recognition import decisions
from thidua.recognition.certificates import (
    DEFAULT_POSITIONS,
    PDF_MIME,
    certificates_pdf,
    layout_test_pdf,
    validate_positions,
)
from thidua.recognition.documents import decision_docx_response
from thidua.recognition.forms_decisions import (
    DecisionCreateForm,
    DecisionForm,
    IssueForm,
    LayoutForm,
    LineAddForm,
    RevokeForm,
)
from thidua.recognition.models import AwardDecision, AwardKind, CertificateLayout, CouncilSession, DecisionLine
from thidua.units.models import Unit
from thidua.units.selectors import scope_roots

DECISIONS = AwardDecision.objects.select_related("issuer", "session", "session__council", "campaign")
LINES = DecisionLine.objects.select_related("decision", "decision__issuer")
PLAN_CHOICES = 200
TAB = "decisions"

SORTS = (
    Sort("issued", ("issued_on",)),
    Sort("number", ("year", "number")),
    Sort("title", ("title",)),
    Sort("issuer", ("issuer__name",)),
    Sort("status", ("status",)),
)


def _plans(request: HttpRequest) -> Any:
    return Plan.objects.visible_to(request.user).select_related("issuer").order_by("-issued_on", "-pk")[:PLAN_CHOICES]


def _money(value: int | None) -> str:
    return f"{value or 0:,}".replace(",", ".")


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF_MIME)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- list ----------------------------------------------------------------------------------------


@scoped
def decision_list(request: HttpRequest) -> HttpResponse:
    """Decisions of the user's units and those below: filter by state and year; search by issuer,
    recipient (without diacritics) or number."""
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 1900 < int(year_text) < 3000 else None
    qs = decisions.decisions_for(request.user, query, status, year)
    listing = Listing(request, qs, sorts=SORTS, default_sort="-issued")
    if listing.wants_export:
        return listing.export(
            "quyet-dinh-khen-thuong.xlsx",
            _("Quyết định khen thưởng"),
            title=Title(_("Danh sách quyết định khen thưởng"), [scope_line(u.name for u in scope_roots(request.user))]),
            columns=[
                Column(_("Số"), lambda d: d.document_number),
                Column(_("Ngày"), lambda d: d.issued_on, fmt=DATE),
                Column(_("Trích yếu"), lambda d: d.title),
                Column(_("Đơn vị ban hành"), lambda d: d.issuer.name),
                Column(_("Trạng thái"), lambda d: d.get_status_display()),
                Column(_("Số người, tập thể"), lambda d: d.line_count, fmt=INTEGER),
                Column(_("Tổng tiền thưởng (đồng)"), lambda d: d.prize_total or 0, fmt=INTEGER),
                Column(_("Lý do thu hồi"), lambda d: d.revoke_reason),
            ],
        )
    this_year = timezone.localdate().year
    return render(
        request,
        "recognition/decisions/list.html",
        {
            "nav": "recognition",
            "tab": TAB,
            "listing": listing,
            "q": query,
            "status": status,
            "statuses": AwardDecision.Status.choices,
            "year": year or "",
            "years": list(range(this_year, this_year - 10, -1)),
            "may_create": bool(decisions.desk_units(request.user)),
        },
    )


# --- create and edit -------------------------------------------------------------------------------


def _create_initial(session: CouncilSession | None, units: list[Any]) -> dict[str, Any]:
    today = timezone.localdate()
    initial: dict[str, Any] = {
        "issued_on": today,
        "signer_capacity": "TM. BAN THƯỜNG VỤ",
        "signer_position": "CHỦ TỊCH",
        "issuer": units[0].pk if units else None,
    }
    if session is not None:
        candidates = decisions.session_candidates(session)
        initial["issuer"] = session.council.unit_id
        initial["session"] = session.pk
        ends = {c.nomination.period_end for c in candidates}
        if len(ends) == 1:
            end = ends.pop()
            start = min(c.nomination.period_start for c in candidates)
            initial |= {"period_start": start, "period_end": end}
            initial["title"] = _("Về việc khen thưởng thành tích năm %(year)s") % {"year": end.year}
            initial["achievement"] = _("Đã có thành tích xuất sắc trong phong trào thi đua năm %(year)s") % {
                "year": end.year
            }
        initial["place"] = ""
    return initial


@scoped
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest) -> HttpResponse:
    """Draft a decision from a closed session of the council of a unit whose desk the user holds
    (or from single candidates the council passed)."""
    units = decisions.desk_units(request.user)
    if not units:
        raise PermissionDenied(_("Chỉ bộ phận thi đua – khen thưởng của đơn vị mới lập quyết định khen thưởng."))
    sessions = decisions.closed_sessions(request.user)
    unit_ids = [u.pk for u in units]
    kwargs = {
        "units": Unit.objects.filter(pk__in=unit_ids).order_by("path"),
        "sessions": sessions,
        "candidates": decisions.available_candidates(*units),
        "plans": _plans(request),
    }
    if request.method == "POST":
        form = DecisionCreateForm(request.POST, **kwargs)
        if form.is_valid():
            data = dict(form.cleaned_data)
            issuer = data.pop("issuer")
            session = data.pop("session")
            chosen = list(data.pop("candidates") or [])
            try:
                decision = decisions.decision_draft(
                    issuer, session=session, candidates=chosen or None, by=request.user, **data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lập dự thảo quyết định; hãy kiểm tra danh sách rồi ban hành."))
                return redirect("recognition:decision", decision.pk)
        return render(
            request,
            "recognition/decisions/create.html",
            {"nav": "recognition", "tab": TAB, "form": form},
            status=form_status(form),
        )
    asked = request.GET.get("session", "")
    session = sessions.filter(pk=int(asked)).first() if asked.isdigit() and len(asked) < 19 else None
    form = DecisionCreateForm(initial=_create_initial(session, units), **kwargs)
    return render(
        request,
        "recognition/decisions/create.html",
        {"nav": "recognition", "tab": TAB, "form": form, "no_sessions": not sessions.exists()},
    )


def _require_desk(request: HttpRequest, decision: AwardDecision) -> None:
    if not decisions.may_act(request.user, decision):
        raise PermissionDenied(_("Chỉ bộ phận thi đua – khen thưởng của đơn vị ban hành sửa quyết định này."))


def _available(decision: AwardDecision) -> Any:
    """Passed candidates that may join this draft: taken at its issuer, for the same period."""
    return decisions.available_candidates(decision.issuer).filter(nomination__period_end=decision.period_end)


def _edit_page(
    request: HttpRequest,
    decision: AwardDecision,
    form: DecisionForm | None = None,
    add_form: LineAddForm | None = None,
) -> HttpResponse:
    available = _available(decision)
    return render(
        request,
        "recognition/decisions/edit.html",
        {
            "nav": "recognition",
            "tab": TAB,
            "decision": decision,
            "form": form or DecisionForm(instance=decision, plans=_plans(request)),
            "add_form": add_form or LineAddForm(candidates=available),
            "has_available": available.exists(),
            "lines": decisions.decision_lines(decision),
        },
        status=form_status(*(f for f in (form, add_form) if f is not None)),
    )


@scoped(DECISIONS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, decision: AwardDecision) -> HttpResponse:
    _require_desk(request, decision)
    if decision.status != AwardDecision.Status.DRAFT:
        messages.error(request, _("Quyết định đã ban hành hoặc đã thu hồi; không sửa được nữa."))
        return redirect("recognition:decision", decision.pk)
    if request.method == "POST":
        form = DecisionForm(request.POST, instance=AwardDecision(issuer=decision.issuer), plans=_plans(request))
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in decisions.DECISION_FIELDS if name in form.cleaned_data}
            try:
                decisions.decision_update(decision=decision, by=request.user, **fields)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu dự thảo quyết định."))
                return redirect("recognition:decision", decision.pk)
        return _edit_page(request, decision, form=form)
    return _edit_page(request, decision)


@scoped(DECISIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def decision_line_add(request: HttpRequest, decision: AwardDecision) -> HttpResponse:
    _require_desk(request, decision)
    form = LineAddForm(request.POST, candidates=_available(decision))
    if form.is_valid():
        try:
            decisions.line_add(decision=decision, candidates=form.cleaned_data["candidates"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm vào danh sách khen thưởng."))
            return redirect("recognition:decision_edit", decision.pk)
    return _edit_page(request, decision, add_form=form)


@scoped(LINES, perm=Perm.MANAGE_EMULATION)
@require_POST
def decision_line_remove(request: HttpRequest, line: DecisionLine) -> HttpResponse:
    _require_desk(request, line.decision)
    try:
        decisions.line_remove(line=line, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã bỏ khỏi danh sách khen thưởng."))
    return redirect("recognition:decision_edit", line.decision_id)


# --- one decision ------------------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    decision: AwardDecision,
    *,
    issue_form: IssueForm | None = None,
    revoke_form: RevokeForm | None = None,
) -> HttpResponse:
    lines = decisions.decision_lines(decision)
    individuals = [line for line in lines if line.member_id]
    collectives = [line for line in lines if not line.member_id]
    user = request.user
    desk = decisions.may_act(user, decision)
    kinds = {line.kind_id for line in lines}
    return render(
        request,
        "recognition/decisions/detail.html",
        {
            "nav": "recognition",
            "tab": TAB,
            "decision": decision,
            "individuals": individuals,
            "collectives": collectives,
            "prize_total": _money(sum(line.prize for line in lines)),
            "count": len(lines),
            "seen": state_token(decision),
            "may_edit": desk and decision.status == AwardDecision.Status.DRAFT,
            "may_issue": desk and AwardDecision.ISSUE.available(decision, user),
            "may_revoke": desk and AwardDecision.REVOKE.available(decision, user),
            "issue_form": issue_form or IssueForm(initial={"issued_on": timezone.localdate()}),
            "revoke_form": revoke_form or RevokeForm(),
            "has_layout": bool(kinds) and CertificateLayout.objects.filter(kind_id__in=kinds).exists(),
            "events": decision.events.select_related("by"),
            "draft": decision.status == AwardDecision.Status.DRAFT,
            "issued": decision.status == AwardDecision.Status.ISSUED,
        },
        status=form_status(*(f for f in (issue_form, revoke_form) if f is not None)),
    )


@scoped(DECISIONS)
def decision_detail(request: HttpRequest, decision: AwardDecision) -> HttpResponse:
    return _detail_page(request, decision)


@scoped(DECISIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def decision_issue(request: HttpRequest, decision: AwardDecision) -> HttpResponse:
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            decisions.decision_issue(
                decision=decision, by=request.user, seen=seen_state(request), issued_on=form.cleaned_data["issued_on"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Đã ban hành quyết định; khen thưởng đã ghi vào lịch sử của từng người, tập thể.")
            )
            return redirect("recognition:decision", decision.pk)
    return _detail_page(request, decision, issue_form=form)


@scoped(DECISIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def decision_revoke(request: HttpRequest, decision: AwardDecision) -> HttpResponse:
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            decisions.decision_revoke(
                decision=decision, reason=form.cleaned_data["reason"], by=request.user, seen=seen_state(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thu hồi quyết định và các khen thưởng của quyết định."))
            return redirect("recognition:decision", decision.pk)
    return _detail_page(request, decision, revoke_form=form)


@scoped(DECISIONS)
def decision_docx(request: HttpRequest, decision: AwardDecision) -> HttpResponse:
    """The decision with its annex (Decree 30); a draft carries the draft marking."""
    return decision_docx_response(decision)


@scoped(DECISIONS)
def decision_certificates(request: HttpRequest, decision: AwardDecision) -> HttpResponse:
    """Every recipient's certificate in one PDF; ``?blank=1`` prints only the fields, at the
    positions of each kind's blank. Only an issued decision has certificates."""
    if decision.status != AwardDecision.Status.ISSUED:
        messages.error(request, _("Chỉ in giấy khen, bằng khen của quyết định đã ban hành (và chưa bị thu hồi)."))
        return redirect("recognition:decision", decision.pk)
    blank = request.GET.get("blank") == "1"
    name = f"giay-khen-{decision.number or 0:02d}-QD-{decision.year}{'-phoi' if blank else ''}.pdf"
    return _pdf(certificates_pdf(decision, blank=blank), name)


# --- certificate layouts -------------------------------------------------------------------------------


@scoped
def certificate_layouts(request: HttpRequest) -> HttpResponse:
    """The award kinds whose pre-printed blank the user may lay out."""
    kinds = list(decisions.layout_kinds(request.user))
    if not kinds:
        raise PermissionDenied(_("Chỉ quản trị hệ thống và bộ phận thi đua – khen thưởng chỉnh bố cục in trên phôi."))
    laid_out = set(CertificateLayout.objects.filter(kind__in=kinds).values_list("kind_id", flat=True))
    return render(
        request,
        "recognition/decisions/layouts.html",
        {"nav": "recognition", "tab": TAB, "kinds": kinds, "laid_out": laid_out},
    )


def _layout_kind(request: HttpRequest) -> AwardKind:
    asked = (request.POST.get("kind") or request.GET.get("kind") or "").strip()
    kind = AwardKind.objects.filter(pk=int(asked)).first() if asked.isdigit() and len(asked) < 19 else None
    if kind is None:
        raise Http404(_("Không tìm thấy danh hiệu, hình thức khen thưởng."))
    if not decisions.may_edit_layout(request.user, kind):
        raise PermissionDenied(_("Bạn không có quyền chỉnh bố cục in của “%(award)s”.") % {"award": kind.name})
    return kind


@scoped
@require_http_methods(["GET", "POST"])
def certificate_layout(request: HttpRequest) -> HttpResponse:
    """Positions of one kind's blank (``?kind=<id>``): one row per field (x, y, size, alignment,
    width), saved with history; "In thử" downloads a test page of the values in the form."""
    kind = _layout_kind(request)
    layout = CertificateLayout.objects.filter(kind=kind).first()
    if request.method == "POST":
        form = LayoutForm(request.POST)
        if form.is_valid():
            try:
                positions = validate_positions(form.positions())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if request.POST.get("action") == "test":
                    return _pdf(layout_test_pdf(kind, positions), f"in-thu-{kind.code}.pdf")
                decisions.layout_save(kind=kind, positions=positions, by=request.user)
                messages.success(request, _("Đã lưu bố cục in trên phôi của “%(award)s”.") % {"award": kind.name})
                return redirect(f"{request.path}?kind={kind.pk}")
    else:
        saved = validate_positions(layout.positions if layout else {})
        form = LayoutForm(initial=LayoutForm.initial_for(saved or DEFAULT_POSITIONS))
    history = layout.history.select_related("history_user")[:10] if layout else []  # type: ignore[attr-defined]
    return render(
        request,
        "recognition/decisions/layout.html",
        {"nav": "recognition", "tab": TAB, "kind": kind, "form": form, "layout": layout, "history": history},
        status=form_status(form),
    )
